"""A Python number about to be stored in a tensor of a given dtype, with PyTorch's overflow
checks (``full``, ``fill_``, ``fill_diagonal_``, ``map_``, the ``value`` of ``addcmul`` ...)."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import dtypes as _dtypes
from ..errors import ArgumentTypeError, ArgumentValueError
from ..tensor import Tensor

__all__ = ["scalar_for"]

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _overflow(op: str, value, dtype, detail: str = "") -> ArgumentValueError:
    return ArgumentValueError(f"{op}: value {value!r} cannot be converted to type {dtype} "
                              f"without overflow{detail}; pass a value that fits the dtype")


def scalar_for(value, dtype, op: str, returned: bool = False):
    """``value`` as the Python number stored in a ``dtype`` tensor. Raises, as PyTorch does,
    for a complex value with an imaginary part in a real dtype, a float outside an integer
    dtype's range (before truncation: -0.5 does not fit uint8), an integer out of range
    (unsigned dtypes accept negative integers down to -max, wrapping) and a finite float
    beyond float32's range for float32/complex64 and the half types (whose arithmetic PyTorch
    does in float32; they round such values to inf otherwise).
    ``returned``: the value came back from a Python callable, where any complex is refused
    for a real dtype (PyTorch unpacks it as a Python real number)."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ArgumentTypeError(f"{op}: expected a number, got a Tensor of shape "
                                    f"{list(value.shape)}")
        value = value.item()
    elif isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, numbers.Number):
        raise ArgumentTypeError(f"{op}: expected a number (int, float, bool or complex), got "
                                f"{type(value).__name__}")
    if dtype.is_complex:
        value = complex(value)
        if dtype is _dtypes.complex64 and not all(
                _fits_float32(part) for part in (value.real, value.imag)):
            raise _overflow(op, value, dtype)
        return value
    if isinstance(value, complex):
        if returned:
            raise ArgumentTypeError(f"{op}: the callable must return a real number for a "
                                    f"{dtype} tensor, not complex")
        if value.imag != 0:
            raise _overflow(op, value, dtype, " (it has an imaginary part)")
        value = value.real
    if dtype.is_floating_point:
        value = float(value)
        if dtype is not _dtypes.float64 and not _fits_float32(value):
            raise _overflow(op, value, dtype)
        return value
    if dtype is _dtypes.bool:
        return bool(value)
    limits = np.iinfo(dtype.numpy)
    if isinstance(value, float):  # a float must lie in the dtype's range before truncation
        if not (math.isfinite(value) and limits.min <= value <= limits.max):
            raise _overflow(op, value, dtype)
        value = int(value)
    lowest = -int(limits.max) if limits.min == 0 else int(limits.min)
    if not lowest <= value <= int(limits.max):
        raise _overflow(op, value, dtype)
    return value % (int(limits.max) + 1) if value < 0 and limits.min == 0 else value


def _fits_float32(value: float) -> bool:
    return not math.isfinite(value) or abs(value) <= _FLOAT32_MAX
