"""cholesky_solve, cholesky_inverse, triangular_solve, ormqr (rustorch/linalg/_solvers.py) and
svd_lowrank / pca_lowrank (rustorch/_lowrank.py) against torch 2.13: values, dtypes, shapes,
gradients, errors, and float64 gradcheck/gradgradcheck.

The low-rank functions draw random numbers, so they are compared where the result does not
depend on the draw: with q at least the rank of A they give the SVD up to the signs of the
singular vectors, so S and ``U V^H`` (and their gradients) are compared."""
import warnings

import re

import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from rustorch.linalg import _solvers
from tests._oracle import as_numpy, check, check_error, randn, to_rustorch, torch

F64 = np.float64


def _complex(*shape, seed=None):
    return randn(*shape, dtype=F64, seed=seed) + 1j * randn(*shape, dtype=F64, seed=seed)


def _factor(*shape, dtype=F64, upper=False, full=False):
    """A well-conditioned triangular factor with a real diagonal (the other triangle random
    too with ``full``: forward must ignore it, and torch's gradient formulas use the whole
    matrix)."""
    matrix = randn(*shape, dtype=np.float64)
    size = shape[-1]
    if np.dtype(dtype).kind == "c":  # real diagonal, as Cholesky factors have
        matrix = matrix + 1j * randn(*shape, dtype=np.float64) * (1 - np.eye(size))
    matrix = matrix + 2 * size * np.eye(size)
    if not full:
        matrix = np.triu(matrix) if upper else np.tril(matrix)
    return matrix.astype(dtype)


@pytest.fixture(autouse=True)
def _quiet_deprecation():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def _triangular(upper=True, transpose=False, unitriangular=False):
    return lambda m, b, a: m.triangular_solve(b, a, upper, transpose, unitriangular)


def _ormqr(left=True, transpose=False):
    return lambda m, a, tau, c: m.ormqr(a, tau, c, left, transpose)


CASES = [
    # cholesky_solve(B, L, upper)
    ("cholesky_solve", lambda m, b, l: m.cholesky_solve(b, l), randn(3, 2, dtype=F64),
     _factor(3, 3)),
    ("cholesky_solve_upper", lambda m, b, l: m.cholesky_solve(b, l, upper=True),
     randn(4, 3, dtype=F64), _factor(4, 4, upper=True)),
    ("cholesky_solve_full_factor", lambda m, b, l: m.cholesky_solve(b, l),
     randn(3, 2, dtype=F64), _factor(3, 3, full=True)),
    ("cholesky_solve_full_factor_upper", lambda m, b, l: m.cholesky_solve(b, l, True),
     randn(3, 2, dtype=F64), _factor(3, 3, full=True)),
    ("cholesky_solve_broadcast", lambda m, b, l: m.cholesky_solve(b, l),
     randn(2, 1, 3, 2, dtype=F64), _factor(4, 3, 3)),
    ("cholesky_solve_broadcast_factor", lambda m, b, l: m.cholesky_solve(b, l, True),
     randn(2, 3, 2, dtype=F64), _factor(3, 3, upper=True)),
    ("cholesky_solve_f32", lambda m, b, l: m.cholesky_solve(b, l), randn(2, 3, 2),
     _factor(2, 3, 3, dtype=np.float32)),
    ("cholesky_solve_complex", lambda m, b, l: m.cholesky_solve(b, l), _complex(3, 2),
     _factor(3, 3, dtype=np.complex128)),
    ("cholesky_solve_complex_upper", lambda m, b, l: m.cholesky_solve(b, l, upper=True),
     _complex(2, 3, 1), _factor(2, 3, 3, dtype=np.complex128, upper=True, full=True)),
    ("cholesky_solve_method", lambda m, b, l: b.cholesky_solve(l, True), randn(3, 3, dtype=F64),
     _factor(3, 3, upper=True)),
    ("cholesky_solve_empty", lambda m, b, l: m.cholesky_solve(b, l), np.zeros((0, 2)),
     np.zeros((0, 0))),
    ("cholesky_solve_no_columns", lambda m, b, l: m.cholesky_solve(b, l), np.zeros((3, 0)),
     _factor(3, 3)),
    # cholesky_inverse(L, upper)
    ("cholesky_inverse", lambda m, l: m.cholesky_inverse(l), _factor(3, 3)),
    ("cholesky_inverse_upper", lambda m, l: m.cholesky_inverse(l, True),
     _factor(4, 4, upper=True)),
    ("cholesky_inverse_full", lambda m, l: m.cholesky_inverse(l), _factor(3, 3, full=True)),
    ("cholesky_inverse_full_upper", lambda m, l: m.cholesky_inverse(l, upper=True),
     _factor(3, 3, full=True)),
    ("cholesky_inverse_batched_f32", lambda m, l: m.cholesky_inverse(l),
     _factor(2, 3, 3, dtype=np.float32)),
    ("cholesky_inverse_complex", lambda m, l: m.cholesky_inverse(l),
     _factor(2, 3, 3, dtype=np.complex128)),
    ("cholesky_inverse_complex_upper", lambda m, l: m.cholesky_inverse(l, True),
     _factor(3, 3, dtype=np.complex128, upper=True, full=True)),
    ("cholesky_inverse_method", lambda m, l: l.cholesky_inverse(upper=True),
     _factor(3, 3, upper=True)),
    ("cholesky_inverse_empty", lambda m, l: m.cholesky_inverse(l), np.zeros((2, 0, 0))),
    # triangular_solve(b, A, upper, transpose, unitriangular)
    ("triangular_solve", _triangular(), randn(3, 2, dtype=F64), _factor(3, 3, upper=True)),
    ("triangular_solve_lower", _triangular(upper=False), randn(3, 2, dtype=F64),
     _factor(3, 3)),
    ("triangular_solve_transpose", _triangular(transpose=True), randn(3, 2, dtype=F64),
     _factor(3, 3, upper=True)),
    ("triangular_solve_lower_transpose", _triangular(False, True), randn(4, 2, dtype=F64),
     _factor(4, 4)),
    ("triangular_solve_unit", _triangular(unitriangular=True), randn(3, 2, dtype=F64),
     _factor(3, 3, full=True)),
    ("triangular_solve_lower_unit_transpose", _triangular(False, True, True),
     randn(3, 2, dtype=F64), _factor(3, 3, full=True)),
    ("triangular_solve_full", _triangular(), randn(3, 2, dtype=F64), _factor(3, 3, full=True)),
    ("triangular_solve_broadcast", _triangular(), randn(2, 1, 3, 2, dtype=F64),
     _factor(4, 3, 3, full=True)),
    ("triangular_solve_broadcast_b", _triangular(False, True), randn(3, 1, dtype=F64),
     _factor(2, 3, 3, full=True)),
    ("triangular_solve_f32", _triangular(), randn(2, 3, 4), _factor(2, 3, 3, dtype=np.float32,
                                                                     upper=True)),
    ("triangular_solve_complex", _triangular(False), _complex(3, 2),
     _factor(3, 3, dtype=np.complex128, full=True)),
    ("triangular_solve_complex_transpose", _triangular(True, True), _complex(2, 3, 2),
     _factor(2, 3, 3, dtype=np.complex128, full=True)),
    ("triangular_solve_complex_unit", _triangular(True, False, True), _complex(3, 2),
     _factor(3, 3, dtype=np.complex128, full=True)),
    ("triangular_solve_method", lambda m, b, a: b.triangular_solve(a, upper=False),
     randn(3, 2, dtype=F64), _factor(3, 3)),
    ("triangular_solve_empty", _triangular(), np.zeros((0, 2)), np.zeros((0, 0))),
    # ormqr(input, tau, other, left, transpose)
    ("ormqr", _ormqr(), randn(5, 3, dtype=F64), randn(3, dtype=F64), randn(5, 2, dtype=F64)),
    ("ormqr_transpose", _ormqr(transpose=True), randn(5, 3, dtype=F64), randn(3, dtype=F64),
     randn(5, 4, dtype=F64)),
    ("ormqr_right", _ormqr(left=False), randn(4, 3, dtype=F64), randn(3, dtype=F64),
     randn(2, 4, dtype=F64)),
    ("ormqr_right_transpose", _ormqr(False, True), randn(4, 4, dtype=F64), randn(4, dtype=F64),
     randn(3, 4, dtype=F64)),
    ("ormqr_wide", _ormqr(), randn(3, 5, dtype=F64), randn(3, dtype=F64),
     randn(3, 2, dtype=F64)),
    ("ormqr_right_wide", _ormqr(False, True), randn(3, 5, dtype=F64), randn(3, dtype=F64),
     randn(4, 3, dtype=F64)),
    ("ormqr_batched", _ormqr(), randn(2, 4, 3, dtype=F64), randn(2, 3, dtype=F64),
     randn(2, 4, 2, dtype=F64)),
    ("ormqr_f32", _ormqr(True, True), randn(2, 4, 2), randn(2, 2), randn(2, 4, 3)),
    ("ormqr_complex", _ormqr(), _complex(4, 3), _complex(3), _complex(4, 2)),
    ("ormqr_complex_transpose", _ormqr(True, True), _complex(4, 3), _complex(3),
     _complex(4, 2)),
    ("ormqr_complex_right", _ormqr(False, False), _complex(2, 3, 3), _complex(2, 3),
     _complex(2, 2, 3)),
    ("ormqr_complex_right_transpose", _ormqr(False, True), _complex(3, 3), _complex(3),
     _complex(2, 3)),
    ("ormqr_method", lambda m, a, tau, c: a.ormqr(tau, c, transpose=True),
     randn(4, 2, dtype=F64), randn(2, dtype=F64), randn(4, 3, dtype=F64)),
    ("ormqr_empty", _ormqr(), np.zeros((0, 0)), np.zeros((0,)), np.zeros((0, 2))),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, inputs):
    check(fn, *inputs)


def test_ormqr_from_geqrf_matches_torch():
    matrix = randn(2, 5, 3, dtype=F64)
    other = randn(2, 5, 4, dtype=F64)

    def fn(m, a, c):
        factors, tau = m.geqrf(a.detach())  # geqrf has no derivative
        return m.ormqr(factors, tau, c, transpose=True)
    check(fn, matrix, other)


def test_ormqr_through_q_matches_lapack():
    """The CUDA path (Q from householder_product, then a product) against LAPACK's."""
    for left in (True, False):
        for transpose in (True, False):
            for part in (np.real, np.asarray):  # float64, complex128
                a, tau = part(_complex(2, 4, 3)), part(_complex(2, 3))
                c = part(_complex(2, 4, 2) if left else _complex(2, 2, 4))
                expected = _solvers._ormqr_lapack(a, tau, c, left, transpose)
                actual = _solvers.ormqr_through_q(a, tau, c, left, transpose)
                np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)


def test_triangular_solve_singular_gives_inf_nan_like_torch():
    check(lambda m, b, a: m.triangular_solve(b, a), np.ones((3, 2)), np.zeros((3, 3)),
          grad=False)


def test_triangular_solve_result_and_grad_fn():
    b = rustorch.tensor(randn(3, 2, dtype=F64), requires_grad=True)
    a = rustorch.tensor(_factor(3, 3, upper=True), requires_grad=True)
    result = rustorch.triangular_solve(b, a)
    assert type(result).__name__ == "triangular_solve"
    assert result._fields == ("solution", "cloned_coefficient")
    assert result.solution.grad_fn is result.cloned_coefficient.grad_fn
    assert result.solution.grad_fn.name() == "TriangularSolveBackward0"
    assert result.cloned_coefficient is not a and bool((result.cloned_coefficient == a).all())
    assert rustorch.cholesky_solve(b, a).grad_fn.name() == "CholeskySolveBackward0"
    assert rustorch.cholesky_inverse(a).grad_fn.name() == "CholeskyInverseBackward0"
    assert rustorch.ormqr(a, a[0], b).grad_fn.name() == "OrmqrBackward0"


def test_triangular_solve_warns_once_like_torch():
    from rustorch import _warn_once
    _warn_once._warned.discard(_solvers._TRIANGULAR_SOLVE_WARNING)
    b, a = rustorch.ones(2, 1), rustorch.eye(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rustorch.triangular_solve(b, a)
        rustorch.triangular_solve(b, a)
    messages = [str(w.message) for w in caught]
    assert messages == [_solvers._TRIANGULAR_SOLVE_WARNING]
    assert messages[0].startswith("torch.triangular_solve is deprecated")


def test_out():
    b, factor = randn(3, 2, dtype=F64), _factor(3, 3)
    for name, args in (("cholesky_solve", (b, factor)), ("cholesky_inverse", (factor,))):
        expected = getattr(torch, name)(*(torch.from_numpy(x) for x in args))
        out = rustorch.empty(0, dtype=rustorch.float64)
        result = getattr(rustorch, name)(*(to_rustorch(x) for x in args), out=out)
        assert result is out
        np.testing.assert_allclose(as_numpy(out), expected.numpy(), rtol=1e-10)


GRADCHECK_CASES = [
    # torch's OpInfos check these two through a triangular input: forward reads one triangle,
    # and the gradient formula (as torch's) does not project onto it
    ("cholesky_solve", lambda b, l: rustorch.cholesky_solve(b, l.tril()),
     randn(3, 2, dtype=F64), _factor(3, 3, full=True)),
    ("cholesky_solve_upper_broadcast", lambda b, l: rustorch.cholesky_solve(b, l.triu(), True),
     randn(2, 3, 2, dtype=F64), _factor(3, 3, upper=True)),
    ("cholesky_solve_complex", lambda b, l: rustorch.cholesky_solve(b, l.tril()),
     _complex(3, 2), _factor(3, 3, dtype=np.complex128)),
    ("cholesky_inverse", lambda l: rustorch.cholesky_inverse(l.tril()),
     _factor(3, 3, full=True)),
    ("cholesky_inverse_upper", lambda l: rustorch.cholesky_inverse(l.triu(), True),
     _factor(2, 3, 3, upper=True)),
    ("cholesky_inverse_complex", lambda l: rustorch.cholesky_inverse(l.triu(), upper=True),
     _factor(3, 3, dtype=np.complex128, upper=True)),
    ("triangular_solve", lambda b, a: tuple(rustorch.triangular_solve(b, a)),
     randn(3, 2, dtype=F64), _factor(3, 3, upper=True, full=True)),
    ("triangular_solve_lower_transpose_unit",
     lambda b, a: tuple(rustorch.triangular_solve(b, a, False, True, True)),
     randn(2, 3, 2, dtype=F64), _factor(3, 3, full=True)),
    ("triangular_solve_complex_transpose",
     lambda b, a: tuple(rustorch.triangular_solve(b, a, transpose=True)), _complex(3, 2),
     _factor(3, 3, dtype=np.complex128, full=True)),
    ("ormqr", lambda a, t, c: rustorch.ormqr(a, t, c), randn(4, 3, dtype=F64),
     randn(3, dtype=F64), randn(4, 2, dtype=F64)),
    ("ormqr_transpose", lambda a, t, c: rustorch.ormqr(a, t, c, transpose=True),
     randn(2, 3, 3, dtype=F64), randn(2, 3, dtype=F64), randn(2, 3, 2, dtype=F64)),
    ("ormqr_right", lambda a, t, c: rustorch.ormqr(a, t, c, left=False),
     randn(3, 4, dtype=F64), randn(3, dtype=F64), randn(2, 3, dtype=F64)),
    ("ormqr_complex", lambda a, t, c: rustorch.ormqr(a, t, c), _complex(3, 2), _complex(2),
     _complex(3, 2)),
    ("ormqr_complex_right_transpose", lambda a, t, c: rustorch.ormqr(a, t, c, False, True),
     _complex(3, 2), _complex(2), _complex(2, 3)),
    ("svd_lowrank", lambda a: _invariants(rustorch.svd_lowrank(a, q=3)),
     randn(5, 3, dtype=F64)),
    ("svd_lowrank_wide_mean", lambda a, mean: _invariants(rustorch.svd_lowrank(a, q=3, M=mean)),
     randn(3, 4, dtype=F64), randn(1, 4, dtype=F64)),
    ("pca_lowrank", lambda a: _invariants(rustorch.pca_lowrank(a, q=3)), randn(5, 3, dtype=F64)),
]


def _invariants(usv):
    """What does not depend on the signs of the singular vectors (OpInfo's choice)."""
    u, s, v = usv
    return u.matmul(v.mH), s


def _real_function(fn, inputs):
    """rustorch's gradcheck takes real tensors: complex inputs come as (real, imaginary)
    pairs of leaves, complex outputs leave as view_as_real. Returns (function, leaves)."""
    complex_input = [np.iscomplexobj(x) for x in inputs]
    leaves = []
    for x, is_complex in zip(inputs, complex_input):
        parts = (x.real, x.imag) if is_complex else (x,)
        leaves.extend(rustorch.tensor(np.ascontiguousarray(p), requires_grad=True)
                      for p in parts)

    def real_output(tensor):
        return rustorch.view_as_real(tensor) if tensor.dtype.is_complex else tensor

    def function(*flat):
        flat, arguments = list(flat), []
        for is_complex in complex_input:
            arguments.append(rustorch.complex(flat.pop(0), flat.pop(0)) if is_complex
                             else flat.pop(0))
        result = fn(*arguments)
        return tuple(real_output(r) for r in result) if isinstance(result, tuple) else \
            real_output(result)
    return function, tuple(leaves)


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in GRADCHECK_CASES],
                         ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck(name, fn, inputs):
    assert gradcheck(*_real_function(fn, inputs))


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in GRADCHECK_CASES],
                         ids=[c[0] for c in GRADCHECK_CASES])
def test_gradgradcheck(name, fn, inputs):
    assert gradgradcheck(*_real_function(fn, inputs))


# ----------------------------------------------------------------- low rank
def _rank(rank, rows, columns, *batch, dtype=F64):
    left = randn(*batch, rows, rank, dtype=np.float64)
    right = randn(*batch, columns, rank, dtype=np.float64)
    if np.dtype(dtype).kind == "c":
        left = left + 1j * randn(*batch, rows, rank, dtype=np.float64)
    return (left @ np.swapaxes(right, -1, -2)).astype(dtype)


# (name, function, gradients comparable, inputs...): with q below min(m, n) the result is the
# SVD, but its derivative depends on the random start (on range(A R) near a low-rank A)
LOWRANK_CASES = [
    ("svd_lowrank_full", lambda m, a: _invariants(m.svd_lowrank(a, q=3)), True,
     randn(6, 3, dtype=F64)),
    ("svd_lowrank_wide", lambda m, a: _invariants(m.svd_lowrank(a, q=4, niter=1)), True,
     randn(4, 7, dtype=F64)),
    ("svd_lowrank_rank2", lambda m, a: _invariants(m.svd_lowrank(a, q=2)), False,
     _rank(2, 5, 4)),
    ("svd_lowrank_batched", lambda m, a: _invariants(m.svd_lowrank(a, q=2, niter=0)), False,
     _rank(2, 4, 6, 3)),
    ("svd_lowrank_mean", lambda m, a, mean: _invariants(m.svd_lowrank(a, q=4, M=mean)), True,
     _rank(2, 5, 4), randn(5, 4, dtype=F64)),
    ("svd_lowrank_mean_broadcast",
     lambda m, a, mean: _invariants(m.svd_lowrank(a, 4, M=mean)), True,
     randn(2, 4, 6, dtype=F64), randn(1, 6, dtype=F64)),
    ("svd_lowrank_mean_low_rank",
     lambda m, a, mean: _invariants(m.svd_lowrank(a + mean, 2, M=mean)), False,
     _rank(2, 6, 5), randn(6, 5, dtype=F64)),
    ("svd_lowrank_f32", lambda m, a: m.svd_lowrank(a, q=3)[1], True, randn(5, 3)),
    ("svd_lowrank_complex", lambda m, a: _invariants(m.svd_lowrank(a, q=3)), True,
     _complex(4, 3)),
    ("svd_lowrank_complex_rank2", lambda m, a: _invariants(m.svd_lowrank(a, q=2)), False,
     _rank(2, 4, 5, dtype=np.complex128)),
    ("pca_lowrank", lambda m, a: _invariants(m.pca_lowrank(a, q=3)), True,
     randn(6, 3, dtype=F64)),
    ("pca_lowrank_no_center", lambda m, a: _invariants(m.pca_lowrank(a, 2, center=False)),
     False, _rank(2, 5, 4, 2)),
    ("pca_lowrank_default_q", lambda m, a: _invariants(m.pca_lowrank(a)), True,
     randn(2, 7, 3)),
    ("pca_lowrank_complex", lambda m, a: _invariants(m.pca_lowrank(a, q=3)), True,
     _complex(2, 4, 3)),
]


@pytest.mark.parametrize("name,fn,grad,inputs", [(c[0], c[1], c[2], c[3:])
                                                 for c in LOWRANK_CASES],
                         ids=[c[0] for c in LOWRANK_CASES])
def test_lowrank_matches_torch_where_deterministic(name, fn, grad, inputs):
    if inputs[0].dtype == np.float32:
        check(fn, *inputs, grad=grad)
    else:
        check(fn, *inputs, grad=grad, rtol=1e-6, atol=1e-8)


def test_svd_lowrank_reconstructs_and_shapes():
    a = rustorch.tensor(_rank(3, 8, 5))
    u, s, v = rustorch.svd_lowrank(a, q=3)
    assert (tuple(u.shape), tuple(s.shape), tuple(v.shape)) == ((8, 3), (3,), (5, 3))
    np.testing.assert_allclose(as_numpy((u * s.unsqueeze(-2)).matmul(v.mT)), as_numpy(a),
                               atol=1e-10)
    np.testing.assert_allclose(as_numpy(s), torch.linalg.svdvals(torch.from_numpy(as_numpy(a)))[:3],
                               rtol=1e-10)
    wide = rustorch.randn(2, 4, 9)
    u, s, v = rustorch.svd_lowrank(wide)  # q = 6 by default
    assert (tuple(u.shape), tuple(s.shape), tuple(v.shape)) == ((2, 4, 4), (2, 4), (2, 9, 4))
    assert u.dtype is s.dtype is v.dtype is rustorch.float32
    assert type(rustorch.svd_lowrank(wide)) is tuple


def test_lowrank_small_q_shapes_dtypes():
    a = rustorch.randn(3, 10, 8, dtype=rustorch.float64, requires_grad=True)
    u, s, v = rustorch.svd_lowrank(a, q=2)
    assert (tuple(u.shape), tuple(s.shape), tuple(v.shape)) == ((3, 10, 2), (3, 2), (3, 8, 2))
    assert u.dtype is rustorch.float64
    (u.sum() + s.sum() + v.sum()).backward()
    assert a.grad is not None and tuple(a.grad.shape) == (3, 10, 8)
    u, s, v = rustorch.pca_lowrank(rustorch.randn(10, 8, dtype=rustorch.complex64))
    assert (tuple(u.shape), tuple(s.shape), tuple(v.shape)) == ((10, 6), (6,), (8, 6))
    assert u.dtype is rustorch.complex64 and s.dtype is rustorch.float32
    orthonormal = as_numpy(u.mH.matmul(u))
    np.testing.assert_allclose(orthonormal, np.eye(6), atol=1e-5)


def test_lowrank_repeatable_with_seed():
    a = rustorch.randn(7, 5)
    rustorch.manual_seed(3)
    first = rustorch.svd_lowrank(a, q=2)
    rustorch.manual_seed(3)
    second = rustorch.svd_lowrank(a, q=2)
    for x, y in zip(first, second):
        np.testing.assert_array_equal(as_numpy(x), as_numpy(y))


# ----------------------------------------------------------------- errors
def _eye(m, size=3, dtype="float32"):
    return m.eye(size, dtype=getattr(m, dtype))


ERROR_CASES = [
    ("cholesky_solve_vector_b", lambda m: m.cholesky_solve(m.ones(3), _eye(m))),
    ("cholesky_solve_vector_factor", lambda m: m.cholesky_solve(m.ones(3, 2), m.ones(3))),
    ("cholesky_solve_nonsquare", lambda m: m.cholesky_solve(m.ones(3, 2), m.ones(3, 4))),
    ("cholesky_solve_sizes", lambda m: m.cholesky_solve(m.ones(4, 2), _eye(m))),
    ("cholesky_solve_batch", lambda m: m.cholesky_solve(m.ones(2, 3, 2), m.ones(4, 3, 3))),
    ("cholesky_solve_dtype", lambda m: m.cholesky_solve(m.ones(3, 2, dtype=m.float64),
                                                        _eye(m))),
    ("cholesky_solve_int", lambda m: m.cholesky_solve(m.ones(3, 2, dtype=m.int64),
                                                      _eye(m, dtype="int64"))),
    ("cholesky_solve_half", lambda m: m.cholesky_solve(m.ones(3, 2, dtype=m.float16),
                                                       _eye(m, dtype="float16"))),
    ("cholesky_inverse_vector", lambda m: m.cholesky_inverse(m.ones(3))),
    ("cholesky_inverse_nonsquare", lambda m: m.cholesky_inverse(m.ones(3, 4))),
    ("cholesky_inverse_int", lambda m: m.cholesky_inverse(_eye(m, dtype="int64"))),
    ("cholesky_inverse_bfloat16", lambda m: m.cholesky_inverse(_eye(m, dtype="bfloat16"))),
    ("cholesky_inverse_singular", lambda m: m.cholesky_inverse(m.zeros(3, 3))),
    ("cholesky_inverse_singular_batch",
     lambda m: m.cholesky_inverse(m.stack([m.eye(3), m.tril(m.ones(3, 3)) - m.eye(3)]))),
    ("triangular_solve_vector_b", lambda m: m.triangular_solve(m.ones(3), _eye(m))),
    ("triangular_solve_vector_a", lambda m: m.triangular_solve(m.ones(3, 2), m.ones(3))),
    ("triangular_solve_nonsquare", lambda m: m.triangular_solve(m.ones(3, 2), m.ones(3, 4))),
    ("triangular_solve_sizes", lambda m: m.triangular_solve(m.ones(4, 2), _eye(m))),
    ("triangular_solve_batch", lambda m: m.triangular_solve(m.ones(2, 3, 2), m.ones(4, 3, 3))),
    ("triangular_solve_dtype", lambda m: m.triangular_solve(m.ones(3, 2), _eye(m, dtype="int64"))),
    ("triangular_solve_int", lambda m: m.triangular_solve(m.ones(3, 2, dtype=m.int32),
                                                          _eye(m, dtype="int32"))),
    ("ormqr_vector_input", lambda m: m.ormqr(m.ones(5), m.ones(3), m.ones(5, 2))),
    ("ormqr_vector_other", lambda m: m.ormqr(m.ones(5, 3), m.ones(3), m.ones(5))),
    ("ormqr_other_rows", lambda m: m.ormqr(m.ones(5, 3), m.ones(3), m.ones(6, 2))),
    ("ormqr_right_other_columns", lambda m: m.ormqr(m.ones(5, 3), m.ones(3), m.ones(5, 2),
                                                    left=False)),
    ("ormqr_tau_size", lambda m: m.ormqr(m.ones(5, 3), m.ones(2), m.ones(5, 2))),
    ("ormqr_tau_ndim", lambda m: m.ormqr(m.ones(5, 3), m.ones(1, 3), m.ones(5, 2))),
    ("ormqr_other_ndim", lambda m: m.ormqr(m.ones(5, 3), m.ones(3), m.ones(1, 5, 2))),
    ("ormqr_tau_batch", lambda m: m.ormqr(m.ones(2, 5, 3), m.ones(3, 3), m.ones(2, 5, 2))),
    ("ormqr_other_batch", lambda m: m.ormqr(m.ones(2, 5, 3), m.ones(2, 3), m.ones(1, 5, 2))),
    ("ormqr_tau_dtype", lambda m: m.ormqr(m.ones(5, 3), m.ones(3, dtype=m.float64),
                                          m.ones(5, 2))),
    ("ormqr_other_dtype", lambda m: m.ormqr(m.ones(5, 3), m.ones(3), m.ones(5, 2,
                                                                          dtype=m.float64))),
    ("ormqr_int", lambda m: m.ormqr(*(m.ones(*s, dtype=m.int64) for s in ((5, 3), (3,),
                                                                         (5, 2))))),
    ("pca_lowrank_q", lambda m: m.pca_lowrank(m.ones(4, 3), q=4)),
    ("pca_lowrank_niter", lambda m: m.pca_lowrank(m.ones(4, 3), niter=-1)),
]


@pytest.mark.parametrize("name,fn", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_like_torch(name, fn):
    check_error(fn)


@pytest.mark.parametrize("name,fn", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_messages_like_torch(name, fn):
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(rustorch.RusTorchError) as actual:
        fn(rustorch)
    assert str(actual.value) == str(expected.value).split("\n")[0]


# ----------------------------------------------------------------- linalg.solve_triangular
def test_linalg_solve_triangular_singular_gives_inf_as_torch():
    for left in (True, False):
        results = [m.linalg.solve_triangular(m.tensor([[1.0, 0.0], [2.0, 0.0]]), m.ones(2, 2),
                                             upper=False, left=left).tolist()
                   for m in (torch, rustorch)]
        np.testing.assert_equal(*results)


@pytest.mark.parametrize("make, left", [
    (lambda m: (m.eye(3), m.ones(2, 1)), True), (lambda m: (m.eye(3), m.ones(2, 1)), False),
    (lambda m: (m.ones(2, 3), m.ones(2, 1)), True), (lambda m: (m.eye(2), m.ones(2, 3)), False),
    (lambda m: (m.ones(2, 2, 2), m.ones(3, 2, 1)), True),
    (lambda m: (m.ones(3), m.ones(3, 1)), True),
    (lambda m: (m.eye(3), m.ones(3)), True),
    (lambda m: (m.eye(2, dtype=m.int64), m.ones(2, 1, dtype=m.int64)), True),
])
def test_linalg_solve_triangular_errors_as_torch(make, left):
    with pytest.raises((RuntimeError, NotImplementedError)) as expected:
        torch.linalg.solve_triangular(*make(torch), upper=True, left=left)
    with pytest.raises(type(expected.value), match=re.escape(str(expected.value))) as caught:
        rustorch.linalg.solve_triangular(*make(rustorch), upper=True, left=left)
    assert isinstance(caught.value, rustorch.RusTorchError)


def test_linalg_solve_triangular_promotes_and_broadcasts():
    generator = np.random.default_rng(7)
    a = np.triu(generator.standard_normal((3, 1, 4, 4))) + 4 * np.eye(4)
    b = generator.standard_normal((2, 4, 3)).astype(np.float32)
    for left, operand in ((True, b), (False, b.swapaxes(-1, -2))):
        results = []
        for m in (torch, rustorch):
            x = m.linalg.solve_triangular(m.tensor(a), m.tensor(operand), upper=True, left=left)
            results.append((x.dtype, tuple(x.shape), as_numpy(x)))
        assert str(results[0][0]).split(".")[-1] == str(results[1][0]).split(".")[-1]
        assert results[0][1] == results[1][1]
        np.testing.assert_allclose(results[1][2], results[0][2], rtol=1e-12)
