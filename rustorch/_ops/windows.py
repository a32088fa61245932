"""The window factories of ``torch``: ``hann_window``, ``hamming_window``,
``blackman_window``, ``bartlett_window`` and ``kaiser_window``.

Each is computed with NumPy the way PyTorch's kernels compute it: ``arange`` in the requested
dtype, then one elementwise step after another, each rounded to that dtype (half and bfloat16
steps run in float32, as PyTorch's CPU kernels do), so float32 windows agree with torch's to
float32 rounding. A periodic window of length ``N`` is the symmetric window of length
``N + 1`` without its last point. The result goes through the factory path every other
constructor takes (``creation._finish``), so it follows ``set_default_device``.

    hann:     w[n] = 0.5 - 0.5 cos(2 pi n / (N - 1))
    hamming:  w[n] = alpha - beta cos(2 pi n / (N - 1))
    blackman: w[n] = 0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))
    bartlett: w[n] = 1 - |2 n / (N - 1) - 1|
    kaiser:   w[n] = I0(beta sqrt(1 - ((n - (N - 1) / 2) / ((N - 1) / 2))^2)) / I0(beta)

>>> import rustorch as torch
>>> torch.hann_window(4)
tensor([0.0000, 0.5000, 1.0000, 0.5000])
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import dtypes as _dtypes
from ..creation import _finish
from ..errors import ArgumentTypeError, DTypeError, ShapeError
from ..layout import strided
from ..tensor import Tensor
from .math_common import not_implemented
from .._factory_out import factory

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


def window_length_argument(name: str, value, argument: str = "window_length") -> int:
    """``value`` as a Python int, with PyTorch's TypeError for floats and bools."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"{name}(): argument '{argument}' (position 1) must be int, "
                                f"not {type(value).__name__}")
    return int(value)


def _flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name}(): argument 'periodic' (position 2) must be bool, "
                                f"not {type(value).__name__}")
    return bool(value)


def _real(name: str, argument: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name}(): argument '{argument}' must be float, not "
                                f"{type(value).__name__}")
    return float(value)


class _Rounding:
    """Elementwise steps in PyTorch's "opmath" type (float32 for float32/float16/bfloat16,
    float64 for float64), each result rounded to the storage dtype."""

    def __init__(self, dtype: _dtypes.dtype) -> None:
        self.storage = dtype.numpy
        self.opmath = np.dtype(np.float64 if dtype is _dtypes.float64 else np.float32)

    def __call__(self, values) -> np.ndarray:
        return np.asarray(values).astype(self.storage).astype(self.opmath)

    def scalar(self, value: float):
        # a Python scalar operand is first cast to the tensor's dtype (0.54 in float16 is
        # 0.5400390625), then the step runs in opmath
        return self.opmath.type(self.storage.type(value))

    def cos(self, values) -> np.ndarray:
        # computed in float64 and rounded once: closer to PyTorch's vectorised float32 cos
        # (within 1 ulp of exact) than NumPy's own float32 cos
        return self(np.cos(values.astype(np.float64)))

    def arange(self, length: int) -> np.ndarray:
        return self(np.arange(length, dtype=np.float64))


def _prepare(name: str, window_length, periodic, dtype, layout):
    """Checks in PyTorch's order; returns (length, periodic, dtype)."""
    window_length = window_length_argument(name, window_length)
    periodic = _flag(name, periodic)
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    if layout is not None and layout is not strided:
        raise ShapeError(f"{name} is not implemented for sparse types, got: "
                         f"TensorOptions(dtype={dtype.name}, layout={layout})")
    if not (dtype.is_floating_point or dtype.is_complex):
        raise DTypeError(f"{name} expects floating point dtypes, got: "
                         f"TensorOptions(dtype={dtype.name})")
    if window_length < 0:
        raise ShapeError(f"{name} requires non-negative window length, got "
                         f"window_length={window_length}")
    return window_length, periodic, dtype


def _build(name: str, window_length, periodic, dtype, layout, device, requires_grad,
           compute) -> Tensor:
    """The window from ``compute(steps, n)``, the symmetric window of ``n`` points; lengths 0
    and 1 (empty, ``[1]``) skip it as PyTorch does."""
    length, periodic, dtype = _prepare(name, window_length, periodic, dtype, layout)
    if length <= 1:
        array = np.ones(length, dtype=dtype.numpy)
    else:
        if dtype.is_complex:  # PyTorch starts from arange, which has no complex kernel
            raise not_implemented("arange_cpu", dtype)
        n = length + 1 if periodic else length
        array = compute(_Rounding(dtype), n)[:length].astype(dtype.numpy)
    return _finish(np.ascontiguousarray(array), None, device, requires_grad)


def _hamming(alpha: float, beta: float):
    def compute(r: _Rounding, n: int) -> np.ndarray:
        window = r(r.arange(n) * r.scalar(2.0 * math.pi / (n - 1)))
        window = r.cos(window)
        window = r(window * r.scalar(-beta))
        return r(window + r.scalar(alpha))
    return compute


def _blackman(r: _Rounding, n: int) -> np.ndarray:
    window = r(r.arange(n) * r.scalar(math.pi / (n - 1)))
    fourth = r(r.cos(r(window * r.scalar(4))) * r.scalar(0.08))
    second = r(r.cos(r(window * r.scalar(2))) * r.scalar(0.5))
    return r(r(fourth - second) + r.scalar(0.42))


def _bartlett(r: _Rounding, n: int) -> np.ndarray:
    window = r(r.arange(n) * r.scalar(2.0 / (n - 1)))
    first_half = ((n - 1) >> 1) + 1
    window[first_half:] = r(r(window[first_half:] * r.scalar(-1)) + r.scalar(2))
    return window


def _kaiser(beta: float):
    def compute(r: _Rounding, n: int) -> np.ndarray:
        # PyTorch's kaiser kernel: one expression in opmath, rounded once at the end
        scalar = r.opmath.type
        alpha, b = scalar((n - 1) / 2.0), scalar(beta)
        ratio = (r.arange(n) - alpha) / alpha
        argument = b * np.sqrt(np.abs(scalar(1) - ratio * ratio))
        return bessel_i0(argument, scalar) / bessel_i0(b, scalar)
    return compute


# Cephes' Chebyshev coefficients of exp(-x) I0(x) on [0, 8] and of exp(-x) sqrt(x) I0(x) on
# (8, inf), which PyTorch's calc_i0 (ATen/native/Math.h) uses for float and double alike
_I0_SMALL = (
    -4.41534164647933937950E-18, 3.33079451882223809783E-17, -2.43127984654795469359E-16,
    1.71539128555513303061E-15, -1.16853328779934516808E-14, 7.67618549860493561688E-14,
    -4.85644678311192946090E-13, 2.95505266312963983461E-12, -1.72682629144155570723E-11,
    9.67580903537323691224E-11, -5.18979560163526290666E-10, 2.65982372468238665035E-9,
    -1.30002500998624804212E-8, 6.04699502254191894932E-8, -2.67079385394061173391E-7,
    1.11738753912010371815E-6, -4.41673835845875056359E-6, 1.64484480707288970893E-5,
    -5.75419501008210370398E-5, 1.88502885095841655729E-4, -5.76375574538582365885E-4,
    1.63947561694133579842E-3, -4.32430999505057594430E-3, 1.05464603945949983183E-2,
    -2.37374148058994688156E-2, 4.93052842396707084878E-2, -9.49010970480476444210E-2,
    1.71620901522208775349E-1, -3.04682672343198398683E-1, 6.76795274409476084995E-1)
_I0_LARGE = (
    -7.23318048787475395456E-18, -4.83050448594418207126E-18, 4.46562142029675999901E-17,
    3.46122286769746109310E-17, -2.82762398051658348494E-16, -3.42548561967721913462E-16,
    1.77256013305652638360E-15, 3.81168066935262242075E-15, -9.55484669882830764870E-15,
    -4.15056934728722208663E-14, 1.54008621752140982691E-14, 3.85277838274214270114E-13,
    7.18012445138366623367E-13, -1.79417853150680611778E-12, -1.32158118404477131188E-11,
    -3.14991652796324136454E-11, 1.18891471078464383424E-11, 4.94060238822496958910E-10,
    3.39623202570838634515E-9, 2.26666899049817806459E-8, 2.04891858946906374183E-7,
    2.89137052083475648297E-6, 6.88975834691682398426E-5, 3.36911647825569408990E-3,
    8.04490411014108831608E-1)


def _chebyshev(x: np.ndarray, coefficients, scalar) -> np.ndarray:
    """Cephes' ``chbevl`` in ``scalar`` precision; ``x * b1 - b2`` is one fused multiply-add
    (one rounding), as in PyTorch's vectorised CPU build, emulated in a wider type."""
    wide = np.float64 if scalar is np.float32 else np.longdouble
    b0, b1, b2 = np.full_like(x, scalar(coefficients[0])), np.zeros_like(x), np.zeros_like(x)
    for coefficient in coefficients[1:]:
        b2, b1 = b1, b0
        b0 = (x.astype(wide) * b1 - b2).astype(scalar) + scalar(coefficient)
    return scalar(0.5) * (b0 - b2)


def bessel_i0(values, scalar) -> np.ndarray:
    """The modified Bessel function ``I0`` as PyTorch's ``calc_i0`` computes it in ``scalar``
    (float32 or float64) precision; ``exp`` is taken in float64 and rounded once."""
    x = np.abs(np.asarray(values, dtype=scalar))
    result = np.empty_like(x)
    small = x <= 8
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        near, far = x[small], x[~small]
        exp_near = np.exp(near.astype(np.float64)).astype(scalar)
        exp_far = np.exp(far.astype(np.float64)).astype(scalar)
        result[small] = exp_near * _chebyshev(near / scalar(2) - scalar(2), _I0_SMALL, scalar)
        result[~small] = (exp_far * _chebyshev(scalar(32) / far - scalar(2), _I0_LARGE, scalar)
                          / np.sqrt(far))
    return result


@factory
def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """The Hann window, ``0.5 - 0.5 cos(2 pi n / (N - 1))``; ``periodic`` drops the last point
    of the ``window_length + 1`` symmetric window (the usual choice for ``stft``)."""
    return _build("hann_window", window_length, periodic, dtype, layout, device, requires_grad,
                  _hamming(0.5, 0.5))


@factory
def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype=None, layout=None, device=None,
                   pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """The generalised Hamming window ``alpha - beta cos(2 pi n / (N - 1))``."""
    alpha = _real("hamming_window", "alpha", alpha)
    beta = _real("hamming_window", "beta", beta)
    return _build("hamming_window", window_length, periodic, dtype, layout, device,
                  requires_grad, _hamming(alpha, beta))


@factory
def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """The Blackman window ``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _build("blackman_window", window_length, periodic, dtype, layout, device,
                  requires_grad, _blackman)


@factory
def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """The triangular Bartlett window ``1 - |2 n / (N - 1) - 1|``."""
    return _build("bartlett_window", window_length, periodic, dtype, layout, device,
                  requires_grad, _bartlett)


@factory
def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype=None, layout=None, device=None, pin_memory: bool = False,
                  requires_grad: bool = False) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - (2 n / (N - 1) - 1)^2)) / I0(beta)``."""
    beta = _real("kaiser_window", "beta", beta)
    return _build("kaiser_window", window_length, periodic, dtype, layout, device,
                  requires_grad, _kaiser(beta))
