"""PyTorch's ``TORCH_WARN_ONCE``: a warning shown the first time in the process only."""
from __future__ import annotations

import warnings

__all__ = ["warn_once"]

_warned: set[str] = set()


def warn_once(message: str) -> None:
    """``UserWarning(message)`` the first time this message is warned in the process."""
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)
