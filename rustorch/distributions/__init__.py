"""``torch.distributions``: probability distributions with PyTorch's parameterisations,
``log_prob``/``entropy``/``rsample`` and KL divergences."""
from __future__ import annotations
