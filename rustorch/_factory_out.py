"""``out=`` for factory functions (``zeros``, ``arange``, ``rand`` ...): the values are made in
``out``'s dtype (a ``dtype=`` given as well must equal it) on ``out``'s device, then written
into ``out``, which is returned, as PyTorch does."""
from __future__ import annotations

import functools

from . import dtypes as _dtypes
from .autograd.grad_mode import grad_state
from .errors import ArgumentTypeError, AutogradError, DTypeError

__all__ = ["factory_out"]


def factory_out(function):
    @functools.wraps(function)
    def wrapper(*args, out=None, **kwargs):
        if out is None:
            return function(*args, **kwargs)
        from .tensor import _TORCH_TYPE_NAMES, Tensor
        from ._ops.elementwise import _maybe_out
        name = function.__name__
        if not isinstance(out, Tensor):
            raise ArgumentTypeError(f"{name}(): argument 'out' must be Tensor, not "
                                    f"{type(out).__name__}")
        dtype = kwargs.get("dtype")
        if dtype is not None and _dtypes.to_dtype(dtype) is not out.dtype:
            raise DTypeError(
                f"dtype {_TORCH_TYPE_NAMES.get(_dtypes.to_dtype(dtype).name)} does not match "
                f"dtype of out parameter ({_TORCH_TYPE_NAMES.get(out.dtype.name)})")
        if out.requires_grad and grad_state.enabled:
            raise AutogradError(f"aten::{name}(): functions with out=... arguments don't "
                                f"support automatic differentiation, but one of the arguments "
                                f"requires grad.")
        kwargs["dtype"] = out.dtype
        if kwargs.get("device") is None:
            kwargs["device"] = out.device
        return _maybe_out(function(*args, **kwargs).detach(), out)
    return wrapper
