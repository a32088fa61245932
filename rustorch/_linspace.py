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

``creation.linspace``, the window functions and ``histogramdd``'s bin edges all use it;
``logspace_values`` follows PyTorch's (different, unfused) logspace kernel.
"""
from __future__ import annotations

import cmath
import math

import numpy as np

__all__ = ["linspace_values", "logspace_values"]


def _float_values(start, end, steps: int, scalar) -> np.ndarray:
    """linspace's formula in ``scalar``: each value one fused multiply-add, emulated in a
    wider type."""
    start, end = scalar(start), scalar(end)
    if steps == 1:
        return np.array([start], dtype=scalar)
    step = (end - start) / scalar(steps - 1)
    wide = np.float64 if scalar is np.float32 else np.longdouble
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


def _c_function(function, *values: float) -> float:
    """A C library function (``math``'s) with C's special values instead of exceptions
    (numpy's function of the same name gives them)."""
    try:
        return function(*values)
    except (OverflowError, ValueError):
        return float(getattr(np, function.__name__)(*map(np.float64, values)))


def _libm_power(base: float, exponents) -> np.ndarray:
    """``base ** exponents`` by the C library's ``pow``, as PyTorch's kernel computes it:
    numpy's SIMD float64 ``power`` (AVX-512 machines) differs from it in the last bit for
    ~5 % of exponents, which would make logspace's values, and integer logspace's
    truncations, depend on the CPU."""
    return np.frompyfunc(lambda exponent: _c_function(math.pow, base, exponent), 1, 1)(
        exponents).astype(np.float64)


def _real_exponents(start, end, steps: int, numpy_dtype) -> np.ndarray:
    """The float64 exponents of PyTorch's real logspace kernel: the ends converted to the
    dtype (integers truncate), their difference in the dtype's arithmetic (integers promote,
    half types round through float32), then the step and each exponent in double, two
    roundings each (no fused multiply-add), from ``start`` for the first half of the points
    and back from ``end`` for the rest."""
    if numpy_dtype.kind in "iu":
        first, last = int(start), int(end)
        difference = last - first
    elif numpy_dtype.itemsize < 4:
        half = numpy_dtype.type
        first, last = half(start), half(end)
        difference = half(np.float32(last) - np.float32(first))
    else:
        first, last = numpy_dtype.type(start), numpy_dtype.type(end)
        difference = last - first
    first, last = float(first), float(last)
    step = float(difference) / (steps - 1)
    index = np.arange(steps, dtype=np.float64)
    from_start = first + step * index
    from_end = last - step * (steps - 1 - index)
    return np.where(index < steps // 2, from_start, from_end)


def _complex_exponents(start: complex, end: complex, steps: int, part) -> np.ndarray:
    """The exponents of PyTorch's complex logspace kernel, in c10::complex arithmetic: the
    step is ``(end - start) / (steps - 1)`` by c10's division (a product with the reciprocal
    for a real divisor), each exponent ``start + step * i`` (first half) or
    ``end - step * (steps - 1 - i)``, each part rounded to ``part``."""
    reciprocal = part(1) / part(steps - 1)
    index = np.arange(steps)
    exponents = np.empty(steps, dtype=np.complex64 if part is np.float32 else np.complex128)
    for field, (first, last) in (("real", (start.real, end.real)),
                                 ("imag", (start.imag, end.imag))):
        first, last = part(first), part(last)
        step = part((last - first) * reciprocal)
        from_start = first + step * index.astype(part)
        from_end = last - step * (steps - 1 - index).astype(part)
        setattr(exponents, field, np.where(index < steps // 2, from_start, from_end))
    return exponents


def _cpow(base: float, exponent: complex, part) -> complex:
    """C's ``cpow(base, exponent) = cexp(exponent * clog(base))`` with every operation
    rounded to ``part`` (glibc's cpow/cpowf), for the cases numpy's complex power computes
    another way (integral real exponents by repeated products, a zero base)."""
    base = float(part(base))  # the kernel's complex<part>(base)
    with np.errstate(all="ignore"):
        log_real = part(_c_function(math.log, abs(base)) if base else -math.inf)
        log_imag = part(math.atan2(0.0, base))
        real, imag = part(exponent.real), part(exponent.imag)
        product_real = part(part(real * log_real) - part(imag * log_imag))
        product_imag = part(part(real * log_imag) + part(imag * log_real))
        if not (math.isfinite(product_real) and math.isfinite(product_imag)):
            return complex(np.exp(np.complex128(complex(product_real, product_imag))))
        magnitude = part(_c_function(math.exp, float(product_real)))
        if abs(product_imag) > np.finfo(part).tiny:
            cosine = part(math.cos(float(product_imag)))
            sine = part(math.sin(float(product_imag)))
        else:
            cosine, sine = part(1), product_imag
        # a zero sine stays (C scales an overflowing magnitude instead of multiplying inf)
        return complex(part(magnitude * cosine), part(magnitude * sine) if sine else sine)


def _complex_power(base: float, exponents, numpy_dtype) -> np.ndarray:
    """``std::pow(complex(base), exponent)`` per element, as C's cpow: numpy's complex power
    calls it too, except for integral real exponents and a zero base."""
    part = np.float32 if numpy_dtype == np.complex64 else np.float64
    values = np.power(numpy_dtype.type(base), exponents).astype(numpy_dtype)
    own_way = (exponents.imag == 0) & (exponents.real == np.round(exponents.real))
    if base == 0:
        own_way[:] = True
    for index in np.flatnonzero(own_way):  # at most a few points of a logspace
        values[index] = _cpow(base, complex(exponents[index]), part)
    return values


def _complex_power_of_real(base: float, exponent: complex) -> complex:
    """``std::pow(double, complex<double>)``: in polar form for a positive base."""
    if base > 0:
        return cmath.rect(math.pow(base, exponent.real), exponent.imag * math.log(base))
    return _cpow(base, exponent, np.float64)


def logspace_values(start, end, steps: int, base: float, numpy_dtype) -> np.ndarray:
    """``torch.logspace`` as PyTorch's CPU kernel computes it, bit for bit. Real dtypes: C's
    ``pow`` of the double ``base`` and the double exponents of ``_real_exponents`` (a single
    point: ``start`` as a double), then the conversion to the dtype (half types through
    float32, integers truncating). Complex dtypes: the complex power, in the dtype, of
    ``base`` and the exponents of ``_complex_exponents``."""
    numpy_dtype = np.dtype(numpy_dtype)
    if steps == 0:
        return np.empty(0, dtype=numpy_dtype)
    with np.errstate(all="ignore"):
        if numpy_dtype.kind == "c":
            start, end = complex(start), complex(end)
            if steps == 1:
                return np.array([_complex_power_of_real(float(base), start)],
                                dtype=numpy_dtype)
            part = np.float32 if numpy_dtype == np.complex64 else np.float64
            return _complex_power(float(base), _complex_exponents(start, end, steps, part),
                                  numpy_dtype)
        exponents = np.array([float(start)]) if steps == 1 else \
            _real_exponents(start, end, steps, numpy_dtype)
        values = _libm_power(float(base), exponents)
        if numpy_dtype.kind in "iu":
            return np.trunc(values).astype(numpy_dtype)
        if numpy_dtype.itemsize < 4:  # c10's half types convert from float
            values = values.astype(np.float32)
        return values.astype(numpy_dtype)
