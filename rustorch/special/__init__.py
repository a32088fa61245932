"""``torch.special``: special functions (scipy.special on arrays), with PyTorch's names,
dtypes and gradients.

Functions that also live at the top level (``erf``, ``digamma``, ``xlogy`` ...) are the same
objects as ``rustorch.<name>``; ``softmax``, ``log_softmax``, ``logsumexp`` and ``round`` are
thin wrappers with ``torch.special``'s signatures. The rest are defined in this package:
``_unary`` (Bessel, Airy, error-function and normal-distribution relatives), ``_binary``
(``xlog1py``, ``zeta``, ``gammainc``/``gammaincc``) and ``_polynomials``.

>>> import rustorch as torch
>>> torch.special.ndtr(torch.tensor([0.0]))
tensor([0.5000])
"""
from __future__ import annotations

from .._ops.elementwise import sigmoid
from .._ops.math_common import is_integral, not_implemented
from .._ops.math_special import (digamma, erf, erfc, erfinv, i0, lgamma, logit, mvlgamma,
                                 polygamma, sinc, xlogy)
from .._ops.math_unary import exp2, expm1, log1p
from .._ops.math_unary import round as _round
from .._ops.reduce_more import logsumexp as _logsumexp
from ..nn._functional.activation import log_softmax as _log_softmax
from ..nn._functional.activation import softmax as _softmax
from ..tensor import Tensor
from ._binary import gammainc, gammaincc, xlog1py, zeta
from ._polynomials import (chebyshev_polynomial_t, chebyshev_polynomial_u,
                           chebyshev_polynomial_v, chebyshev_polynomial_w, hermite_polynomial_h,
                           hermite_polynomial_he, laguerre_polynomial_l, legendre_polynomial_p,
                           shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u,
                           shifted_chebyshev_polynomial_v, shifted_chebyshev_polynomial_w)
from ._unary import (airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, entr, erfcx, i0e, i1,
                     i1e, log_ndtr, modified_bessel_i0, modified_bessel_i1, modified_bessel_k0,
                     modified_bessel_k1, ndtr, ndtri, scaled_modified_bessel_k0,
                     scaled_modified_bessel_k1, spherical_bessel_j0)

__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma",
    "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc",
    "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e", "i1", "i1e",
    "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax",
    "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
    "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w", "sinc", "softmax", "spherical_bessel_j0", "xlog1py",
    "xlogy", "zeta",
]

# torch.special's names for functions rustorch already has at the top level
expit = sigmoid
gammaln = lgamma
psi = digamma
multigammaln = mvlgamma


def softmax(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``; ``dtype`` casts the input first."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """``x - logsumexp(x, dim)``; ``dtype`` casts the input first."""
    return _log_softmax(input, dim, dtype=dtype)


def logsumexp(input: Tensor, dim, keepdim: bool = False, *, out: Tensor | None = None) -> Tensor:
    """``log(sum(exp(x), dim))``, computed stably."""
    return _logsumexp(input, dim, keepdim, out=out)


def round(input: Tensor, *, decimals: int = 0, out: Tensor | None = None) -> Tensor:  # noqa: A001
    """Round half to even, to ``decimals`` decimal places."""
    # torch.special.round always takes the ``decimals`` overload, which has no integer kernel
    if decimals == 0 and isinstance(input, Tensor) and is_integral(input.dtype):
        raise not_implemented(f"round_vml_{input.device.type}", input.dtype)
    return _round(input, decimals=decimals, out=out)
