"""``autocast``: regions where listed ops run in a lower precision (matmul, conv, linear ...)
or in float32 (losses, reductions ...), and the per-thread switches behind it, as torch's
``torch.autocast`` / ``torch.is_autocast_enabled`` / ``torch.amp.custom_fwd``.

>>> import rustorch as torch
>>> with torch.autocast("cpu"):
...     torch.mm(torch.ones(2, 2), torch.ones(2, 2)).dtype
torch.bfloat16
"""
from __future__ import annotations

import collections.abc
import copy
import functools
import warnings
from typing import Any

from .. import dtypes as _dtypes
from ..errors import ArgumentError, ArgumentTypeError, DeviceError
from ._dispatch import DEVICE_TYPES, AmpError, autocast_state

__all__ = ["autocast", "autocast_decorator", "is_autocast_available", "custom_fwd",
           "custom_bwd", "is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
           "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
           "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting",
           "get_autocast_cpu_dtype", "get_autocast_gpu_dtype", "set_autocast_cpu_dtype",
           "set_autocast_gpu_dtype", "is_autocast_cpu_enabled", "set_autocast_cpu_enabled"]

# device types torch knows: autocast on the ones rustorch lacks is "unsupported"
_TORCH_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep",
                       "hip", "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu",
                       "mtia", "privateuseone")


def _device_type(device_type: str) -> str:
    """``device_type`` if rustorch has autocast for it; torch's errors otherwise."""
    if device_type in DEVICE_TYPES:
        return device_type
    if device_type in _TORCH_DEVICE_TYPES:
        raise AmpError(f"User specified an unsupported autocast device_type '{device_type}'")
    raise DeviceError(f"Expected one of {', '.join(_TORCH_DEVICE_TYPES)} device type at start "
                      f"of device string: {device_type}")


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can be used on ``device_type`` (``"cpu"`` and ``"cuda"``)."""
    if device_type not in _TORCH_DEVICE_TYPES:
        _device_type(device_type)  # torch's error for a string that names no device type
    return device_type in DEVICE_TYPES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` in this thread (CUDA when None, as torch)."""
    return autocast_state.enabled[_device_type("cuda" if device_type is None else device_type)]


def set_autocast_enabled(device_type, enabled: bool | None = None) -> None:
    """``set_autocast_enabled(device_type, enabled)``; the one-argument form is for CUDA."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    if not isinstance(enabled, bool):
        raise ArgumentTypeError(f"set_autocast_enabled(): argument 'enabled' must be bool, not "
                                f"{type(enabled).__name__}")
    autocast_state.enabled[_device_type(device_type)] = enabled
    autocast_state.refresh()


def get_autocast_dtype(device_type: str) -> _dtypes.dtype:
    """The lower-precision dtype of ``device_type`` (bfloat16 on cpu, float16 on cuda)."""
    return autocast_state.dtype[_device_type(device_type)]


def set_autocast_dtype(device_type: str, dtype) -> None:
    autocast_state.dtype[_device_type(device_type)] = _dtypes.to_dtype(dtype)


def is_autocast_cache_enabled() -> bool:
    return autocast_state.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    autocast_state.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Forget the cached casts of weights (autocast does it when its outermost region exits)."""
    autocast_state.cache.clear()


def autocast_increment_nesting() -> int:
    autocast_state.nesting += 1
    return autocast_state.nesting


def autocast_decrement_nesting() -> int:
    autocast_state.nesting -= 1
    return autocast_state.nesting


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def get_autocast_cpu_dtype() -> _dtypes.dtype:
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def get_autocast_gpu_dtype() -> _dtypes.dtype:
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_cpu_dtype(dtype) -> None:
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def set_autocast_gpu_dtype(dtype) -> None:
    _deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def is_autocast_cpu_enabled() -> bool:
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled: bool) -> None:
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def _cuda_definitely_not_available() -> bool:
    from .. import cuda
    return not cuda.is_available()


def autocast_decorator(autocast_instance: "autocast", function):
    """``function`` run inside (a fresh copy of) ``autocast_instance`` at every call."""
    @functools.wraps(function)
    def decorate_autocast(*args, **kwargs):
        # a copy per call: recursion and threads must not share the saved previous state
        with copy.copy(autocast_instance):
            return function(*args, **kwargs)
    return decorate_autocast


class autocast:
    """A region (context manager or decorator) where the ops on autocast's lists run in
    ``dtype`` (lower-precision ops: matmul, linear, conv ...) or in float32 (losses, norms ...),
    for tensors on ``device_type``. Casts are differentiable: gradients reach float32
    parameters in float32. The state is per thread; regions nest, and ``enabled=False``
    turns autocast off inside one.

    Args:
        device_type: ``"cpu"`` or ``"cuda"``.
        dtype: the lower precision; default bfloat16 on cpu, float16 on cuda.
        enabled: whether autocast is on in the region.
        cache_enabled: cache the casts of float32 leaf weights within the region.

    >>> import rustorch as torch
    >>> layer = torch.nn.Linear(4, 2)
    >>> with torch.autocast("cpu", dtype=torch.bfloat16):
    ...     layer(torch.ones(3, 4)).dtype
    torch.bfloat16
    """

    def __init__(self, device_type: str, dtype: _dtypes.dtype | None = None,
                 enabled: bool = True, cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ArgumentError(f"Expected `device_type` of type `str`, got: "
                                f"`{type(device_type)}`")
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(device_type):
            raise AmpError(f"User specified an unsupported autocast device_type '{device_type}'")
        supported = (_dtypes.bfloat16, _dtypes.float16)
        self._cache_enabled = (is_autocast_cache_enabled() if cache_enabled is None
                               else cache_enabled)
        if enabled:
            if device_type == "cuda":
                if _cuda_definitely_not_available():
                    warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                                  "autocast.", stacklevel=2)
                    enabled = False
                elif self.fast_dtype is _dtypes.bfloat16 and not _cuda_bf16_supported():
                    raise AmpError("Current CUDA Device does not support bfloat16. Please "
                                   "switch dtype to float16.")
            elif not any(self.fast_dtype is dtype for dtype in supported):
                name = device_type.upper()
                warnings.warn(f"In {name} autocast, but the target dtype is not supported. "
                              f"Disabling autocast.\n{name} Autocast only supports dtypes of "
                              f"torch.bfloat16, torch.float16 currently.", stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self) -> "autocast":
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> bool:
        # the cached casts live until the outermost region exits
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, function):
        if not callable(function):
            raise ArgumentTypeError(
                f"autocast()(func) requires a callable, but got {type(function).__name__}. "
                f"Did you mean to use autocast as a context manager? For example:\n"
                f"    with torch.autocast(device_type=...):\n"
                f"        output = model(input)")
        return autocast_decorator(self, function)


def _cuda_bf16_supported() -> bool:
    from .. import cuda
    return cuda.is_bf16_supported()


def _cast(value, device_type: str, dtype):
    """Tensors in ``value`` (and in its lists, tuples, dicts) cast to ``dtype`` where eligible:
    floating, not float64, on ``device_type``."""
    from ..tensor import Tensor
    if isinstance(value, Tensor):
        eligible = (value.is_floating_point() and value.device.type == device_type
                    and value.dtype is not _dtypes.float64)
        return value.to(dtype) if eligible else value
    if isinstance(value, (str, bytes)) or type(value).__module__ == "numpy":
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(key, device_type, dtype): _cast(item, device_type, dtype)
                for key, item in value.items()}
    if isinstance(value, collections.abc.Iterable):
        items = (_cast(item, device_type, dtype) for item in value)
        return type(value)(items) if isinstance(value, (list, tuple)) else items
    return value


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """Decorate the ``forward`` of a custom ``autograd.Function``: with ``cast_inputs``, inside
    autocast its floating tensors are cast to that dtype and it runs with autocast off."""
    if not isinstance(device_type, str):
        raise ArgumentError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        autocast_context = is_autocast_enabled(device_type)
        args[0]._fwd_used_autocast = False
        if autocast_context:
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs),
                           **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """Decorate the ``backward`` of a custom ``autograd.Function``: it runs with the autocast
    state its ``forward`` (decorated with ``custom_fwd``) ran with."""
    if not isinstance(device_type, str):
        raise ArgumentError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast,
                      dtype=args[0]._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd

