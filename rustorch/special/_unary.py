"""Unary ``torch.special`` functions that have no top-level ``torch`` counterpart.

Forward passes call ``scipy.special`` (``cupyx.scipy.special`` on CUDA). Gradients follow
PyTorch's formulas in differentiable Tensor ops, so double backward works; the Bessel, Airy
and modified-Bessel functions are not differentiable in PyTorch, and not here either.
"""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dtypes
from .._ops.elementwise import _maybe_out, where
from .._ops.math_common import require_tensor
from .._ops.math_special import erf, i0
from ..tensor import Tensor
from ._common import call_special, unary_special

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "entr", "erfcx",
           "i0e", "i1", "i1e", "log_ndtr", "modified_bessel_i0", "modified_bessel_i1",
           "modified_bessel_k0", "modified_bessel_k1", "ndtr", "ndtri",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0"]

_SQRT_TWO_PI = math.sqrt(2 * math.pi)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


# ----------------------------------------------------------------- not differentiable
def _airy_ai_forward(xp, array):
    result = call_special(xp, "airy", array, output=0)
    # Ai decays like exp(-2/3 x^1.5): scipy's AMOS routine gives up (NaN) for finite x above
    # ~1e6, where the value has long underflowed to 0 (PyTorch gives NaN at +inf, as scipy)
    underflowed = xp.isnan(result) & (array > 0) & xp.isfinite(array)
    return xp.where(underflowed, xp.zeros((), result.dtype), result)


airy_ai = unary_special("airy_ai", _airy_ai_forward, doc="Airy function ``Ai(x)``.")
bessel_j0 = unary_special("bessel_j0", "j0", doc="Bessel function of the first kind, order 0.")
bessel_j1 = unary_special("bessel_j1", "j1", doc="Bessel function of the first kind, order 1.")
bessel_y0 = unary_special("bessel_y0", "y0", doc="Bessel function of the second kind, order 0.")
bessel_y1 = unary_special("bessel_y1", "y1", doc="Bessel function of the second kind, order 1.")
modified_bessel_i0 = unary_special("modified_bessel_i0", "i0",
                                   doc="Modified Bessel function of the first kind, order 0.")
modified_bessel_i1 = unary_special("modified_bessel_i1", "i1",
                                   doc="Modified Bessel function of the first kind, order 1.")
modified_bessel_k0 = unary_special("modified_bessel_k0", "k0",
                                   doc="Modified Bessel function of the second kind, order 0.")
modified_bessel_k1 = unary_special("modified_bessel_k1", "k1",
                                   doc="Modified Bessel function of the second kind, order 1.")
scaled_modified_bessel_k0 = unary_special(
    "scaled_modified_bessel_k0", "k0e", doc="``exp(x) * K0(x)``, the scaled modified Bessel "
    "function of the second kind, order 0.")
scaled_modified_bessel_k1 = unary_special(
    "scaled_modified_bessel_k1", "k1e", doc="``exp(x) * K1(x)``, the scaled modified Bessel "
    "function of the second kind, order 1.")


def _spherical_bessel_j0_forward(xp, array):
    # scipy's spherical_jn takes the order first
    return call_special(xp, "spherical_jn", xp.zeros((), np.int64), array, dtype=array.dtype)


spherical_bessel_j0 = unary_special(
    "spherical_bessel_j0", _spherical_bessel_j0_forward,
    doc="Spherical Bessel function of the first kind, order 0: ``sin(x) / x``.")


# ----------------------------------------------------------------- differentiable
def _eps(tensor: Tensor) -> float:
    return float(_dtypes.finfo(tensor.dtype).eps)


def _entr_derivative(node, x, grad):
    # d/dx (-x log x) = -(1 + log x): +inf at 0, NaN below
    return grad * -(1 + x.log())


entr = unary_special("entr", "entr", _entr_derivative, half=True,
                     doc="Elementwise entropy: ``-x log x`` for x > 0, 0 at 0, -inf below.")


def _erfcx_derivative(node, x, grad):
    return (2 * x * node.output - _TWO_OVER_SQRT_PI) * grad


erfcx = unary_special("erfcx", "erfcx", _erfcx_derivative, saves_output=True,
                      doc="Scaled complementary error function ``exp(x^2) * erfc(x)``.")


def _i0e_derivative(node, x, grad):
    return grad * (i1e(x) - x.sgn() * node.output)


i0e = unary_special("i0e", "i0e", _i0e_derivative, half=True, saves_output=True,
                    doc="Exponentially scaled modified Bessel function ``exp(-|x|) I0(x)``.")


def _i1_derivative(node, x, grad):
    # I1'(x) = I0(x) - I1(x) / x, with the limit 1/2 where |x| is tiny
    not_tiny = x.abs() > _eps(x)
    safe_x = where(not_tiny, x, _eps(x))
    return grad * where(not_tiny, i0(safe_x) - node.output / safe_x, 0.5)


i1 = unary_special("i1", "i1", _i1_derivative, half=True, saves_output=True,
                   doc="Modified Bessel function of the first kind, order 1.")


def _i1e_derivative(node, x, grad):
    # d/dx exp(-|x|) I1(x) = i0e(x) - i1e(x) (sgn(x) + 1/x), with the limit 1/2 at 0
    not_tiny = x.abs() > _eps(x)
    safe_x = where(not_tiny, x, _eps(x))
    value = i0e(safe_x) - node.output * (safe_x.sgn() + safe_x.reciprocal())
    return grad * where(not_tiny, value, 0.5)


i1e = unary_special("i1e", "i1e", _i1e_derivative, half=True, saves_output=True,
                    doc="Exponentially scaled modified Bessel function ``exp(-|x|) I1(x)``.")


def _ndtri_derivative(node, x, grad):
    # 1 / phi(ndtri(p)) where phi is the normal density
    return grad * _SQRT_TWO_PI * (node.output.square() / 2).exp()


ndtri = unary_special("ndtri", "ndtri", _ndtri_derivative, saves_output=True,
                      doc="Inverse of ``ndtr``: the standard normal quantile function.")


def _log_ndtr_derivative(node, x, grad):
    # phi(x) / ndtr(x) = exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi)
    return grad / _SQRT_TWO_PI * (-(node.output + x.square() / 2)).exp()


log_ndtr = unary_special("log_ndtr", "log_ndtr", _log_ndtr_derivative, saves_output=True,
                         doc="Log of the standard normal CDF, accurate in the far left tail.")


def ndtr(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Standard normal CDF ``(1 + erf(x / sqrt(2))) / 2``.

    Composed from ``erf`` exactly as PyTorch does, so values (0 below about -8.3 in float64)
    and gradients match it; use ``log_ndtr`` for the far left tail.
    """
    require_tensor("special_ndtr", "input", 1, input)
    return _maybe_out((1 + erf(input * math.sqrt(0.5))) * 0.5, out)
