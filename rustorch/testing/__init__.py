"""``torch.testing``: ``assert_close`` with PyTorch's default tolerances, and ``make_tensor``.

``FileCheck`` (a TorchScript IR checker) is not provided.
"""
from __future__ import annotations

from ._comparison import assert_allclose, assert_close
from ._creation import make_tensor

__all__ = ["assert_close", "assert_allclose", "make_tensor"]
