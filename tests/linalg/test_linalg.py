"""rustorch.linalg norms, inverses, determinants, solvers and products against torch."""
import math

import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import as_numpy, check_error, check, randn, torch

F64 = np.float64


def _well_conditioned(*shape, dtype=np.float32):
    """Random square matrices with a dominant diagonal (safely invertible)."""
    size = shape[-1]
    return (randn(*shape, dtype=dtype) + 3 * np.eye(size, dtype=dtype)).astype(dtype)


def _spd(*shape, dtype=F64):
    matrix = randn(*shape, dtype=dtype)
    return (matrix @ np.swapaxes(matrix, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


NORM_CASES = [
    ("vector_norm", lambda m, x: m.linalg.vector_norm(x), randn(3, 4)),
    ("vector_norm_ord1_dim", lambda m, x: m.linalg.vector_norm(x, 1, dim=1), randn(3, 4)),
    ("vector_norm_ord3_tuple", lambda m, x: m.linalg.vector_norm(x, 3, dim=(0, 2),
                                                                 keepdim=True), randn(2, 3, 4)),
    ("vector_norm_inf", lambda m, x: m.linalg.vector_norm(x, math.inf, dim=-1), randn(3, 4)),
    ("vector_norm_ninf", lambda m, x: m.linalg.vector_norm(x, -math.inf), randn(3, 4)),
    ("vector_norm_0", lambda m, x: m.linalg.vector_norm(x, 0), randn(3, 4)),
    ("vector_norm_neg", lambda m, x: m.linalg.vector_norm(x, -2, dim=0), randn(3, 4)),
    ("vector_norm_dtype", lambda m, x: m.linalg.vector_norm(x, dtype=m.float64), randn(3)),
    ("vector_norm_0d", lambda m, x: m.linalg.vector_norm(x), np.array(-2.0, np.float32)),
    ("vector_norm_empty", lambda m, x: m.linalg.vector_norm(x), np.zeros((0, 3), np.float32)),
    ("vector_norm_t", lambda m, x: m.linalg.vector_norm(x.t(), dim=0), randn(3, 4)),
    ("matrix_norm_fro", lambda m, x: m.linalg.matrix_norm(x), randn(2, 3, 4)),
    ("matrix_norm_nuc", lambda m, x: m.linalg.matrix_norm(x, "nuc"), randn(2, 4, 3, dtype=F64)),
    ("matrix_norm_2", lambda m, x: m.linalg.matrix_norm(x, 2), randn(4, 3, dtype=F64)),
    ("matrix_norm_m2", lambda m, x: m.linalg.matrix_norm(x, -2), randn(3, 3, dtype=F64)),
    ("matrix_norm_1", lambda m, x: m.linalg.matrix_norm(x, 1), randn(2, 3, 4)),
    ("matrix_norm_m1", lambda m, x: m.linalg.matrix_norm(x, -1, keepdim=True), randn(2, 3, 4)),
    ("matrix_norm_inf", lambda m, x: m.linalg.matrix_norm(x, math.inf), randn(3, 4)),
    ("matrix_norm_ninf_dims", lambda m, x: m.linalg.matrix_norm(x, -math.inf, dim=(0, 2)),
     randn(3, 2, 4)),
    ("matrix_norm_nuc_keep", lambda m, x: m.linalg.matrix_norm(x, "nuc", dim=(0, 2),
                                                               keepdim=True),
     randn(3, 2, 4, dtype=F64)),
    ("norm_default", lambda m, x: m.linalg.norm(x), randn(2, 3, 4)),
    ("norm_vector_ord", lambda m, x: m.linalg.norm(x, 3), randn(5)),
    ("norm_matrix_ord", lambda m, x: m.linalg.norm(x, "fro"), randn(3, 4)),
    ("norm_matrix_inf", lambda m, x: m.linalg.norm(x, math.inf), randn(3, 4)),
    ("norm_dim_int", lambda m, x: m.linalg.norm(x, dim=1), randn(3, 4)),
    ("norm_dim_pair", lambda m, x: m.linalg.norm(x, 1, dim=(1, 2)), randn(2, 3, 4)),
]


@pytest.mark.parametrize("name,fn,x", NORM_CASES, ids=[c[0] for c in NORM_CASES])
def test_norms(name, fn, x):
    check(fn, x)


SOLVER_CASES = [
    ("inv", lambda m, a: m.linalg.inv(a), _well_conditioned(3, 3)),
    ("inv_batched", lambda m, a: m.linalg.inv(a), _well_conditioned(2, 3, 3, dtype=F64)),
    ("inv_t", lambda m, a: m.linalg.inv(a.mT), _well_conditioned(3, 3)),
    ("inverse_method", lambda m, a: a.inverse(), _well_conditioned(3, 3)),
    ("inv_empty", lambda m, a: m.linalg.inv(a), np.zeros((0, 0), np.float32)),
    ("inv_ex", lambda m, a: m.linalg.inv_ex(a), _well_conditioned(3, 3)),
    ("det", lambda m, a: m.linalg.det(a), _well_conditioned(3, 3)),
    ("det_batched", lambda m, a: m.linalg.det(a), _well_conditioned(2, 2, 4, 4, dtype=F64)),
    ("det_method", lambda m, a: a.det(), randn(3, 3, dtype=F64)),
    ("det_1x1", lambda m, a: m.linalg.det(a), randn(1, 1)),
    ("slogdet", lambda m, a: m.linalg.slogdet(a), randn(2, 3, 3, dtype=F64)),
    ("slogdet_method", lambda m, a: a.slogdet(), _well_conditioned(3, 3)),
    ("solve", lambda m, a, b: m.linalg.solve(a, b), _well_conditioned(3, 3), randn(3, 2)),
    ("solve_vector", lambda m, a, b: m.linalg.solve(a, b), _well_conditioned(3, 3), randn(3)),
    ("solve_batched_vector", lambda m, a, b: m.linalg.solve(a, b),
     _well_conditioned(2, 3, 3, dtype=F64), randn(2, 3, dtype=F64)),
    ("solve_broadcast", lambda m, a, b: m.linalg.solve(a, b),
     _well_conditioned(2, 1, 3, 3, dtype=F64), randn(4, 3, 2, dtype=F64)),
    ("solve_broadcast_a", lambda m, a, b: m.linalg.solve(a, b),
     _well_conditioned(3, 3, dtype=F64), randn(2, 3, 2, dtype=F64)),
    ("solve_right", lambda m, a, b: m.linalg.solve(a, b, left=False),
     _well_conditioned(3, 3, dtype=F64), randn(2, 3, dtype=F64)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in SOLVER_CASES],
                         ids=[c[0] for c in SOLVER_CASES])
def test_solvers(name, fn, inputs):
    check(fn, *inputs, rtol=1e-4, atol=1e-4)


PRODUCT_CASES = [
    ("matmul", lambda m, a, b: m.linalg.matmul(a, b), randn(2, 3, 4), randn(4, 2)),
    ("multi_dot", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), randn(2, 3), randn(3, 4),
     randn(4, 2)),
    ("multi_dot_vectors", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), randn(3),
     randn(3, 4), randn(4)),
    ("vecdot", lambda m, a, b: m.linalg.vecdot(a, b), randn(2, 3), randn(2, 3)),
    ("vecdot_dim", lambda m, a, b: m.linalg.vecdot(a, b, dim=0), randn(4, 3), randn(4, 1)),
    ("diagonal", lambda m, a: m.linalg.diagonal(a), randn(2, 3, 4)),
    ("diagonal_offset", lambda m, a: m.linalg.diagonal(a, offset=1), randn(3, 4)),
    ("diagonal_neg_offset_dims", lambda m, a: m.linalg.diagonal(a, offset=-1, dim1=0, dim2=2),
     randn(4, 2, 3)),
    ("cross", lambda m, a, b: m.linalg.cross(a, b, dim=0), randn(3, 2), randn(3, 2)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in PRODUCT_CASES],
                         ids=[c[0] for c in PRODUCT_CASES])
def test_products(name, fn, inputs):
    check(fn, *inputs)


def _leaf(array):
    return rustorch.tensor(array, dtype=rustorch.float64, requires_grad=True)


GRADCHECK_CASES = [
    ("vector_norm", lambda a: rustorch.linalg.vector_norm(a, dim=1), randn(3, 4, dtype=F64)),
    ("vector_norm_p", lambda a: rustorch.linalg.vector_norm(a, 2.5), randn(3, 4, dtype=F64)),
    ("matrix_norm_fro", lambda a: rustorch.linalg.matrix_norm(a), randn(3, 4, dtype=F64)),
    ("matrix_norm_nuc", lambda a: rustorch.linalg.matrix_norm(a, "nuc"),
     randn(4, 3, dtype=F64)),
    ("matrix_norm_2", lambda a: rustorch.linalg.matrix_norm(a, 2), randn(3, 3, dtype=F64)),
    ("inv", lambda a: rustorch.linalg.inv(a), _well_conditioned(2, 3, 3, dtype=F64)),
    ("det", lambda a: rustorch.linalg.det(a), _well_conditioned(2, 3, 3, dtype=F64)),
    ("slogdet", lambda a: rustorch.linalg.slogdet(a).logabsdet, randn(3, 3, dtype=F64)),
    ("solve_a", lambda a: rustorch.linalg.solve(a, rustorch.ones(3, 2, dtype=rustorch.float64)),
     _well_conditioned(3, 3, dtype=F64)),
]


@pytest.mark.parametrize("name,fn,x", GRADCHECK_CASES, ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck(name, fn, x):
    assert gradcheck(fn, (_leaf(x),))
    assert gradgradcheck(fn, (_leaf(x),))


def test_solve_gradcheck_both_inputs():
    a, b = _leaf(_well_conditioned(2, 3, 3, dtype=F64)), _leaf(randn(2, 3, 2, dtype=F64))
    assert gradcheck(rustorch.linalg.solve, (a, b))
    assert gradgradcheck(rustorch.linalg.solve, (a, b))


def test_det_gradient_of_singular_matrix_is_the_cofactor_matrix():
    # rank 2: d det / dA is the (non-zero) cofactor matrix; PyTorch 2.x returns zeros here
    matrix = rustorch.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]],
                             dtype=rustorch.float64, requires_grad=True)
    rustorch.linalg.det(matrix).backward()
    expected = np.array([[4.0, 4.0, -4.0], [-2.0, -2.0, 2.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(as_numpy(matrix.grad), expected, atol=1e-10)
    assert gradcheck(rustorch.linalg.det, (matrix,))


def test_singular_inverse_error_message():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(RuntimeError) as expected:
        torch.linalg.inv(torch.tensor(singular))
    with pytest.raises(rustorch.linalg.LinAlgError) as actual:
        rustorch.linalg.inv(rustorch.tensor(singular))
    assert str(actual.value) == str(expected.value)
    assert isinstance(actual.value, rustorch.RusTorchError)
    batch = np.stack([np.eye(3), np.zeros((3, 3))])
    with pytest.raises(RuntimeError) as expected:
        torch.linalg.inv(torch.tensor(batch))
    with pytest.raises(RuntimeError) as actual:
        rustorch.linalg.inv(rustorch.tensor(batch))
    assert str(actual.value) == str(expected.value)


def test_inv_ex_reports_singular():
    result = rustorch.linalg.inv_ex(rustorch.zeros(2, 2, dtype=rustorch.float64))
    assert int(result.info) != 0


ERROR_CASES = [
    ("inv_nonsquare", lambda m: m.linalg.inv(m.ones(2, 3))),
    ("inv_1d", lambda m: m.linalg.inv(m.ones(3))),
    ("inv_int", lambda m: m.linalg.inv(m.ones(2, 2, dtype=m.int64))),
    ("det_nonsquare", lambda m: m.linalg.det(m.ones(2, 3))),
    ("solve_singular", lambda m: m.linalg.solve(m.zeros(3, 3), m.ones(3))),
    ("solve_shapes", lambda m: m.linalg.solve(m.eye(3), m.ones(2, 2))),
    ("solve_dtype", lambda m: m.linalg.solve(m.eye(3), m.ones(3, dtype=m.float64))),
    ("matrix_norm_1d", lambda m: m.linalg.matrix_norm(m.ones(3))),
    ("matrix_norm_ord", lambda m: m.linalg.matrix_norm(m.ones(3, 3), 3)),
    ("vector_norm_int", lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.int64))),
    ("vector_norm_empty_inf", lambda m: m.linalg.vector_norm(m.ones(0), math.inf)),
    ("norm_3d_ord", lambda m: m.linalg.norm(m.ones(2, 2, 2), 2)),
    ("multi_dot_one", lambda m: m.linalg.multi_dot([m.ones(2, 2)])),
]


@pytest.mark.parametrize("name,fn", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_torch(name, fn):
    check_error(fn)


LEGACY_CASES = [
    ("det", lambda m, a: m.det(a), randn(3, 3, dtype=F64)),
    ("logdet", lambda m, a: m.logdet(a), _spd(2, 3, 3)),
    ("logdet_negative", lambda m, a: a.logdet(), -np.eye(3)),
    ("slogdet", lambda m, a: m.slogdet(a), randn(3, 3, dtype=F64)),
    ("inverse", lambda m, a: m.inverse(a), _well_conditioned(3, 3, dtype=F64)),
    ("cholesky", lambda m, a: m.cholesky(a, upper=True), _spd(3, 3)),
    ("svd_values", lambda m, a: m.svd(a).S, randn(4, 3, dtype=F64)),
    ("svd_reconstruct", lambda m, a: (lambda u, s, v: (u * s) @ v.mT)(*m.svd(a)),
     randn(4, 3, dtype=F64)),
    ("pinverse", lambda m, a: m.pinverse(a), randn(4, 3, dtype=F64)),
    ("qr_reconstruct", lambda m, a: (lambda q, r: q @ r)(*a.qr()), randn(4, 3, dtype=F64)),
    ("cond", lambda m, a: m.linalg.cond(a), _well_conditioned(3, 3, dtype=F64)),
    ("cond_fro", lambda m, a: m.linalg.cond(a.detach(), "fro"),  # torch cannot backprop
     _well_conditioned(3, 3, dtype=F64)),
    ("solve_triangular_upper", lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True),
     _well_conditioned(3, 3, dtype=F64), randn(3, 2, dtype=F64)),
    ("solve_triangular_lower_right", lambda m, a, b: m.linalg.solve_triangular(
        a, b, upper=False, left=False, unitriangular=True),
     _well_conditioned(3, 3, dtype=F64), randn(2, 3, dtype=F64)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in LEGACY_CASES],
                         ids=[c[0] for c in LEGACY_CASES])
def test_top_level_forms(name, fn, inputs):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, *inputs)


def _spd(*shape):
    matrix = randn(*shape, dtype=F64)
    return matrix @ np.swapaxes(matrix, -1, -2) + shape[-1] * np.eye(shape[-1])


MATRIX_EXP_CASES = [
    ("small", randn(3, 3, dtype=F64) * 0.1),
    ("large_norm", randn(4, 4, dtype=F64) * 5),
    ("batched", randn(2, 3, 3, dtype=F64)),
    ("f32", randn(3, 3)),
    ("zeros", np.zeros((2, 2))),
    ("1x1", randn(1, 1, dtype=F64)),
]


@pytest.mark.parametrize("name,x", MATRIX_EXP_CASES, ids=[c[0] for c in MATRIX_EXP_CASES])
def test_matrix_exp(name, x):
    check(lambda m, a: m.linalg.matrix_exp(a), x, rtol=1e-5, atol=1e-6)
    check(lambda m, a: a.matrix_exp(), x, rtol=1e-5, atol=1e-6)


def test_matrix_exp_gradcheck():
    a = _leaf(randn(3, 3, dtype=F64))
    assert gradcheck(rustorch.linalg.matrix_exp, (a,))
    assert gradgradcheck(rustorch.linalg.matrix_exp, (a,))
