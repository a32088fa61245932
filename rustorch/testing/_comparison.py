"""``assert_close``: PyTorch's comparison of tensors, arrays, numbers and nested containers.

The inputs are first walked into a list of leaf comparisons (sequences element by element,
mappings key by key); structural problems (lengths, keys, types no comparison handles, a lone
``rtol`` or ``atol``) fail there, before any value is looked at. Each comparison then runs, and
the first one that fails raises ``AssertionError`` with torch's message.
"""
from __future__ import annotations

import cmath
import collections.abc
import contextlib
import functools
import warnings
from typing import Any, Callable

import numpy as np

from .. import _backend
from .. import dtypes as _dtypes
from ..errors import ArgumentError, ArgumentTypeError, ArgumentValueError
from ..tensor import Tensor
from ._closeness import (close_elements, python_item, scalar_mismatch_message,
                         tensor_mismatch_message)

__all__ = ["assert_close", "assert_allclose"]

#: torch's default (rtol, atol) per dtype; dtypes not listed compare exactly.
_DEFAULT_TOLERANCES = {
    "float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7), "complex32": (1e-3, 1e-5), "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
    # quantized tensors compare in their dequantized float32 form
    "qint8": (1.3e-6, 1e-5), "quint8": (1.3e-6, 1e-5), "qint32": (1.3e-6, 1e-5),
}
#: The dtype each Python number type stands for when choosing default tolerances.
_NUMBER_DTYPES = {int: _dtypes.int64, float: _dtypes.float64, complex: _dtypes.complex128}
_UNSIGNED_WIDE = ("uint16", "uint32", "uint64")


class _ComparisonFailure(Exception):
    """A failed check: the builtin error type to raise, its message, and where it happened
    (the keys and indices leading to the failing item of nested inputs)."""

    def __init__(self, error_type: type, message: str, path: tuple = ()) -> None:
        super().__init__(message)
        self.error_type, self.message, self.path = error_type, message, path

    def to_error(self, msg: str | Callable[[str], str] | None = None) -> Exception:
        if isinstance(msg, str):
            return self.error_type(msg)
        message = self.message
        if self.path:
            message += "\n\nThe failure occurred for item " + "".join(
                str([item]) for item in self.path)
        return self.error_type(msg(message) if callable(msg) else message)


def _default_tolerances(*dtypes: _dtypes.dtype) -> tuple[float, float]:
    pairs = [_DEFAULT_TOLERANCES.get(dtype.name, (0.0, 0.0)) for dtype in dtypes]
    return max(rtol for rtol, _ in pairs), max(atol for _, atol in pairs)


def _tolerances(dtypes, rtol, atol, path) -> tuple[float, float]:
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise _ComparisonFailure(
            ArgumentError, f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                           f"no {missing}.", path)
    if rtol is not None:
        return rtol, atol
    return _default_tolerances(*dtypes)


# ----------------------------------------------------------------- leaf comparisons
def _compare_none(actual, expected, path) -> None:
    if not (actual is None and expected is None):
        raise _ComparisonFailure(AssertionError, f"None mismatch: {actual} is not {expected}",
                                 path)


def _compare_booleans(actual: bool, expected: bool, path) -> None:
    if actual is not expected:
        raise _ComparisonFailure(AssertionError,
                                 f"Booleans mismatch: {actual} is not {expected}", path)


def _compare_numbers(actual, expected, *, rtol, atol, equal_nan, check_dtype, path) -> None:
    if check_dtype and type(actual) is not type(expected):
        raise _ComparisonFailure(
            AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.",
            path)
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    difference = abs(actual - expected)
    if cmath.isfinite(difference) and difference <= atol + rtol * abs(expected):
        return
    raise _ComparisonFailure(AssertionError, scalar_mismatch_message(
        actual, expected, rtol=rtol, atol=atol), path)


def _host_array(tensor: Tensor) -> np.ndarray:
    return tensor._data if tensor.is_cpu else _backend.to_device(tensor._data, _backend.CPU)


def _check_attributes(actual: Tensor, expected: Tensor, options: dict, path) -> None:
    def mismatch(name: str, actual_value, expected_value):
        return _ComparisonFailure(
            AssertionError, f"The values for attribute '{name}' do not match: {actual_value} != "
                            f"{expected_value}.", path)

    if actual.shape != expected.shape:
        raise mismatch("shape", actual.shape, expected.shape)
    if actual.is_quantized != expected.is_quantized:
        raise mismatch("is_quantized", actual.is_quantized, expected.is_quantized)
    if actual.layout is not expected.layout:
        if options["check_layout"]:
            raise mismatch("layout", actual.layout, expected.layout)
    elif options["check_stride"] and actual.stride() != expected.stride():
        raise mismatch("stride()", actual.stride(), expected.stride())
    if options["check_device"] and actual.device != expected.device:
        raise mismatch("device", actual.device, expected.device)
    if options["check_dtype"] and actual.dtype is not expected.dtype:
        raise mismatch("dtype", actual.dtype, expected.dtype)


def _common_dtype(first: _dtypes.dtype, second: _dtypes.dtype) -> _dtypes.dtype:
    # torch compares wide unsigned integers as int64 (promote_types refuses uint64 with int64)
    first, second = (_dtypes.int64 if dtype.name in _UNSIGNED_WIDE else dtype
                     for dtype in (first, second))
    return _dtypes.promote_types(first, second)


def _compare_tensors(actual: Tensor, expected: Tensor, *, rtol, atol, options, path) -> None:
    _check_attributes(actual, expected, options, path)
    if "meta" in (actual.device.type, expected.device.type):
        return  # meta tensors have no values; torch checks only their attributes
    dtype = actual.dtype
    actual_array, expected_array = _host_array(actual), _host_array(expected)
    if actual.dtype is not expected.dtype:
        dtype = _common_dtype(actual.dtype, expected.dtype)
        actual_array = actual_array.astype(dtype.numpy)
        expected_array = expected_array.astype(dtype.numpy)
    matches = close_elements(actual_array, expected_array, dtype=dtype, rtol=rtol, atol=atol,
                             equal_nan=options["equal_nan"])
    if matches.all():
        return
    if actual_array.ndim == 0:
        message = scalar_mismatch_message(python_item(actual_array, dtype),
                                          python_item(expected_array, dtype), rtol=rtol, atol=atol)
    else:
        message = tensor_mismatch_message(actual_array, expected_array, matches, dtype=dtype,
                                          rtol=rtol, atol=atol)
    raise _ComparisonFailure(AssertionError, message, path)


# ----------------------------------------------------------------- walking the inputs
def _as_tensor_or_none(value) -> Tensor | None:
    if isinstance(value, Tensor):
        return value
    from ..creation import as_tensor
    try:
        return as_tensor(value)
    except Exception:  # anything as_tensor cannot take is simply not tensor-like
        return None


def _tensor_comparison(actual, expected, options, path):
    """A comparison of two tensor-likes, or None when the inputs are not tensor-like or not
    of directly related types."""
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not options["allow_subclasses"] and type(actual) is not type(expected)):
        return None
    actual, expected = _as_tensor_or_none(actual), _as_tensor_or_none(expected)
    if actual is None or expected is None:
        return None
    rtol, atol = _tolerances((actual.dtype, expected.dtype), options["rtol"], options["atol"],
                             path)
    return functools.partial(_compare_tensors, actual, expected, rtol=rtol, atol=atol,
                             options=options, path=path)


def _number_comparison(actual, expected, options, path):
    numbers = (int, float, complex, np.number)
    if not (isinstance(actual, numbers) and isinstance(expected, numbers)):
        return None
    actual, expected = (value.item() if isinstance(value, np.number) else value
                        for value in (actual, expected))
    for value in (actual, expected):
        if type(value) not in _NUMBER_DTYPES:  # a bool (or an int subclass) with a number
            raise ArgumentValueError(
                f"assert_close cannot compare {type(actual).__name__}(): {actual} with "
                f"{type(expected).__name__}(): {expected}{_path_text(path)}: only int, float "
                f"and complex numbers compare with each other")
    rtol, atol = _tolerances((_NUMBER_DTYPES[type(actual)], _NUMBER_DTYPES[type(expected)]),
                             options["rtol"], options["atol"], path)
    return functools.partial(_compare_numbers, actual, expected, rtol=rtol, atol=atol,
                             equal_nan=options["equal_nan"], check_dtype=options["check_dtype"],
                             path=path)


def _path_text(path: tuple) -> str:
    return " at item " + "".join(str([item]) for item in path) if path else ""


def _leaf_comparison(actual, expected, options, path):
    if actual is None or expected is None:
        return functools.partial(_compare_none, actual, expected, path)
    booleans = (bool, np.bool_)
    if isinstance(actual, booleans) and isinstance(expected, booleans):
        return functools.partial(_compare_booleans, bool(actual), bool(expected), path)
    for build in (_number_comparison, _tensor_comparison):
        comparison = build(actual, expected, options, path)
        if comparison is not None:
            return comparison
    raise _ComparisonFailure(
        ArgumentTypeError, f"No comparison pair was able to handle inputs of type {type(actual)} "
                           f"and {type(expected)}.", path)


def _is_sequence(value) -> bool:
    return isinstance(value, collections.abc.Sequence) and not isinstance(value, str)


def _collect_comparisons(actual, expected, options, path=()) -> list:
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _ComparisonFailure(
                AssertionError, f"The length of the sequences mismatch: {len(actual)} != "
                                f"{len(expected)}", path)
        comparisons = []
        for index in range(len(actual)):
            comparisons += _collect_comparisons(actual[index], expected[index], options,
                                                (*path, index))
        return comparisons
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            raise _ComparisonFailure(
                AssertionError,
                f"The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(expected_keys - actual_keys)}\n"
                f"Additional keys in the actual mapping: {sorted(actual_keys - expected_keys)}",
                path)
        keys = list(actual_keys)
        with contextlib.suppress(TypeError):  # sorted when the keys allow it: a stable order
            keys = sorted(keys)
        comparisons = []
        for key in keys:
            comparisons += _collect_comparisons(actual[key], expected[key], options,
                                                (*path, key))
        return comparisons
    return [_leaf_comparison(actual, expected, options, path)]


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Assert that ``actual`` and ``expected`` are close, as ``torch.testing.assert_close``.

    Elements are close when ``|actual - expected| <= atol + rtol * |expected|``; non-finite
    values only when equal, NaNs only with ``equal_nan``. Without ``rtol``/``atol`` the
    tolerances come from the dtypes (float32: 1.3e-6 and 1e-5; integers: exact). Inputs are
    tensors, NumPy arrays, Python numbers, or sequences and mappings of them; tensor-likes must
    have directly related types (a tensor never equals a Python number here).

    >>> import rustorch
    >>> assert_close(rustorch.tensor([1.0, 2.0]), rustorch.tensor([1.0, 2.0 + 1e-6]))
    """
    __tracebackhide__ = True  # noqa: F841 - hides this frame from pytest's tracebacks
    options = {"allow_subclasses": allow_subclasses, "rtol": rtol, "atol": atol,
               "equal_nan": equal_nan, "check_device": check_device, "check_dtype": check_dtype,
               "check_layout": check_layout, "check_stride": check_stride}
    try:
        comparisons = _collect_comparisons(actual, expected, options)
    except _ComparisonFailure as failure:
        # structural failures keep the generated message, whatever ``msg`` says (as torch)
        raise failure.to_error() from None
    for comparison in comparisons:
        try:
            comparison()
        except _ComparisonFailure as failure:
            raise failure.to_error(msg) from None


_ALLCLOSE_TOLERANCES = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5),
                        "float64": (1e-5, 1e-8)}


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None,
                    atol: float | None = None, equal_nan: bool = True, msg: str = "") -> None:
    """Deprecated (since torch 1.12): ``assert_close`` with looser tolerances, NaNs equal and
    no dtype check; non-tensor inputs become tensors first."""
    __tracebackhide__ = True  # noqa: F841
    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning, stacklevel=2)
    from ..creation import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        pairs = [_ALLCLOSE_TOLERANCES.get(value.dtype.name, (0.0, 0.0))
                 for value in (actual, expected)]
        rtol, atol = max(pair[0] for pair in pairs), max(pair[1] for pair in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)
