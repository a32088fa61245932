"""Reductions and scans (rustorch/_ops/reduce_more.py, scan.py) against torch."""
import math

import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import as_numpy, check, check_error, rand, randint, randn, torch

F64 = np.float64


def _with_zeros(*shape, dtype=np.float32):
    values = randn(*shape, dtype=dtype)
    values.reshape(-1)[::3] = 0
    return values


REDUCTION_CASES = [
    ("prod_all", lambda m, x: m.prod(x), randn(3, 4)),
    ("prod_dim", lambda m, x: x.prod(1), randn(3, 4)),
    ("prod_neg_keep", lambda m, x: x.prod(-2, keepdim=True), randn(3, 4, 2)),
    ("prod_zeros_dim", lambda m, x: x.prod(1), _with_zeros(3, 5)),
    ("prod_zeros_all", lambda m, x: x.prod(), np.array([1.5, 0.0, 2.0, -3.0], np.float32)),
    ("prod_two_zeros", lambda m, x: x.prod(0), np.array([[0.0, 1.0], [0.0, 2.0]], np.float32)),
    ("prod_0d", lambda m, x: x.prod(), np.array(2.5, np.float32)),
    ("prod_empty", lambda m, x: x.prod(0), np.zeros((0, 3), np.float32)),
    ("prod_int", lambda m, x: x.prod(1), randint(-3, 4, (2, 3))),
    ("prod_dtype", lambda m, x: x.prod(0, dtype=m.float64), randn(3, 2)),
    ("prod_t", lambda m, x: x.t().prod(0), randn(3, 4)),
    ("var", lambda m, x: x.var(), randn(4, 5)),
    ("var_dim_tuple", lambda m, x: x.var((0, 2), keepdim=True), randn(3, 4, 5)),
    ("var_correction0", lambda m, x: m.var(x, 1, correction=0), randn(3, 4)),
    ("var_correction2", lambda m, x: m.var(x, -1, correction=2), randn(3, 6)),
    ("var_unbiased_false", lambda m, x: x.var(1, unbiased=False), randn(3, 4)),
    ("var_legacy_bool", lambda m, x: x.var(False), randn(3, 4)),
    ("std", lambda m, x: x.std(0), randn(5, 3)),
    ("std_f64", lambda m, x: m.std(x, dim=(0, 1)), randn(5, 3, dtype=F64)),
    ("var_mean", lambda m, x: m.var_mean(x, 1), randn(3, 4)),
    ("std_mean", lambda m, x: m.std_mean(x, (0, 1), keepdim=True, correction=0), randn(3, 4)),
    ("var_single", lambda m, x: x.var(), randn(1)),
    ("logsumexp", lambda m, x: x.logsumexp(1), randn(3, 4)),
    ("logsumexp_tuple", lambda m, x: m.logsumexp(x, (0, 2), keepdim=True), randn(3, 4, 2)),
    ("logsumexp_large", lambda m, x: x.logsumexp(0), randn(5, 2) * 1000),
    ("logsumexp_inf", lambda m, x: x.logsumexp(0),
     np.array([-np.inf, -np.inf, 1.0], np.float32)),
    ("logsumexp_int", lambda m, x: m.logsumexp(x, 0), randint(0, 5, (4,))),
    ("logsumexp_f64", lambda m, x: m.logsumexp(x, -1), randn(2, 3, dtype=F64)),
    ("norm", lambda m, x: x.norm(), randn(3, 4)),
    ("norm_p1", lambda m, x: x.norm(1, dim=1), randn(3, 4)),
    ("norm_p3", lambda m, x: m.norm(x, 3, dim=(0, 1), keepdim=True), randn(3, 4)),
    ("norm_inf", lambda m, x: x.norm(math.inf, dim=0), randn(3, 4)),
    ("norm_ninf", lambda m, x: x.norm(-math.inf, dim=0), randn(3, 4)),
    ("norm_p0", lambda m, x: x.norm(0), _with_zeros(3, 4)),
    ("norm_half", lambda m, x: x.norm(0.5, dim=-1), randn(3, 4)),
    ("norm_fro_dim", lambda m, x: m.norm(x, "fro", dim=(1, 2)), randn(2, 3, 4)),
    ("norm_nuc", lambda m, x: m.norm(x, "nuc"), randn(4, 3, dtype=F64)),
    ("norm_zero_vector", lambda m, x: x.norm(dim=1), np.zeros((2, 3), np.float32)),
    ("norm_t", lambda m, x: x.t().norm(dim=0), randn(3, 4)),
    ("nansum", lambda m, x: m.nansum(x, 1), np.array([[1.0, np.nan], [2.0, 3.0]], np.float32)),
    ("nanmean", lambda m, x: x.nanmean(0),
     np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, 1.0]], np.float32)),
    ("nanmean_all", lambda m, x: m.nanmean(x), np.array([1.0, np.nan, 4.0], np.float32)),
    ("amin_amax", lambda m, x: m.aminmax(x), randn(3, 4)),
    ("aminmax_dim", lambda m, x: m.aminmax(x, dim=1, keepdim=True), randn(3, 4)),
    ("median_all", lambda m, x: x.median(), randn(3, 5)),
    ("median_even", lambda m, x: m.median(x), randn(4)),
    ("median_dim", lambda m, x: x.median(1), randn(3, 5)),
    ("median_keep", lambda m, x: x.median(0, keepdim=True), randn(4, 3)),
    ("median_nan", lambda m, x: x.median(1),
     np.array([[1.0, np.nan, 0.0], [2.0, 1.0, 3.0]], np.float32)),
    ("nanmedian", lambda m, x: x.nanmedian(1),
     np.array([[1.0, np.nan, 0.0], [2.0, 1.0, 3.0]], np.float32)),
    ("nanmedian_all", lambda m, x: x.nanmedian(), np.array([1.0, np.nan, 0.0, 5.0], np.float32)),
    ("median_ties", lambda m, x: x.median(), np.array([1.0, 2.0, 2.0, 3.0, 2.0], np.float32)),
    ("median_int", lambda m, x: x.median(0), randint(0, 9, (5, 2))),
    ("mode", lambda m, x: x.mode(1), np.array([[1.0, 2.0, 2.0, 3.0], [5.0, 5.0, 4.0, 4.0]],
                                               np.float32)),
    ("mode_int", lambda m, x: m.mode(x, 0, keepdim=True), randint(0, 3, (7, 3))),
]


@pytest.mark.parametrize("name,fn,x", REDUCTION_CASES, ids=[c[0] for c in REDUCTION_CASES])
def test_reductions(name, fn, x):
    check(fn, x)


@pytest.mark.parametrize("dtype", [np.float16, "bfloat16"])
def test_low_precision(dtype):
    import ml_dtypes
    array = randn(3, 4).astype(ml_dtypes.bfloat16 if dtype == "bfloat16" else dtype)
    check(lambda m, x: x.prod(1), array, grad=False)
    check(lambda m, x: x.logsumexp(1), array, grad=False)


ARG_CASES = [
    ("argmax", lambda m, x: x.argmax(), randn(3, 4)),
    ("argmax_dim", lambda m, x: x.argmax(1), randn(3, 4)),
    ("argmax_keep", lambda m, x: m.argmax(x, -1, keepdim=True), randn(3, 4)),
    ("argmax_none_keep", lambda m, x: m.argmax(x, keepdim=True), randn(3, 4)),
    ("argmin", lambda m, x: x.argmin(0), randn(3, 4)),
    ("argmax_nan", lambda m, x: x.argmax(), np.array([1.0, np.nan, 3.0], np.float32)),
    ("argmax_int", lambda m, x: x.argmax(0), randint(0, 9, (4, 3))),
    ("argmax_0d", lambda m, x: x.argmax(), np.array(3.0, np.float32)),
    ("all", lambda m, x: (x > 0).all(), randn(3, 4)),
    ("all_dim", lambda m, x: (x > -1).all(1), randn(3, 4)),
    ("any_dim_keep", lambda m, x: m.any(x > 1, 0, keepdim=True), randn(3, 4)),
    ("any_float", lambda m, x: x.any(), np.array([0.0, 0.0, 1.0], np.float32)),
    ("all_tuple", lambda m, x: m.all(x > 0, dim=(0, 1)), randn(3, 4, 2)),
    ("any_empty", lambda m, x: x.any(), np.zeros((0,), np.float32)),
    ("count_nonzero", lambda m, x: m.count_nonzero(x), _with_zeros(3, 4)),
    ("count_nonzero_dim", lambda m, x: m.count_nonzero(x, dim=(0,)), _with_zeros(3, 4)),
]


@pytest.mark.parametrize("name,fn,x", ARG_CASES, ids=[c[0] for c in ARG_CASES])
def test_index_and_logical_reductions(name, fn, x):
    check(fn, x, grad=False)


SCAN_CASES = [
    ("cumsum", lambda m, x: x.cumsum(1), randn(3, 4)),
    ("cumsum_neg", lambda m, x: m.cumsum(x, -2), randn(3, 4, 2)),
    ("cumsum_int", lambda m, x: m.cumsum(x, 0), randint(0, 9, (4,), dtype=np.int32)),
    ("cumsum_dtype", lambda m, x: m.cumsum(x, 0, dtype=m.float64), randn(4, 2)),
    ("cumsum_0d", lambda m, x: m.cumsum(x, 0), np.array(2.0, np.float32)),
    ("cumsum_empty", lambda m, x: m.cumsum(x, 0), np.zeros((0, 2), np.float32)),
    ("cumsum_t", lambda m, x: x.t().cumsum(0), randn(3, 4)),
    ("cumprod", lambda m, x: x.cumprod(1), randn(3, 4)),
    ("cumprod_zeros", lambda m, x: x.cumprod(1), _with_zeros(3, 5, dtype=F64)),
    ("cumprod_two_zeros", lambda m, x: x.cumprod(0),
     np.array([2.0, 0.0, 3.0, 0.0, 4.0], np.float64)),
    ("cummax", lambda m, x: x.cummax(1), randn(3, 5)),
    ("cummin", lambda m, x: m.cummin(x, 0), randn(5, 3)),
    ("cummax_ties", lambda m, x: x.cummax(0), np.array([1.0, 3.0, 2.0, 3.0, 0.0], np.float32)),
    ("cummax_nan", lambda m, x: x.cummax(0), np.array([1.0, np.nan, 2.0], np.float32)),
    ("logcumsumexp", lambda m, x: x.logcumsumexp(1), randn(3, 5)),
    ("logcumsumexp_f64", lambda m, x: m.logcumsumexp(x, 0), randn(6, 2, dtype=F64) * 30),
    ("diff", lambda m, x: x.diff(), randn(3, 5)),
    ("diff_n2_dim0", lambda m, x: m.diff(x, n=2, dim=0), randn(5, 3)),
    ("diff_prepend", lambda m, x, p: m.diff(x, dim=1, prepend=p), randn(3, 4), randn(3, 2)),
    ("diff_append", lambda m, x, a: m.diff(x, append=a), randn(4), randn(1)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in SCAN_CASES],
                         ids=[c[0] for c in SCAN_CASES])
def test_scans(name, fn, inputs):
    check(fn, *inputs)


def test_diff_bool():
    check(lambda m, x: m.diff(x > 0), randn(6), grad=False)


def _leaf(array):
    return rustorch.tensor(array, dtype=rustorch.float64, requires_grad=True)


GRADCHECK_CASES = [
    ("prod", lambda x: x.prod(1), randn(3, 4, dtype=F64)),
    ("prod_zero", lambda x: x.prod(1), np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 1.0]])),
    ("var", lambda x: x.var(0), randn(4, 3, dtype=F64)),
    ("var_all", lambda x: x.var(correction=0), randn(4, 3, dtype=F64)),
    ("std_dims_keepdim", lambda x: x.std(dim=(0, 2), keepdim=True), randn(3, 2, 4, dtype=F64)),
    ("logsumexp", lambda x: x.logsumexp(1), randn(3, 4, dtype=F64)),
    ("norm2", lambda x: x.norm(dim=1), randn(3, 4, dtype=F64)),
    ("norm3", lambda x: x.norm(3, dim=0), randn(3, 4, dtype=F64)),
    ("norm_inf", lambda x: x.norm(math.inf), randn(3, 4, dtype=F64)),
    ("cumsum", lambda x: x.cumsum(0), randn(3, 4, dtype=F64)),
    ("cumprod", lambda x: x.cumprod(1), randn(3, 4, dtype=F64)),
    ("cumprod_zero", lambda x: x.cumprod(0), np.array([2.0, 0.0, 3.0, 0.5])),
    ("logcumsumexp", lambda x: x.logcumsumexp(1), randn(2, 4, dtype=F64)),
    ("median", lambda x: x.median(1).values, randn(3, 5, dtype=F64)),
    ("cummax", lambda x: x.cummax(1).values, randn(3, 5, dtype=F64)),
]


@pytest.mark.parametrize("name,fn,x", GRADCHECK_CASES, ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck(name, fn, x):
    assert gradcheck(fn, (_leaf(x),))
    assert gradgradcheck(fn, (_leaf(x),))


def test_prod_double_backward_with_zero_matches_torch():
    array = np.array([2.0, 0.0, 3.0, -1.0])
    results = []
    for module in (torch, rustorch):
        x = module.tensor(array, requires_grad=True)
        (grad,) = module.autograd.grad(x.prod(), x, create_graph=True)
        (second,) = module.autograd.grad((grad * module.tensor([1.0, 2.0, 3.0, 4.0],
                                                               dtype=module.float64)).sum(), x)
        results.append(as_numpy(second))
    np.testing.assert_allclose(results[1], results[0])


ERROR_CASES = [
    ("argmax_empty", lambda m: m.zeros(0).argmax()),
    ("argmax_empty_dim", lambda m: m.zeros(2, 0).argmax(1)),
    ("var_int", lambda m: m.ones(3, dtype=m.int64).var()),
    ("norm_int", lambda m: m.ones(3, dtype=m.int64).norm()),
    ("median_empty_dim", lambda m: m.zeros(2, 0).median(1)),
    ("cumsum_bad_dim", lambda m: m.zeros(2, 3).cumsum(2)),
    ("diff_0d", lambda m: m.tensor(1.0).diff()),
    ("logsumexp_bad_dim", lambda m: m.zeros(2).logsumexp(3)),
]


@pytest.mark.parametrize("name,fn", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_torch(name, fn):
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(rustorch.RusTorchError) as actual:
        fn(rustorch)
    assert isinstance(actual.value, type(expected.value).__mro__[0]) or \
        isinstance(actual.value, tuple(c for c in type(expected.value).__mro__
                                       if c.__module__ == "builtins" and c is not Exception
                                       and c is not BaseException)), \
        f"torch raised {type(expected.value)}, rustorch {type(actual.value)}"


STATISTICS_CASES = [
    ("dist", lambda m, x, y: m.dist(x, y), randn(3, 4), randn(4)),
    ("dist_p1", lambda m, x, y: x.dist(y, 1), randn(3, 4), randn(3, 4)),
    ("dist_inf", lambda m, x, y: m.dist(x, y, float("inf")), randn(5), randn(5)),
    ("cov", lambda m, x: m.cov(x), randn(3, 6)),
    ("cov_1d", lambda m, x: x.cov(), randn(6, dtype=F64)),
    ("cov_correction0", lambda m, x: m.cov(x, correction=0), randn(2, 5)),
    ("cov_weights", lambda m, x, a: m.cov(x, fweights=m.tensor([1, 2, 1, 3]), aweights=a),
     randn(3, 4, dtype=F64), rand(4, low=0.5, high=2.0, dtype=F64)),
    ("corrcoef", lambda m, x: m.corrcoef(x), randn(3, 6)),
    ("trapezoid", lambda m, y: m.trapezoid(y), randn(3, 5)),
    ("trapezoid_dx", lambda m, y: m.trapezoid(y, dx=0.5, dim=0), randn(4, 3)),
    ("trapezoid_x", lambda m, y, x: m.trapezoid(y, x), randn(2, 4), rand(4)),
    ("trapz_scalar_x", lambda m, y: m.trapz(y, dx=2.0), randn(5)),
    ("cumulative_trapezoid", lambda m, y: m.cumulative_trapezoid(y), randn(2, 5)),
    ("cumulative_trapezoid_x", lambda m, y, x: m.cumulative_trapezoid(y, x, dim=0), randn(4, 2),
     rand(4)),
]


@pytest.mark.parametrize("name,fn,inputs", [(c[0], c[1], c[2:]) for c in STATISTICS_CASES],
                         ids=[c[0] for c in STATISTICS_CASES])
def test_statistics(name, fn, inputs):
    check(fn, *inputs)


@pytest.mark.parametrize("shape,dim", [
    ((512, 640), 1), ((512, 640), 0), ((64, 40, 128), (0, 2)), ((64, 40, 128), None),
    ((300_001,), 0), ((300_001,), None), ((1000,), None),
])
@pytest.mark.parametrize("keepdim", [False, True])
def test_var_and_std_of_large_inputs_match_torch(shape, dim, keepdim):
    """Blocked, threaded variance (whole rows per block; a 1-d input in rows plus a tail)."""
    values = randn(*shape) * 3 + 5  # an offset mean: the centring must be exact per block
    check(lambda m, x: x.var(dim=dim, keepdim=keepdim), values)
    check(lambda m, x: x.std(dim=dim, keepdim=keepdim, correction=0), values)
    check(lambda m, x: m.var_mean(x.transpose(0, -1), dim=0), values)


@pytest.mark.parametrize("call", [
    lambda m: m.ones(0).min(), lambda m: m.ones(0).max(), lambda m: m.ones(0, 3).amax(),
    lambda m: m.ones(0, 3).amin(dim=0), lambda m: m.ones(0).argmax(), lambda m: m.ones(0).argmin(),
    lambda m: m.ones(0, 3).max(0),
])
def test_empty_reductions_raise_torch_builtin(call):
    check_error(call)


# ----------------------------------------------------------------- nansum / nanmean types
@pytest.mark.parametrize("call", [
    lambda m: m.nansum(m.ones(3, dtype=m.complex64)),
    lambda m: m.nanmean(m.ones(2, 3, dtype=m.complex128), 1),
    lambda m: m.ones(3, dtype=m.complex64).nansum(0),
    lambda m: m.nansum(m.ones(3), dtype=m.complex64),
    lambda m: m.nanmean(m.ones(3), dtype=m.complex128),
    lambda m: m.nansum(m.ones(3), 0, out=m.empty(0, dtype=m.complex64)),
    lambda m: m.nanmean(m.ones(3, dtype=m.float64), 0, out=m.empty(0, dtype=m.complex128)),
    lambda m: m.nanmean(m.arange(3)),
], ids=["complex", "nanmean_complex", "method", "complex_dtype", "nanmean_complex_dtype",
        "complex_out", "nanmean_complex_out", "nanmean_int"])
def test_nansum_has_no_complex_kernel(call):
    """PyTorch refuses complex NaN-skipping sums (RuntimeError for a complex input,
    NotImplementedError for a float sum in a complex type), with the same messages."""
    check_error(call)
    messages = []
    for m in (torch, rustorch):
        with pytest.raises(Exception) as caught:
            call(m)
        # the device sweep runs rustorch on CUDA, whose kernel names say so
        messages.append(str(caught.value).split(";")[0].replace("CUDA", "CPU")
                        .replace("cuda", "cpu"))
    assert messages[0] == messages[1]


def test_nansum_of_integers_into_complex_out_like_torch():
    """Integers have no NaN: their nansum is a sum, which may land in a complex out."""
    def run(m, x):
        out = m.empty(0, dtype=m.complex64)
        m.nansum(x, 0, out=out)
        return out

    check(run, randint(0, 5, (3, 2)), grad=False)
