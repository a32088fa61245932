"""Decompositions of rustorch.linalg (cholesky, qr, svd, eigh, pinv, lstsq, matrix_rank).

Q, U, V and eigenvectors are only defined up to signs, so outputs are compared through
invariant quantities (reconstructions, projectors, singular values) and gradients through
gauge-invariant losses.
"""
import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import check_error, check, randn, torch

F64 = np.float64


def _spd(*shape, dtype=F64):
    matrix = randn(*shape, dtype=np.float64)
    return (matrix @ np.swapaxes(matrix, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _symmetric(*shape, dtype=F64):
    matrix = randn(*shape, dtype=np.float64)
    return ((matrix + np.swapaxes(matrix, -1, -2)) / 2).astype(dtype)


def _qr_invariants(m, a, mode="reduced"):
    q, r = m.linalg.qr(a, mode=mode)
    # fix the sign gauge: make R's diagonal positive
    k = min(r.shape[-2], r.shape[-1])
    signs = m.sign(m.linalg.diagonal(r[..., :k, :k]))
    return q[..., :, :k] * signs.unsqueeze(-2), r[..., :k, :] * signs.unsqueeze(-1), q @ r


def _svd_invariants(m, a, full_matrices=False):
    u, s, vh = m.linalg.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    u, vh = u[..., :, :k], vh[..., :k, :]
    return s, (u * s.unsqueeze(-2)) @ vh, u @ u.mT, vh.mT @ vh, (u * u).sum(-1)


def _eigh_invariants(m, a, uplo="L"):
    values, vectors = m.linalg.eigh(a, UPLO=uplo)
    return values, (vectors * values.unsqueeze(-2)) @ vectors.mT, vectors ** 2


DECOMPOSITION_CASES = [
    ("cholesky", lambda m, a: m.linalg.cholesky(a), _spd(4, 4)),
    ("cholesky_batched", lambda m, a: m.linalg.cholesky(a), _spd(2, 3, 3)),
    ("cholesky_upper", lambda m, a: m.linalg.cholesky(a, upper=True), _spd(3, 3)),
    ("cholesky_f32", lambda m, a: m.linalg.cholesky(a), _spd(3, 3, dtype=np.float32)),
    ("cholesky_method", lambda m, a: a.cholesky(), _spd(3, 3)),
    ("cholesky_ex", lambda m, a: m.linalg.cholesky_ex(a), _spd(3, 3)),
    ("qr_tall", lambda m, a: _qr_invariants(m, a), randn(5, 3, dtype=F64)),
    ("qr_square_batched", lambda m, a: _qr_invariants(m, a), randn(2, 3, 3, dtype=F64)),
    ("qr_wide", lambda m, a: _qr_invariants(m, a), randn(3, 5, dtype=F64)),
    ("qr_complete_wide", lambda m, a: _qr_invariants(m, a, "complete"), randn(3, 4, dtype=F64)),
    ("qr_f32", lambda m, a: _qr_invariants(m, a), randn(4, 3)),
    ("svd_tall", lambda m, a: _svd_invariants(m, a), randn(5, 3, dtype=F64)),
    ("svd_wide_batched", lambda m, a: _svd_invariants(m, a), randn(2, 3, 5, dtype=F64)),
    ("svd_full", lambda m, a: _svd_invariants(m, a, True), randn(5, 3, dtype=F64)),
    ("svd_f32", lambda m, a: _svd_invariants(m, a), randn(4, 3)),
    ("svdvals", lambda m, a: m.linalg.svdvals(a), randn(2, 4, 3, dtype=F64)),
    ("eigh", lambda m, a: _eigh_invariants(m, a), _symmetric(4, 4)),
    ("eigh_batched", lambda m, a: _eigh_invariants(m, a), _symmetric(2, 3, 3)),
    ("eigh_upper", lambda m, a: _eigh_invariants(m, a, "U"), randn(3, 3, dtype=F64)),
    ("eigh_lower_nonsym", lambda m, a: _eigh_invariants(m, a), randn(3, 3, dtype=F64)),
    ("eigvalsh", lambda m, a: m.linalg.eigvalsh(a), _symmetric(4, 4)),
    ("pinv_tall", lambda m, a: m.linalg.pinv(a), randn(5, 3, dtype=F64)),
    ("pinv_wide_batched", lambda m, a: m.linalg.pinv(a), randn(2, 3, 4, dtype=F64)),
    ("lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution, randn(5, 3, dtype=F64),
     randn(5, 2, dtype=F64)),
    ("lstsq_batched", lambda m, a, b: m.linalg.lstsq(a, b).solution, randn(2, 4, 3, dtype=F64),
     randn(2, 4, 1, dtype=F64)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in DECOMPOSITION_CASES],
                         ids=[c[0] for c in DECOMPOSITION_CASES])
def test_decompositions(name, fn, inputs):
    tolerance = 1e-3 if inputs[0].dtype == np.float32 else 1e-6
    check(fn, *inputs, rtol=tolerance, atol=tolerance)


def test_lstsq_fields_and_rank():
    a, b = randn(5, 3, dtype=F64), randn(5, 2, dtype=F64)
    check(lambda m, x, y: (m.linalg.lstsq(x, y).rank, m.linalg.lstsq(x, y).residuals.shape),
          a, b, grad=False)


RANK_CASES = [
    ("full", randn(4, 3, dtype=F64)),
    ("deficient", np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])),
    ("batched", np.stack([np.eye(3), np.diag([1.0, 0.0, 0.0])])),
    ("zero", np.zeros((2, 3))),
]


@pytest.mark.parametrize("name,x", RANK_CASES, ids=[c[0] for c in RANK_CASES])
def test_matrix_rank(name, x):
    check(lambda m, a: m.linalg.matrix_rank(a), x, grad=False)
    check(lambda m, a: m.linalg.matrix_rank(a, atol=0.5, rtol=0.0), x, grad=False)
    check(lambda m, a: m.linalg.matrix_rank(a, hermitian=True), x[..., :3, :3] @
          np.swapaxes(x[..., :3, :3], -1, -2), grad=False)


def _leaf(array):
    return rustorch.tensor(array, dtype=rustorch.float64, requires_grad=True)


def _sym_input(fn):
    """Differentiate with respect to a symmetric input built from any square leaf."""
    return lambda a: fn(a + a.mT)


def _gram(a):
    """A symmetric positive-definite function of any square ``a``."""
    return a @ a.mT + rustorch.eye(a.shape[-1], dtype=a.dtype)


GRADCHECK_CASES = [
    ("cholesky", lambda a: rustorch.linalg.cholesky(_gram(a)), randn(3, 3, dtype=F64)),
    ("cholesky_upper", lambda a: rustorch.linalg.cholesky(_gram(a), upper=True),
     randn(3, 3, dtype=F64)),
    ("qr_tall", lambda a: _qr_invariants(rustorch, a)[:2], randn(4, 3, dtype=F64)),
    ("qr_wide", lambda a: _qr_invariants(rustorch, a)[:2], randn(2, 4, dtype=F64)),
    ("svd", lambda a: _svd_invariants(rustorch, a)[:4], randn(4, 3, dtype=F64)),
    ("svd_wide", lambda a: _svd_invariants(rustorch, a)[:4], randn(2, 4, dtype=F64)),
    ("svd_full", lambda a: _svd_invariants(rustorch, a, True)[:4], randn(4, 3, dtype=F64)),
    ("svdvals", lambda a: rustorch.linalg.svdvals(a), randn(3, 4, dtype=F64)),
    ("eigh", _sym_input(lambda a: _eigh_invariants(rustorch, a)), randn(3, 3, dtype=F64)),
    ("eigvalsh", _sym_input(lambda a: rustorch.linalg.eigvalsh(a)), randn(4, 4, dtype=F64)),
    ("pinv", lambda a: rustorch.linalg.pinv(a), randn(4, 3, dtype=F64)),
]


@pytest.mark.parametrize("name,fn,x", GRADCHECK_CASES, ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck(name, fn, x):
    assert gradcheck(fn, (_leaf(x),))


@pytest.mark.parametrize("name,fn,x", GRADCHECK_CASES, ids=[c[0] for c in GRADCHECK_CASES])
def test_gradgradcheck(name, fn, x):
    assert gradgradcheck(fn, (_leaf(x),))


def test_cholesky_not_positive_definite_message():
    matrix = -np.eye(3)
    matrix[0, 0] = 1.0
    with pytest.raises(RuntimeError) as expected:
        torch.linalg.cholesky(torch.tensor(matrix))
    with pytest.raises(rustorch.linalg.LinAlgError) as actual:
        rustorch.linalg.cholesky(rustorch.tensor(matrix))
    assert str(actual.value) == str(expected.value)


def test_qr_backward_errors():
    a = rustorch.tensor(randn(4, 3, dtype=F64), requires_grad=True)
    q, r = rustorch.linalg.qr(a, mode="complete")
    with pytest.raises(RuntimeError):
        q.sum().backward()
    q, r = rustorch.linalg.qr(a, mode="r")
    assert tuple(q.shape) == (0,)
    with pytest.raises(RuntimeError):
        r.sum().backward()


ERROR_CASES = [
    ("cholesky_nonsquare", lambda m: m.linalg.cholesky(m.ones(2, 3))),
    ("cholesky_not_pd", lambda m: m.linalg.cholesky(-m.eye(2))),
    ("qr_1d", lambda m: m.linalg.qr(m.ones(3))),
    ("qr_mode", lambda m: m.linalg.qr(m.ones(3, 3), mode="bogus")),
    ("svd_1d", lambda m: m.linalg.svd(m.ones(3))),
    ("eigh_nonsquare", lambda m: m.linalg.eigh(m.ones(2, 3))),
    ("eigh_uplo", lambda m: m.linalg.eigh(m.eye(2), UPLO="X")),
]


@pytest.mark.parametrize("name,fn", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_torch(name, fn):
    check_error(fn)


@pytest.mark.parametrize("name", ["qr", "svd", "eigh", "slogdet"])
def test_second_backward_raises_like_torch_unless_retained(name):
    def run(m, retain):
        a = m.from_numpy(randn(3, 3, dtype=np.float64)).requires_grad_()
        source = a @ a.mT if name == "eigh" else a
        outputs = getattr(m.linalg, name)(source)
        total = sum(output.sum() for output in outputs)
        total.backward(retain_graph=retain)
        total.backward()
        return a.grad

    check_error(lambda m: run(m, False))
    run(rustorch, True)  # retain_graph keeps what the decompositions stashed
