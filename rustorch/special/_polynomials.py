"""Classical orthogonal polynomials ``P_n(x)`` of ``torch.special``: Chebyshev (four kinds and
their shifted forms on [0, 1]), physicists' and probabilists' Hermite, Laguerre, Legendre.

As in PyTorch: ``input`` and ``n`` broadcast and promote together (either may be a Python
number, integral results compute in the default float dtype), ``n`` is truncated toward zero,
a negative or non-finite ``n`` gives 0, and the results are not differentiable.
"""
from __future__ import annotations

import numpy as np

from .._ops.elementwise import _maybe_out
from ..autograd.function import Primitive
from ..tensor import Tensor
from ._common import call_special, float_pair

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p"]

# public name -> (scipy evaluator, sign, (slope, intercept) of P_1). Sign 0 is the evaluator
# itself; the Chebyshev polynomials of the third and fourth kinds are V_n = U_n - U_{n-1} and
# W_n = U_n + U_{n-1}. P_1 gives PyTorch's values at infinite or NaN x (see ``_non_finite``).
_FAMILIES = {
    "chebyshev_polynomial_t": ("eval_chebyt", 0, (1, 0)),
    "chebyshev_polynomial_u": ("eval_chebyu", 0, (2, 0)),
    "chebyshev_polynomial_v": ("eval_chebyu", -1, (2, -1)),
    "chebyshev_polynomial_w": ("eval_chebyu", 1, (2, 1)),
    "shifted_chebyshev_polynomial_t": ("eval_sh_chebyt", 0, (2, -1)),
    "shifted_chebyshev_polynomial_u": ("eval_sh_chebyu", 0, (4, -2)),
    "shifted_chebyshev_polynomial_v": ("eval_sh_chebyu", -1, (4, -3)),
    "shifted_chebyshev_polynomial_w": ("eval_sh_chebyu", 1, (4, -1)),
    "hermite_polynomial_h": ("eval_hermite", 0, (2, 0)),
    "hermite_polynomial_he": ("eval_hermitenorm", 0, (1, 0)),
    "laguerre_polynomial_l": ("eval_laguerre", 0, (-1, 1)),
    "legendre_polynomial_p": ("eval_legendre", 0, (1, 0)),
}

_DOCS = {
    "chebyshev_polynomial_t": "Chebyshev polynomial of the first kind ``T_n(x)``.",
    "chebyshev_polynomial_u": "Chebyshev polynomial of the second kind ``U_n(x)``.",
    "chebyshev_polynomial_v": "Chebyshev polynomial of the third kind ``V_n(x)``.",
    "chebyshev_polynomial_w": "Chebyshev polynomial of the fourth kind ``W_n(x)``.",
    "hermite_polynomial_h": "Physicists' Hermite polynomial ``H_n(x)``.",
    "hermite_polynomial_he": "Probabilists' Hermite polynomial ``He_n(x)``.",
    "laguerre_polynomial_l": "Laguerre polynomial ``L_n(x)``.",
    "legendre_polynomial_p": "Legendre polynomial ``P_n(x)``.",
}


class OrthogonalPolynomial(Primitive):
    differentiable = False  # PyTorch records no gradient for these

    def forward(self, xp, x, n, evaluator="eval_chebyt", sign=0, linear=(1, 0)):
        # n truncates toward zero (-0.5 is degree 0); NaN fails both comparisons, and
        # degrees past int64 are invalid like it
        valid = (n > -1) & (n < 2.0 ** 63)
        degree = xp.where(valid, n, 0).astype(np.int64)  # the cast truncates toward zero
        # float64 throughout (scipy's integer-degree kernels are double), rounded once
        value = call_special(xp, evaluator, degree, x, dtype=np.float64)
        if sign:
            previous = call_special(xp, evaluator, xp.maximum(degree - 1, 0), x,
                                    dtype=np.float64)
            value = value + sign * xp.where(degree > 0, previous, 0.0)
        value = xp.where(xp.isfinite(x), value, _non_finite(xp, x, degree, linear))
        return xp.where(valid, value, 0.0).astype(x.dtype, copy=False)


def _non_finite(xp, x, degree, linear):
    """PyTorch's three-term recurrence at infinite or NaN x: P_0 = 1, P_1 its linear
    polynomial, P_2 = +inf at +-inf, and NaN (inf - inf) from P_3 on."""
    slope, intercept = linear
    with np.errstate(invalid="ignore"):
        first = x.astype(np.float64) * slope + intercept
    second = xp.where(xp.isinf(x), np.inf, np.nan)
    return xp.where(degree == 0, 1.0, xp.where(degree == 1, first,
                                               xp.where(degree == 2, second, np.nan)))


def _polynomial(name: str):
    evaluator, sign, linear = _FAMILIES[name]

    def function(input, n, *, out: Tensor | None = None) -> Tensor:
        x, degree = float_pair(name, input, n, half=False)
        return _maybe_out(OrthogonalPolynomial.apply(x, degree, evaluator=evaluator,
                                                     sign=sign, linear=linear), out)

    function.__name__ = function.__qualname__ = name
    if name.startswith("shifted_"):
        base = _DOCS[name.removeprefix("shifted_")].rstrip(".").replace("(x)", "(2x - 1)")
        function.__doc__ = f"Shifted {base}, orthogonal on [0, 1]."
    else:
        function.__doc__ = _DOCS[name]
    return function


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w")
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t")
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u")
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v")
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w")
hermite_polynomial_h = _polynomial("hermite_polynomial_h")
hermite_polynomial_he = _polynomial("hermite_polynomial_he")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l")
legendre_polynomial_p = _polynomial("legendre_polynomial_p")
