"""``torch.special``: special functions (scipy.special on arrays), with PyTorch's names,
dtypes and gradients."""
from __future__ import annotations
