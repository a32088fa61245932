"""Top-level (``torch.det``, ``torch.svd`` ...) and Tensor-method forms of linalg functions,
with the older signatures and result names PyTorch keeps for them. Re-exported into
``rustorch`` from ``rustorch._ops.einsum``."""
from __future__ import annotations

import math

from .._ops._results import accepts_out
from ..return_types import namedtuple_result
from ..tensor import Tensor, tensor_method
from . import cholesky as _cholesky
from . import det as _det
from . import inv, matrix_exp as _matrix_exp, pinv, qr as _qr, slogdet as _slogdet
from . import svd as _svd
from ._helpers import mH
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["matrix_exp", "det", "logdet", "slogdet", "inverse", "cholesky", "svd", "pinverse", "qr"]


@tensor_method
def det(input) -> Tensor:
    """The determinant (``torch.linalg.det``)."""
    return _det(input)


@tensor_method
def logdet(input) -> Tensor:
    """``log(det(A))``: NaN for a negative determinant, -inf for a zero one."""
    from .._ops.elementwise import where
    sign, logabsdet = _slogdet(input)
    return where(sign < 0, logabsdet.new_full((), math.nan), logabsdet)


@tensor_method
def slogdet(input):
    """(sign, log|det|) as ``torch.return_types.slogdet``."""
    sign, logabsdet = _slogdet(input)
    return namedtuple_result("slogdet", sign, logabsdet, fields=("sign", "logabsdet"))


@tensor_method
@accepts_out(exact_dtype=True)
def inverse(input, *, out=None) -> Tensor:
    """The inverse (``torch.linalg.inv``)."""
    return inv(input)


@tensor_method
@accepts_out
def cholesky(input, upper: bool = False, *, out=None) -> Tensor:
    """The Cholesky factor (deprecated form of ``torch.linalg.cholesky``)."""
    return _cholesky(input, upper=upper)


@tensor_method
@accepts_out(exact_dtype=True)
def svd(input, some: bool = True, compute_uv: bool = True, *, out=None):
    """(U, S, V) with ``A = U diag(S) V^H`` (note V, not Vh); zeros for U, V without
    ``compute_uv``."""
    u, s, vh = _svd(input, full_matrices=not some)
    if not compute_uv:
        return namedtuple_result("svd", u.new_zeros(u.shape).detach(), s,
                                 vh.new_zeros(vh.shape).detach(), fields=("U", "S", "V"))
    return namedtuple_result("svd", u, s, mH(vh), fields=("U", "S", "V"))


@tensor_method
def pinverse(input, rcond: float = 1e-15) -> Tensor:
    """The pseudo-inverse with relative tolerance ``rcond``."""
    if autocast_state.active:
        return autocast_call(pinverse, "pinverse", **locals())
    return pinv(input, rtol=rcond)


@tensor_method
@accepts_out(exact_dtype=True)
def qr(input, some: bool = True, *, out=None):
    """(Q, R): the reduced (``some``) or complete QR decomposition."""
    q, r = _qr(input, "reduced" if some else "complete")
    return namedtuple_result("qr", q, r, fields=("Q", "R"))


@tensor_method
def matrix_exp(input) -> Tensor:
    """The matrix exponential (``torch.linalg.matrix_exp``)."""
    return _matrix_exp(input)
