"""Matrix products (rustorch/_ops/linalg_core.py) and contractions (rustorch/_ops/einsum.py)
against torch."""
import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import check_error, check, randint, randn

F64 = np.float64

MATMUL_CASES = [
    ("vv", (4,), (4,)),
    ("mv", (3, 4), (4,)),
    ("vm", (4,), (4, 5)),
    ("mm", (3, 4), (4, 5)),
    ("bmm", (2, 3, 4), (2, 4, 5)),
    ("broadcast_batch", (2, 1, 3, 4), (5, 4, 2)),
    ("batched_vector", (2, 3, 4), (4,)),
    ("stacked_matrix", (2, 3, 4), (4, 5)),  # one flattened product, forward and backward
    ("stacked_matrix_4d", (2, 2, 3, 4), (4, 5)),
    ("stacked_empty_inner", (2, 3, 0), (0, 5)),
    ("stacked_empty_rows", (2, 0, 4), (4, 5)),
    ("vector_batched", (4,), (2, 4, 5)),
    ("empty_inner", (3, 0), (0, 2)),
    ("empty_batch", (0, 3, 4), (4, 2)),
]


@pytest.mark.parametrize("name,a,b", MATMUL_CASES, ids=[c[0] for c in MATMUL_CASES])
@pytest.mark.parametrize("dtype", [np.float32, F64])
def test_matmul(name, a, b, dtype):
    check(lambda m, x, y: m.matmul(x, y), randn(*a, dtype=dtype), randn(*b, dtype=dtype))
    check(lambda m, x, y: x @ y, randn(*a, dtype=dtype), randn(*b, dtype=dtype))


PRODUCT_CASES = [
    ("mm", lambda m, x, y: m.mm(x, y), randn(3, 4), randn(4, 2)),
    ("mm_noncontig", lambda m, x, y: x.t().mm(y.t()), randn(4, 3), randn(2, 4)),
    ("bmm", lambda m, x, y: x.bmm(y), randn(2, 3, 4), randn(2, 4, 5)),
    ("stacked_noncontig", lambda m, x, y: x.transpose(0, 1) @ y.t(), randn(3, 2, 4),
     randn(5, 4)),
    ("mv", lambda m, x, y: m.mv(x, y), randn(3, 4), randn(4)),
    ("dot", lambda m, x, y: m.dot(x, y), randn(5), randn(5)),
    ("vdot", lambda m, x, y: m.vdot(x, y), randn(5), randn(5)),
    ("outer", lambda m, x, y: m.outer(x, y), randn(3), randn(4)),
    ("ger", lambda m, x, y: x.ger(y), randn(3), randn(4)),
    ("inner", lambda m, x, y: m.inner(x, y), randn(2, 4), randn(3, 4)),
    ("addmm", lambda m, c, x, y: m.addmm(c, x, y), randn(3, 2), randn(3, 4), randn(4, 2)),
    ("addmm_scaled", lambda m, c, x, y: m.addmm(c, x, y, beta=0.5, alpha=2.0), randn(2),
     randn(3, 4), randn(4, 2)),
    ("matmul_int", lambda m, x, y: m.matmul(x, y), randint(-3, 3, (2, 3)),
     randint(-3, 3, (3, 2))),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in PRODUCT_CASES],
                         ids=[c[0] for c in PRODUCT_CASES])
def test_products(name, fn, inputs):
    check(fn, *inputs)


MATMUL_ERRORS = [
    ("matmul_dtype", lambda m: m.matmul(m.ones(2, 3), m.ones(3, 2, dtype=m.float64))),
    ("matmul_shape", lambda m: m.matmul(m.ones(2, 3), m.ones(2, 3))),
    ("matmul_0d", lambda m: m.matmul(m.ones(()), m.ones(3))),
    ("mm_3d", lambda m: m.mm(m.ones(2, 2, 2), m.ones(2, 2))),
    ("bmm_2d", lambda m: m.bmm(m.ones(2, 2), m.ones(2, 2))),
    ("bmm_batch", lambda m: m.bmm(m.ones(2, 2, 2), m.ones(3, 2, 2))),
    ("mv_shape", lambda m: m.mv(m.ones(2, 3), m.ones(2))),
    ("dot_2d", lambda m: m.dot(m.ones(2, 2), m.ones(2))),
    ("dot_size", lambda m: m.dot(m.ones(2), m.ones(3))),
    ("einsum_operands", lambda m: m.einsum("ij,jk->ik", m.ones(2, 2))),
    ("einsum_size", lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(2, 2))),
    ("einsum_rank", lambda m: m.einsum("ijk->i", m.ones(2, 2))),
    ("tensordot_size", lambda m: m.tensordot(m.ones(2, 3), m.ones(2, 3), dims=1)),
    ("cross_size", lambda m: m.linalg.cross(m.ones(2, 2), m.ones(2, 2))),
    ("trace_3d", lambda m: m.trace(m.ones(2, 2, 2))),
    ("cdist_cols", lambda m: m.cdist(m.ones(2, 3), m.ones(2, 4))),
    ("matrix_power_nonsquare", lambda m: m.matrix_power(m.ones(2, 3), 2)),
]


@pytest.mark.parametrize("name,fn", MATMUL_ERRORS, ids=[c[0] for c in MATMUL_ERRORS])
def test_errors_match_torch(name, fn):
    check_error(fn)


EINSUM_CASES = [
    ("ij,jk->ik", (3, 4), (4, 5)),
    ("ij,jk", (3, 4), (4, 5)),
    ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
    ("i,i->", (4,), (4,)),
    ("i,j->ij", (3,), (4,)),
    ("ij->ji", (3, 4)),
    ("ij->", (3, 4)),
    ("ij->j", (3, 4)),
    ("ii->i", (4, 4)),
    ("ii", (4, 4)),
    ("iij->j", (3, 3, 2)),
    ("...ij,...jk->...ik", (2, 3, 4), (4, 5)),
    ("...ij,...jk", (2, 1, 3, 4), (5, 4, 2)),
    ("b...,b...->b", (2, 3, 4), (2, 3, 4)),
    ("i...->...", (3, 2, 2)),
    ("ij,jk,kl->il", (2, 3), (3, 4), (4, 5)),
    ("bhqd,bhkd->bhqk", (2, 2, 3, 4), (2, 2, 5, 4)),
    ("ijk,ikl->jl", (2, 3, 4), (2, 4, 5)),
    ("ij,ij->ij", (3, 4), (3, 4)),
    ("i,ii->i", (3,), (3, 3)),
    ("ij,kj->ik", (1, 4), (3, 4)),
]


@pytest.mark.parametrize("case", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
@pytest.mark.parametrize("dtype", [np.float32, F64])
def test_einsum(case, dtype):
    equation, *shapes = case
    arrays = [randn(*shape, dtype=dtype) for shape in shapes]
    check(lambda m, *xs: m.einsum(equation, *xs), *arrays)


def test_einsum_list_and_sublist_forms():
    a, b = randn(3, 4), randn(4, 5)
    check(lambda m, x, y: m.einsum("ij,jk->ik", [x, y]), a, b)
    check(lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b)
    check(lambda m, x: m.einsum(x, [Ellipsis, 0], [Ellipsis]), randn(2, 3, 4))


def test_einsum_noncontiguous():
    check(lambda m, x, y: m.einsum("ij,jk->ik", x.t(), y), randn(4, 3), randn(4, 2))


CONTRACTION_CASES = [
    ("tensordot_int", lambda m, x, y: m.tensordot(x, y, dims=2), randn(2, 3, 4), randn(3, 4, 5)),
    ("tensordot_0", lambda m, x, y: m.tensordot(x, y, dims=0), randn(2, 3), randn(4)),
    ("tensordot_lists", lambda m, x, y: m.tensordot(x, y, dims=([1, 0], [0, 2])),
     randn(3, 4, 5), randn(4, 2, 3)),
    ("tensordot_pair", lambda m, x, y: m.tensordot(x, y, dims=([2], [0])), randn(2, 3, 4),
     randn(4, 5)),
    ("kron_2d", lambda m, x, y: m.kron(x, y), randn(2, 3), randn(3, 2)),
    ("kron_1d", lambda m, x, y: x.kron(y), randn(3), randn(2)),
    ("kron_mixed", lambda m, x, y: m.kron(x, y), randn(2, 2), randn(3)),
    ("baddbmm", lambda m, c, x, y: m.baddbmm(c, x, y), randn(2, 3, 5), randn(2, 3, 4),
     randn(2, 4, 5)),
    ("baddbmm_scaled", lambda m, c, x, y: c.baddbmm(x, y, beta=0.5, alpha=-1.5), randn(3, 5),
     randn(2, 3, 4), randn(2, 4, 5)),
    ("addbmm", lambda m, c, x, y: m.addbmm(c, x, y, alpha=2), randn(3, 5), randn(2, 3, 4),
     randn(2, 4, 5)),
    ("addmv", lambda m, c, x, y: m.addmv(c, x, y, beta=2), randn(3), randn(3, 4), randn(4)),
    ("addmv_beta0", lambda m, c, x, y: m.addmv(c, x, y, beta=0), randn(3), randn(3, 4),
     randn(4)),
    ("addr", lambda m, c, x, y: m.addr(c, x, y), randn(3, 4), randn(3), randn(4)),
    ("chain_matmul", lambda m, x, y, z: m.chain_matmul(x, y, z), randn(2, 3), randn(3, 4),
     randn(4, 2)),
    ("matrix_power_3", lambda m, x: m.matrix_power(x, 3), randn(3, 3)),
    ("matrix_power_0", lambda m, x: x.matrix_power(0), randn(2, 3, 3)),
    ("matrix_power_neg", lambda m, x: m.linalg.matrix_power(x, -2),
     randn(3, 3, dtype=F64) + 3 * np.eye(3)),
    ("trace", lambda m, x: m.trace(x), randn(3, 3)),
    ("trace_rect", lambda m, x: x.trace(), randn(2, 4)),
    ("trace_int", lambda m, x: x.trace(), randint(0, 5, (3, 3))),
    ("cross", lambda m, x, y: m.cross(x, y, dim=1), randn(2, 3), randn(2, 3)),
    ("cross_default_dim", lambda m, x, y: m.cross(x, y), randn(3, 4), randn(3, 4)),
    ("linalg_cross_broadcast", lambda m, x, y: m.linalg.cross(x, y), randn(2, 3), randn(1, 3)),
    ("cdist", lambda m, x, y: m.cdist(x, y), randn(4, 3), randn(5, 3)),
    ("cdist_p1", lambda m, x, y: m.cdist(x, y, p=1), randn(4, 3), randn(5, 3)),
    ("cdist_p3_batched", lambda m, x, y: m.cdist(x, y, p=3.0), randn(2, 4, 3), randn(2, 5, 3)),
    ("cdist_inf", lambda m, x, y: m.cdist(x, y, p=float("inf")), randn(4, 3), randn(2, 3)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in CONTRACTION_CASES],
                         ids=[c[0] for c in CONTRACTION_CASES])
def test_contractions(name, fn, inputs):
    check(fn, *inputs)


def test_cdist_zero_distance_gradient():
    x = randn(3, 2)
    check(lambda m, a: m.cdist(a, a), x, grad_atol=1e-4)


def _leaf(array):
    return rustorch.tensor(array, dtype=rustorch.float64, requires_grad=True)


GRADCHECK_CASES = [
    ("einsum_mm", lambda x, y: rustorch.einsum("ij,jk->ik", x, y), (3, 4), (4, 2)),
    ("einsum_diag", lambda x: rustorch.einsum("ii->i", x), (3, 3)),
    ("einsum_trace_outer", lambda x, y: rustorch.einsum("ii,j->j", x, y), (3, 3), (2,)),
    ("einsum_sum", lambda x: rustorch.einsum("ij->j", x), (3, 4)),
    ("einsum_broadcast", lambda x, y: rustorch.einsum("...ij,...jk", x, y), (2, 1, 2, 3),
     (3, 3, 2)),
    ("tensordot", lambda x, y: rustorch.tensordot(x, y, 1), (2, 3), (3, 2)),
    ("kron", lambda x, y: rustorch.kron(x, y), (2, 2), (2, 3)),
    ("matmul_batched", lambda x, y: x @ y, (2, 1, 3, 4), (3, 4, 2)),
    ("matmul_vector", lambda x, y: x @ y, (4,), (2, 4, 3)),
    ("matmul_stacked_matrix", lambda x, y: x @ y, (2, 3, 4), (4, 2)),
    ("matmul_stacked_vector", lambda x, y: x @ y, (2, 3, 4), (4,)),
    ("linear_stacked", lambda x, w, b: rustorch.nn.functional.linear(x, w, b), (2, 3, 4),
     (5, 4), (5,)),
    ("cross", lambda x, y: rustorch.linalg.cross(x, y), (2, 3), (2, 3)),
    ("cdist", lambda x, y: rustorch.cdist(x, y), (3, 2), (4, 2)),
]


@pytest.mark.parametrize("name,fn,shapes", [(c[0], c[1], c[2:]) for c in GRADCHECK_CASES],
                         ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck(name, fn, shapes):
    inputs = tuple(_leaf(randn(*shape, dtype=F64)) for shape in shapes)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_addmm_beta_zero_gives_input_a_zero_gradient():
    # PyTorch ignores input's values (NaN included) but still returns a zero gradient for it
    check(lambda m, i, a, b: m.addmm(i, a, b, beta=0, alpha=2), randn(2, 2), randn(2, 3),
          randn(3, 2))
