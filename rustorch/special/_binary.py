"""Binary ``torch.special`` functions: ``xlog1py``, the Hurwitz ``zeta`` and the regularized
incomplete gamma functions ``gammainc``/``gammaincc``.

Operands broadcast and promote as in PyTorch (a Python number may stand for either operand of
``xlog1py`` and ``zeta``; ``gammainc``/``gammaincc`` take tensors only). Gradients exist where
PyTorch has them; the others raise PyTorch's "derivative ... is not implemented" at backward.
"""
from __future__ import annotations

import numpy as np

from .._ops.elementwise import _maybe_out, where
from .._ops.math_special import lgamma
from ..autograd.function import Primitive
from ..tensor import Tensor
from ._common import call_special, derivative_not_implemented, float_pair

__all__ = ["xlog1py", "zeta", "gammainc", "gammaincc"]


class SpecialXlog1Py(Primitive):
    saves = (0, 1)

    def forward(self, xp, a, b):
        # scipy: 0 where a == 0 unless b is NaN, else a * log1p(b)
        return call_special(xp, "xlog1py", a, b)

    def backward(self, grad):
        x, y = self.saved
        grad_x = grad_y = None
        if self.needs_input_grad(0):
            grad_x = where((x == 0) & (y <= -1), 0.0, xlog1py(grad, y))
        if self.needs_input_grad(1):
            grad_y = grad * x / (y + 1)
        return grad_x, grad_y


def xlog1py(input, other, *, out: Tensor | None = None) -> Tensor:
    """``input * log1p(other)``, 0 where ``input == 0`` (NaN where ``other`` is NaN)."""
    a, b = float_pair("xlog1py", input, other)
    return _maybe_out(SpecialXlog1Py.apply(a, b), out)


class SpecialZeta(Primitive):
    saves = (0, 1)

    def forward(self, xp, x, q):
        result = call_special(xp, "zeta", x, q)
        # PyTorch's series gives NaN (0/0) at q = +inf where scipy returns the limit 0
        return xp.where((q == np.inf) & (x > 1), xp.asarray(np.nan, result.dtype), result)

    def backward(self, grad):
        x, q = self.saved
        if self.needs_input_grad(0):
            raise derivative_not_implemented("zeta")
        # d/dq zeta(x, q) = -x zeta(x + 1, q)
        return None, grad * -x * zeta(x + 1, q)


def zeta(input, other, *, out: Tensor | None = None) -> Tensor:
    """Hurwitz zeta ``sum_{k>=0} (k + other)^-input``; differentiable in ``other`` only."""
    x, q = float_pair("zeta", input, other, half=False)
    return _maybe_out(SpecialZeta.apply(x, q), out)


class Igamma(Primitive):
    """Regularized lower incomplete gamma function (the upper one with ``upper = True``)."""

    saves = (0, 1)
    upper = False

    def forward(self, xp, a, x):
        result = call_special(xp, "gammaincc" if self.upper else "gammainc", a, x)
        # PyTorch tests x == 0, then infinite a, then infinite x before looking at NaNs:
        # P(NaN, 0) = 0, P(NaN, inf) = 1, P(inf, NaN) = 0 (and Q = 1 - P there)
        a_nan, x_nan = xp.isnan(a), xp.isnan(x)
        lower = xp.where(a_nan & (x == 0), 0.0, xp.where(a_nan & (x == np.inf), 1.0, np.nan))
        lower = xp.where((a == np.inf) & x_nan, 0.0, lower)
        decided = xp.isfinite(lower)
        value = 1 - lower if self.upper else lower
        return xp.where(decided, value.astype(result.dtype), result)

    def backward(self, grad):
        a, x = self.saved
        if self.needs_input_grad(0):
            raise derivative_not_implemented("igammac: input" if self.upper else "igamma: input")
        # d/dx P(a, x) = x^(a-1) exp(-x) / Gamma(a); Q = 1 - P
        density = ((a - 1) * x.log() - x - lgamma(a)).exp()
        return None, (-grad if self.upper else grad) * density


class Igammac(Igamma):
    upper = True


def _incomplete_gamma(name: str, node_class, input, other, out) -> Tensor:
    kernel = node_class.__name__.lower()
    a, x = float_pair(name, input, other, kernel=kernel, scalars=False, integer_ok=False)
    return _maybe_out(node_class.apply(a, x), out)


def gammainc(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Regularized lower incomplete gamma ``P(input, other)``; differentiable in ``other``."""
    return _incomplete_gamma("gammainc", Igamma, input, other, out)


def gammaincc(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Regularized upper incomplete gamma ``Q(input, other) = 1 - P``; differentiable in
    ``other``."""
    return _incomplete_gamma("gammaincc", Igammac, input, other, out)
