"""Solvers from factored matrices that PyTorch keeps at the top level: ``cholesky_solve``,
``cholesky_inverse``, ``triangular_solve`` (deprecated, with PyTorch's warning) and ``ormqr``, and
their Tensor-method forms. Re-exported into ``rustorch``.

Forward runs BLAS/LAPACK one matrix at a time: trsm and ormqr/unmqr through ``scipy.linalg`` on
the CPU; cupyx's ``solve_triangular`` and ``Q`` from ``householder_product`` on CUDA. Backward is
PyTorch's formula for each op (FunctionsManual.cpp), in Tensor ops so that it is differentiable
again. As in PyTorch, forward reads one triangle of a factor, but the gradients of
``cholesky_solve`` and ``cholesky_inverse`` with respect to it are full matrices.

>>> import rustorch as torch
>>> A = torch.tensor([[4.0, 2.0], [2.0, 3.0]], dtype=torch.float64)
>>> L = torch.linalg.cholesky(A)
>>> bool(torch.allclose(torch.cholesky_solve(torch.eye(2, dtype=torch.float64), L),
...                     torch.cholesky_inverse(L)))
True
"""
from __future__ import annotations

import importlib
import types

import numpy as np

from .._ops._results import accepts_out
from .._warn_once import warn_once
from ..amp._dispatch import autocast_call, autocast_state
from ..autograd.function import Primitive, _broadcast_error
from ..dtypes import promote_types
from ..errors import DTypeError, ShapeError
from ..return_types import namedtuple_result
from ..tensor import Tensor, tensor_method
from ._factorizations import (_check_lapack_dtype, array_module, check_matrices,
                              connected_output, expand_batch, flatten_batch, raise_first_failure,
                              scipy_linalg, type_name)
from ._helpers import mH, tril, triu

__all__ = ["cholesky_solve", "cholesky_inverse", "triangular_solve", "ormqr"]

_TRIANGULAR_SOLVE_WARNING = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be "
    "removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
    "reversed and does not return a copy of one of the inputs.\nX = torch.triangular_solve(B, "
    "A).solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, B).")


def _conj(tensor: Tensor) -> Tensor:
    return tensor.conj() if tensor.dtype.is_complex else tensor


# ----------------------------------------------------------------- array kernels
def triangular_solve_arrays(a, b, lower: bool, trans: int = 0, unit: bool = False):
    """X with ``op(A) X = B`` reading one triangle of A (op: none, transpose or conjugate
    transpose for ``trans`` 0, 1, 2); a and b have equal batch dims. No singularity check, as
    PyTorch's trsm: a zero on the diagonal gives inf/nan."""
    xp = array_module(b)
    result = xp.zeros(b.shape, b.dtype)
    if a.shape[-1] == 0 or b.shape[-1] == 0:
        return result
    flat_a, flat_b, flat_result = flatten_batch(a, 2), flatten_batch(b, 2), \
        flatten_batch(result, 2)
    if isinstance(b, np.ndarray):  # BLAS trsm: scipy's solve_triangular raises when singular
        trsm = importlib.import_module("scipy.linalg.blas").get_blas_funcs("trsm", (flat_a,))
        for index in range(flat_b.shape[0]):
            flat_result[index] = trsm(1.0, flat_a[index], flat_b[index], lower=int(lower),
                                      trans_a=trans, diag=int(unit))
    else:
        solve = scipy_linalg(b).solve_triangular
        for index in range(flat_b.shape[0]):
            flat_result[index] = solve(flat_a[index], flat_b[index], trans=trans, lower=lower,
                                       unit_diagonal=unit)
    return flat_result.reshape(b.shape)


def _cholesky_solve_arrays(b, factor, upper: bool):
    """``A^{-1} B`` for ``A = L L^H`` (``U^H U`` if upper): two triangular solves."""
    middle = triangular_solve_arrays(factor, b, not upper, 2 if upper else 0)
    return triangular_solve_arrays(factor, middle, not upper, 0 if upper else 2)


def _adjoint(xp, array):
    return xp.conj(xp.swapaxes(array, -1, -2))


def _ormqr_lapack(a, tau, c, left: bool, transpose: bool):
    """LAPACK ormqr/unmqr, one matrix at a time."""
    lapack = importlib.import_module("scipy.linalg.lapack")
    count = tau.shape[-1]
    complex_input = c.dtype.kind == "c"
    flat_a = flatten_batch(a[..., :, :count], 2)
    flat_tau, flat_c = flatten_batch(tau, 1), flatten_batch(c, 2)
    routine = lapack.get_lapack_funcs("unmqr" if complex_input else "ormqr", (flat_c,))
    trans = ("C" if complex_input else "T") if transpose else "N"
    work = 64 * max(1, *c.shape[-2:])
    result = np.empty_like(flat_c)
    for index in range(flat_c.shape[0]):
        result[index] = routine("L" if left else "R", trans, flat_a[index], flat_tau[index],
                                flat_c[index], work)[0]
    return result.reshape(c.shape)


def ormqr_through_q(a, tau, c, left: bool, transpose: bool):
    """``op(Q) C`` (``C op(Q)``) with the whole square Q built by ``householder_product``
    from the reflectors padded with zero ones (H = I for tau = 0)."""
    from ._more import householder_product
    xp = array_module(c)
    size, count = a.shape[-2], tau.shape[-1]
    reflectors = xp.zeros(a.shape[:-2] + (size, size), a.dtype)
    reflectors[..., :, :count] = a[..., :, :count]
    scales = xp.zeros(tau.shape[:-1] + (size,), tau.dtype)
    scales[..., :count] = tau
    q = householder_product(Tensor._make(reflectors), Tensor._make(scales))._data
    if transpose:
        q = _adjoint(xp, q)
    return xp.matmul(q, c) if left else xp.matmul(c, q)


def _ormqr_arrays(a, tau, c, left: bool, transpose: bool):
    if tau.shape[-1] == 0 or c.size == 0:
        return c.copy()
    if isinstance(c, np.ndarray):
        return _ormqr_lapack(a, tau, c, left, transpose)
    return ormqr_through_q(a, tau, c, left, transpose)


# ----------------------------------------------------------------- primitives
class TriangularSolve(Primitive):
    """(X, copy of A) with ``op(A) X = B``, op transposing (not conjugating) if ``transpose``."""

    multi_output = True
    saves = (1,)

    def forward(self, xp, b, a, upper=True, transpose=False, unitriangular=False):
        self.options = (upper, transpose, unitriangular)
        self.solution_array = triangular_solve_arrays(a, b, not upper, int(transpose),
                                                      unitriangular)
        return self.solution_array, a.copy()

    def backward(self, grad_solution, grad_coefficient):
        # PyTorch's triangular_solve_backward
        upper, transpose, unitriangular = self.options
        (a,) = self.saved
        grad_b = TriangularSolve.apply(grad_solution, _conj(a), upper=upper,
                                       transpose=not transpose, unitriangular=unitriangular)[0]
        grad_a = None
        if self.needs_input_grad(1):
            solution = connected_output(self, self.solution_array, 0)
            grad_a = -(_conj(solution).matmul(grad_b.mT) if transpose
                       else grad_b.matmul(mH(solution)))
            grad_a = triu(grad_a, int(unitriangular)) if upper else \
                tril(grad_a, -int(unitriangular))
            grad_a = grad_a + grad_coefficient
        return grad_b if self.needs_input_grad(0) else None, grad_a


class CholeskySolve(Primitive):
    """X with ``L L^H X = B`` (``U^H U X = B`` if upper)."""

    saves = (1,)
    saves_output = True

    def forward(self, xp, b, factor, upper=False):
        self.upper = upper
        return _cholesky_solve_arrays(b, factor, upper)

    def backward(self, grad):
        # PyTorch's cholesky_solve_backward: the factor's gradient is not made triangular
        (factor,) = self.saved
        grad_b = CholeskySolve.apply(grad, factor, upper=self.upper)
        grad_factor = None
        if self.needs_input_grad(1):
            common = grad_b.matmul(mH(self.output))
            common = common + mH(common)
            grad_factor = -(factor.matmul(common) if self.upper else common.matmul(factor))
        return grad_b if self.needs_input_grad(0) else None, grad_factor


class CholeskyInverse(Primitive):
    """``(L L^H)^{-1}`` (``(U^H U)^{-1}`` if upper), Hermitian as LAPACK potri's."""

    saves = (0,)
    saves_output = True

    def forward(self, xp, factor, upper=False):
        self.upper = upper
        eye = xp.broadcast_to(xp.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
        inverse = triangular_solve_arrays(factor, eye, not upper)
        adjoint = _adjoint(xp, inverse)
        result = xp.matmul(inverse, adjoint) if upper else xp.matmul(adjoint, inverse)
        return (result + _adjoint(xp, result)) / 2

    def backward(self, grad):
        # PyTorch's cholesky_inverse_backward
        (factor,) = self.saved
        inverse = self.output
        common = inverse.matmul(grad + mH(grad)).matmul(inverse)
        return -(factor.matmul(common) if self.upper else common.matmul(factor))


class Ormqr(Primitive):
    """``op(Q) C`` (``C op(Q)`` unless left) for Q given by Householder reflectors (A, tau)."""

    saves = (0, 1, 2)

    def forward(self, xp, a, tau, c, left=True, transpose=False):
        self.left, self.transpose = left, transpose
        return _ormqr_arrays(a, tau, c, left, transpose)

    def backward(self, grad):
        a, tau, other = self.saved
        if not (self.needs_input_grad(0) or self.needs_input_grad(1)):
            return None, None, Ormqr.apply(a, tau, grad, left=self.left,
                                           transpose=not self.transpose)
        transpose = self.transpose
        if not self.left:  # Y = C op(Q)  <=>  Y^H = op(Q)^H C^H
            other, grad, transpose = mH(other), mH(grad), not transpose
        grad_a, grad_tau, grad_other = _ormqr_left_backward(grad, a, tau, other, transpose)
        if not self.left:
            grad_other = mH(grad_other)
        return (grad_a if self.needs_input_grad(0) else None,
                grad_tau if self.needs_input_grad(1) else None,
                grad_other if self.needs_input_grad(2) else None)


def _ormqr_left_backward(grad, a, tau, other, transpose: bool):
    """Gradients of ``Y = P_1 ... P_k C`` with ``P = I - s v v^H`` (the reflectors H_i in
    order, or H_i^H = I - conj(tau_i) v v^H in reverse order with ``transpose``). With ``Z`` the
    operand P acts on and ``G`` the gradient of its result, ``W = G Z^H`` is that of P, so
    ``gs = -v^H W v``, ``gv = -conj(s) W v - s W^H v`` and ``P^H G`` passes on."""
    from .._ops.elementwise import where
    from .._ops.movement import cat, stack
    xp = a._xp()
    rows, count = a.shape[-2], tau.shape[-1]
    row = xp.arange(rows)
    order = list(range(count)) if transpose else list(reversed(range(count)))
    steps = {}
    operand = other
    for index in order:  # forward again, keeping what each reflector acted on
        vector = where(Tensor._make(row > index), a[..., :, index], a.new_zeros(())) + \
            Tensor._make((row == index).astype(a._data.dtype))
        vector = vector.unsqueeze(-1)
        scale = tau[..., index].unsqueeze(-1).unsqueeze(-1)
        scale = _conj(scale) if transpose else scale
        steps[index] = (vector, scale, operand)
        operand = operand - scale * vector.matmul(mH(vector).matmul(operand))
    grad_vectors, grad_scales = [None] * count, [None] * count
    below = [Tensor._make(row > index) for index in range(count)]
    for index in reversed(order):
        vector, scale, operand = steps.pop(index)
        vector_grad = mH(vector).matmul(grad)        # v^H G
        operand_vector = mH(operand).matmul(vector)  # Z^H v
        grad_scale = -vector_grad.matmul(operand_vector).squeeze(-1).squeeze(-1)
        grad_scales[index] = _conj(grad_scale) if transpose else grad_scale
        grad_vector = -(_conj(scale) * grad.matmul(operand_vector)
                        + scale * operand.matmul(mH(vector_grad)))
        grad_vectors[index] = where(below[index], grad_vector.squeeze(-1), a.new_zeros(()))
        grad = grad - _conj(scale) * vector.matmul(vector_grad)
    if count == 0:
        return a.new_zeros(tuple(a.shape)), tau.new_zeros(tuple(tau.shape)), grad
    grad_a = stack(grad_vectors, -1)
    if a.shape[-1] > count:
        grad_a = cat([grad_a, a.new_zeros(tuple(a.shape[:-1]) + (a.shape[-1] - count,))], -1)
    return grad_a, stack(grad_scales, -1), grad


# ----------------------------------------------------------------- argument checks
def _broadcast_batch(first: Tensor, second: Tensor) -> tuple:
    shapes = (tuple(first.shape[:-2]), tuple(second.shape[:-2]))
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise _broadcast_error([types.SimpleNamespace(shape=shape) for shape in shapes]) \
            from None


def _check_solve_inputs(b: Tensor, a: Tensor, name: str) -> None:
    """PyTorch's ``linearSolveCheckInputs``."""
    if b.dtype is not a.dtype:
        raise DTypeError(f"Expected b and A to have the same dtype, but found b of type "
                         f"{type_name(b)} and A of type {type_name(a)} instead.")
    if a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"A must be batches of square matrices, but they are {a.shape[-2]} by "
                         f"{a.shape[-1]} matrices")
    if a.shape[-1] != b.shape[-2]:
        raise ShapeError(f"Incompatible matrix sizes for {name}: each A matrix is {a.shape[-1]} "
                         f"by {a.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}")


def _broadcast_solve_inputs(b: Tensor, a: Tensor, name: str):
    _check_solve_inputs(b, a, name)
    batch = _broadcast_batch(b, a)
    _check_lapack_dtype(a, f"{name}_cpu")
    return expand_batch(b, batch, 2), expand_batch(a, batch, 2)


def solve_triangular_inputs(a: Tensor, b: Tensor, left: bool) -> tuple:
    """``linalg.solve_triangular``'s checks; ``(A, B)`` promoted to one dtype, batch dims
    broadcast."""
    name = "linalg.solve_triangular"
    for label, tensor in (("A", a), ("B", b)):
        if tensor.dim() < 2:
            raise ShapeError(f"{name}: The input tensor {label} must have at least 2 "
                             "dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{name}: A must be batches of square matrices, but they are "
                         f"{a.shape[-2]} by {a.shape[-1]} matrices")
    size = a.shape[-1]
    if b.shape[-2 if left else -1] != size:
        equation = "AX = B" if left else "XA = B"
        raise ShapeError(f"{name}: Incompatible shapes of A and B for the equation {equation} "
                         f"({size}x{size} and {b.shape[-2]}x{b.shape[-1]})")
    dtype = promote_types(a.dtype, b.dtype)
    a, b = a.to(dtype), b.to(dtype)
    _check_lapack_dtype(a, "triangular_solve_cpu")
    batch = _broadcast_batch(b, a)
    return expand_batch(a, batch, 2), expand_batch(b, batch, 2)


# ----------------------------------------------------------------- public functions
@tensor_method
@accepts_out
def cholesky_solve(input, input2, upper: bool = False, *, out=None) -> Tensor:
    """X with ``A X = B`` for ``A = L L^H`` given its Cholesky factor ``L`` (``input2``; ``U``
    with ``A = U^H U`` if upper); batch dims broadcast. Only the factor's triangle is read."""
    if autocast_state.active:
        return autocast_call(cholesky_solve, "cholesky_solve", **locals())
    for tensor, name in ((input, "b"), (input2, "u")):
        if tensor.ndim < 2:
            raise ShapeError(f"{name} should have at least 2 dimensions, but has {tensor.ndim} "
                             f"dimensions instead")
    b, factor = _broadcast_solve_inputs(input, input2, "cholesky_solve")
    return CholeskySolve.apply(b, factor, upper=upper)


@tensor_method
@accepts_out
def cholesky_inverse(input, upper: bool = False, *, out=None) -> Tensor:
    """``A^{-1}`` for ``A = L L^H`` given its Cholesky factor ``L`` (``U`` with ``A = U^H U`` if
    upper). A zero on the factor's diagonal raises ``LinAlgError``, as LAPACK potri."""
    if autocast_state.active:
        return autocast_call(cholesky_inverse, "cholesky_inverse", **locals())
    check_matrices(input, "cholesky_inverse")
    _check_lapack_dtype(input, "cholesky_inverse_out_cpu")
    xp = input._xp()
    if input.shape[-1]:
        zero = xp.diagonal(input._data, axis1=-2, axis2=-1) == 0
        info = xp.where(zero.any(-1), zero.argmax(-1) + 1, 0)
        raise_first_failure(Tensor._make(info), input.shape, lambda prefix, value: (
            f"cholesky_inverse: {prefix}The diagonal element {value} is zero, the inversion "
            f"could not be completed because the input matrix is singular."))
    return CholeskyInverse.apply(input, upper=upper)


@tensor_method
@accepts_out(exact_dtype=True)
def triangular_solve(input, A, upper: bool = True, transpose: bool = False,  # noqa: N803
                     unitriangular: bool = False, *, out=None):
    """(solution, cloned_coefficient): X with ``A X = b`` (``A^T X = b`` with ``transpose``)
    reading one triangle of A (and a unit diagonal with ``unitriangular``), and a copy of A;
    batch dims broadcast. Deprecated in PyTorch for ``linalg.solve_triangular``."""
    if autocast_state.active:
        return autocast_call(triangular_solve, "triangular_solve", **locals())
    warn_once(_TRIANGULAR_SOLVE_WARNING)
    for tensor, name in ((input, "b"), (A, "A")):
        if tensor.ndim < 2:
            raise ShapeError(f"torch.triangular_solve: Expected {name} to have at least 2 "
                             f"dimensions, but it has {tensor.ndim} dimensions instead")
    b, a = _broadcast_solve_inputs(input, A, "triangular_solve")
    solution, coefficient = TriangularSolve.apply(b, a, upper=upper, transpose=transpose,
                                                  unitriangular=unitriangular)
    return namedtuple_result("triangular_solve", solution, coefficient,
                             fields=("solution", "cloned_coefficient"))


@tensor_method
@accepts_out(exact_dtype=True)
def ormqr(input, input2, input3, left: bool = True, transpose: bool = False, *,
          out=None) -> Tensor:
    """``op(Q) C`` (``C op(Q)`` unless left; op is the conjugate transpose with ``transpose``)
    for ``C = input3`` and Q the product of the Householder reflectors in ``input`` (below the
    diagonal) with scales ``input2``, as ``geqrf`` returns them."""
    tau, other = input2, input3
    op = "torch.ormqr"
    for tensor, name in ((input, "input"), (other, "other")):
        if tensor.ndim < 2:
            raise ShapeError(f"{op}: {name} must have at least 2 dimensions.")
    side = -2 if left else -1
    if other.shape[side] != input.shape[-2]:
        raise ShapeError(f"{op}: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.ndim == 0 or tau.shape[-1] != min(other.shape[side], input.shape[-1]):
        raise ShapeError(f"{op}: tau.shape[-1] must be equal to min(other.shape[{side}], "
                         f"input.shape[-1])")
    if input.ndim - tau.ndim != 1:
        raise ShapeError(f"{op}: Expected tau to have one dimension less than input, but got "
                         f"tau.ndim equal to {tau.ndim} and input.ndim is equal to {input.ndim}")
    if other.ndim != input.ndim:
        raise ShapeError(f"{op}: Expected other to have the same number of dimensions as input, "
                         f"but got other.ndim equal to {other.ndim} and input.ndim is equal to "
                         f"{input.ndim}")
    batch = tuple(input.shape[:-2])
    for tensor, name, trailing in ((tau, "tau", 1), (other, "other", 2)):
        if tuple(tensor.shape[:tensor.ndim - trailing]) != batch:
            raise ShapeError(f"{op}: Expected batch dimensions of {name} to be equal to "
                             f"input.shape[:-2], but got {list(tensor.shape[:-trailing])}")
    for tensor, name in ((tau, "tau"), (other, "other")):
        if tensor.dtype is not input.dtype:
            raise DTypeError(f"{op}: Expected input and {name} to have the same dtype, but input "
                             f"has dtype{type_name(input)} and {name} has dtype "
                             f"{type_name(tensor)}")
    _check_lapack_dtype(input, "ormqr_cpu")
    return Ormqr.apply(input, tau, other, left=left, transpose=transpose)
