"""Small pieces shared by the functional modules."""
from __future__ import annotations

from ...errors import ArgumentError

__all__ = ["ArgumentValueError"]


class ArgumentValueError(ArgumentError, RuntimeError):
    """An argument value PyTorch rejects with RuntimeError (a ValueError here too)."""
