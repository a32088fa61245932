"""Special functions: error functions, gamma family, Bessel ``i0``, ``sinc``, ``logit``,
``xlogy``. Forward passes use ``scipy.special`` (``cupyx.scipy.special`` on CUDA)."""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Primitive
from ..errors import ArgumentValueError
from ..tensor import Tensor, tensor_method
from .elementwise import _maybe_out, unary_primitive, where
from .math_common import (as_float_tensor, conj, define_unary_inplace, float_operands,
                          special_call)

__all__ = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "mvlgamma", "i0",
           "sinc", "logit", "xlogy"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


def _special_unary(name: str, scipy_name: str, derivative, **options):
    return unary_primitive(name, lambda xp, a: special_call(xp, scipy_name, a), derivative,
                           integer_to_float=True, **options)


# d/dx erf(x) = 2/sqrt(pi) * exp(-x^2)
erf = _special_unary("erf", "erf",
                     lambda node, x, g: g * conj((-(x * x)).exp()) * _TWO_OVER_SQRT_PI)
erfc = _special_unary("erfc", "erfc",
                      lambda node, x, g: -g * conj((-(x * x)).exp()) * _TWO_OVER_SQRT_PI)
# d/dx erfinv(x) = sqrt(pi)/2 * exp(erfinv(x)^2)
erfinv = _special_unary("erfinv", "erfinv",
                        lambda node, x, g: g * (node.output * node.output).exp()
                        * _SQRT_PI_OVER_TWO, saves_input=False, saves_output=True)
def _lgamma_forward(xp, a):
    # C's lgamma(-inf) is +inf (|Gamma| grows without bound); scipy's gammaln says -inf
    result = special_call(xp, "gammaln", a)
    if a.dtype.kind == "c":
        return result
    return xp.where(a == -np.inf, xp.asarray(np.inf, result.dtype), result)


lgamma = unary_primitive("lgamma", _lgamma_forward, lambda node, x, g: g * digamma(x),
                         integer_to_float=True)
digamma = _special_unary("digamma", "psi", lambda node, x, g: g * polygamma(1, x))


class Polygamma(Primitive):
    saves = (0,)

    def forward(self, xp, a, n=0):
        self.n = n
        if n == 0:
            return special_call(xp, "psi", a)
        return special_call(xp, "polygamma", a, n)

    def backward(self, grad):
        (x,) = self.saved
        return grad * polygamma(self.n + 1, x)


def polygamma(n: int, input: Tensor, *, out=None) -> Tensor:
    """The ``n``-th derivative of the digamma function."""
    if n < 0:
        raise ArgumentValueError(f"polygamma(n, x) does not support negative n (got {n}).")
    return _maybe_out(Polygamma.apply(as_float_tensor(input), n=int(n)), out)


@tensor_method(name="polygamma")
def _polygamma_method(input: Tensor, n: int) -> Tensor:
    return polygamma(n, input)


@tensor_method(name="polygamma_")
def _polygamma_inplace(input: Tensor, n: int) -> Tensor:
    return input._inplace(lambda target: polygamma(n, target))


@tensor_method
def mvlgamma(input: Tensor, p: int, *, out=None) -> Tensor:
    """Multivariate log-gamma: ``p(p-1)/4 log(pi) + sum_{i<p} lgamma(x - i/2)``."""
    if p < 1:
        raise ArgumentValueError("p has to be greater than or equal to 1")
    x = as_float_tensor(input)
    offsets = Tensor._make(x._xp().arange(p, dtype=x._data.dtype) * x._data.dtype.type(0.5))
    result = lgamma(x.unsqueeze(-1) - offsets).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)
    return _maybe_out(result, out)


# i1 is I0's derivative; its own derivative keeps double backward working
_i1 = unary_primitive(
    "_i1", lambda xp, a: special_call(xp, "i1", a),
    lambda node, x, g: g * where(x == 0, 0.5, i0(x) - node.output / where(x == 0, 1.0, x)),
    saves_output=True, integer_to_float=True)
i0 = _special_unary("i0", "i0", lambda node, x, g: g * _i1(x))
del Tensor._i1


def _sinc_forward(xp, a):
    with np.errstate(all="ignore"):
        return xp.sinc(a).astype(a.dtype, copy=False)


def _sinc_derivative(node, x, grad):
    # (cos(pi x) pi x - sin(pi x)) / (pi x^2), zero at x = 0
    at_zero = x == 0
    safe_x = where(at_zero, 1.0, x)  # keeps the masked-out branch free of 0/0
    pi_x = safe_x * math.pi
    value = (pi_x * pi_x.cos() - pi_x.sin()) / (pi_x * safe_x)
    return grad * conj(where(at_zero, 0.0, value))


sinc = unary_primitive("sinc", _sinc_forward, _sinc_derivative, integer_to_float=True)


class Logit(Primitive):
    saves = (0,)

    def forward(self, xp, a, eps=None):
        self.eps = eps
        if eps is not None:
            a = xp.clip(a, eps, 1 - eps).astype(a.dtype, copy=False)
        with np.errstate(all="ignore"):
            return xp.log(a / (1 - a))

    def backward(self, grad):
        (x,) = self.saved
        if self.eps is None:
            return where((x < 0) | (x > 1), math.nan, grad / (x * (1 - x)))
        outside = (x < self.eps) | (x > 1 - self.eps)
        safe_x = where(outside, 0.5, x)  # keeps the masked-out branch free of 1/0
        return where(outside, 0.0, grad / (safe_x * (1 - safe_x)))


@tensor_method
def logit(input: Tensor, eps: float | None = None, *, out=None) -> Tensor:
    """``log(x / (1 - x))``; with ``eps``, x is first clamped to ``[eps, 1 - eps]``."""
    return _maybe_out(Logit.apply(as_float_tensor(input), eps=eps), out)


class Xlogy(Primitive):
    saves = (0, 1)

    def forward(self, xp, a, b):
        with np.errstate(all="ignore"):
            product = a * xp.log(b)
        result = xp.where(a == 0, xp.zeros((), product.dtype), product)
        return xp.where(xp.isnan(b), b, result).astype(product.dtype, copy=False)

    def backward(self, grad):
        x, y = self.saved
        grad_x = grad_y = None
        if self.needs_input_grad(0):
            grad_x = where((x == 0) & (y <= 0), 0.0, grad * y.log())
        if self.needs_input_grad(1):
            grad_y = grad * x / y
        return grad_x, grad_y


@tensor_method
def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, defined as 0 where ``input == 0`` (NaN where ``other`` is)."""
    a, b = float_operands("xlogy", input, other)
    return _maybe_out(Xlogy.apply(a, b), out)


for _name in ("erf", "erfc", "erfinv", "lgamma", "digamma", "i0", "sinc", "logit", "xlogy",
              "mvlgamma"):
    define_unary_inplace(_name, globals()[_name])
