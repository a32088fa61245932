"""``out=`` support for ops returning a tensor or a tuple of tensors."""
from __future__ import annotations

import functools

from ..errors import ArgumentError
from ..tensor import Tensor

__all__ = ["write_out", "accepts_out"]


def write_out(result, out, exact_dtype: str | None = None):
    """Copy ``result`` (a Tensor or a tuple of them) into ``out`` and return ``out``; with
    ``exact_dtype`` (the op's name) each out tensor must have its result's dtype."""
    if out is None:
        return result
    from .elementwise import _maybe_out, check_exact_out_dtype
    if isinstance(result, Tensor):
        return _maybe_out(result, out, exact_dtype)
    if not isinstance(out, (tuple, list)) or len(out) != len(result):
        raise ArgumentError(f"out= expects a tuple of {len(result)} tensors for this op")
    if exact_dtype is not None:  # every dtype checked before anything is written
        for piece, target in zip(result, out):
            if isinstance(target, Tensor):
                check_exact_out_dtype(piece, target, exact_dtype)
    written = [_maybe_out(r, o, exact_dtype) for r, o in zip(result, out)]
    return type(result)(*written) if hasattr(result, "_fields") else tuple(written)


def accepts_out(function=None, *, exact_dtype: bool = False):
    """Decorate an op so its ``out=`` keyword receives the result; with ``exact_dtype``, out
    tensors must have the result's dtype (PyTorch's rule outside elementwise math)."""
    def decorate(function):
        name = function.__name__ if exact_dtype else None

        @functools.wraps(function)
        def wrapper(*args, out=None, **kwargs):
            return write_out(function(*args, **kwargs), out, name)
        return wrapper
    return decorate(function) if function is not None else decorate
