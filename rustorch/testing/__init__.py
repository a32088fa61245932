"""``torch.testing``: ``assert_close`` with PyTorch's default tolerances, and ``make_tensor``."""
from __future__ import annotations
