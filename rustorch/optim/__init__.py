"""Optimizers, as ``torch.optim``: the ``Optimizer`` base class, SGD, Adam and AdamW."""
from __future__ import annotations

from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from . import optimizer, sgd, adam  # noqa: F401

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
