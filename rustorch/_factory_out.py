"""Keyword arguments every factory function shares, handled in one place:

- ``out=`` (where PyTorch accepts it): the values are made in ``out``'s dtype (a ``dtype=``
  given as well must equal it) on ``out``'s device, written into ``out``, which is returned;
- ``layout=``: strided only (sparse layouts come with the sparse phase), never ignored;
- ``pin_memory=True``: needs an accelerator, as in PyTorch, and gives a pinned CPU tensor.
"""
from __future__ import annotations

import functools

from . import _backend
from . import dtypes as _dtypes
from .autograd.grad_mode import grad_state
from .errors import (ArgumentTypeError, AutogradError, DeviceError, DTypeError,
                     NotSupportedError)

__all__ = ["factory", "factory_out"]


def _check_layout(name: str, layout) -> None:
    if layout is not None and getattr(layout, "name", layout) != "strided":
        raise NotSupportedError(f"{name}(layout={layout}): only torch.strided tensors are "
                                f"supported so far (sparse layouts come with the sparse phase)")


def _pinned(name: str, result, pin_memory: bool):
    if not pin_memory:
        return result
    if not _backend.cuda_available():
        raise DeviceError(f"{name}(pin_memory=True) requires a CUDA or other accelerator "
                          f"backend; no pinned memory allocator is available on this system "
                          f"(drop pin_memory, or install rustorch[cuda12] on a GPU machine)")
    if not result.is_cpu:
        raise DeviceError(f"{name}(pin_memory=True): only dense CPU tensors can be pinned, "
                          f"but the tensor is on {result.device}")
    result.__dict__["_pinned"] = True
    return result


def _write_to_out(name: str, function, args, kwargs, out):
    from .tensor import _TORCH_TYPE_NAMES, Tensor
    from ._ops.elementwise import _maybe_out
    if not isinstance(out, Tensor):
        raise ArgumentTypeError(f"{name}(): argument 'out' must be Tensor, not "
                                f"{type(out).__name__}")
    dtype = kwargs.get("dtype")
    if dtype is not None and _dtypes.to_dtype(dtype) is not out.dtype:
        raise DTypeError(
            f"dtype {_TORCH_TYPE_NAMES.get(_dtypes.to_dtype(dtype).name)} does not match "
            f"dtype of out parameter ({_TORCH_TYPE_NAMES.get(out.dtype.name)})")
    if out.requires_grad and grad_state.enabled:
        raise AutogradError(f"aten::{name}(): functions with out=... arguments don't support "
                            f"automatic differentiation, but one of the arguments requires "
                            f"grad.")
    kwargs["dtype"] = out.dtype
    if kwargs.get("device") is None:
        kwargs["device"] = out.device
    return _maybe_out(function(*args, **kwargs).detach(), out)


def factory(function=None, *, out: bool = False):
    """Decorate a factory function: checks ``layout``, applies ``pin_memory`` and (with
    ``out=True``) the ``out=`` argument."""
    def decorate(function):
        name = function.__name__

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            _check_layout(name, kwargs.get("layout"))
            pin_memory = kwargs.get("pin_memory", False)
            target = kwargs.pop("out", None) if out else None
            if target is not None:
                return _write_to_out(name, function, args, kwargs, target)
            return _pinned(name, function(*args, **kwargs), pin_memory)
        return wrapper
    return decorate(function) if function is not None else decorate


factory_out = factory(out=True)
