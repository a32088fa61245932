"""``make_tensor``: random test tensors with PyTorch's value ranges per dtype.

The values come from rustorch's own generator (``rustorch.manual_seed`` makes them repeatable),
so they differ from torch's for the same seed; the ranges, shapes, strides and errors match.
"""
from __future__ import annotations

import collections.abc
import math
import warnings

import numpy as np

from .. import dtypes as _dtypes
from ..errors import ArgumentError, ArgumentTypeError, ArgumentValueError
from ..tensor import Tensor

__all__ = ["make_tensor"]


def _dtype_or_raise(dtype) -> _dtypes.dtype:
    try:
        resolved = _dtypes.to_dtype(dtype)
    except Exception:
        resolved = None
    if resolved is None or resolved.is_quantized:
        raise ArgumentTypeError(f"The requested dtype '{dtype}' is not supported by "
                                f"torch.testing.make_tensor().")
    return resolved


def _supported_interval(dtype: _dtypes.dtype) -> tuple:
    """(lowest inclusive, highest exclusive, default low, default high) for ``dtype``."""
    if dtype is _dtypes.bool:
        return 0, 2, 0, 2
    if dtype.is_floating_point or dtype.is_complex:
        info = _dtypes.finfo(dtype)
        return info.min, info.max, -9, 9
    info = _dtypes.iinfo(dtype)
    # the sampler works on int64 bounds, so int64's own maximum cannot be drawn (as in torch)
    return info.min, info.max + (0 if dtype is _dtypes.int64 else 1), -9, 10


def _value_interval(low, high, dtype: _dtypes.dtype) -> tuple:
    """The [low, high) to sample from: the defaults for ``None``, checked, then clamped to what
    the dtype holds (integers: both bounds rounded up)."""
    lowest, highest, default_low, default_high = _supported_interval(dtype)
    low = default_low if low is None else low
    high = default_high if high is None else high
    inexact = dtype.is_floating_point or dtype.is_complex
    if any(isinstance(value, float) and math.isnan(value) for value in (low, high)):
        raise ArgumentError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and inexact:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                      "complex types is deprecated since 2.1 and will be removed in 2.3. Use "
                      "`torch.full(...)` instead.", FutureWarning, stacklevel=3)
    elif low >= high:
        raise ArgumentError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ArgumentError(f"The value interval specified by `low` and `high` is [{low}, "
                            f"{high}), but {dtype} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if not inexact:
        return math.ceil(low), math.ceil(high)
    return low, high


def _keep_inside(array, xp, low: float, high: float) -> None:
    """Clamp float samples to [low, high) in their own dtype: rounding a float64 draw to a
    narrow dtype can land on ``high`` itself (or just below ``low``)."""
    if array.dtype.kind == "c":
        array = array.view(np.float32 if array.dtype == np.complex64 else np.float64)
    kind = array.dtype.type
    lower, upper = kind(low), kind(high)
    if float(lower) < low:
        lower = np.nextafter(lower, kind(np.inf))
    if float(upper) >= high:
        upper = np.nextafter(upper, kind(-np.inf))
    if lower <= upper:
        xp.clip(array, lower, upper, out=array)


def _shape_argument(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    return tuple(shape)


def _sample(shape: tuple, dtype: _dtypes.dtype, device, low, high) -> Tensor:
    from ..creation import empty
    result = empty(shape, dtype=dtype, device=device)
    if not (dtype.is_floating_point or dtype.is_complex):
        if low >= high:  # both bounds were rounded up onto the same integer
            raise ArgumentValueError(f"random_ expects 'from' to be less than 'to', but got "
                                     f"from={low} >= to={high}")
        return result.random_(low, high)
    if high - low >= _dtypes.finfo(dtype).max:
        # the width itself would overflow: sample half the interval and double it (as torch)
        result.uniform_(low / 2, high / 2).mul_(2)
    else:
        result.uniform_(low, high)
    if low != high:
        _keep_inside(result._data, result._xp(), low, high)
    return result


def make_tensor(*shape, dtype, device=None, low: float | None = None, high: float | None = None,
                requires_grad: bool = False, noncontiguous: bool = False,
                exclude_zero: bool = False, memory_format=None) -> Tensor:
    """A tensor of ``shape`` filled with values drawn uniformly from ``[low, high)``.

    Default ranges: bool [0, 2), unsigned integers [0, 10), signed integers [-9, 10), floating
    and complex (each part) [-9, 9); bounds outside the dtype's range are clamped to it.
    ``noncontiguous`` returns every other element of a tensor twice as long in the last
    dimension (ignored below two elements); ``memory_format`` lays the tensor out in that format;
    ``exclude_zero`` replaces zeros by 1 (bool, integers) or ``finfo(dtype).tiny``.

    Values come from rustorch's own random generator (seeded by ``rustorch.manual_seed``), so
    they differ from torch's for the same seed.

    >>> import rustorch
    >>> make_tensor(2, 3, dtype=rustorch.float32, low=-1, high=1).shape
    torch.Size([2, 3])
    """
    shape = _shape_argument(shape)
    dtype = _dtype_or_raise(dtype)
    if noncontiguous and memory_format is not None:
        raise ArgumentError(f"The parameters `noncontiguous` and `memory_format` are mutually "
                            f"exclusive, but got noncontiguous={noncontiguous} and "
                            f"memory_format={memory_format}")
    inexact = dtype.is_floating_point or dtype.is_complex
    if requires_grad and not inexact:
        raise ArgumentError(f"`requires_grad=True` is not supported for boolean and integral "
                            f"dtypes, but got dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        # twice the last dimension, so the elements skipped over hold different values
        shape = (*shape[:-1], 2 * shape[-1])
    low, high = _value_interval(low, high, dtype)
    result = _sample(shape, dtype, device, low, high)
    if noncontiguous:
        result = result[..., 1::2]  # starting at 1 also exercises a storage offset
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if not inexact else _dtypes.finfo(dtype).tiny
    if inexact:
        result.requires_grad_(requires_grad)
    return result
