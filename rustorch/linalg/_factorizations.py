"""LU factorizations of ``rustorch.linalg``: lu_factor(_ex), lu, lu_unpack, lu_solve.

Forward calls LAPACK through ``scipy.linalg`` (``cupyx.scipy.linalg`` on CUDA), one matrix at a
time, with PyTorch's conventions: 1-based int32 pivots, ``A = P L U``. Backward uses PyTorch's
formulas (``linalg_lu_backward``, ``linalg_lu_solve_LU`` in FunctionsManual.cpp), written with
Tensor ops so that they are differentiable again.
"""
from __future__ import annotations

import importlib
import math
import warnings

import numpy as np

from .._ops._results import accepts_out
from ..autograd.function import Primitive
from ..errors import ArgumentValueError, DTypeError, DTypeNotImplementedError, ShapeError
from ..return_types import namedtuple_result
from ..tensor import _TORCH_TYPE_NAMES, Tensor
from ._decompositions import Solve
from ._helpers import LinAlgError, batch_error_prefix, eye_like, mH, tril, triu

__all__ = ["lu_factor", "lu_factor_ex", "lu", "lu_unpack", "lu_solve"]


# ----------------------------------------------------------------- array helpers
def type_name(tensor: Tensor) -> str:
    return _TORCH_TYPE_NAMES.get(tensor.dtype.name, tensor.dtype.name)


def scipy_linalg(array):
    """``scipy.linalg`` for numpy arrays, ``cupyx.scipy.linalg`` for cupy arrays (imported on
    first use: scipy brings a second BLAS thread pool)."""
    if isinstance(array, np.ndarray):
        return importlib.import_module("scipy.linalg")
    return importlib.import_module("cupyx.scipy.linalg")


def flatten_batch(array, trailing: int):
    """(count, *last ``trailing`` dims) view of a batch of matrices or vectors."""
    split = array.ndim - trailing
    return array.reshape((math.prod(array.shape[:split]),) + tuple(array.shape[split:]))


def array_module(array):
    return np if isinstance(array, np.ndarray) else importlib.import_module("cupy")


def _first_zero_diagonal(xp, lu, size: int):
    """LAPACK's ``info``: the 1-based index of the first exactly zero ``U[i, i]``, else 0."""
    if size == 0:
        return xp.zeros(lu.shape[:-2], np.int32)
    index = xp.arange(size)
    zero = lu[..., index, index] == 0
    return xp.where(zero.any(-1), zero.argmax(-1) + 1, 0).astype(np.int32)


def _lu_without_pivoting(xp, a):
    """Doolittle elimination over the whole batch, one column at a time."""
    lu = a.copy()
    for j in range(min(a.shape[-2], a.shape[-1])):
        lu[..., j + 1:, j] /= lu[..., j:j + 1, j]
        lu[..., j + 1:, j + 1:] -= lu[..., j + 1:, j:j + 1] * lu[..., j:j + 1, j + 1:]
    return lu


def lu_factor_arrays(a, pivot: bool = True):
    """(LU, 1-based int32 pivots, info) of (..., m, n) matrices."""
    xp = array_module(a)
    rows, columns = a.shape[-2], a.shape[-1]
    size = min(rows, columns)
    batch = a.shape[:-2]
    if not pivot:
        lu = _lu_without_pivoting(xp, a)
        pivots = xp.broadcast_to(xp.arange(1, size + 1, dtype=np.int32), batch + (size,))
        return lu, xp.ascontiguousarray(pivots), _first_zero_diagonal(xp, lu, size)
    flat = flatten_batch(a, 2)
    lu = flat.copy()
    pivots = xp.empty((flat.shape[0], size), np.int32)
    if size:
        module = scipy_linalg(a)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy warns on exactly singular U
            for index in range(flat.shape[0]):
                factor, swaps = module.lu_factor(flat[index], check_finite=False)
                lu[index], pivots[index] = factor, swaps + 1
    lu = lu.reshape(a.shape)
    return lu, pivots.reshape(batch + (size,)), _first_zero_diagonal(xp, lu, size)


def _check_pivots(pivots, rows: int, op: str) -> None:
    """PyTorch's range checks: LAPACK would read out of bounds with other pivots."""
    if pivots.size == 0:
        return
    smallest, largest = int(pivots.min()), int(pivots.max())
    if op == "lu_unpack" and (smallest < 1 or largest > rows):
        raise ArgumentValueError("pivots passed to lu_unpack must be between 1 and LU.size(-2) "
                                 "inclusive.Did you properly pass the result of lu_factor?")
    if smallest < 1:
        raise ArgumentValueError("Pivots given to lu_solve must all be greater or equal to 1. "
                                 "Did you properly pass the result of lu_factor?")
    if largest > rows:
        raise ArgumentValueError("Pivots given to lu_solve must all be smaller or equal to "
                                 "LU.size(-2). Did you properly pass the result of lu_factor?")


def permutation_arrays(pivots, rows: int, dtype):
    """The (..., m, m) matrix ``P`` of ``A = P L U`` from LAPACK's row interchanges."""
    xp = array_module(pivots)
    _check_pivots(pivots, rows, "lu_unpack")
    batch, size = pivots.shape[:-1], pivots.shape[-1]
    flat = flatten_batch(pivots, 1).astype(np.int64) - 1
    count = flat.shape[0]
    order = xp.broadcast_to(xp.arange(rows), (count, rows)).copy()
    batch_index = xp.arange(count)
    for step in range(size):  # row ``step`` was swapped with row ``pivots[step]``
        target = flat[:, step]
        current = order[:, step].copy()
        order[:, step] = order[batch_index, target]
        order[batch_index, target] = current
    permutation = xp.zeros((count, rows, rows), dtype)
    permutation[batch_index[:, None], order, xp.arange(rows)[None, :]] = 1
    return permutation.reshape(batch + (rows, rows))


def lu_solve_arrays(lu, pivots, b, left: bool = True, adjoint: bool = False):
    """Solve ``op(A) X = B`` (``X op(A) = B`` unless ``left``) for ``A = P L U`` given as
    (LU, pivots) with batch dims equal to ``b``'s; no singularity check, as LAPACK's getrs."""
    xp = array_module(b)
    _check_pivots(pivots, lu.shape[-1], "lu_solve")
    if not left:  # X A = B  <=>  A^H X^H = B^H
        b = xp.conj(xp.swapaxes(b, -1, -2))
        adjoint = not adjoint
    trans = (2 if lu.dtype.kind == "c" else 1) if adjoint else 0
    size = lu.shape[-1]
    flat_b = flatten_batch(b, 2)
    result = xp.zeros(flat_b.shape, lu.dtype)
    if size and flat_b.shape[-1]:
        module = scipy_linalg(b)
        flat_lu = flatten_batch(lu, 2)
        flat_pivots = flatten_batch(pivots, 1) - 1
        for index in range(flat_b.shape[0]):
            result[index] = module.lu_solve((flat_lu[index], flat_pivots[index]), flat_b[index],
                                            trans=trans, check_finite=False)
    result = result.reshape(b.shape)
    return xp.conj(xp.swapaxes(result, -1, -2)) if not left else result


# ----------------------------------------------------------------- differentiable helpers
def connected_output(node, array, index: int) -> Tensor:
    """Output ``index`` of ``node`` (its ``array``) as a Tensor wired to the node, so double
    backward sees it. Nodes keep such arrays as attributes: the engine frees them after
    backward unless ``retain_graph``."""
    from ..autograd.grad_mode import grad_state
    if grad_state.enabled:
        return Tensor._make(array, True, node, index)
    return Tensor._make(array)


def solve_triangular_tensor(a: Tensor, b: Tensor, upper: bool, left: bool = True,
                            unitriangular: bool = False) -> Tensor:
    """``A^{-1} B`` (``B A^{-1}`` unless ``left``) reading one triangle of ``A``."""
    if unitriangular:
        triangle = (triu(a, 1) if upper else tril(a, -1)) + eye_like(a, a.shape[-1])
    else:
        triangle = triu(a) if upper else tril(a)
    if left:
        return Solve.apply(triangle, b)
    return mH(Solve.apply(mH(triangle), mH(b)))


def _cat(tensors, dim: int) -> Tensor:
    from .._ops.movement import cat
    return cat(tensors, dim=dim)


def lu_backward(grad_l, grad_u, permutation, lower, upper, pivot: bool) -> Tensor:
    """PyTorch's ``linalg_lu_backward``: the gradient of ``A = P L U`` from those of L and U."""
    rows, columns = lower.shape[-2], upper.shape[-1]
    size = min(rows, columns)
    lower_h, upper_h = mH(lower), mH(upper)
    if rows == columns:
        # gA = P L^{-H} [L^H gL o 1_L + gU U^H o 1_U] U^{-H}
        grad = tril(lower_h.matmul(grad_l), -1) + triu(grad_u.matmul(upper_h))
        grad = solve_triangular_tensor(upper_h, grad, upper=False, left=False)
        grad = solve_triangular_tensor(lower_h, grad, upper=True, unitriangular=True)
    elif rows < columns:
        # gA1 = P L^{-H} [gU1 + (L^H gL o 1_L - gU U^H o 1_U) U1^{-H}], gA2 = P L^{-H} gU2
        grad = lower_h.matmul(grad_l) - triu(grad_u).matmul(upper_h)
        grad = solve_triangular_tensor(mH(upper[..., :, :size]), tril(grad, -1), upper=False,
                                       left=False)
        grad = _cat([grad + triu(grad_u[..., :, :size]), grad_u[..., :, size:]], -1)
        grad = solve_triangular_tensor(lower_h, grad, upper=True, unitriangular=True)
    else:
        # gA1 = P [gL1 + L1^{-H} (gU U^H o 1_U - L^H gL o 1_L)] U^{-H}, gA2 = P gL2 U^{-H}
        grad = grad_u.matmul(upper_h) - lower_h.matmul(tril(grad_l, -1))
        grad = solve_triangular_tensor(mH(lower[..., :size, :]), triu(grad), upper=True,
                                       unitriangular=True)
        grad = _cat([grad + tril(grad_l[..., :size, :], -1), grad_l[..., size:, :]], -2)
        grad = solve_triangular_tensor(upper_h, grad, upper=False, left=False)
    return permutation.matmul(grad) if pivot else grad


def _unpack_tensors(lu: Tensor, pivots: Tensor, pivot: bool):
    rows, columns = lu.shape[-2], lu.shape[-1]
    size = min(rows, columns)
    lower = tril(lu if size == columns else lu[..., :, :size], -1) + eye_like(lu, rows, size)
    upper = triu(lu if size == rows else lu[..., :size, :])
    permutation = Tensor._make(permutation_arrays(pivots._data, rows, lu._data.dtype)) \
        if pivot else None
    return permutation, lower, upper


# ----------------------------------------------------------------- primitives
class LinalgLuFactorEx(Primitive):
    """(LU, pivots, info); only LU carries a gradient."""

    multi_output = True
    differentiable_outputs = (0,)

    def forward(self, xp, a, pivot=True):
        self.pivot = pivot
        lu, pivots, info = lu_factor_arrays(a, pivot)
        self.lu_array, self.pivots_array = lu, pivots
        return lu, pivots, info

    def backward(self, grad, _grad_pivots, _grad_info):
        lu = connected_output(self, self.lu_array, 0)
        permutation, lower, upper = _unpack_tensors(lu, Tensor._make(self.pivots_array),
                                                    self.pivot)
        size = min(lu.shape[-2], lu.shape[-1])
        return lu_backward(tril(grad[..., :, :size], -1), triu(grad[..., :size, :]),
                           permutation, lower, upper, self.pivot)


class LinalgLu(Primitive):
    """(P, L, U) with ``A = P L U``; L and U carry gradients."""

    multi_output = True
    differentiable_outputs = (1, 2)

    def forward(self, xp, a, pivot=True):
        self.pivot = pivot
        rows, columns = a.shape[-2], a.shape[-1]
        size = min(rows, columns)
        lu, pivots, _ = lu_factor_arrays(a, pivot)
        below = xp.tril(xp.ones((rows, size), bool), -1)
        lower = xp.where(below, lu[..., :, :size], xp.eye(rows, size, dtype=a.dtype))
        upper = xp.where(xp.triu(xp.ones((size, columns), bool)), lu[..., :size, :],
                         xp.zeros((), a.dtype))
        permutation = permutation_arrays(pivots, rows, a.dtype) if pivot else \
            xp.zeros((0,), a.dtype)
        self.permutation_array, self.lower_array, self.upper_array = permutation, lower, upper
        return permutation, lower, upper

    def backward(self, _grad_p, grad_l, grad_u):
        permutation = Tensor._make(self.permutation_array) if self.pivot else None
        return lu_backward(grad_l, grad_u, permutation, connected_output(self, self.lower_array, 1),
                           connected_output(self, self.upper_array, 2), self.pivot)


class LinalgLuSolve(Primitive):
    """X with ``op(A) X = B`` (or ``X op(A) = B``) for ``A`` given as (LU, pivots)."""

    saves = (0, 1)
    saves_output = True

    def forward(self, xp, lu, pivots, b, left=True, adjoint=False):
        self.left, self.adjoint = left, adjoint
        return lu_solve_arrays(lu, pivots, b, left, adjoint)

    def backward(self, grad):
        lu, pivots = self.saved
        grad_b = LinalgLuSolve.apply(lu, pivots, grad, left=self.left, adjoint=not self.adjoint) \
            if self.needs_input_grad(2) else None
        grad_lu = _lu_solve_backward_lu(grad, lu, pivots, self.output, self.left, self.adjoint) \
            if self.needs_input_grad(0) else None
        return grad_lu, None, grad_b


def _lu_solve_backward_lu(grad, lu, pivots, solution, left: bool, adjoint: bool) -> Tensor:
    """PyTorch's ``linalg_lu_solve_LU``: the gradient with respect to the packed factors."""
    permutation, lower, upper = _unpack_tensors(lu, pivots, left == adjoint)
    if left != adjoint:
        # gR = U^{-H} op_2(-gX) op_2(X)^H, gL = (L^{-H} gR U^H).tril(-1)
        product = -(grad.matmul(mH(solution)) if left else mH(grad).matmul(solution))
        grad_r = solve_triangular_tensor(mH(upper), product, upper=False)
        grad_l = solve_triangular_tensor(mH(lower), grad_r.matmul(mH(upper)), upper=True,
                                         unitriangular=True)
        return tril(grad_l, -1) + triu(grad_r)
    # gR = -P^T op_3(X) op_1(op_2(gX)) P L^{-H}, gU = (L^H gR U^{-H}).triu()
    product = solution.matmul(mH(grad)) if left else mH(solution).matmul(grad)
    grad_r = -permutation.mT.matmul(product).matmul(permutation)
    grad_r = solve_triangular_tensor(mH(lower), grad_r, upper=True, left=False,
                                     unitriangular=True)
    grad_u = solve_triangular_tensor(mH(upper), mH(lower).matmul(grad_r), upper=False,
                                     left=False)
    return tril(grad_r, -1) + triu(grad_u)


# ----------------------------------------------------------------- argument checks
def check_floating(tensor: Tensor, op: str) -> None:
    """PyTorch's ``checkFloatingOrComplex`` (half types count as unsupported)."""
    dtype = tensor.dtype
    if not (dtype.is_floating_point or dtype.is_complex) or dtype.name in ("float16",
                                                                           "bfloat16"):
        raise DTypeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                         f"{type_name(tensor)}")


def check_matrices(tensor: Tensor, op: str, square: bool = True, name: str = "A") -> None:
    if tensor.ndim < 2:
        raise ShapeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and tensor.shape[-1] != tensor.shape[-2]:
        raise ShapeError(f"{op}: {name} must be batches of square matrices, but they are "
                         f"{tensor.shape[-2]} by {tensor.shape[-1]} matrices")


def _check_lapack_dtype(tensor: Tensor, kernel: str) -> None:
    """PyTorch's dispatch error for dtypes its LAPACK kernel has no instance for."""
    dtype = tensor.dtype
    if not (dtype.is_floating_point or dtype.is_complex) or dtype.name in ("float16",
                                                                           "bfloat16"):
        raise DTypeNotImplementedError(f"\"{kernel}\" not implemented for "
                                       f"'{type_name(tensor)}'")


def raise_first_failure(info: Tensor, shape, message) -> None:
    """LinAlgError for the first matrix whose ``info`` is positive; ``message(info)``."""
    values = info._data.reshape(-1)
    failed = values > 0
    if bool(failed.any()):
        index = int(failed.argmax())
        raise LinAlgError(message(batch_error_prefix(shape, index), int(values[index])))


def broadcast_batch(*tensors) -> tuple:
    return tuple(np.broadcast_shapes(*(tuple(t.shape[:-2]) for t in tensors)))


def expand_batch(tensor: Tensor, batch: tuple, trailing: int) -> Tensor:
    shape = batch + tuple(tensor.shape[tensor.ndim - trailing:])
    return tensor if tuple(tensor.shape) == shape else tensor.expand(*shape)


# ----------------------------------------------------------------- public functions
def _lu_factor_checked(A, pivot: bool, op: str, check_errors: bool):  # noqa: N803
    if A.ndim < 2:
        raise ShapeError(f"{op}: Expected tensor with 2 or more dimensions. Got size: "
                         f"{list(A.shape)} instead")
    _check_lapack_dtype(A, "lu_cpu")
    lu_data, pivots, info = LinalgLuFactorEx.apply(A, pivot=pivot)
    if check_errors:
        raise_first_failure(info, A.shape, lambda prefix, value: (
            f"torch.linalg.{op.split('.')[-1]}: {prefix}U[{value},{value}] is zero and using it "
            f"on lu_solve would result in a division by zero. If you still want to perform the "
            f"factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, "
            f"pivot)"))
    return lu_data, pivots, info


@accepts_out(exact_dtype=True)
def lu_factor(A, *, pivot: bool = True, out=None):  # noqa: N803
    """Compact LU factorization with partial pivoting: ``LU`` holds L (strictly below the
    diagonal, unit diagonal implied) and U; ``pivots`` are 1-based row interchanges. Raises
    for an exactly singular U (use ``lu_factor_ex`` to get ``info`` instead)."""
    lu_data, pivots, _ = _lu_factor_checked(A, pivot, "torch.lu_factor", True)
    return namedtuple_result("linalg_lu_factor", lu_data, pivots, fields=("LU", "pivots"))


@accepts_out(exact_dtype=True)
def lu_factor_ex(A, *, pivot: bool = True, check_errors: bool = False,  # noqa: N803
                 out=None):
    """``lu_factor`` plus LAPACK's ``info`` (the 1-based index of the first zero ``U[i, i]``,
    0 when none), raising only with ``check_errors``."""
    lu_data, pivots, info = _lu_factor_checked(A, pivot, "torch.lu_factor_ex", check_errors)
    return namedtuple_result("linalg_lu_factor_ex", lu_data, pivots, info,
                             fields=("LU", "pivots", "info"))


@accepts_out(exact_dtype=True)
def lu(A, *, pivot: bool = True, out=None):  # noqa: N803
    """``A = P L U`` for (..., m, n) ``A``: P (m, m), L (m, k) unit lower, U (k, n) upper,
    ``k = min(m, n)``; with ``pivot=False`` no row interchanges and an empty P."""
    if A.ndim < 2:
        raise ShapeError(f"linalg.lu: Expected tensor with 2 or more dimensions. Got size: "
                         f"{list(A.shape)} instead")
    _check_lapack_dtype(A, "lu_cpu")
    permutation, lower, upper = LinalgLu.apply(A, pivot=pivot)
    return namedtuple_result("linalg_lu", permutation, lower, upper, fields=("P", "L", "U"))


def lu_unpack(LU_data, LU_pivots, unpack_data: bool = True,  # noqa: N803
              unpack_pivots: bool = True):
    """(P, L, U) from ``lu_factor``'s compact form; differentiable with respect to LU_data."""
    if LU_data.ndim < 2:
        raise ShapeError(f"torch.lu_unpack: Expected tensor with 2 or more dimensions. Got "
                         f"size: {list(LU_data.shape)} instead")
    permutation, lower, upper = _unpack_tensors(LU_data, LU_pivots, unpack_pivots)
    empty = LU_data.new_zeros((0,))
    if not unpack_pivots:
        permutation = empty
    if not unpack_data:
        lower = upper = empty
    return namedtuple_result("lu_unpack", permutation, lower, upper, fields=("P", "L", "U"))


@accepts_out(exact_dtype=True)
def lu_solve(LU, pivots, B, *, left: bool = True, adjoint: bool = False,  # noqa: N803
             out=None) -> Tensor:
    """Solve ``A X = B`` from ``lu_factor``'s (LU, pivots): ``A^H X = B`` with ``adjoint``,
    ``X A = B`` with ``left=False``; batch dims broadcast."""
    check_matrices(LU, "torch.linalg.lu_solve")
    check_floating(LU, "torch.linalg.lu_solve")
    if B.ndim < 2:
        raise ShapeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    size = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != size:
        raise ShapeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                         f"{'AX = B' if left else 'XA = B'} ({size}x{size} and {B.shape[-2]}x"
                         f"{B.shape[-1]})")
    if LU.dtype is not B.dtype:
        raise DTypeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found "
                         f"LU of type {type_name(LU)} and B of type {type_name(B)} instead")
    if pivots.dtype.name != "int32":
        raise DTypeError("linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32")
    if pivots.ndim == 0 or pivots.shape[-1] != size:
        raise ShapeError("linalg.lu_solve: Number of pivots per batch should be same as the "
                         "dimension of the matrix")
    if tuple(pivots.shape) != tuple(LU.shape[:-1]):
        raise ShapeError(f"linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be the "
                         f"same, but got pivots with shape {list(pivots.shape)} instead")
    batch = broadcast_batch(LU, B)
    return LinalgLuSolve.apply(expand_batch(LU, batch, 2), expand_batch(pivots, batch, 1),
                               expand_batch(B, batch, 2), left=left, adjoint=adjoint)
