"""Element-wise closeness of two arrays, and the mismatch messages of ``assert_close``.

Both work on NumPy arrays of one dtype and shape. The arithmetic runs in the dtypes PyTorch
uses for ``torch.isclose`` and for its reports (float32 with rounding back after each step for
float16 and bfloat16, the default dtype for integers and booleans), so that borderline elements
and the reported differences agree with torch.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from ..errors import ArgumentValueError

__all__ = ["close_elements", "tensor_mismatch_message", "scalar_mismatch_message"]

_REDUCED_PRECISION = ("float16", "bfloat16")


def _is_inexact(dtype: _dtypes.dtype) -> bool:
    return dtype.is_floating_point or dtype.is_complex


def _magnitude(values: np.ndarray) -> np.ndarray:
    """``|values|``; complex64 magnitudes correctly rounded, as torch's (NumPy's float32 hypot
    is off by an ulp for about a third of the inputs)."""
    if values.dtype == np.complex64:
        return np.abs(values.astype(np.complex128)).astype(np.float32)
    return np.abs(values)


def _allowed_and_actual_errors(actual, expected, dtype, rtol, atol):
    """``atol + |rtol * expected|`` and ``|actual - expected|`` the way torch computes them."""
    if not _is_inexact(dtype):
        # torch compares integers and booleans in the default floating dtype
        compute = _dtypes.get_default_dtype().numpy
        actual, expected = actual.astype(compute), expected.astype(compute)
        dtype = _dtypes.get_default_dtype()
    if dtype.name in _REDUCED_PRECISION:
        # each op computes in float32 and rounds back to the storage dtype; torch keeps rtol in
        # float32 for the product but rounds atol to the storage dtype for the sum
        storage, wide = actual.dtype, np.float32
        scaled = (np.float32(rtol) * expected.astype(wide)).astype(storage)
        atol_stored = wide(storage.type(atol))
        allowed = (atol_stored + np.abs(scaled).astype(wide)).astype(storage)
        difference = (actual.astype(wide) - expected.astype(wide)).astype(storage)
        return allowed, np.abs(difference)
    real = np.dtype(dtype.to_real().numpy).type
    allowed = real(atol) + _magnitude(real(rtol) * expected)
    return allowed, _magnitude(actual - expected)


def close_elements(actual: np.ndarray, expected: np.ndarray, *, dtype: _dtypes.dtype,
                   rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    """A boolean array: ``|actual - expected| <= atol + rtol * |expected|`` element-wise, with
    non-finite values close only when equal (NaNs too, when ``equal_nan``)."""
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value < 0:
            raise ArgumentValueError(f"{name} must be greater than or equal to zero, but got "
                                     f"{value}")
    with np.errstate(all="ignore"):
        close = np.asarray(actual == expected)
        if equal_nan and _is_inexact(dtype):
            close |= np.isnan(actual) & np.isnan(expected)
        if rtol == 0 and atol == 0:
            return close
        allowed, error = _allowed_and_actual_errors(actual, expected, dtype, rtol, atol)
        close |= np.isfinite(error) & (error <= allowed)
    return close


def _difference_line(kind: str, difference, index, tolerance, equality: bool) -> str:
    if index is None:
        line = f"{kind.title()} difference: {difference}"
    else:
        line = f"Greatest {kind} difference: {difference} at index {index}"
    return line if equality else f"{line} (up to {tolerance} allowed)"


def _mismatch_message(identifier: str, extra: str, absolute, absolute_index, atol, relative,
                      relative_index, rtol) -> str:
    equality = rtol == 0 and atol == 0
    return "\n".join([
        f"{identifier} are not {'equal' if equality else 'close'}!", "", extra,
        _difference_line("absolute", absolute, absolute_index, atol, equality),
        _difference_line("relative", relative, relative_index, rtol, equality)])


def scalar_mismatch_message(actual, expected, *, rtol: float, atol: float) -> str:
    """The message for two Python numbers (or 0-d tensors' items) that are not close."""
    absolute = abs(actual - expected)
    relative = float("inf") if expected == 0 else absolute / abs(expected)
    return _mismatch_message("Scalars", f"Expected {expected} but got {actual}.", absolute, None,
                             atol, relative, None, rtol)


def _python_number(value, dtype: _dtypes.dtype):
    if dtype.is_complex:
        return complex(value)
    if dtype.is_floating_point:
        return float(value)
    return int(value)


def python_item(array: np.ndarray, dtype: _dtypes.dtype):
    """The Python number a 0-d array holds (``Tensor.item()``)."""
    if dtype is _dtypes.bool:
        return bool(array)
    return _python_number(array[()], dtype)


def _first_greatest(values: np.ndarray) -> int:
    """The flat index of the first greatest value, a NaN counting as the greatest (torch.max)."""
    not_a_number = np.isnan(values)
    return int(np.argmax(not_a_number if not_a_number.any() else values))


def tensor_mismatch_message(actual: np.ndarray, expected: np.ndarray, matches: np.ndarray, *,
                            dtype: _dtypes.dtype, rtol: float, atol: float) -> str:
    """The message for arrays with at least one dimension: the mismatch count, and the greatest
    absolute and relative differences among the mismatched elements with their indices."""
    total = matches.size
    mismatched = total - int(np.count_nonzero(matches))
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    actual, expected = actual.reshape(-1), expected.reshape(-1)
    matched = matches.reshape(-1)
    if _is_inexact(dtype):
        report_dtype = dtype.to_real()
    else:
        # integers and booleans: differences in int64, ratios in the default floating dtype
        actual, expected = actual.astype(np.int64), expected.astype(np.int64)
        report_dtype = _dtypes.int64
    with np.errstate(all="ignore"):
        absolute = _magnitude(actual - expected)
        absolute[matched] = 0
        magnitude = _magnitude(expected)
        if report_dtype is _dtypes.int64:
            ratio_type = _dtypes.get_default_dtype().numpy
            relative = absolute.astype(ratio_type) / magnitude.astype(ratio_type)
        else:
            relative = absolute / magnitude
        relative[matched] = 0
    absolute_at, relative_at = _first_greatest(absolute), _first_greatest(relative)

    def index_of(flat_index: int) -> tuple:
        return tuple(int(i) for i in np.unravel_index(flat_index, matches.shape))

    return _mismatch_message(
        "Tensor-likes", extra, _python_number(absolute[absolute_at], report_dtype),
        index_of(absolute_at), atol, float(relative[relative_at]), index_of(relative_at), rtol)
