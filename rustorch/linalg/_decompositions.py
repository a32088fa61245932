"""Differentiable primitives of ``rustorch.linalg``: inv, det, slogdet, solve, cholesky, qr,
svd, eigh. Forward calls ``xp.linalg``; backward uses the standard matrix-calculus formulas
(Giles 2008; Murray 2016 for Cholesky; Seeger et al. / PyTorch's FunctionsManual for QR, SVD,
eigh), written with Tensor ops so they are differentiable again. Real dtypes are the target;
complex inputs run forward, with the same formulas using conjugate transposes.
"""
from __future__ import annotations

import contextlib
import importlib

import numpy as np

from ..autograd.function import OutputStash, Primitive
from ..tensor import Tensor
from ._helpers import LinAlgError, batch_error_prefix, diag_embed, diagonal_last, mH, tril

__all__ = [
    "PinvGradient", "Inv", "Det", "SlogDet", "Solve", "Cholesky", "QR", "SVD", "Eigh",
    "solve_matrix",
]


def _connected_outputs(node) -> tuple:
    """The stashed outputs as Tensors wired to ``node`` (so double backward sees them)."""
    from ..autograd.grad_mode import grad_state
    if grad_state.enabled:
        return tuple(Tensor._make(x, True, node, i) for i, x in enumerate(node.outputs))
    return tuple(Tensor._make(x) for x in node.outputs)


def _first_failure(xp, matrices, function):
    """Flat index of the first matrix of the batch that ``function`` rejects."""
    flat = matrices.reshape((-1,) + matrices.shape[-2:])
    for index in range(flat.shape[0]):  # only on the error path
        try:
            with failures_raise(flat):
                function(flat[index])
        except np.linalg.LinAlgError:
            return index, flat[index]
    return 0, flat[0]


def _zero_pivot(matrix) -> int:
    """1-based position of the first zero pivot of the LU factorization (LAPACK's info)."""
    if hasattr(matrix, "__cuda_array_interface__"):  # only on the error path: on the host
        matrix = matrix.get()
    try:
        import scipy.linalg
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lu, _ = scipy.linalg.lu_factor(np.asarray(matrix), check_finite=False)
        zeros = np.nonzero(np.diagonal(lu) == 0)[0]
        return int(zeros[0]) + 1 if zeros.size else matrix.shape[-1]
    except (ImportError, TypeError, ValueError):  # no scipy
        return matrix.shape[-1]


def _singular_error(xp, a, op: str) -> LinAlgError:
    index, matrix = _first_failure(xp, a, xp.linalg.inv)
    return LinAlgError(f"{op}: {batch_error_prefix(a.shape, index)}The diagonal element "
                       f"{_zero_pivot(matrix)} is zero, the inversion could not be completed "
                       f"because the input matrix is singular.")


def failures_raise(array):
    """A context in which the linalg routines of ``array``'s library raise LinAlgError for
    singular or non-positive-definite input, as numpy always does (CuPy returns garbage unless
    told to raise)."""
    if isinstance(array, np.ndarray):
        return contextlib.nullcontext()
    return importlib.import_module("cupyx").errstate(linalg="raise")


class Inv(Primitive):
    saves_output = True

    def forward(self, xp, a):
        try:
            with failures_raise(a):
                return xp.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular_error(xp, a, "linalg.inv") from None

    def backward(self, grad):
        inverse = mH(self.output)
        return -(inverse.matmul(grad).matmul(inverse))


def solve_matrix(a: Tensor, b: Tensor) -> Tensor:
    """``A^{-1} B`` for (..., n, n) and (..., n, k)."""
    return Solve.apply(a, b)


class Solve(Primitive):
    saves = (0,)
    saves_output = True

    def forward(self, xp, a, b):
        if not isinstance(a, np.ndarray):  # CuPy's solve does not broadcast batch dims
            batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
            a = xp.broadcast_to(a, batch + a.shape[-2:])
            b = xp.broadcast_to(b, batch + b.shape[-2:])
        try:
            with failures_raise(a):
                return xp.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix "
                              "is singular.") from None

    def backward(self, grad):
        (a,) = self.saved
        grad_b = Solve.apply(mH(a), grad)
        grad_a = -grad_b.matmul(mH(self.output)) if self.needs_input_grad(0) else None
        return grad_a, grad_b


class Det(Primitive):
    saves = (0,)
    saves_output = True

    def forward(self, xp, a):
        return xp.linalg.det(a)

    def backward(self, grad):
        (a,) = self.saved
        determinant = self.output
        scale = (grad * (determinant.conj() if determinant.dtype.is_complex else determinant))
        if bool((determinant._data != 0).all()):
            # d det / dA = det * A^{-H}
            eye = a.new_zeros(a.shape[-1:]) + 1
            inverse_h = mH(Solve.apply(a, diag_embed(eye).expand(*a.shape)))
            return scale.unsqueeze(-1).unsqueeze(-1) * inverse_h
        return grad.unsqueeze(-1).unsqueeze(-1) * _adjugate_transpose(a)


def _adjugate_transpose(a: Tensor) -> Tensor:
    """adj(A)^T through the SVD, valid for singular A: det(U) det(V) U diag(prod_{j!=i} s_j) V^T."""
    u, s, vh = SVD.apply(a, full_matrices=False)
    from ..autograd.grad_mode import no_grad
    with no_grad():
        xp = a._xp()
        signs = Tensor._make(xp.asarray(xp.linalg.det(u._data) * xp.linalg.det(vh._data)))
    size = s.shape[-1]
    eye = Tensor._make(a._xp().eye(size, dtype=bool))
    from .._ops.elementwise import where
    others = where(eye, s.new_ones(()), s.unsqueeze(-2).expand(*s.shape[:-1], size, size))
    product_of_others = others.prod(-1)
    return signs.unsqueeze(-1).unsqueeze(-1) * (u * product_of_others.unsqueeze(-2)).matmul(vh)


class SlogDet(Primitive):
    multi_output = True
    differentiable_outputs = (1,)
    saves = (0,)

    def forward(self, xp, a):
        sign, logabsdet = xp.linalg.slogdet(a)
        return sign, logabsdet

    def backward(self, _grad_sign, grad_logabsdet):
        (a,) = self.saved
        eye = a.new_zeros(a.shape[-1:]) + 1
        inverse_h = mH(Solve.apply(a, diag_embed(eye).expand(*a.shape)))
        return grad_logabsdet.unsqueeze(-1).unsqueeze(-1) * inverse_h


def _right_solve_h(matrix: Tensor, factor: Tensor) -> Tensor:
    """``matrix @ factor^{-H}`` as ``solve(factor, matrix^H)^H``."""
    return mH(Solve.apply(factor, mH(matrix)))


class Cholesky(Primitive):
    saves_output = True

    def forward(self, xp, a, upper=False):
        self.upper = upper
        try:
            with failures_raise(a):
                lower = xp.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise _not_positive_definite(xp, a) from None
        return xp.conj(xp.swapaxes(lower, -1, -2)) if upper else lower

    def backward(self, grad):
        # gA = L^{-H} Phi(L^H gL) L^{-1}, symmetrized; Phi: lower triangle, halved diagonal
        lower = mH(self.output) if self.upper else self.output
        grad = mH(grad) if self.upper else grad
        phi = tril(mH(lower).matmul(grad))
        phi = phi - 0.5 * diag_embed(diagonal_last(phi))
        left = Solve.apply(mH(lower), phi)
        result = mH(Solve.apply(mH(lower), mH(left)))
        return 0.5 * (result + mH(result))


def _not_positive_definite(xp, a) -> LinAlgError:
    index, matrix = _first_failure(xp, a, xp.linalg.cholesky)
    order = matrix.shape[-1]
    for size in range(1, matrix.shape[-1] + 1):  # error path only
        try:
            with failures_raise(matrix):
                xp.linalg.cholesky(matrix[:size, :size])
        except np.linalg.LinAlgError:
            order = size
            break
    return LinAlgError(f"linalg.cholesky: {batch_error_prefix(a.shape, index)}The factorization "
                       f"could not be completed because the input is not positive-definite "
                       f"(the leading minor of order {order} is not positive-definite).")


def _copy_lower_to_upper(matrix: Tensor) -> Tensor:
    """The Hermitian matrix with ``matrix``'s strict lower triangle and the real part of its
    diagonal (an imaginary diagonal is the phase freedom of complex QR)."""
    lower = tril(matrix, -1)
    diagonal = diagonal_last(matrix)
    if matrix.dtype.is_complex:
        diagonal = diagonal.real.to(matrix.dtype)
    return lower + mH(lower) + diag_embed(diagonal)


def _qr_backward_tall(q, r, grad_q, grad_r):
    """m >= n (or the square part of a wide matrix): gA = (gQ + Q copyltu(M)) R^{-H},
    M = R gR^H - gQ^H Q."""
    m_matrix = r.matmul(mH(grad_r)) - mH(grad_q).matmul(q)
    return _right_solve_h(grad_q + q.matmul(_copy_lower_to_upper(m_matrix)), r)


class QR(Primitive):
    multi_output = True
    saves = (0,)

    def forward(self, xp, a, mode="reduced"):
        self.mode = mode
        q, r = xp.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
        self.outputs = OutputStash((q, r))
        if mode == "r":
            return xp.zeros((0,), a.dtype), r
        return q, r

    def backward(self, grad_q, grad_r):
        from ..errors import AutogradError
        (a,) = self.saved
        rows, columns = a.shape[-2], a.shape[-1]
        if self.mode == "r":
            raise AutogradError("The derivative of linalg.qr depends on Q, which is not "
                                "computed when mode='r'. Please use linalg.qr(A, "
                                "mode='reduced') if you are going to differentiate through "
                                "linalg.qr.")
        if self.mode == "complete" and rows > columns:
            raise AutogradError("The QR decomposition is not differentiable when "
                                "mode='complete' and nrows > ncols.")
        q, r = _connected_outputs(self)
        if rows >= columns:
            return _qr_backward_tall(q, r, grad_q, grad_r)
        # wide: A = [X | Y], R = [U | V] with X = Q U square and Y = Q V
        u = r[..., :, :rows]
        y = a[..., :, rows:]
        grad_u, grad_v = grad_r[..., :, :rows], grad_r[..., :, rows:]
        grad_y = q.matmul(grad_v)
        grad_x = _qr_backward_tall(q, u, grad_q + y.matmul(mH(grad_v)), grad_u)
        from .._ops.movement import cat
        return cat([grad_x, grad_y], dim=-1)


class SVD(Primitive):
    multi_output = True

    def forward(self, xp, a, full_matrices=True):
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        self.outputs = OutputStash((u, s, vh))
        return u, s, vh

    def backward(self, grad_u, grad_s, grad_vh):
        u, s, vh = _connected_outputs(self)
        k = s.shape[-1]
        # with full_matrices the extra columns are arbitrary: only the first k carry gradient
        u, grad_u = u[..., :, :k], grad_u[..., :, :k]
        vh, grad_vh = vh[..., :k, :], grad_vh[..., :k, :]
        return svd_backward(u, s, vh, grad_u, grad_s, grad_vh)


def _any_nonzero(tensor: Tensor) -> bool:
    return bool((tensor._data != 0).any())


def svd_backward(u, s, vh, grad_u, grad_s, grad_vh):
    """gA = U [(skew(U^H gU) / E) S + S (skew(V^H gV) / E) + diag(gS)] V^H
    + (I - U U^H) gU S^{-1} V^H + U S^{-1} gV^H (I - V V^H), E_jk = s_k^2 - s_j^2."""
    v = mH(vh)
    result = diag_embed(grad_s.to(u.dtype))
    has_u, has_v = _any_nonzero(grad_u), _any_nonzero(grad_vh)
    if not (has_u or has_v):
        return u.matmul(result).matmul(vh)
    squared = s * s
    difference = squared.unsqueeze(-2) - squared.unsqueeze(-1)  # [j, k] = s_k^2 - s_j^2
    eye = Tensor._make(s._xp().eye(s.shape[-1], dtype=bool))
    from .._ops.elementwise import where
    difference = where(eye, difference.new_ones(()), difference)
    grad_v = mH(grad_vh)
    if has_u:
        uhgu = mH(u).matmul(grad_u)
        skew_u = where(eye, difference.new_zeros(()), (uhgu - mH(uhgu)) / difference)
        result = result + skew_u * s.unsqueeze(-2)
    if has_v:
        vhgv = mH(v).matmul(grad_v)
        skew_v = where(eye, difference.new_zeros(()), (vhgv - mH(vhgv)) / difference)
        result = result + s.unsqueeze(-1) * skew_v
    if has_u and has_v and u.dtype.is_complex:  # PyTorch's diag(skew(U^H gU)) / (2 S) term
        result = result + diag_embed(diagonal_last(uhgu - mH(uhgu)) / (2 * s).to(u.dtype))
    grad_a = u.matmul(result).matmul(vh)
    rows, columns = u.shape[-2], vh.shape[-1]
    if has_u and rows > s.shape[-1]:
        projected = grad_u - u.matmul(mH(u).matmul(grad_u))
        grad_a = grad_a + (projected / s.unsqueeze(-2)).matmul(vh)
    if has_v and columns > s.shape[-1]:
        projected = grad_v - v.matmul(mH(v).matmul(grad_v))
        grad_a = grad_a + u.matmul(mH(projected) / s.unsqueeze(-1))
    return grad_a


class Eigh(Primitive):
    multi_output = True

    def forward(self, xp, a, uplo="L"):
        values, vectors = xp.linalg.eigh(a, UPLO=uplo)
        self.outputs = OutputStash((values, vectors))
        return values, vectors

    def backward(self, grad_values, grad_vectors):
        values, vectors = _connected_outputs(self)
        return eigh_backward(values, vectors, grad_values, grad_vectors)


def eigh_backward(values, vectors, grad_values, grad_vectors):
    """gA = sym(V (diag(gL) + (V^H gV) / E) V^H) with E_ij = L_j - L_i (off the diagonal);
    the symmetric part, as PyTorch returns, since only symmetric perturbations are valid."""
    result = diag_embed(grad_values.to(vectors.dtype))
    if _any_nonzero(grad_vectors):
        from .._ops.elementwise import where
        eye = Tensor._make(values._xp().eye(values.shape[-1], dtype=bool))
        difference = values.unsqueeze(-2) - values.unsqueeze(-1)
        difference = where(eye, difference.new_ones(()), difference)
        product = mH(vectors).matmul(grad_vectors)
        result = result + where(eye, difference.new_zeros(()), product / difference)
    grad_a = vectors.matmul(result).matmul(mH(vectors))
    return 0.5 * (grad_a + mH(grad_a))


class PinvGradient(Primitive):
    """Identity on a precomputed pseudo-inverse ``value`` of ``a`` that attaches PyTorch's
    ``pinv_backward`` formula (the derivative of A+ for constant rank), differentiable again."""

    saves = (0,)
    saves_output = True

    def forward(self, xp, a, value):
        return value.copy()

    def backward(self, grad):
        (a,) = self.saved
        pinv_a = self.output
        pinv_h, grad_h = mH(pinv_a), mH(grad)
        rows, columns = a.shape[-2], a.shape[-1]
        if rows <= columns:
            k = grad_h.matmul(pinv_a)
            k_pinv_h = k.matmul(pinv_h)
            result = -mH(pinv_a.matmul(k)) + k_pinv_h - a.matmul(pinv_a).matmul(k_pinv_h) + \
                pinv_h.matmul(pinv_a).matmul(grad_h - k.matmul(a))
        else:
            k = pinv_a.matmul(grad_h)
            pinv_h_k = pinv_h.matmul(k)
            result = -mH(k.matmul(pinv_a)) + \
                (grad_h - a.matmul(k)).matmul(pinv_a).matmul(pinv_h) + pinv_h_k - \
                pinv_h_k.matmul(pinv_a).matmul(a)
        return result, None
