"""Randomized low-rank SVD and PCA, ``torch.svd_lowrank`` and ``torch.pca_lowrank``: Halko,
Martinsson and Tropp (2009), "Finding structure with randomness", algorithms 4.4 and 5.1, as
PyTorch's ``torch/_lowrank.py``. Built from randn, matmul, ``linalg.qr`` and ``linalg.svd``, so
gradients flow through all but the random draw.

>>> import rustorch as torch
>>> A = torch.randn(20, 3, dtype=torch.float64) @ torch.randn(3, 10, dtype=torch.float64)
>>> U, S, V = torch.svd_lowrank(A, q=3)
>>> bool(torch.allclose(U @ torch.diag(S) @ V.mT, A))
True
"""
from __future__ import annotations

from . import dtypes as _dtypes
from .errors import ArgumentError
from .linalg import qr, svd
from .linalg._helpers import mH
from .random import randn
from .tensor import Tensor

__all__ = ["svd_lowrank", "pca_lowrank"]


def _floating_dtype(A: Tensor):  # noqa: N803
    """PyTorch's ``_linalg_utils.get_floating_dtype``: A's dtype if it is a float one (complex
    ones are kept by the callers), else float32."""
    if A.dtype in (_dtypes.float16, _dtypes.float32, _dtypes.float64):
        return A.dtype
    return _dtypes.float32


def get_approximate_basis(A: Tensor, q: int, niter: int | None = 2,  # noqa: N803
                          M: Tensor | None = None) -> Tensor:  # noqa: N803
    """Q with q orthonormal columns such that ``Q Q^H (A - M)`` approximates ``A - M``, by
    subspace iteration from a random start (``niter`` rounds), without forming ``A - M``."""
    niter = 2 if niter is None else niter
    dtype = A.dtype if A.dtype.is_complex else _floating_dtype(A)
    start = randn(A.shape[-1], q, dtype=dtype, device=A.device)

    def project(matrix: Tensor, mean: Tensor | None, right: Tensor) -> Tensor:
        product = matrix.matmul(right)
        return product if mean is None else product - mean.matmul(right)

    A_h = mH(A)  # noqa: N806
    M_h = None if M is None else mH(M)  # noqa: N806
    Q = qr(project(A, M, start)).Q  # noqa: N806
    for _ in range(niter):
        Q = qr(project(A_h, M_h, Q)).Q  # noqa: N806
        Q = qr(project(A, M, Q)).Q  # noqa: N806
    return Q


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int | None = 2,  # noqa: N803
                M: Tensor | None = None):  # noqa: N803
    """(U, S, V) with ``A - M ~ U diag(S) V^H`` (M defaults to zero, broadcast to A's shape):
    U is (*, m, q), S (*, q), V (*, n, q). Randomized: seed the generator for repeatable
    results; for a dense matrix of rank at most q it equals the SVD up to the signs of the
    singular vectors."""
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(tuple(A.shape))  # noqa: N806
    tall = m >= n
    if not tall:  # work with the tall one
        A = mH(A)  # noqa: N806
        M = None if M is None else mH(M)  # noqa: N806
    Q = get_approximate_basis(A, q, niter=niter, M=M)  # noqa: N806
    Q_h = mH(Q)  # noqa: N806
    B = Q_h.matmul(A)  # noqa: N806
    if M is not None:
        B = B - Q_h.matmul(M)  # noqa: N806
    U, S, Vh = svd(B, full_matrices=False)  # noqa: N806
    V = mH(Vh)  # noqa: N806
    U = Q.matmul(U)  # noqa: N806
    return (U, S, V) if tall else (V, S, U)


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True,  # noqa: N803
                niter: int = 2):
    """(U, S, V), the low-rank SVD of A with its column means taken out (unless ``center`` is
    False): the columns of V are the principal directions, ``S**2 / (m - 1)`` the variances
    along them. ``q`` defaults to ``min(6, m, n)``."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ArgumentError(f"q(={q}) must be non-negative integer and not greater than "
                            f"min(m, n)={min(m, n)}")
    if not (niter >= 0):
        raise ArgumentError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter, M=None)
    return svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter=niter, M=None)
