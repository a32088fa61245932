"""The rest of ``rustorch.linalg``: solve_ex, eig, eigvals, tensorinv, tensorsolve, vander,
householder_product, ldl_factor(_ex), ldl_solve.

``eig`` is a primitive with PyTorch's ``linalg_eig_backward``; solve_ex (lu_factor_ex then
lu_solve), tensorinv, tensorsolve, vander and householder_product are compositions of
differentiable ops; the LDL functions call LAPACK's
sytrf/hetrf and sytrs/hetrs through ``scipy.linalg.lapack`` and, as in PyTorch, have no
derivative.
"""
from __future__ import annotations

from ..amp._dispatch import autocast_call, autocast_state

import importlib
import math

import numpy as np

from .. import dtypes as _dtypes
from .._ops._results import accepts_out
from ..autograd.function import Primitive
from ..errors import (ArgumentValueError, AutogradError, DTypeError, DTypeNotImplementedError,
                      NotSupportedError, ShapeError, TensorIndexError)
from ..return_types import namedtuple_result
from ..tensor import Tensor
from ._decompositions import Solve
from ._factorizations import (LinalgLuFactorEx, LinalgLuSolve, array_module, broadcast_batch,
                              check_floating, check_matrices, connected_output, expand_batch,
                              flatten_batch, raise_first_failure, type_name)
from ._helpers import LinAlgError, diagonal_last, eye_like, mH

__all__ = ["solve_ex", "eig", "eigvals", "tensorinv", "tensorsolve", "vander",
           "householder_product", "ldl_factor", "ldl_factor_ex", "ldl_solve"]


def _host(array) -> np.ndarray:
    return array if isinstance(array, np.ndarray) else array.get()


def _complex_dtype(dtype) -> np.dtype:
    return np.dtype(np.complex64 if dtype in (np.float32, np.complex64) else np.complex128)


def _is_half_or_integer(tensor: Tensor) -> bool:
    dtype = tensor.dtype
    return not (dtype.is_floating_point or dtype.is_complex) or dtype.name in ("float16",
                                                                               "bfloat16")


# ----------------------------------------------------------------- eig
class LinalgEig(Primitive):
    """(eigenvalues, eigenvectors) of general square matrices, always complex; eigenvectors
    have unit norm (LAPACK geev's normalization)."""

    multi_output = True

    def forward(self, xp, a):
        if not bool(xp.isfinite(a).all()):
            raise ArgumentValueError("torch.linalg.eig: input tensor should not contain infs or "
                                     "NaNs.")
        self.real_input = a.dtype.kind != "c"
        complex_dtype = _complex_dtype(a.dtype)
        if a.shape[-1] == 0:
            values = xp.zeros(a.shape[:-1], complex_dtype)
            vectors = xp.zeros(a.shape, complex_dtype)
        elif hasattr(xp.linalg, "eig"):
            values, vectors = xp.linalg.eig(a)
        else:  # CuPy without a general eigensolver: LAPACK on the host
            values, vectors = (array_module(a).asarray(x) for x in np.linalg.eig(_host(a)))
        values, vectors = values.astype(complex_dtype), vectors.astype(complex_dtype)
        self.values_array, self.vectors_array = values, vectors
        return values, vectors

    def backward(self, grad_values, grad_vectors):
        values = connected_output(self, self.values_array, 0)
        vectors = connected_output(self, self.vectors_array, 1)
        grad = eig_backward(grad_values, grad_vectors, values, vectors)
        return grad.real if self.real_input else grad


def eig_backward(grad_values, grad_vectors, values, vectors) -> Tensor:
    """PyTorch's ``linalg_eig_backward``: gA = V^{-H} (diag(gL) + P(V^H gV) / E^*) V^H with
    E_ij = L_j - L_i and P removing the part of gV along V's own columns (V's norm is fixed)."""
    from .._ops.elementwise import where
    vectors_h = mH(vectors)
    if not bool((grad_vectors._data != 0).any()):
        return Solve.apply(vectors_h, grad_values.unsqueeze(-1) * vectors_h)
    product = vectors_h.matmul(grad_vectors)
    diagonal = diagonal_last(product)
    if not bool((abs(diagonal._data.imag) <= 1e-2).all()):
        raise AutogradError("linalg_eig_backward: The eigenvectors in the complex case are "
                            "specified up to multiplication by e^{i phi}. The specified loss "
                            "function depends on this quantity, so it is ill-defined.")
    product = product - vectors_h.matmul(vectors * diagonal.real.to(vectors.dtype).unsqueeze(-2))
    conjugate = values.conj()
    eye = Tensor._make(values._xp().eye(values.shape[-1], dtype=bool))
    difference = where(eye, conjugate.new_ones(()),
                       conjugate.unsqueeze(-2) - conjugate.unsqueeze(-1))
    result = where(eye, grad_values.unsqueeze(-2), product / difference)
    return Solve.apply(vectors_h, result.matmul(vectors_h))


def _check_eig_input(A, op: str) -> None:  # noqa: N803
    check_matrices(A, op)
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise DTypeError(f"Unknown Complex ScalarType for {type_name(A)}")
    if A.dtype.name in ("float16", "bfloat16"):
        raise DTypeNotImplementedError(f"\"linalg_eig_out_cpu\" not implemented for "
                                       f"'{type_name(A)}'")


@accepts_out(exact_dtype=True)
def eig(A, *, out=None):  # noqa: N803
    """Eigenvalues and unit-norm eigenvectors of square matrices, ``A V = V diag(L)``, as
    complex tensors. Eigenvectors are unique only up to a phase each: gradients of losses that
    depend on the phase raise, as in PyTorch."""
    if autocast_state.active:
        return autocast_call(eig, "linalg_eig", **locals())
    _check_eig_input(A, "linalg.eig")
    values, vectors = LinalgEig.apply(A)
    return namedtuple_result("linalg_eig", values, vectors,
                             fields=("eigenvalues", "eigenvectors"))


@accepts_out(exact_dtype=True)
def eigvals(A, *, out=None) -> Tensor:  # noqa: N803
    """The (complex) eigenvalues of square matrices."""
    if autocast_state.active:
        return autocast_call(eigvals, "linalg_eigvals", **locals())
    _check_eig_input(A, "linalg.eigvals")
    return LinalgEig.apply(A)[0]


# ----------------------------------------------------------------- solvers and tensor inverses
@accepts_out(exact_dtype=True)
def solve_ex(A, B, *, left: bool = True, check_errors: bool = False, out=None):  # noqa: N803
    """``linalg.solve`` through an LU factorization that reports failures in ``info`` (the
    first zero pivot per matrix of A) instead of raising, unless ``check_errors``."""
    check_matrices(A, "linalg.solve")
    check_floating(A, "linalg.solve")
    if A.dtype is not B.dtype:
        raise DTypeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                         f"of type {type_name(A)} and B of type {type_name(B)} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    right = B.unsqueeze(-1) if vector else B
    size = A.shape[-1]
    if (right.shape[-2] if left else right.shape[-1]) != size:
        raise ShapeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                         f"{'AX = B' if left else 'XA = B'} ({size}x{size} and "
                         f"{right.shape[-2]}x{right.shape[-1]})")
    lu_data, pivots, info = LinalgLuFactorEx.apply(A, pivot=True)
    if check_errors:
        raise_first_failure(info, A.shape, lambda prefix, _value: (
            f"torch.linalg.solve_ex: {prefix}The solver failed because the input matrix is "
            f"singular."))
    batch = broadcast_batch(lu_data, right)
    result = LinalgLuSolve.apply(expand_batch(lu_data, batch, 2),
                                 expand_batch(pivots, batch, 1),
                                 expand_batch(right, batch, 2), left=left)
    if vector:
        result = result.squeeze(-1)
    return namedtuple_result("linalg_solve_ex", result, info, fields=("result", "info"))


@accepts_out
def tensorinv(A, ind: int = 2, *, out=None) -> Tensor:  # noqa: N803
    """The inverse of ``A`` seen as a linear map from ``shape[ind:]`` to ``shape[:ind]``:
    shaped ``A.shape[ind:] + A.shape[:ind]``."""
    if autocast_state.active:
        return autocast_call(tensorinv, "linalg_tensorinv", **locals())
    if ind <= 0:
        raise ArgumentValueError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    end, start = tuple(A.shape[ind:]), tuple(A.shape[:ind])
    size_end, size_start = math.prod(end), math.prod(start)
    if size_end != size_start:
        raise ShapeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                         f"prod(self.shape[:ind]), but got {size_end} != {size_start}")
    from . import inv
    try:
        result = inv(A.reshape(size_end, size_end))
    except LinAlgError as error:
        raise LinAlgError(str(error).replace("linalg.inv: ", "inv: ", 1)) from None
    return result.reshape(*end, *start)


@accepts_out(exact_dtype=True)
def tensorsolve(A, B, dims=None, *, out=None) -> Tensor:  # noqa: N803
    """X with ``tensordot(A, X, X.ndim) = B``; ``dims`` of A are moved to the end first."""
    if autocast_state.active:
        return autocast_call(tensorsolve, "linalg_tensorsolve", **locals())
    if dims is not None:
        dims = tuple(dims)
        A = A.movedim(dims, tuple(range(A.ndim - len(dims), A.ndim)))
    result_shape = tuple(A.shape[B.ndim:])
    size, other_size = math.prod(result_shape), math.prod(tuple(B.shape))
    if size != other_size:
        raise ShapeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:])"
                         f" == prod(self.shape[:other.ndim]), but got {size} != {other_size}")
    from . import solve
    return solve(A.reshape(size, size), B.reshape(-1)).reshape(*result_shape)


# ----------------------------------------------------------------- vander, householder_product
def vander(x, *, N: int | None = None) -> Tensor:  # noqa: N803
    """Columns ``x^0, x^1, ..., x^(N-1)`` (shape (..., n, N)); integer inputs give int64, as
    PyTorch's cumprod. Built by repeated products, so gradients are exact at zero."""
    dtype = x.dtype
    if dtype is _dtypes.bool or dtype.name in ("float16", "bfloat16"):
        raise DTypeError(f"linalg.vander supports floating point, complex, and integer tensors, "
                         f"but got {type_name(x)}")
    if x.ndim == 0:
        x = x.unsqueeze(-1)
    count = x.shape[-1] if N is None else N
    if count <= 1:
        raise ArgumentValueError("N must be greater than 1.")
    if not (dtype.is_floating_point or dtype.is_complex):
        x = x.to(_dtypes.int64)
    columns = [x.new_ones(tuple(x.shape)), x]
    for _ in range(count - 2):
        columns.append(columns[-1] * x)
    from .._ops.movement import stack
    return stack(columns, -1)


@accepts_out
def householder_product(A, tau, *, out=None) -> Tensor:  # noqa: N803
    """The first n columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^H`` with ``v_i`` the
    i-th column of A below the diagonal and 1 on it (LAPACK orgqr/ungqr)."""
    if autocast_state.active:
        return autocast_call(householder_product, "linalg_householder_product", **locals())
    op = "torch.linalg.householder_product"
    if A.ndim < 2:
        raise ShapeError(f"{op}: input must have at least 2 dimensions.")
    rows, columns = A.shape[-2], A.shape[-1]
    if rows < columns:
        raise ShapeError(f"{op}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if columns < tau.shape[-1]:
        raise ShapeError(f"{op}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if A.ndim - tau.ndim != 1:
        raise ShapeError(f"{op}: Expected tau to have one dimension less than input, but got "
                         f"tau.ndim equal to {tau.ndim} and input.ndim is equal to {A.ndim}")
    if A.ndim > 2 and tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise ShapeError(f"{op}: Expected batch dimensions of tau to be equal to "
                         f"input.shape[:-2], but got {list(tau.shape[:-1])}")
    if tau.dtype is not A.dtype:
        raise DTypeError(f"{op}: tau dtype {type_name(tau)} does not match input dtype "
                         f"{type_name(A)}")
    if _is_half_or_integer(A):
        raise DTypeNotImplementedError(f"\"orgqr_cpu\" not implemented for '{type_name(A)}'")
    from .._ops.elementwise import where
    xp = A._xp()
    row = xp.arange(rows)
    # E = I[:, :n], through where() on A so that it has A's batch shape and graph
    result = where(Tensor._make(xp.zeros((rows, columns), bool)), A, eye_like(A, rows, columns))
    for index in reversed(range(tau.shape[-1])):  # H_i (H_{i+1} ... H_k E)
        below = Tensor._make(row > index)
        vector = where(below, A[..., :, index], A.new_zeros(())) + \
            Tensor._make((row == index).astype(A._data.dtype))
        projection = mH(vector.unsqueeze(-1)).matmul(result)
        scale = tau[..., index].unsqueeze(-1).unsqueeze(-1)
        result = result - scale * vector.unsqueeze(-1).matmul(projection)
    return result


# ----------------------------------------------------------------- LDL
def _lapack(name: str, array):
    lapack = importlib.import_module("scipy.linalg.lapack")
    return lapack.get_lapack_funcs((name,), (array,))[0]


def _ldl_routine(dtype, hermitian: bool, suffix: str) -> str:
    return ("he" if hermitian and dtype.kind == "c" else "sy") + suffix


class LinalgLdlFactorEx(Primitive):
    """(LD, pivots, info) from LAPACK sytrf/hetrf (lower); PyTorch has no derivative."""

    multi_output = True
    differentiable_outputs = (0,)

    def name(self) -> str:
        return "NotImplemented"

    def forward(self, xp, a, hermitian=False):
        host = _host(a)
        size = host.shape[-1]
        flat = flatten_batch(host, 2)
        factors = np.zeros_like(flat)
        pivots = np.zeros(flat.shape[:-1], np.int32)
        info = np.zeros(flat.shape[:1], np.int32)
        if size:
            routine = _lapack(_ldl_routine(host.dtype, hermitian, "trf"), flat)
            for index in range(flat.shape[0]):
                factor, swaps, status = routine(flat[index], lower=1)
                factors[index], pivots[index], info[index] = np.tril(factor), swaps, status
        module = array_module(a)
        return (module.asarray(factors.reshape(host.shape)),
                module.asarray(pivots.reshape(host.shape[:-1])),
                module.asarray(info.reshape(host.shape[:-2])))

    def backward(self, *grads):
        raise NotSupportedError("derivative for aten::linalg_ldl_factor_ex is not implemented")


class LinalgLdlSolve(Primitive):
    """X with ``A X = B`` for ``A`` given as (LD, pivots); PyTorch has no derivative."""

    def name(self) -> str:
        return "NotImplemented"

    def forward(self, xp, factors, pivots, b, hermitian=False):
        host_factors, host_pivots, host_b = _host(factors), _host(pivots), _host(b)
        size = host_factors.shape[-1]
        flat_b = flatten_batch(host_b, 2)
        result = np.zeros(flat_b.shape, host_factors.dtype)
        if size and flat_b.shape[-1]:
            flat_factors = flatten_batch(host_factors, 2)
            flat_pivots = flatten_batch(host_pivots, 1)
            routine = _lapack(_ldl_routine(host_factors.dtype, hermitian, "trs"), flat_factors)
            for index in range(flat_b.shape[0]):
                result[index], _ = routine(flat_factors[index], flat_pivots[index],
                                           flat_b[index], lower=1)
        return array_module(b).asarray(result.reshape(host_b.shape))

    def backward(self, grad):
        raise NotSupportedError("derivative for aten::linalg_ldl_solve is not implemented")


@accepts_out(exact_dtype=True)
def ldl_factor_ex(A, *, hermitian: bool = False, check_errors: bool = False,  # noqa: N803
                  out=None):
    """Compact LDL^T (LDL^H with ``hermitian``) factorization with Bunch-Kaufman pivoting, as
    LAPACK sytrf: (LD, pivots, info); ``info > 0`` marks an exactly singular D."""
    op = "torch.linalg.ldl_factor_ex"
    check_matrices(A, op)
    if A.dtype.name in ("float16", "bfloat16"):
        raise DTypeNotImplementedError(f"\"ldl_factor_kernel_cpu\" not implemented for "
                                       f"'{type_name(A)}'")
    check_floating(A, op)
    factors, pivots, info = LinalgLdlFactorEx.apply(A, hermitian=hermitian)
    if check_errors:
        raise_first_failure(info, A.shape, lambda prefix, value: (
            f"torch.linalg.ldl_factor: {prefix}The factorization could not be completed "
            f"because the block diagonal matrix D is singular (D[{value},{value}] is zero)."))
    return namedtuple_result("linalg_ldl_factor_ex", factors, pivots, info,
                             fields=("LD", "pivots", "info"))


@accepts_out(exact_dtype=True)
def ldl_factor(A, *, hermitian: bool = False, out=None):  # noqa: N803
    """``ldl_factor_ex`` that raises for a singular matrix."""
    factors, pivots, _ = ldl_factor_ex(A, hermitian=hermitian, check_errors=True)
    return namedtuple_result("linalg_ldl_factor", factors, pivots, fields=("LD", "pivots"))


@accepts_out(exact_dtype=True)
def ldl_solve(LD, pivots, B, *, hermitian: bool = False, out=None) -> Tensor:  # noqa: N803
    """Solve ``A X = B`` from ``ldl_factor``'s (LD, pivots); batch dims broadcast."""
    op = "torch.linalg.ldl_solve"
    check_matrices(LD, op, name="LD")
    check_floating(LD, op)
    if B.ndim < 2:
        raise TensorIndexError(f"Dimension out of range (expected to be in range of "
                               f"[{-max(B.ndim, 1)}, {max(B.ndim, 1) - 1}], but got -2)")
    if B.dtype is not LD.dtype:
        raise DTypeError(f"Expected b and A to have the same dtype, but found b of type "
                         f"{type_name(B)} and A of type {type_name(LD)} instead.")
    size = LD.shape[-1]
    if B.shape[-2] != size:
        raise ShapeError(f"Incompatible matrix sizes for {op}: each A matrix is {size} by {size} "
                         f"but each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise ShapeError(f"{op}: Expected LD.shape[:-1] and pivots.shape to be the same, but "
                         f"got pivots with shape {list(pivots.shape)} instead")
    if pivots.numel():  # LAPACK sytrs would read out of bounds
        magnitude = abs(pivots._data)
        if int(magnitude.min()) < 1:
            raise ArgumentValueError("Pivots given to ldl_solve must all satisfy |pivot| >= 1. "
                                     "Did you properly pass the result of ldl_factor?")
        if int(magnitude.max()) > size:
            raise ArgumentValueError("Pivots given to ldl_solve must all satisfy |pivot| <= "
                                     "LD.size(-2). Did you properly pass the result of "
                                     "ldl_factor?")
    batch = tuple(np.broadcast_shapes(tuple(LD.shape[:-2]), tuple(B.shape[:-2])))
    factors = LD.expand(*batch, size, size)
    pivots = pivots.expand(*batch, size).to(_dtypes.int32)
    right = B.expand(*batch, *B.shape[-2:])
    return LinalgLdlSolve.apply(factors, pivots, right, hermitian=hermitian)
