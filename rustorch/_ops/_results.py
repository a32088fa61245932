"""``out=`` support for ops returning a tensor or a tuple of tensors."""
from __future__ import annotations

import functools

from ..errors import ArgumentError
from ..tensor import Tensor

__all__ = ["write_out", "accepts_out"]


def write_out(result, out):
    """Copy ``result`` (a Tensor or a tuple of them) into ``out`` and return ``out``."""
    if out is None:
        return result
    from .elementwise import _maybe_out
    if isinstance(result, Tensor):
        return _maybe_out(result, out)
    if not isinstance(out, (tuple, list)) or len(out) != len(result):
        raise ArgumentError(f"out= expects a tuple of {len(result)} tensors for this op")
    written = [_maybe_out(r, o) for r, o in zip(result, out)]
    return type(result)(*written) if hasattr(result, "_fields") else tuple(written)


def accepts_out(function):
    """Decorate an op so its ``out=`` keyword receives the result."""
    @functools.wraps(function)
    def wrapper(*args, out=None, **kwargs):
        return write_out(function(*args, **kwargs), out)
    return wrapper
