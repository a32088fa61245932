"""``torch.linspace``'s values, bit for bit, in any dtype.

PyTorch's CPU kernel converts ``start`` and ``end`` to the dtype, takes
``step = (end - start) / (steps - 1)`` and fills the first half as ``start + step * i`` and
the second half as ``end - step * (steps - 1 - i)``, in the dtype's arithmetic:

- float32/float64: each value is one fused multiply-add (a single rounding), emulated here in
  a wider type (float64 for float32, long double for float64);
- float16/bfloat16: every operation rounds to the half type (c10's Half and BFloat16 compute
  each operation in float32 and round the result);
- integers: the step is a double and each value a fused multiply-add in double, truncated;
- complex: the real and imaginary parts, each as its float type.

``creation.linspace``, the window functions and ``histogramdd``'s bin edges all use it.
"""
from __future__ import annotations

import numpy as np

__all__ = ["linspace_values", "logspace_values"]


def _float_values(start, end, steps: int, scalar, fused: bool = True) -> np.ndarray:
    """linspace's formula in ``scalar``: each value one fused multiply-add (emulated in a
    wider type), or with ``fused=False`` every operation rounded to ``scalar`` (how the
    logspace kernel forms its exponents)."""
    start, end = scalar(start), scalar(end)
    if steps == 1:
        return np.array([start], dtype=scalar)
    step = (end - start) / scalar(steps - 1)
    wide = scalar if not fused else np.float64 if scalar is np.float32 else np.longdouble
    index = np.arange(steps)
    from_start = wide(start) + wide(step) * index.astype(wide)
    from_end = wide(end) - wide(step) * (steps - 1 - index).astype(wide)
    return np.where(index < steps // 2, from_start, from_end).astype(scalar)


def _half_values(start, end, steps: int, half) -> np.ndarray:
    single = np.float32

    def rounded(value):
        return np.asarray(value, dtype=single).astype(half)

    start, end = half(start), half(end)
    if steps == 1:
        return np.array([start], dtype=half)
    step = rounded(single(rounded(single(end) - single(start))) / single(half(steps - 1)))
    index = np.arange(steps)
    up = rounded(single(step) * index.astype(half).astype(single))
    down = rounded(single(step) * (steps - 1 - index).astype(half).astype(single))
    from_start = rounded(single(start) + up.astype(single))
    from_end = rounded(single(end) - down.astype(single))
    return np.where(index < steps // 2, from_start, from_end).astype(half)


def _integer_steps(start, end, steps: int) -> np.ndarray:
    """The float64 values before truncation: integer ends, a double step."""
    start, end = float(int(start)), float(int(end))  # the conversion to the dtype truncates
    if steps == 1:
        return np.array([start])
    step = (end - start) / (steps - 1)
    wide = np.longdouble
    index = np.arange(steps)
    from_start = (wide(start) + wide(step) * index.astype(wide)).astype(np.float64)
    from_end = (wide(end) - wide(step) * (steps - 1 - index).astype(wide)).astype(np.float64)
    return np.where(index < steps // 2, from_start, from_end)


def _integer_values(start, end, steps: int, integer) -> np.ndarray:
    return np.trunc(_integer_steps(start, end, steps)).astype(integer)


def linspace_values(start, end, steps: int, numpy_dtype) -> np.ndarray:
    """``steps`` values from ``start`` to ``end`` as ``torch.linspace`` computes them in
    ``numpy_dtype`` (a host array)."""
    numpy_dtype = np.dtype(numpy_dtype)
    if steps == 0:
        return np.empty(0, dtype=numpy_dtype)
    if numpy_dtype.kind == "c":
        part = np.float32 if numpy_dtype == np.complex64 else np.float64
        start, end = complex(start), complex(end)
        values = np.empty(steps, dtype=numpy_dtype)
        values.real = _float_values(start.real, end.real, steps, part)
        values.imag = _float_values(start.imag, end.imag, steps, part)
        return values
    if numpy_dtype.kind in "iub":
        if numpy_dtype.kind == "b":
            return _integer_values(start, end, steps, np.int64).astype(bool)
        return _integer_values(start, end, steps, numpy_dtype.type)
    if numpy_dtype.itemsize < 4:  # float16, bfloat16
        return _half_values(start, end, steps, numpy_dtype.type)
    return _float_values(start, end, steps, numpy_dtype.type)


def logspace_values(start, end, steps: int, base: float, numpy_dtype) -> np.ndarray:
    """``torch.logspace``: ``base`` (a double) to the power of linspace-style exponents
    formed in the dtype without fused multiply-adds (in double, untruncated, for integer
    dtypes), the power in double (complex double for complex dtypes), then cast. Exact against
    PyTorch for float64 and integers; the other dtypes can differ in the last bit where
    PyTorch's vectorized kernel forms the exponents its own way."""
    numpy_dtype = np.dtype(numpy_dtype)
    if steps == 0:
        return np.empty(0, dtype=numpy_dtype)
    if numpy_dtype.kind in "iub":
        exponents = np.array([float(start)]) if steps == 1 else \
            _integer_steps(start, end, steps)
    elif numpy_dtype.kind == "c":
        part = np.float32 if numpy_dtype == np.complex64 else np.float64
        start, end = complex(start), complex(end)
        exponents = _float_values(start.real, end.real, steps, part, fused=False) + \
            1j * _float_values(start.imag, end.imag, steps, part, fused=False).astype(
                np.complex128)
    elif numpy_dtype.itemsize < 4:
        exponents = _half_values(start, end, steps, numpy_dtype.type)
    else:
        exponents = _float_values(start, end, steps, numpy_dtype.type, fused=False)
    wide = np.complex128 if numpy_dtype.kind == "c" else np.float64
    with np.errstate(all="ignore"):
        values = np.power(np.float64(base), exponents.astype(wide))
        if numpy_dtype.kind in "iu":
            return np.trunc(values).astype(numpy_dtype)
        return values.astype(numpy_dtype)
