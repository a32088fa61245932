"""``torch.linalg``: norms, inverses and solvers, decompositions, and matrix products.

Decompositions (and their gradients) live in ``_decompositions.py``; this module checks
arguments, shapes results like PyTorch, and composes the rest from them.
"""
from __future__ import annotations

import math

import numpy as np

from .._ops._results import accepts_out
from .. import dtypes as _dtypes
from .._ops.einsum import _cross, chain_matmul
from .._ops.linalg_core import matmul
from .._ops.reduce_more import vector_norm_impl
from .._ops.sort_select import InvalidArgumentError
from ..errors import ArgumentError, NotSupportedError, ShapeError
from ..return_types import namedtuple_result
from ..tensor import Tensor, wrap_dim
from ._decompositions import QR, SVD, Cholesky, Det, Eigh, Inv, PinvGradient, SlogDet, Solve
from ._helpers import LinAlgError, check_float, check_square, mH, torch_type_name
from ._factorizations import lu, lu_factor, lu_factor_ex, lu_solve, lu_unpack
from ._more import (eig, eigvals, householder_product, ldl_factor, ldl_factor_ex, ldl_solve,
                    solve_ex, tensorinv, tensorsolve, vander)
from ..amp._dispatch import autocast_call, autocast_state

__all__ = [
    "matrix_exp", "cond", "solve_triangular", "norm", "vector_norm", "matrix_norm", "inv",
    "inv_ex", "det", "slogdet", "solve", "cholesky", "cholesky_ex", "qr", "svd",
    "svdvals", "eigh", "eigvalsh", "pinv", "lstsq", "matrix_rank", "matmul",
    "multi_dot", "cross", "vecdot", "diagonal", "matrix_power", "LinAlgError",
    "lu_factor", "lu_factor_ex", "lu", "lu_solve", "solve_ex", "eig", "eigvals", "tensorinv",
    "tensorsolve", "vander", "householder_product", "ldl_factor", "ldl_factor_ex", "ldl_solve",
]


# ----------------------------------------------------------------- norms
@accepts_out(exact_dtype=True)
def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all elements when None)."""
    if autocast_state.active:
        return autocast_call(vector_norm, "linalg_vector_norm", **locals())
    return vector_norm_impl(x, ord, dim, keepdim, dtype=dtype)


@accepts_out(exact_dtype=True)
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None,  # noqa: N803
                out=None) -> Tensor:
    """Frobenius, nuclear, spectral (2, -2), max-column (1, -1) or max-row (inf, -inf) norm."""
    if autocast_state.active:
        return autocast_call(matrix_norm, "linalg_matrix_norm", **locals())
    if A.ndim < 2:
        raise ShapeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                         "dimensions.")
    check_float(A, "linalg.matrix_norm")
    if dtype is not None:
        A = A.to(_dtypes.to_dtype(dtype))
    rows, columns = (wrap_dim(d, A.ndim) for d in dim)
    if rows == columns:
        raise ArgumentError(f"linalg.matrix_norm: dims must be different. Got ({rows}, "
                            f"{columns})")
    if ord == "fro":
        return vector_norm_impl(A, 2, (rows, columns), keepdim, op="linalg.matrix_norm")
    if ord in ("nuc", 2, -2):
        moved = A.movedim((rows, columns), (-2, -1))
        values = svdvals(moved)
        if ord == "nuc":
            result = values.sum(-1)
        else:
            result = values.amax(-1) if ord == 2 else values.amin(-1)
        return _restore_dims(result, rows, columns, keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        summed, kept = (rows, columns) if ord in (1, -1) else (columns, rows)
        sums = A.abs().sum(dim=summed, keepdim=True)
        result = sums.amax(dim=kept, keepdim=True) if ord > 0 else \
            sums.amin(dim=kept, keepdim=True)
        return result if keepdim else result.squeeze(max(rows, columns)).squeeze(
            min(rows, columns))
    raise InvalidArgumentError(f"linalg.matrix_norm: Order {ord} not supported.")


def _restore_dims(result, rows, columns, keepdim):
    if keepdim:
        for d in sorted((rows, columns)):
            result = result.unsqueeze(d)
    return result


@accepts_out(exact_dtype=True)
def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None,  # noqa: N803
         out=None) -> Tensor:
    """Vector norm for 1-D inputs or an int ``dim``, matrix norm for 2-D inputs or 2 dims."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or dim is None and A.ndim == 2 and ord is not None:
        return matrix_norm(A, "fro" if ord is None else ord, dim if dim is not None
                           else (-2, -1), keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise ArgumentError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                            f"Got {dim}" if dim is not None else
                            f"linalg.norm: If dim is not specified but ord is, the input must "
                            f"be 1D or 2D. Got {A.ndim}D.")
    if dim is None and ord is not None and A.ndim != 1:
        raise ShapeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                         f"1D or 2D. Got {A.ndim}D.")
    return vector_norm_impl(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype,
                            op="linalg.norm")


# ----------------------------------------------------------------- inverses and solvers
@accepts_out(exact_dtype=True)
def inv(A, *, out=None) -> Tensor:  # noqa: N803
    """The inverse ``A^{-1}``; a singular matrix raises ``LinAlgError``."""
    if autocast_state.active:
        return autocast_call(inv, "linalg_inv", **locals())
    check_square(A, "linalg.inv")
    return Inv.apply(A)


@accepts_out(exact_dtype=True)
def inv_ex(A, *, check_errors: bool = False, out=None):  # noqa: N803
    if autocast_state.active:
        return autocast_call(inv_ex, "linalg_inv_ex", **locals())
    check_square(A, "linalg.inv_ex")
    xp = A._xp()
    try:
        return namedtuple_result("linalg_inv_ex", Inv.apply(A),
                                 Tensor._make(xp.zeros(A.shape[:-2], np.int32)),
                                 fields=("inverse", "info"))
    except LinAlgError:
        if check_errors:
            raise
        nan = A.new_full(A.shape, math.nan)
        return namedtuple_result("linalg_inv_ex", nan,
                                 Tensor._make(xp.ones(A.shape[:-2], np.int32)),
                                 fields=("inverse", "info"))


@accepts_out(exact_dtype=True)
def det(A, *, out=None) -> Tensor:  # noqa: N803
    """The determinant (gradient ``det(A) A^{-T}``, via the SVD adjugate when singular)."""
    check_square(A, "linalg.det")
    return Det.apply(A)


@accepts_out(exact_dtype=True)
def slogdet(A, *, out=None):  # noqa: N803
    """(sign, log|det|) of square matrices."""
    check_square(A, "linalg.slogdet")
    sign, logabsdet = SlogDet.apply(A)
    return namedtuple_result("linalg_slogdet", sign, logabsdet, fields=("sign", "logabsdet"))


@accepts_out(exact_dtype=True)
def solve(A, B, *, left: bool = True, out=None) -> Tensor:  # noqa: N803
    """The solution ``X`` of ``A X = B`` (``X A = B`` when ``left=False``)."""
    if autocast_state.active:
        return autocast_call(solve, "linalg_solve", **locals())
    check_square(A, "linalg.solve")
    if A.dtype is not B.dtype:
        raise ShapeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                         f"A of type {torch_type_name(A.dtype)} and B of type "
                         f"{torch_type_name(B.dtype)} instead")
    if not left:
        return mH(solve(mH(A), mH(B)))
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    right = B.unsqueeze(-1) if vector else B
    if right.shape[-2] != A.shape[-1]:
        raise ShapeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                         f"({A.shape[-2]}x{A.shape[-1]} and {right.shape[-2]}x"
                         f"{right.shape[-1]})")
    batch = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(right.shape[:-2]))
    if tuple(right.shape[:-2]) != batch:
        right = right.expand(*batch, *right.shape[-2:])
    result = Solve.apply(A, right)
    return result.squeeze(-1) if vector else result


@accepts_out(exact_dtype=True)
def cholesky(A, *, upper: bool = False, out=None) -> Tensor:  # noqa: N803
    """The Cholesky factor ``L`` with ``A = L L^H`` (``U`` with ``A = U^H U`` if upper)."""
    if autocast_state.active:
        return autocast_call(cholesky, "linalg_cholesky", **locals())
    check_square(A, "linalg.cholesky")
    return Cholesky.apply(A, upper=upper)


@accepts_out(exact_dtype=True)
def cholesky_ex(A, *, upper: bool = False, check_errors: bool = False, out=None):  # noqa: N803
    if autocast_state.active:
        return autocast_call(cholesky_ex, "linalg_cholesky_ex", **locals())
    xp = A._xp()
    try:
        factor, info = cholesky(A, upper=upper), xp.zeros(A.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        factor, info = A.new_full(A.shape, math.nan), xp.ones(A.shape[:-2], np.int32)
    return namedtuple_result("linalg_cholesky_ex", factor, Tensor._make(info),
                             fields=("L", "info"))


# ----------------------------------------------------------------- decompositions
@accepts_out(exact_dtype=True)
def qr(A, mode: str = "reduced", *, out=None):  # noqa: N803
    """``A = Q R`` with orthonormal ``Q`` and upper-triangular ``R``."""
    if autocast_state.active:
        return autocast_call(qr, "linalg_qr", **locals())
    if mode not in ("reduced", "complete", "r"):
        raise InvalidArgumentError(f"qr received unrecognized mode '{mode}' but expected one of "
                            f"'reduced' (default), 'r', or 'complete'")
    if A.ndim < 2:
        raise ShapeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    check_float(A, "linalg.qr")
    q, r = QR.apply(A, mode=mode)
    return namedtuple_result("linalg_qr", q, r, fields=("Q", "R"))


@accepts_out(exact_dtype=True)
def svd(A, full_matrices: bool = True, *, driver=None, out=None):  # noqa: N803
    """``A = U diag(S) Vh``; gradients are those of the thin factors."""
    if autocast_state.active:
        return autocast_call(svd, "linalg_svd", **locals())
    if A.ndim < 2:
        raise ShapeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    check_float(A, "linalg.svd")
    u, s, vh = SVD.apply(A, full_matrices=full_matrices)
    return namedtuple_result("linalg_svd", u, s, vh, fields=("U", "S", "Vh"))


@accepts_out(exact_dtype=True)
def svdvals(A, *, driver=None, out=None) -> Tensor:  # noqa: N803
    """The singular values, in descending order."""
    if autocast_state.active:
        return autocast_call(svdvals, "linalg_svdvals", **locals())
    return svd(A, full_matrices=False).S


@accepts_out(exact_dtype=True)
def eigh(A, UPLO: str = "L", *, out=None):  # noqa: N803
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric/Hermitian matrices."""
    if autocast_state.active:
        return autocast_call(eigh, "linalg_eigh", **locals())
    if UPLO not in ("L", "U"):
        raise InvalidArgumentError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    check_square(A, "linalg.eigh")
    values, vectors = Eigh.apply(A, uplo=UPLO)
    return namedtuple_result("linalg_eigh", values, vectors,
                             fields=("eigenvalues", "eigenvectors"))


@accepts_out(exact_dtype=True)
def eigvalsh(A, UPLO: str = "L", *, out=None) -> Tensor:  # noqa: N803
    if autocast_state.active:
        return autocast_call(eigvalsh, "linalg_eigvalsh", **locals())
    return eigh(A, UPLO).eigenvalues


def _tolerance(values: Tensor, shape, atol, rtol):
    """max(atol, rtol * largest singular value) per matrix, shaped (..., 1); PyTorch's default
    rtol is eps * max(m, n) (zero when only a positive atol is given). ``atol``/``rtol`` may
    be numbers or tensors broadcasting against the batch shape."""
    largest = values.amax(-1, keepdim=True) if values.shape[-1] else values.new_zeros(
        values.shape[:-1] + (1,))

    def as_column(value):
        return value.to(values.dtype).unsqueeze(-1) if isinstance(value, Tensor) else value
    atol, rtol = as_column(atol), as_column(rtol)
    if rtol is None:
        positive_atol = atol is not None and (
            bool((atol._data > 0).all()) if isinstance(atol, Tensor) else atol > 0)
        rtol = 0.0 if positive_atol else \
            _dtypes.finfo(values.dtype).eps * max(shape[-2], shape[-1])
    tolerance = largest * rtol
    if atol is not None:
        from .._ops.elementwise import maximum
        atol = atol if isinstance(atol, Tensor) else tolerance.new_full((), float(atol))
        tolerance = maximum(tolerance, atol)
    return tolerance


@accepts_out
def pinv(A, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:  # noqa: N803
    """The Moore-Penrose pseudo-inverse, ``V diag(1/s) U^H`` over the significant ``s`` (with
    ``hermitian``, from the eigendecomposition of the lower triangle); the gradient is
    PyTorch's closed form for constant rank."""
    if A.ndim < 2:
        raise ShapeError("linalg.pinv(A): expected a tensor with 2 or more dimensions")
    check_float(A, "linalg.pinv")
    from .._ops.elementwise import where
    from ..autograd.grad_mode import no_grad
    with no_grad():
        if hermitian:  # as PyTorch: eigh reads the lower triangle; invert significant |w|
            values, vectors = eigh(A)
            magnitude = values.abs()
            keep = magnitude > _tolerance(magnitude, A.shape, atol, rtol)
            inverse = where(keep, 1 / where(keep, values, values.new_ones(())),
                            values.new_zeros(()))
            value = (vectors * inverse.unsqueeze(-2)).matmul(mH(vectors))
        else:
            u, s, vh = svd(A, full_matrices=False)
            keep = s > _tolerance(s, A.shape, atol, rtol)
            inverse_s = where(keep, 1 / where(keep, s, s.new_ones(())), s.new_zeros(()))
            value = (mH(vh) * inverse_s.unsqueeze(-2)).matmul(mH(u))
    return PinvGradient.apply(A, value)


def lstsq(A, B, rcond=None, *, driver=None):  # noqa: N803
    """Least-squares solution of ``A X = B`` through the pseudo-inverse. As in PyTorch, the
    driver decides what else is returned: residuals ``||A X - B||^2`` per column (m > n, not
    for the default 'gelsy'), the rank (not for 'gels') and the singular values ('gelsd',
    'gelss')."""
    if autocast_state.active:
        return autocast_call(lstsq, "linalg_lstsq", **locals())
    if driver is None:
        driver = "gelsy"
    if driver not in ("gelsy", "gels", "gelsd", "gelss"):
        raise InvalidArgumentError(f"torch.linalg.lstsq: parameter `driver` should be one of "
                                   f"(gels, gelsy, gelsd, gelss), got {driver!r}")
    vector = B.ndim == A.ndim - 1
    right = B.unsqueeze(-1) if vector else B
    solution = pinv(A, rtol=rcond).matmul(right)
    empty = A.new_zeros((0,))
    rows, columns = A.shape[-2], A.shape[-1]
    residuals = empty
    if driver != "gelsy" and rows > columns:
        error = A.matmul(solution) - right
        residuals = (error * error).sum(-2)
    rank = Tensor._make(A._xp().zeros((0,), np.int64)) if driver == "gels" else \
        matrix_rank(A.detach(), rtol=rcond)
    singular_values = svdvals(A.detach()) if driver in ("gelsd", "gelss") else empty
    if vector:
        solution = solution.squeeze(-1)
    return namedtuple_result("linalg_lstsq", solution, residuals, rank, singular_values,
                             fields=("solution", "residuals", "rank", "singular_values"))


@accepts_out
def matrix_rank(A, *, atol=None, rtol=None, hermitian: bool = False, tol=None,  # noqa: N803
                out=None) -> Tensor:
    """The number of singular values above the tolerance."""
    if autocast_state.active:
        return autocast_call(matrix_rank, "linalg_matrix_rank", **locals())
    if tol is not None:
        atol, rtol = tol, 0.0
    values = svdvals(A.detach()) if not hermitian else eigvalsh(A.detach()).abs()
    return (values > _tolerance(values, A.shape, atol, rtol)).sum(-1)


# ----------------------------------------------------------------- products and views
@accepts_out(exact_dtype=True)
def multi_dot(tensors, *, out=None) -> Tensor:
    """``tensors[0] @ tensors[1] @ ...``; the first/last may be 1-D."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise InvalidArgumentError("multi_dot(): expected at least 2 tensors but got "
                            f"{len(tensors)}")
    first_vector, last_vector = tensors[0].ndim == 1, tensors[-1].ndim == 1
    if first_vector:
        tensors[0] = tensors[0].unsqueeze(0)
    if last_vector:
        tensors[-1] = tensors[-1].unsqueeze(-1)
    result = chain_matmul(*tensors)
    if first_vector:
        result = result.squeeze(0)
    if last_vector:
        result = result.squeeze(-1)
    return result


@accepts_out(exact_dtype=True)
def cross(input, other, *, dim: int = -1, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (broadcasting)."""
    shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    return _cross(input, other, dim, shape, "linalg.cross")


@accepts_out(exact_dtype=True)
def vecdot(x, y, *, dim: int = -1, out=None) -> Tensor:
    """``sum(conj(x) * y, dim)``."""
    if autocast_state.active:
        return autocast_call(vecdot, "linalg_vecdot", **locals())
    return ((x.conj() if x.dtype.is_complex else x) * y).sum(dim)


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    """The ``offset`` diagonal of the matrices over ``dim1``/``dim2``, as the last dim."""
    moved = A.movedim((wrap_dim(dim1, A.ndim), wrap_dim(dim2, A.ndim)), (-2, -1))
    rows, columns = moved.shape[-2], moved.shape[-1]
    start_row, start_column = max(-offset, 0), max(offset, 0)
    size = max(min(rows - start_row, columns - start_column), 0)
    xp = A._xp()
    row_index = Tensor._make(xp.arange(start_row, start_row + size, dtype=np.int64))
    column_index = Tensor._make(xp.arange(start_column, start_column + size, dtype=np.int64))
    return moved[..., row_index, column_index]


@accepts_out(exact_dtype=True)
def matrix_power(A, n: int, *, out=None) -> Tensor:  # noqa: N803
    return A.matrix_power(n)


def cond(A, p=None) -> Tensor:  # noqa: N803
    """The condition number ``norm(A, p) * norm(A^{-1}, p)`` (ratio of singular values for
    p = None, 2, -2)."""
    if autocast_state.active:
        return autocast_call(cond, "linalg_cond", **locals())
    if p in (None, 2, -2):
        values = svdvals(A)
        largest, smallest = values.amax(-1), values.amin(-1)
        return largest / smallest if p in (None, 2) else smallest / largest
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


@accepts_out(exact_dtype=True)
def solve_triangular(A, B, *, upper: bool, left: bool = True,  # noqa: N803
                     unitriangular: bool = False, out=None) -> Tensor:
    """Solve ``A X = B`` (or ``X A = B``) reading only the triangle of ``A``, by BLAS trsm: as
    in PyTorch, a zero on the diagonal gives inf/nan, not an error."""
    from ._solvers import TriangularSolve, solve_triangular_inputs
    A, B = solve_triangular_inputs(A, B, left)  # noqa: N806
    if left:
        return TriangularSolve.apply(B, A, upper=upper, transpose=False,
                                     unitriangular=unitriangular)[0]
    return TriangularSolve.apply(B.mT, A, upper=upper, transpose=True,
                                 unitriangular=unitriangular)[0].mT


# Pade(13) coefficients of Higham (2005), "The scaling and squaring method for the matrix
# exponential revisited"; theta_13 is the 1-norm bound up to which Pade(13) is accurate.
_PADE_13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
            129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
            40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA_13 = 5.371920351148152


@accepts_out
def matrix_exp(A, *, out=None) -> Tensor:  # noqa: N803
    """``exp(A) = sum_k A^k / k!`` by scaling and squaring with a Pade(13) approximant, composed
    of matmul and solve so it is differentiable to any order."""
    if autocast_state.active:
        return autocast_call(matrix_exp, None, **locals())
    check_square(A, "linalg.matrix_exp")
    if A.shape[-1] == 0:
        return A.clone()
    xp = A._xp()
    norm_1 = float(xp.abs(A._data).sum(axis=-2).max()) if A.numel() else 0.0
    squarings = max(0, int(math.ceil(math.log2(norm_1 / _THETA_13)))) if norm_1 > 0 else 0
    scaled = A / (2.0 ** squarings) if squarings else A
    from ._helpers import eye_like
    eye = eye_like(A, A.shape[-1])
    b = _PADE_13
    a2 = scaled.matmul(scaled)
    a4 = a2.matmul(a2)
    a6 = a4.matmul(a2)
    u = scaled.matmul(a6.matmul(b[13] * a6 + b[11] * a4 + b[9] * a2)
                      + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6.matmul(b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + \
        b[0] * eye
    result = Solve.apply(v - u, v + u)
    for _ in range(squarings):
        result = result.matmul(result)
    return result
