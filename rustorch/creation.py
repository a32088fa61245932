"""Tensor creation: ``tensor``, ``as_tensor``, ``from_numpy``, ``zeros``/``ones``/``full``/
``empty`` and their ``_like``/``new_`` forms, ``arange``, ``linspace``, ``logspace``, ``eye``."""
from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from . import _backend, _quiet
from . import dtypes as _dtypes
from ._factory_out import factory, factory_out
from ._linspace import linspace_values, logspace_values
from .layout import preserve_format
from .errors import ArgumentError, ArgumentTypeError, DTypeError, NotSupportedError, ShapeError
from .tensor import Size, Tensor, tensor_method
from .amp._dispatch import autocast_call, autocast_state
from ._ops._results import accepts_out

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange", "range", "linspace",
           "logspace", "eye", "scalar_tensor", "empty_strided", "complex", "polar"]


def _infer_array(data, xp=np, dtype=None):
    """An array for Python/NumPy ``data`` with PyTorch's dtype inference. With a target
    ``dtype``, Python floats stay float64 (complex128) here so that the final cast rounds them
    once (``tensor(0.1, dtype=float64)`` is 0.1, not float32's 0.1)."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, np.ndarray) or isinstance(data, np.generic):
        array = np.asarray(data)
        _dtypes.from_numpy_dtype(array.dtype)  # raises for unsupported dtypes
        return xp.asarray(array) if xp is not np else array
    if hasattr(data, "__cuda_array_interface__"):  # stays on its GPU, as in PyTorch (a CPU
        # device= copies it to the host afterwards)
        return _backend.cuda_module_or_raise("a tensor from a CUDA array").asarray(data)
    if hasattr(data, "__array_interface__"):
        return xp.asarray(data)
    if isinstance(data, (list, tuple)):
        data = _unwrap_nested(data)
    try:
        array = np.asarray(data)
    except ValueError as error:
        raise ArgumentError(f"tensor(): expected a sequence of equal-length sequences of numbers "
                            f"({error})") from None
    kind = array.dtype.kind
    if kind in "fc" and dtype is not None:
        pass  # the caller casts to ``dtype``
    elif kind == "f":
        array = array.astype(_dtypes.get_default_dtype().numpy)
    elif kind == "c":
        array = array.astype(_dtypes.default_complex_dtype().numpy)
    elif kind in "iu":
        array = array.astype(np.int64)
    elif kind in "US":
        if isinstance(data, str):
            raise ArgumentTypeError(f"new(): invalid data type 'str' ({data!r} is not a number)")
        raise ArgumentError("tensor(): too many dimensions 'str' (strings are not numbers)")
    elif kind != "b":
        # PyTorch raises RuntimeError here; DTypeError is both a RuntimeError and a TypeError
        leaf = array.flat[0] if array.size else data
        raise DTypeError(f"tensor(): Could not infer dtype of {type(leaf).__name__}")
    return xp.asarray(array) if xp is not np else array


def _unwrap_nested(data):
    if isinstance(data, Tensor):
        return data.tolist() if data.ndim else data.item()
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(item) for item in data]
    return data


def _finish(array, dtype, device, requires_grad: bool) -> Tensor:
    device = _backend.default_device(device)
    if dtype is not None:
        dtype = _dtypes.to_dtype(dtype)
        if array.dtype != dtype.numpy:
            with np.errstate(invalid="ignore", over="ignore"):
                array = array.astype(dtype.numpy)
    if device is not None:
        array = _backend.to_device(array, _backend.to_device_object(device))
    result = Tensor._make(array)
    if requires_grad:
        result.requires_grad_(True)
    return result


@factory
def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors)."""
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        array = data._data.copy()
    else:
        array = _infer_array(data, dtype=dtype)
        if isinstance(data, np.ndarray) or not isinstance(array, np.ndarray) or \
                array is data:
            array = array.copy()
    return _finish(array, dtype, device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with NumPy arrays and tensors where it can."""
    if isinstance(data, Tensor):
        result, device = data, _backend.default_device(device)
        if dtype is not None:
            result = result.to(_dtypes.to_dtype(dtype))
        if device is not None:
            result = result.to(device)
        return result
    return _finish(_infer_array(data, dtype=dtype), dtype, device, False)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False) -> Tensor:
    result = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype, device)
    if requires_grad:
        result.requires_grad_(True)
    return result


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise ArgumentTypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtypes.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _size_argument(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    try:
        shape = tuple(int(s) for s in size)
    except TypeError:
        raise ArgumentTypeError(f"size must be a sequence of ints, got {size!r}") from None
    for s in shape:
        if s < 0:
            raise ShapeError(f"Trying to create tensor with negative dimension {s}: "
                             f"{list(shape)}")
    return shape


def _xp_for(device):
    device = _backend.default_device(device)
    if device is None:
        return np
    target = _backend.to_device_object(device)
    if target.type == "cpu":
        return np
    if target.type == "meta":
        raise NotSupportedError("creating a tensor on the meta device: rustorch has no meta "
                                "tensors (shapes without data); create it on 'cpu' instead")
    return _backend.cuda_module_or_raise(f"creating a tensor on {target}")


def _filled(kind: str, shape, dtype, device, requires_grad, fill_value=None,
            memory_format=None, like=None) -> Tensor:
    """A new tensor: ``kind`` is zeros, ones, empty or full; ``memory_format`` (with the array
    ``like`` for ``preserve_format``) sets the layout, row-major by default."""
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    device = _backend.default_device(device)
    xp = _xp_for(device)
    if xp is not np and dtype.name == "bfloat16":
        raise NotSupportedError(f"creating a bfloat16 tensor on {device}: CuPy has no bfloat16 "
                                f"arrays; use float16 or float32 on CUDA")
    if kind == "full":  # PyTorch refuses a value the dtype cannot hold (-1.5 as uint8 ...)
        from ._ops.scalar_values import scalar_for
        fill_value = scalar_for(fill_value, dtype, "full")
        quiet = _quiet.enter()  # a value rounding to inf in a half type: no numpy warning
        try:
            array = _allocate_filled(xp, kind, shape, dtype, fill_value, memory_format, like)
        finally:
            _quiet.leave(quiet)
    else:
        array = _allocate_filled(xp, kind, shape, dtype, fill_value, memory_format, like)
    if xp is not np and device is not None:
        array = _backend.to_device(array, _backend.to_device_object(device))
    result = Tensor._make(array)
    if requires_grad:
        result.requires_grad_(True)
    return result


def _allocate_filled(xp, kind, shape, dtype, fill_value, memory_format, like):
    if memory_format is not None and not (memory_format is preserve_format and (
            like is None or like.flags.c_contiguous)):
        from ._ops.memory_format import allocate
        array = allocate(xp, shape, dtype.numpy, memory_format, like=like)
        if kind != "empty":
            array[...] = {"zeros": 0, "ones": 1}.get(kind, fill_value)
    elif kind == "zeros":
        array = xp.zeros(shape, dtype=dtype.numpy)
    elif kind == "ones":
        array = xp.ones(shape, dtype=dtype.numpy)
    elif kind == "empty":
        array = xp.empty(shape, dtype=dtype.numpy)
    else:
        array = xp.full(shape, fill_value, dtype=dtype.numpy)
    return array


@factory_out
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    return _filled("zeros", _size_argument(size), dtype, device, requires_grad,
                   memory_format=memory_format)


@factory_out
def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None) -> Tensor:
    return _filled("ones", _size_argument(size), dtype, device, requires_grad,
                   memory_format=memory_format)


@factory_out
def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    return _filled("empty", _size_argument(size), dtype, device, requires_grad,
                   memory_format=memory_format)


@factory
def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    """An uninitialised tensor with the given ``stride``: a strided view of a buffer just large
    enough for its last element (strides may overlap or leave gaps, as in PyTorch)."""
    shape, strides = _size_argument((size,)), tuple(int(s) for s in stride)
    if len(strides) != len(shape):
        raise ShapeError(f"mismatch in length of strides and shape: {len(strides)} strides "
                         f"for {len(shape)} dims")
    if any(s < 0 for s in strides):
        raise ShapeError(f"as_strided: Negative strides are not supported at the moment, got "
                         f"strides: {list(strides)}")
    buffer = _filled("empty", (0 if 0 in shape else 1 + sum(
        (length - 1) * step for length, step in zip(shape, strides)),), dtype, device, False)
    result = buffer.as_strided(shape, strides)
    return result.requires_grad_(True) if requires_grad else result


@factory_out
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    if dtype is None:
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        dtype = _dtypes.scalar_dtype(fill_value)
    return _filled("full", _size_argument((size,)), dtype, device, requires_grad, fill_value)


def scalar_tensor(value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return full((), value, dtype=dtype or _dtypes.get_default_dtype(), device=device,
                requires_grad=requires_grad)


def _like(kind, input: Tensor, dtype, device, requires_grad, fill_value=None,
          memory_format=None) -> Tensor:
    dtype = input.dtype if dtype is None else dtype
    device = input.device if device is None else device
    same_device = _backend.to_device_object(device) == input.device
    like = input._data if same_device else None  # preserve_format's source
    return _filled(kind, input._data.shape, dtype, device, requires_grad, fill_value,
                   memory_format=preserve_format if memory_format is None
                   else memory_format, like=like)


@factory
def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _like("zeros", input, dtype, device, requires_grad, memory_format=memory_format)


@factory
def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return _like("ones", input, dtype, device, requires_grad, memory_format=memory_format)


@factory
def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _like("empty", input, dtype, device, requires_grad, memory_format=memory_format)


@factory
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return _like("full", input, dtype, device, requires_grad, fill_value,
                 memory_format=memory_format)


@tensor_method
@factory
def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False) -> Tensor:
    return _filled("zeros", _size_argument(size), dtype or self.dtype, device or self.device,
                   requires_grad)


@tensor_method
@factory
def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False) -> Tensor:
    return _filled("ones", _size_argument(size), dtype or self.dtype, device or self.device,
                   requires_grad)


@tensor_method
@factory
def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False) -> Tensor:
    return _filled("empty", _size_argument(size), dtype or self.dtype, device or self.device,
                   requires_grad)


@tensor_method
@factory
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False) -> Tensor:
    return _filled("full", _size_argument((size,)), dtype or self.dtype,
                   device or self.device, requires_grad, fill_value)


@tensor_method
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None:  # PyTorch: the new tensor takes self's dtype, whatever ``data`` holds
        dtype = self.dtype
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
        return _finish(data._data.copy(), dtype, device or self.device, requires_grad)
    return tensor(data, dtype=dtype, device=device or self.device, requires_grad=requires_grad)


def _number(value):
    return value.item() if isinstance(value, Tensor) else value


@factory_out
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; integer dtype for int args."""
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ShapeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise ShapeError(f"upper bound and larger bound inconsistent with step sign "
                         f"(start={start}, end={end}, step={step})")
    if dtype is None:
        if all(isinstance(v, numbers.Integral) for v in (start, end, step)):
            dtype = _dtypes.int64
        else:
            dtype = _dtypes.get_default_dtype()
    dtype = _dtypes.to_dtype(dtype)
    count = max(0, math.ceil((end - start) / step))
    if not (dtype.is_floating_point or dtype.is_complex):
        # PyTorch truncates start and step for integer dtypes; int64 also truncates end before
        # sizing, narrower integers size the range from the untruncated values
        if dtype is _dtypes.int64:
            count = max(0, math.ceil((int(end) - int(start)) / int(step))) if int(step) else 0
        start, step = int(start), int(step)
        if step == 0:
            raise ShapeError("arange: step must be nonzero (it truncates to 0 for an integer "
                             "dtype)")
    # compute in float64 (or int64) then cast, so float32 values match PyTorch's rounding
    if dtype.is_floating_point:
        array = (start + np.arange(count, dtype=np.float64) * step).astype(dtype.numpy)
    else:
        array = (start + np.arange(count, dtype=np.int64) * step).astype(dtype.numpy)
    return _finish(array, None, device, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None,  # noqa: A001
          requires_grad=False) -> Tensor:
    """Deprecated inclusive range (``end`` included), as ``torch.range``."""
    if end is None:
        start, end = 0, start
    count = int(math.floor((end - start) / step)) + 1
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    array = (start + np.arange(count, dtype=np.float64) * step).astype(dtype.numpy)
    # as in PyTorch 2.13, the deprecated range ignores the default device
    return _finish(array, None, _backend.CPU if device is None else device, requires_grad)


@factory_out
def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, bit for bit as PyTorch's
    kernel computes them in ``dtype`` (see ``rustorch._linspace``)."""
    start, end = _number(start), _number(end)
    if steps < 0:
        raise ShapeError("linspace: number of steps must be non-negative")
    if dtype is None:
        complex_ends = isinstance(start, builtins.complex) or isinstance(end, builtins.complex)
        dtype = _dtypes.get_default_dtype()
        if complex_ends:
            dtype = _dtypes.complex128 if dtype is _dtypes.float64 else _dtypes.complex64
    else:
        dtype = _dtypes.to_dtype(dtype)
    return _finish(linspace_values(start, end, int(steps), dtype.numpy), None, device,
                   requires_grad)


@factory_out
def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``, bit for bit as PyTorch's kernel computes it."""
    start, end = _number(start), _number(end)
    if steps < 0:
        raise ShapeError("logspace: number of steps must be non-negative")
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    return _finish(logspace_values(start, end, int(steps), float(base), dtype.numpy), None,
                   device, requires_grad)


@factory_out
def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    if n < 0 or m is not None and m < 0:
        raise ShapeError(f"eye: n and m must be greater or equal to 0, got n={n}, m={m}")
    array = _xp_for(device).eye(n, n if m is None else m, dtype=dtype.numpy)
    return _finish(array, None, device, requires_grad)


@accepts_out(exact_dtype=True)
def complex(real: Tensor, imag: Tensor, *, out=None) -> Tensor:  # noqa: A001
    if real.dtype is not imag.dtype or not real.dtype.is_floating_point:
        raise DTypeError(f"complex(): expected both inputs to be Half, Float or Double tensors "
                         f"of the same dtype, got {real.dtype} and {imag.dtype}")
    return real + imag * 1j


@accepts_out(exact_dtype=True)
def polar(abs: Tensor, angle: Tensor, *, out=None) -> Tensor:  # noqa: A002
    if autocast_state.active:
        return autocast_call(polar, "polar", **locals())
    return complex(abs * angle.cos(), abs * angle.sin())


def legacy_tensor_constructor(cls, args, *, device=None, dtype=None) -> Tensor:
    """``torch.Tensor(data)`` / ``torch.Tensor(2, 3)``: float tensors, the old API."""
    dtype = dtype or _dtypes.get_default_dtype()
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        data = args[0]
        if isinstance(data, Size):
            result = empty(tuple(data), dtype=dtype, device=device)
        elif isinstance(data, Tensor):
            return data
        else:
            result = tensor(data, dtype=dtype, device=device)
    else:  # torch.Tensor() with no sizes is a 1-D tensor of 0 elements
        result = empty(*(args or (0,)), dtype=dtype, device=device)
    if cls is not Tensor:
        instance = object.__new__(cls)
        instance._init_from(result._data)
        return instance
    return result
