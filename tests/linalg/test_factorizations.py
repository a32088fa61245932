"""LU, solve_ex, eig, tensorinv/tensorsolve, vander, householder_product and LDL of
rustorch.linalg against torch 2.13: values, dtypes, shapes, gradients, errors, and float64
gradcheck/gradgradcheck.

Eigenvectors are defined up to a phase each and their order is LAPACK's, so eig is compared
through invariant quantities (sorted eigenvalue parts, phase-free sums, residuals)."""
import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import check, check_error, randn, torch

F64 = np.float64


def _complex(*shape, seed=None):
    return randn(*shape, dtype=F64, seed=seed) + 1j * randn(*shape, dtype=F64, seed=seed)


def _dominant(*shape, dtype=F64):
    """Column diagonally dominant matrices: partial pivoting makes no row interchanges, so
    LU without pivoting equals torch's pivoted LU (torch has no CPU pivot=False)."""
    matrix = randn(*shape, dtype=np.float64)
    size = shape[-1]
    return (matrix + 2 * size * np.eye(size)).astype(dtype)


def _symmetric(*shape, dtype=F64):
    matrix = randn(*shape, dtype=np.float64)
    return (matrix + np.swapaxes(matrix, -1, -2)).astype(dtype)


def _unpack(m):
    return torch.lu_unpack if m is torch else rustorch.linalg.lu_unpack


def _lu_solve(left=True, adjoint=False):
    return lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b, left=left,
                                             adjoint=adjoint)


LU_CASES = [
    ("lu_factor", lambda m, a: m.linalg.lu_factor(a), randn(4, 4, dtype=F64)),
    ("lu_factor_f32_batched", lambda m, a: m.linalg.lu_factor(a), randn(2, 3, 3)),
    ("lu_factor_wide", lambda m, a: m.linalg.lu_factor(a), randn(3, 5, dtype=F64)),
    ("lu_factor_tall", lambda m, a: m.linalg.lu_factor(a), randn(2, 5, 3, dtype=F64)),
    ("lu_factor_complex", lambda m, a: m.linalg.lu_factor(a), _complex(3, 3)),
    ("lu_factor_ex", lambda m, a: m.linalg.lu_factor_ex(a), randn(2, 4, 4, dtype=F64)),
    ("lu_factor_empty", lambda m, a: m.linalg.lu_factor(a), np.zeros((2, 0, 3))),
    ("lu", lambda m, a: m.linalg.lu(a), randn(4, 4, dtype=F64)),
    ("lu_f32", lambda m, a: m.linalg.lu(a), randn(3, 3)),
    ("lu_wide_batched", lambda m, a: m.linalg.lu(a), randn(2, 3, 5, dtype=F64)),
    ("lu_tall", lambda m, a: m.linalg.lu(a), randn(5, 3, dtype=F64)),
    ("lu_complex", lambda m, a: m.linalg.lu(a), _complex(2, 3, 3)),
    ("lu_unpack", lambda m, a: _unpack(m)(*m.linalg.lu_factor(a)), randn(2, 4, 3, dtype=F64)),
    ("lu_unpack_no_pivots", lambda m, a: _unpack(m)(*m.linalg.lu_factor(a),
                                                    unpack_pivots=False),
     randn(3, 4, dtype=F64)),
    ("lu_unpack_no_data", lambda m, a: _unpack(m)(*m.linalg.lu_factor(a.detach()),
                                                 unpack_data=False), randn(3, 3, dtype=F64)),
    ("lu_solve", _lu_solve(), randn(3, 3, dtype=F64), randn(3, 2, dtype=F64)),
    ("lu_solve_adjoint", _lu_solve(adjoint=True), randn(2, 3, 3, dtype=F64),
     randn(2, 3, 4, dtype=F64)),
    ("lu_solve_right", _lu_solve(left=False), randn(3, 3, dtype=F64), randn(2, 3, dtype=F64)),
    ("lu_solve_right_adjoint", _lu_solve(left=False, adjoint=True), randn(2, 3, 3, dtype=F64),
     randn(2, 4, 3, dtype=F64)),
    ("lu_solve_broadcast", _lu_solve(), randn(2, 1, 3, 3, dtype=F64), randn(4, 3, 2, dtype=F64)),
    ("lu_solve_f32", _lu_solve(), randn(4, 4), randn(4, 2)),
    ("lu_solve_complex_adjoint", _lu_solve(adjoint=True), _complex(3, 3), _complex(3, 2)),
    ("lu_solve_complex_right", _lu_solve(left=False), _complex(3, 3), _complex(2, 3)),
    ("solve_ex", lambda m, a, b: m.linalg.solve_ex(a, b), randn(3, 3, dtype=F64),
     randn(3, 2, dtype=F64)),
    ("solve_ex_vector_batched", lambda m, a, b: m.linalg.solve_ex(a, b),
     randn(2, 3, 3, dtype=F64), randn(2, 3, dtype=F64)),
    ("solve_ex_broadcast", lambda m, a, b: m.linalg.solve_ex(a, b), randn(2, 3, 3, dtype=F64),
     randn(4, 1, 3, 2, dtype=F64)),
    ("solve_ex_right_f32", lambda m, a, b: m.linalg.solve_ex(a, b, left=False), randn(3, 3),
     randn(2, 3)),
    ("solve_ex_complex", lambda m, a, b: m.linalg.solve_ex(a, b), _complex(3, 3), _complex(3, 1)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in LU_CASES],
                         ids=[c[0] for c in LU_CASES])
def test_lu_family(name, fn, inputs):
    single = inputs[0].dtype in (np.float32, np.complex64)
    tolerance = 1e-4 if single else 1e-7
    check(fn, *inputs, rtol=tolerance, atol=tolerance)


def test_singular_lu_reports_info_and_infinite_solutions():
    singular = np.stack([np.eye(3), np.array([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])])
    check(lambda m, a: m.linalg.lu_factor_ex(a), singular, grad=False)
    check(lambda m, a: m.linalg.lu(a), singular, grad=False)
    check(lambda m, a, b: m.linalg.solve_ex(a, b), singular, np.ones((2, 3)), grad=False)
    check(lambda m, a: m.linalg.lu_factor_ex(a).info, np.zeros((2, 3, 2)), grad=False)


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 5), (5, 3)])
def test_lu_without_pivoting_matches_pivoted_lu_when_no_rows_swap(shape):
    matrix = randn(*shape, dtype=F64)
    matrix[..., :min(shape[-2:]), :min(shape[-2:])] += 4 * max(shape) * np.eye(min(shape[-2:]))

    def factors(m, a):
        result = m.linalg.lu(a, pivot=m is torch)  # torch's CPU LU always pivots
        return result.L, result.U
    check(factors, matrix)
    check(lambda m, a: m.linalg.lu_factor(a, pivot=m is torch), matrix)
    permutation = rustorch.linalg.lu(rustorch.tensor(matrix), pivot=False).P
    assert tuple(permutation.shape) == (0,)


def test_lu_factor_singular_message_matches_torch():
    singular = np.stack([np.eye(2), np.array([[1.0, 2.0], [2.0, 4.0]])])
    for name in ("lu_factor", "lu_factor_ex"):
        options = {} if name == "lu_factor" else {"check_errors": True}
        with pytest.raises(RuntimeError) as expected:
            getattr(torch.linalg, name)(torch.tensor(singular), **options)
        with pytest.raises(rustorch.linalg.LinAlgError) as actual:
            getattr(rustorch.linalg, name)(rustorch.tensor(singular), **options)
        assert str(actual.value) == str(expected.value)
    with pytest.raises(torch.linalg.LinAlgError) as expected:
        torch.linalg.solve_ex(torch.tensor(singular), torch.ones(2, 2, dtype=torch.float64),
                              check_errors=True)
    with pytest.raises(rustorch.linalg.LinAlgError) as actual:
        rustorch.linalg.solve_ex(rustorch.tensor(singular), rustorch.ones(2, 2, dtype=F64),
                                 check_errors=True)
    assert str(actual.value) == str(expected.value)


def _eig_invariants(m, a):
    """Sorted real and imaginary parts of the eigenvalues; phase- and order-free functions of
    the eigenvectors; the residual |A V - V diag(w)|."""
    values, vectors = m.linalg.eig(a)
    weights = vectors.abs() ** 2
    residual = (a.to(vectors.dtype) @ vectors - vectors * values.unsqueeze(-2)).abs()
    return (m.sort(values.real, dim=-1).values, m.sort(values.imag, dim=-1).values,
            (weights * values.real.unsqueeze(-2)).sum(-1),
            (weights * values.imag.unsqueeze(-2)).sum(-1), residual)


EIG_CASES = [
    ("real", randn(4, 4, dtype=F64, seed=3)),
    ("complex_spectrum", randn(3, 3, dtype=F64, seed=1)),
    ("batched", randn(2, 3, 3, dtype=F64, seed=5)),
    ("f32", randn(4, 4, seed=2)),
    ("complex_input", _complex(3, 3, seed=4)),
]


@pytest.mark.parametrize("name,x", EIG_CASES, ids=[c[0] for c in EIG_CASES])
def test_eig_invariants(name, x):
    single = x.dtype == np.float32
    tolerance = 1e-3 if single else 1e-6
    check(_eig_invariants, x, rtol=tolerance, atol=tolerance)
    check(lambda m, a: (m.sort(m.linalg.eigvals(a).real, dim=-1).values,
                        str(m.linalg.eig(a).eigenvalues.dtype), m.linalg.eigvals(a).shape),
          x, rtol=tolerance, atol=tolerance)


def test_eig_phase_dependent_loss_raises_like_torch():
    matrix = randn(3, 3, dtype=F64, seed=1)  # a complex pair of eigenvalues

    def backward(m):
        a = m.tensor(matrix, requires_grad=True)
        m.linalg.eig(a).eigenvectors.real.sum().backward()
    check_error(backward)
    with pytest.raises(rustorch.RusTorchError, match="e\\^\\{i phi\\}"):
        backward(rustorch)


OTHER_CASES = [
    ("tensorinv", lambda m, a: m.linalg.tensorinv(a, ind=1), randn(4, 2, 2, dtype=F64)),
    ("tensorinv_ind2", lambda m, a: m.linalg.tensorinv(a), randn(2, 3, 6, dtype=F64)),
    ("tensorsolve", lambda m, a, b: m.linalg.tensorsolve(a, b), randn(2, 3, 6, dtype=F64),
     randn(2, 3, dtype=F64)),
    ("tensorsolve_dims", lambda m, a, b: m.linalg.tensorsolve(a, b, dims=(0,)),
     randn(6, 2, 3, dtype=F64), randn(2, 3, dtype=F64)),
    ("vander", lambda m, x: m.linalg.vander(x), randn(2, 3, dtype=F64)),
    ("vander_zero_N", lambda m, x: m.linalg.vander(x, N=5), np.array([0.0, 2.0, -1.0])),
    ("vander_0d", lambda m, x: m.linalg.vander(x, N=3), np.array(2.0, np.float32)),
    ("vander_int32", lambda m, x: m.linalg.vander(x), np.array([1, 2, 3], np.int32)),
    ("vander_complex", lambda m, x: m.linalg.vander(x, N=3), _complex(3)),
    ("householder", lambda m, a, t: m.linalg.householder_product(a, t), randn(5, 3, dtype=F64),
     randn(2, dtype=F64)),
    ("householder_batched_f32", lambda m, a, t: m.linalg.householder_product(a, t),
     randn(2, 4, 4), randn(2, 4)),
    ("householder_complex", lambda m, a, t: m.linalg.householder_product(a, t),
     _complex(4, 3), _complex(3)),
    ("householder_no_tau", lambda m, a, t: m.linalg.householder_product(a, t),
     randn(3, 2, dtype=F64), np.zeros(0)),
    ("ldl_factor", lambda m, a: m.linalg.ldl_factor(a), _symmetric(2, 4, 4)),
    ("ldl_factor_ex_singular", lambda m, a: m.linalg.ldl_factor_ex(a),
     np.stack([np.eye(3), np.zeros((3, 3))])),
    ("ldl_solve", lambda m, a, b: m.linalg.ldl_solve(*m.linalg.ldl_factor(a), b),
     _symmetric(2, 4, 4), randn(4, 2, dtype=F64)),
    ("ldl_solve_f32", lambda m, a, b: m.linalg.ldl_solve(*m.linalg.ldl_factor(a), b),
     _symmetric(3, 3, dtype=np.float32), randn(3, 2)),
    ("ldl_hermitian", lambda m, a, b: (m.linalg.ldl_factor(a, hermitian=True),
                                       m.linalg.ldl_solve(*m.linalg.ldl_factor(a, hermitian=True),
                                                          b, hermitian=True)),
     _complex(3, 3) + _complex(3, 3).conj().T, _complex(3, 2)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in OTHER_CASES],
                         ids=[c[0] for c in OTHER_CASES])
def test_other_functions(name, fn, inputs):
    single = inputs[0].dtype in (np.float32, np.complex64)
    tolerance = 1e-4 if single else 1e-7
    check(fn, *inputs, rtol=tolerance, atol=tolerance, grad=not name.startswith("ldl"))


def test_ldl_has_no_derivative_like_torch():
    matrix = _symmetric(3, 3)

    def factor_backward(m):
        m.linalg.ldl_factor(m.tensor(matrix, requires_grad=True)).LD.sum().backward()

    def solve_backward(m):
        factors, pivots = m.linalg.ldl_factor(m.tensor(matrix))
        right = m.ones(3, 1, dtype=m.float64, requires_grad=True)
        m.linalg.ldl_solve(factors, pivots, right).sum().backward()
    check_error(factor_backward)
    check_error(solve_backward)


def _leaf(array):
    return rustorch.tensor(array, requires_grad=True)


def _lu_solve_rustorch(left, adjoint):
    return lambda a, b: rustorch.linalg.lu_solve(*rustorch.linalg.lu_factor(a), b, left=left,
                                                 adjoint=adjoint)


def _eig_gauge_free(a):
    values, vectors = rustorch.linalg.eig(a)
    return rustorch.view_as_real(values), vectors.abs()


GRADCHECK_CASES = [
    ("lu_factor", lambda a: rustorch.linalg.lu_factor(a).LU, randn(3, 3, dtype=F64)),
    ("lu_factor_wide", lambda a: rustorch.linalg.lu_factor(a).LU, randn(2, 4, dtype=F64)),
    ("lu_factor_tall_batched", lambda a: rustorch.linalg.lu_factor(a).LU,
     randn(2, 4, 2, dtype=F64)),
    ("lu", lambda a: tuple(rustorch.linalg.lu(a))[1:], randn(3, 3, dtype=F64)),
    ("lu_wide", lambda a: tuple(rustorch.linalg.lu(a))[1:], randn(2, 3, dtype=F64)),
    ("lu_tall", lambda a: tuple(rustorch.linalg.lu(a))[1:], randn(3, 2, dtype=F64)),
    ("lu_no_pivot", lambda a: tuple(rustorch.linalg.lu(a, pivot=False))[1:], _dominant(3, 3)),
    ("lu_solve", _lu_solve_rustorch(True, False), randn(3, 3, dtype=F64), randn(3, 2, dtype=F64)),
    ("lu_solve_adjoint", _lu_solve_rustorch(True, True), randn(3, 3, dtype=F64),
     randn(3, 2, dtype=F64)),
    ("lu_solve_right", _lu_solve_rustorch(False, False), randn(3, 3, dtype=F64),
     randn(2, 3, dtype=F64)),
    ("lu_solve_right_adjoint", _lu_solve_rustorch(False, True), randn(3, 3, dtype=F64),
     randn(2, 3, dtype=F64)),
    ("solve_ex", lambda a, b: rustorch.linalg.solve_ex(a, b).result, randn(2, 3, 3, dtype=F64),
     randn(2, 3, dtype=F64)),
    ("eig", _eig_gauge_free, randn(3, 3, dtype=F64, seed=1)),
    ("eigvals", lambda a: rustorch.view_as_real(rustorch.linalg.eigvals(a)),
     randn(3, 3, dtype=F64, seed=3)),
    ("householder", lambda a, t: rustorch.linalg.householder_product(a, t),
     randn(4, 3, dtype=F64), randn(2, dtype=F64)),
    ("vander", lambda x: rustorch.linalg.vander(x, N=4), np.array([0.0, 1.5, -2.0])),
    ("tensorinv", lambda a: rustorch.linalg.tensorinv(a, ind=1), randn(4, 2, 2, dtype=F64)),
    ("tensorsolve", lambda a, b: rustorch.linalg.tensorsolve(a, b), randn(2, 2, 4, dtype=F64),
     randn(2, 2, dtype=F64)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in GRADCHECK_CASES],
                         ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck(name, fn, inputs):
    assert gradcheck(fn, tuple(_leaf(x) for x in inputs))


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in GRADCHECK_CASES],
                         ids=[c[0] for c in GRADCHECK_CASES])
def test_gradgradcheck(name, fn, inputs):
    assert gradgradcheck(fn, tuple(_leaf(x) for x in inputs))


def test_grad_fn_names():
    a = rustorch.tensor(randn(3, 3, dtype=F64), requires_grad=True)
    lu_data, pivots = rustorch.linalg.lu_factor(a)
    assert lu_data.grad_fn.name() == "LinalgLuFactorExBackward0"
    assert pivots.dtype is rustorch.int32 and not pivots.requires_grad
    permutation, lower, _ = rustorch.linalg.lu(a)
    assert lower.grad_fn.name() == "LinalgLuBackward0" and not permutation.requires_grad
    solution = rustorch.linalg.lu_solve(lu_data, pivots, a)
    assert solution.grad_fn.name() == "LinalgLuSolveBackward0"
    assert rustorch.linalg.eig(a).eigenvalues.grad_fn.name() == "LinalgEigBackward0"


@pytest.mark.parametrize("name", ["lu_factor", "lu", "eig", "lu_solve"])
def test_second_backward_raises_like_torch(name):
    matrix = randn(3, 3, dtype=F64)
    outputs = {"lu_factor": lambda m, a: m.linalg.lu_factor(a).LU,
               "lu": lambda m, a: m.linalg.lu(a).U,
               "eig": lambda m, a: m.linalg.eig(a).eigenvalues.real,
               "lu_solve": lambda m, a: m.linalg.lu_solve(*m.linalg.lu_factor(a.detach()), a)}

    def twice(m):
        total = outputs[name](m, m.tensor(matrix, requires_grad=True)).sum()
        total.backward()
        total.backward()
    check_error(twice)


def _square(m, dtype="float32"):
    return m.eye(3, dtype=getattr(m, dtype))


ERROR_CASES = [
    ("lu_factor_1d", lambda m: m.linalg.lu_factor(m.ones(3))),
    ("lu_factor_int", lambda m: m.linalg.lu_factor(m.ones(2, 2, dtype=m.int64))),
    ("lu_factor_half", lambda m: m.linalg.lu_factor(m.ones(2, 2, dtype=m.float16))),
    ("lu_factor_singular", lambda m: m.linalg.lu_factor(m.zeros(2, 2))),
    ("lu_factor_ex_singular", lambda m: m.linalg.lu_factor_ex(m.zeros(2, 2), check_errors=True)),
    ("lu_1d", lambda m: m.linalg.lu(m.ones(3))),
    ("lu_int", lambda m: m.linalg.lu(m.ones(2, 2, dtype=m.int32))),
    ("lu_solve_vector_b", lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(_square(m)),
                                                       m.ones(3))),
    ("lu_solve_shapes", lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(_square(m)),
                                                     m.ones(2, 1))),
    ("lu_solve_right_shapes", lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(_square(m)),
                                                           m.ones(3, 2), left=False)),
    ("lu_solve_nonsquare", lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.ones(2, 3)),
                                                        m.ones(2, 1))),
    ("lu_solve_dtype", lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(_square(m)),
                                                    m.ones(3, 1, dtype=m.float64))),
    ("lu_solve_pivot_dtype", lambda m: m.linalg.lu_solve(_square(m), m.ones(3, dtype=m.int64),
                                                          m.ones(3, 1))),
    ("lu_solve_pivot_count", lambda m: m.linalg.lu_solve(_square(m), m.ones(2, dtype=m.int32),
                                                          m.ones(3, 1))),
    ("lu_solve_pivot_batch", lambda m: m.linalg.lu_solve(_square(m).expand(2, 3, 3),
                                                          m.ones(3, dtype=m.int32),
                                                          m.ones(3, 1))),
    ("lu_solve_pivot_zero", lambda m: m.linalg.lu_solve(_square(m), m.zeros(3, dtype=m.int32),
                                                         m.ones(3, 1))),
    ("lu_solve_pivot_large", lambda m: m.linalg.lu_solve(_square(m),
                                                          m.full((3,), 4, dtype=m.int32),
                                                          m.ones(3, 1))),
    ("lu_unpack_pivot_range", lambda m: _unpack(m)(_square(m), m.zeros(3, dtype=m.int32))),
    ("solve_ex_singular", lambda m: m.linalg.solve_ex(m.zeros(2, 2), m.ones(2),
                                                      check_errors=True)),
    ("solve_ex_right_vector", lambda m: m.linalg.solve_ex(_square(m), m.ones(3), left=False)),
    ("solve_ex_nonsquare", lambda m: m.linalg.solve_ex(m.ones(2, 3), m.ones(2))),
    ("solve_ex_dtype", lambda m: m.linalg.solve_ex(_square(m), m.ones(3, dtype=m.float64))),
    ("eig_nonsquare", lambda m: m.linalg.eig(m.ones(3, 2))),
    ("eig_1d", lambda m: m.linalg.eig(m.ones(3))),
    ("eig_int", lambda m: m.linalg.eig(m.ones(2, 2, dtype=m.int64))),
    ("eig_nan", lambda m: m.linalg.eig(m.full((2, 2), float("nan")))),
    ("eigvals_int", lambda m: m.linalg.eigvals(m.ones(2, 2, dtype=m.int64))),
    ("tensorinv_ind", lambda m: m.linalg.tensorinv(m.ones(4, 2, 2), ind=0)),
    ("tensorinv_shape", lambda m: m.linalg.tensorinv(m.ones(4, 2, 3), ind=1)),
    ("tensorinv_singular", lambda m: m.linalg.tensorinv(m.zeros(4, 2, 2), ind=1)),
    ("tensorsolve_shape", lambda m: m.linalg.tensorsolve(m.ones(2, 3, 5), m.ones(2, 3))),
    ("vander_bool", lambda m: m.linalg.vander(m.ones(3, dtype=m.bool))),
    ("vander_half", lambda m: m.linalg.vander(m.ones(3, dtype=m.float16))),
    ("vander_n", lambda m: m.linalg.vander(m.ones(3), N=1)),
    ("vander_0d", lambda m: m.linalg.vander(m.tensor(2.0))),
    ("householder_1d", lambda m: m.linalg.householder_product(m.ones(3), m.ones(1))),
    ("householder_wide", lambda m: m.linalg.householder_product(m.ones(2, 3), m.ones(1))),
    ("householder_tau", lambda m: m.linalg.householder_product(m.ones(4, 2), m.ones(3))),
    ("householder_tau_ndim", lambda m: m.linalg.householder_product(m.ones(2, 4, 2),
                                                                     m.ones(2))),
    ("householder_batch", lambda m: m.linalg.householder_product(m.ones(2, 4, 2),
                                                                  m.ones(3, 2))),
    ("householder_dtype", lambda m: m.linalg.householder_product(
        m.ones(4, 2), m.ones(2, dtype=m.float64))),
    ("householder_int", lambda m: m.linalg.householder_product(
        m.ones(4, 2, dtype=m.int64), m.ones(2, dtype=m.int64))),
    ("ldl_1d", lambda m: m.linalg.ldl_factor(m.ones(3))),
    ("ldl_nonsquare", lambda m: m.linalg.ldl_factor(m.ones(3, 2))),
    ("ldl_int", lambda m: m.linalg.ldl_factor(m.ones(2, 2, dtype=m.int64))),
    ("ldl_half", lambda m: m.linalg.ldl_factor(m.ones(2, 2, dtype=m.float16))),
    ("ldl_singular", lambda m: m.linalg.ldl_factor(m.zeros(3, 3))),
    ("ldl_solve_vector", lambda m: m.linalg.ldl_solve(*m.linalg.ldl_factor(_square(m)),
                                                       m.ones(3))),
    ("ldl_solve_dtype", lambda m: m.linalg.ldl_solve(*m.linalg.ldl_factor(_square(m)),
                                                      m.ones(3, 1, dtype=m.float64))),
    ("ldl_solve_pivot_zero", lambda m: m.linalg.ldl_solve(_square(m), m.zeros(3, dtype=m.int32),
                                                           m.ones(3, 1))),
    ("ldl_solve_pivot_large", lambda m: m.linalg.ldl_solve(_square(m),
                                                            m.full((3,), -4, dtype=m.int32),
                                                            m.ones(3, 1))),
    ("ldl_solve_shapes", lambda m: m.linalg.ldl_solve(*m.linalg.ldl_factor(_square(m)),
                                                       m.ones(2, 1))),
]


@pytest.mark.parametrize("name,fn", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_torch(name, fn):
    check_error(fn)


@pytest.mark.filterwarnings("ignore:torch.lu")
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_legacy_lu_geqrf_orgqr(dtype):
    """torch.lu / lu_solve (old argument order) / lu_unpack / geqrf / orgqr and the methods."""
    matrices = (randn(2, 4, 3, dtype=np.float64) + (1j * randn(2, 4, 3, dtype=np.float64)
                if dtype is np.complex128 else 0)).astype(dtype)
    square = (randn(3, 3, dtype=np.float64) + 3 * np.eye(3)).astype(dtype)
    rhs = randn(3, 2, dtype=np.float64).astype(dtype)
    check(lambda m, a: tuple(m.geqrf(a)), matrices, grad=False)
    check(lambda m, a: m.orgqr(*m.geqrf(a)), matrices, grad=False)
    check(lambda m, a: a.geqrf().tau, matrices, grad=False)
    check(lambda m, a: m.lu(a), square, grad=False)
    check(lambda m, a: (m.lu(a, get_infos=True), a.lu()), square, grad=False)
    check(lambda m, a, b: m.lu_solve(b, *m.lu(a)), square, rhs)
    check(lambda m, a: m.lu_unpack(*m.lu(a)), square)
    with pytest.warns(UserWarning, match="torch.lu is deprecated"):  # torch warns once only
        rustorch.lu(rustorch.from_numpy(square.copy()))
