"""``torch.signal.windows``: SciPy-style window functions with PyTorch's arguments
(``M, *, sym=True, dtype=None, layout=torch.strided, device=None, requires_grad=False``).

PyTorch builds each window from ``torch.linspace`` in the requested dtype (float32 or float64)
followed by elementwise ops; the same steps run here in NumPy, each rounded to that dtype, so
float32 windows agree with torch's to float32 rounding. The result goes through the factory
path of every constructor (``creation._finish``), so it follows ``set_default_device``.
``sym=False`` gives the periodic window (the symmetric one of ``M + 1`` points, last dropped).

>>> import rustorch as torch
>>> torch.signal.windows.bartlett(5)
tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .. import dtypes as _dtypes
from .._ops.windows import bessel_i0, window_length_argument
from ..creation import _finish
from .._linspace import linspace_values
from ..errors import ArgumentError, ArgumentTypeError
from ..layout import strided
from ..tensor import Tensor

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


# ----------------------------------------------------------------- shared steps
def _checks(name: str, M, dtype, layout):
    """PyTorch's ``_window_function_checks``; returns (M, dtype, numpy scalar type)."""
    M = window_length_argument(name, M, "M")
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    if M < 0:
        raise ArgumentError(f"{name} requires non-negative window length, got M={M}")
    if layout is not strided:
        raise ArgumentError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (_dtypes.float32, _dtypes.float64):
        raise ArgumentError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    return M, dtype, dtype.numpy.type


def _rounded(function, values, scalar):
    """``function`` (exp, sin, cos) in float64, rounded once to ``scalar``: closer to
    PyTorch's vectorised float32 kernels (within 1 ulp of exact) than NumPy's float32 ones."""
    return function(np.asarray(values, dtype=np.float64)).astype(scalar)


def _tensor(values, device, requires_grad):
    return _finish(np.ascontiguousarray(values), None, device, requires_grad)


def _constant(M: int, dtype, device, requires_grad):
    """The empty window (``M == 0``) or ``[1]`` (``M == 1``)."""
    return _tensor(np.ones(M, dtype=dtype.numpy), device, requires_grad)


def _half_width(M: int, sym: bool) -> int:
    """PyTorch's ``M if not sym and M > 1 else M - 1``."""
    return M if not sym and M > 1 else M - 1


# ----------------------------------------------------------------- the windows
def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True,
                dtype=None, layout=strided, device=None, requires_grad: bool = False) -> Tensor:
    """The exponential (Poisson) window ``exp(-|n - center| / tau)``."""
    M, dtype, scalar = _checks("exponential", M, dtype, layout)
    if tau <= 0:
        raise ArgumentError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ArgumentError("Center must be None for symmetric windows")
    if M == 0:
        return _constant(0, dtype, device, requires_grad)
    if center is None:
        center = _half_width(M, sym) / 2.0
    constant = 1 / tau
    k = linspace_values(-center * constant, (-center + (M - 1)) * constant, M, scalar)
    return _tensor(_rounded(np.exp, -np.abs(k), scalar), device, requires_grad)


def cosine(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
           requires_grad: bool = False) -> Tensor:
    """The cosine (sine) window ``sin(pi (n + 0.5) / M)``."""
    M, dtype, scalar = _checks("cosine", M, dtype, layout)
    if M == 0:
        return _constant(0, dtype, device, requires_grad)
    start = 0.5
    constant = math.pi / (M + 1 if not sym and M > 1 else M)
    k = linspace_values(start * constant, (start + (M - 1)) * constant, M, scalar)
    return _tensor(_rounded(np.sin, k, scalar), device, requires_grad)


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype=None, layout=strided,
             device=None, requires_grad: bool = False) -> Tensor:
    """The Gaussian window ``exp(-(n - (M - 1) / 2)^2 / (2 std^2))``."""
    M, dtype, scalar = _checks("gaussian", M, dtype, layout)
    if std <= 0:
        raise ArgumentError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _constant(0, dtype, device, requires_grad)
    start = -_half_width(M, sym) / 2.0
    constant = 1 / (std * math.sqrt(2))
    k = linspace_values(start * constant, (start + (M - 1)) * constant, M, scalar)
    return _tensor(_rounded(np.exp, -(k * k), scalar), device, requires_grad)


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype=None, layout=strided,
           device=None, requires_grad: bool = False) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - (2 n / (M - 1) - 1)^2)) / I0(beta)``."""
    M, dtype, scalar = _checks("kaiser", M, dtype, layout)
    if beta < 0:
        raise ArgumentError(f"beta must be non-negative, got: {beta} instead.")
    if M <= 1:
        return _constant(M, dtype, device, requires_grad)
    # PyTorch turns beta into a tensor of the window's dtype first, so every step rounds
    beta = scalar(beta)
    start = -beta
    constant = scalar(2.0) * beta / scalar(M if not sym else M - 1)
    end = min(beta, start + scalar(M - 1) * constant)
    k = linspace_values(start, end, M, scalar)
    argument = np.sqrt(beta * beta - k * k)
    return _tensor(bessel_i0(argument, scalar) / bessel_i0(beta, scalar), device,
                   requires_grad)


def general_cosine(M: int, *, a: Iterable, sym: bool = True, dtype=None, layout=strided,
                   device=None, requires_grad: bool = False) -> Tensor:
    """The generalised cosine window ``sum_i (-1)^i a_i cos(2 pi i n / (M - 1))``."""
    M, dtype, scalar = _checks("general_cosine", M, dtype, layout)
    if M <= 1:
        return _constant(M, dtype, device, requires_grad)
    if not isinstance(a, Iterable):
        raise ArgumentTypeError("Coefficients must be a list/tuple")
    if not a:
        raise ArgumentError("Coefficients cannot be empty")
    constant = 2 * math.pi / (M if not sym else M - 1)
    k = linspace_values(0, (M - 1) * constant, M, scalar)
    coefficients = np.array([float((-1) ** i * w) for i, w in enumerate(a)]).astype(scalar)
    total = None
    for i, coefficient in enumerate(coefficients):  # one term per coefficient, summed in order
        term = coefficient * _rounded(np.cos, scalar(i) * k, scalar)
        total = term if total is None else total + term
    return _tensor(total, device, requires_grad)


def general_hamming(M: int, *, alpha: float = 0.54, sym: bool = True, dtype=None,
                    layout=strided, device=None, requires_grad: bool = False) -> Tensor:
    """The generalised Hamming window ``alpha - (1 - alpha) cos(2 pi n / (M - 1))``."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
            requires_grad: bool = False) -> Tensor:
    """The Hamming window ``0.54 - 0.46 cos(2 pi n / (M - 1))``."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
         requires_grad: bool = False) -> Tensor:
    """The Hann window ``0.5 - 0.5 cos(2 pi n / (M - 1))``."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
             requires_grad: bool = False) -> Tensor:
    """The Blackman window ``0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))``."""
    _checks("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
             requires_grad: bool = False) -> Tensor:
    """The triangular Bartlett window ``1 - |2 n / (M - 1) - 1|``."""
    M, dtype, scalar = _checks("bartlett", M, dtype, layout)
    if M <= 1:
        return _constant(M, dtype, device, requires_grad)
    start = -1
    constant = 2 / (M if not sym else M - 1)
    k = linspace_values(start, start + (M - 1) * constant, M, scalar)
    return _tensor(scalar(1) - np.abs(k), device, requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
            requires_grad: bool = False) -> Tensor:
    """The minimum 4-term Blackman-Harris window of Nuttall."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
