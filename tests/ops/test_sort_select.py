"""Sorting and selection (rustorch/_ops/sort_select.py) against torch."""
import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import as_numpy, check_error, check, randint, randn, to_rustorch, torch

F64 = np.float64
TIES = np.array([[3.0, 1.0, 3.0, 2.0, 1.0], [0.0, 0.0, 5.0, -1.0, 5.0]], np.float32)
WITH_NAN = np.array([[3.0, np.nan, 1.0, 2.0], [0.5, 2.0, np.nan, -1.0]], np.float32)

SORT_CASES = [
    ("sort", lambda m, x: x.sort(), randn(3, 5)),
    ("sort_dim0", lambda m, x: m.sort(x, 0), randn(4, 3)),
    ("sort_desc", lambda m, x: x.sort(descending=True), randn(3, 5)),
    ("sort_stable_ties", lambda m, x: m.sort(x, stable=True), TIES),
    ("sort_stable_ties_desc", lambda m, x: m.sort(x, descending=True, stable=True), TIES),
    ("sort_nan", lambda m, x: x.sort(1), WITH_NAN),
    ("sort_nan_desc", lambda m, x: x.sort(1, descending=True), WITH_NAN),
    ("sort_int", lambda m, x: x.sort(0), randint(0, 5, (6, 2))),
    ("sort_0d", lambda m, x: x.sort(), np.array(1.5, np.float32)),
    ("sort_empty", lambda m, x: x.sort(), np.zeros((2, 0), np.float32)),
    ("sort_t", lambda m, x: x.t().sort(), randn(3, 4)),
    ("sort_f64", lambda m, x: x.sort(-2), randn(3, 4, 2, dtype=F64)),
    ("argsort", lambda m, x: x.argsort(dim=1, stable=True), TIES),
    ("argsort_desc", lambda m, x: m.argsort(x, descending=True, stable=True), TIES),
    ("msort", lambda m, x: m.msort(x), randn(4, 3)),
    ("topk", lambda m, x: x.topk(2), randn(3, 5)),
    ("topk_smallest", lambda m, x: x.topk(3, dim=0, largest=False), randn(5, 3)),
    ("topk_zero", lambda m, x: x.topk(0), randn(3, 5)),
    ("topk_full", lambda m, x: m.topk(x, 4), randn(2, 4)),
    ("kthvalue", lambda m, x: x.kthvalue(2), randn(3, 5)),
    ("kthvalue_dim_keep", lambda m, x: m.kthvalue(x, 3, 0, keepdim=True), randn(4, 3)),
    ("kthvalue_1d", lambda m, x: x.kthvalue(1), randn(6)),
]


@pytest.mark.parametrize("name,fn,x", SORT_CASES, ids=[c[0] for c in SORT_CASES])
def test_sort_family(name, fn, x):
    check(fn, x)


@pytest.mark.parametrize("args", [(2,), (2, 1), (2, -1), (2, 1, True), (2, -1, True),
                                  (5, 0, True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kthvalue_3d_dims_match_torch(args, dtype):
    # the OpInfo samples of shape (5, 5, 5) (regression check for dim/keepdim handling)
    check(lambda m, x: m.kthvalue(x, *args), randn(5, 5, 5, dtype=dtype))


@pytest.mark.parametrize("args", [(2,), (2, 1), (3, 0, True)])
def test_kthvalue_int64_ties(args):
    # with repeated values torch's index choice is implementation-defined (its quickselect is
    # not stable): values must match, and the indices must point at the k-th value
    data = np.random.default_rng(0).integers(-3, 3, (5, 5, 5))
    expected = torch.kthvalue(torch.from_numpy(data), *args)
    actual = rustorch.kthvalue(to_rustorch(data), *args)
    np.testing.assert_array_equal(as_numpy(actual.values), expected.values.numpy())
    dim = args[1] if len(args) > 1 else -1
    keepdim = len(args) > 2 and args[2]
    indices = as_numpy(actual.indices) if keepdim else np.expand_dims(as_numpy(actual.indices), dim)
    values = as_numpy(actual.values) if keepdim else np.expand_dims(as_numpy(actual.values), dim)
    np.testing.assert_array_equal(np.take_along_axis(data, indices, axis=dim), values)


def test_sort_namedtuple_fields():
    result = rustorch.tensor([3.0, 1.0, 2.0]).sort()
    assert type(result).__name__ == "sort"
    assert result.values.tolist() == [1.0, 2.0, 3.0] and result.indices.tolist() == [1, 2, 0]
    top = rustorch.tensor([3.0, 1.0, 2.0]).topk(1)
    assert top.indices.tolist() == [0]


QUANTILE_CASES = [
    ("q_scalar", lambda m, x: m.quantile(x, 0.3), randn(7)),
    ("q_dim", lambda m, x: x.quantile(0.75, dim=1), randn(3, 6)),
    ("q_dim_keep", lambda m, x: x.quantile(0.5, dim=0, keepdim=True), randn(5, 3)),
    ("q_tensor", lambda m, x: x.quantile(m.tensor([0.1, 0.5, 0.9]), dim=1), randn(3, 6)),
    ("q_tensor_keep", lambda m, x: x.quantile(m.tensor([0.2, 0.8]), dim=-1, keepdim=True),
     randn(2, 3, 5)),
    ("q_tensor_none_keep", lambda m, x: x.quantile(m.tensor([0.2, 0.8]), keepdim=True),
     randn(2, 3)),
    ("q_0d_tensor", lambda m, x: x.quantile(m.tensor(0.4)), randn(5)),
    ("q_f64", lambda m, x: m.quantile(x, 0.33, dim=0), randn(6, 2, dtype=F64)),
    ("q_nan", lambda m, x: x.quantile(0.5, dim=1), WITH_NAN),
    ("nanquantile", lambda m, x: x.nanquantile(0.5, dim=1), WITH_NAN),
    ("nanquantile_all_nan", lambda m, x: x.nanquantile(0.5, dim=0),
     np.array([[np.nan, 1.0], [np.nan, 2.0]], np.float32)),
    ("q_0d_input", lambda m, x: x.quantile(0.5), np.array(2.0, np.float32)),
]


@pytest.mark.parametrize("name,fn,x", QUANTILE_CASES, ids=[c[0] for c in QUANTILE_CASES])
def test_quantile(name, fn, x):
    check(fn, x)


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("q", [0.0, 0.25, 0.5, 0.6, 1.0])
def test_quantile_interpolation(interpolation, q):
    check(lambda m, x: x.quantile(q, dim=1, interpolation=interpolation), randn(3, 5))
    check(lambda m, x: x.quantile(q, interpolation=interpolation), randn(4))


SEARCH_CASES = [
    ("searchsorted", lambda m, s, v: m.searchsorted(s, v),
     np.array([1.0, 3.0, 5.0, 7.0], np.float32), np.array([0.0, 3.0, 6.0, 9.0], np.float32)),
    ("searchsorted_right", lambda m, s, v: m.searchsorted(s, v, right=True),
     np.array([1.0, 3.0, 3.0, 7.0], np.float32), np.array([3.0, 7.0, 8.0], np.float32)),
    ("searchsorted_side", lambda m, s, v: m.searchsorted(s, v, side="right", out_int32=True),
     np.array([1.0, 3.0, 3.0, 7.0], np.float32), np.array([[3.0], [0.0]], np.float32)),
    ("searchsorted_batched", lambda m, s, v: m.searchsorted(s, v),
     np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]], np.float32),
     np.array([[3.0, 6.0], [1.0, 5.0]], np.float32)),
    ("searchsorted_batched_right", lambda m, s, v: m.searchsorted(s, v, right=True),
     np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]], np.float32),
     np.array([[3.0, 6.0], [1.0, 4.0]], np.float32)),
    ("searchsorted_sorter", lambda m, s, v: m.searchsorted(s, v, sorter=s.argsort()),
     np.array([5.0, 1.0, 3.0], np.float32), np.array([2.0, 4.0], np.float32)),
    ("bucketize", lambda m, b, x: m.bucketize(x, b),
     np.array([1.0, 3.0, 5.0], np.float32), np.array([[0.0, 3.0], [4.0, 9.0]], np.float32)),
    ("bucketize_right", lambda m, b, x: m.bucketize(x, b, right=True),
     np.array([1.0, 3.0, 5.0], np.float32), np.array([1.0, 3.0, 5.0], np.float32)),
]


@pytest.mark.parametrize("name,fn,a,b", SEARCH_CASES, ids=[c[0] for c in SEARCH_CASES])
def test_searchsorted(name, fn, a, b):
    check(fn, a, b, grad=False)


def test_searchsorted_scalar():
    check(lambda m, s: m.searchsorted(s, 4.0), np.array([1.0, 3.0, 5.0], np.float32),
          grad=False)


UNIQUE_DATA = np.array([[2, 1, 2], [3, 1, 1], [2, 1, 2]], np.int64)
UNIQUE_CASES = [
    ("unique", lambda m, x: m.unique(x)),
    ("unique_inverse", lambda m, x: m.unique(x, return_inverse=True)),
    ("unique_counts", lambda m, x: x.unique(return_counts=True)),
    ("unique_all", lambda m, x: m.unique(x, return_inverse=True, return_counts=True)),
    ("unique_dim0", lambda m, x: m.unique(x, dim=0, return_inverse=True, return_counts=True)),
    ("unique_dim1", lambda m, x: m.unique(x, dim=1)),
    ("unique_consecutive", lambda m, x: m.unique_consecutive(x.flatten())),
    ("unique_consecutive_all", lambda m, x: m.unique_consecutive(
        x, return_inverse=True, return_counts=True)),
    ("unique_consecutive_dim", lambda m, x: m.unique_consecutive(
        x, dim=0, return_inverse=True, return_counts=True)),
]


@pytest.mark.parametrize("name,fn", UNIQUE_CASES, ids=[c[0] for c in UNIQUE_CASES])
def test_unique(name, fn):
    check(fn, UNIQUE_DATA, grad=False)


def test_unique_float():
    check(lambda m, x: m.unique(x, return_counts=True),
          np.array([1.5, -1.0, 1.5, 0.0], np.float32), grad=False)


def _leaf(array):
    return rustorch.tensor(array, dtype=rustorch.float64, requires_grad=True)


GRADCHECK_CASES = [
    ("sort", lambda x: x.sort(1, descending=True).values),
    ("topk", lambda x: x.topk(2, dim=0).values),
    ("kthvalue", lambda x: x.kthvalue(2, 1).values),
    ("quantile", lambda x: x.quantile(rustorch.tensor([0.3, 0.7], dtype=rustorch.float64),
                                      dim=1)),
    ("quantile_midpoint", lambda x: x.quantile(0.5, interpolation="midpoint")),
]


@pytest.mark.parametrize("name,fn", GRADCHECK_CASES, ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck(name, fn):
    x = randn(4, 5, dtype=F64)
    assert gradcheck(fn, (_leaf(x),))
    assert gradgradcheck(fn, (_leaf(x),))


ERROR_CASES = [
    ("topk_too_big", lambda m: m.zeros(3).topk(4)),
    ("kthvalue_zero", lambda m: m.zeros(3).kthvalue(0)),
    ("quantile_q_range", lambda m: m.zeros(3).quantile(1.5)),
    ("quantile_int", lambda m: m.zeros(3, dtype=m.int64).quantile(0.5)),
    ("quantile_interp", lambda m: m.zeros(3).quantile(0.5, interpolation="bogus")),
    ("quantile_empty", lambda m: m.zeros(0).quantile(0.5)),
    ("sort_bad_dim", lambda m: m.zeros(3).sort(1)),
    ("searchsorted_shape", lambda m: m.searchsorted(m.zeros(2, 3), m.zeros(3, 1))),
    ("searchsorted_side", lambda m: m.searchsorted(m.zeros(3), m.zeros(1), side="middle")),
    ("bucketize_2d", lambda m: m.bucketize(m.zeros(2), m.zeros(2, 2))),
]


@pytest.mark.parametrize("name,fn", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_torch(name, fn):
    check_error(fn)


def test_out_arguments():
    x = randn(3, 4)
    values, indices = rustorch.empty(0), rustorch.empty(0, dtype=rustorch.int64)
    result = rustorch.sort(to_rustorch(x), 1, out=(values, indices))
    assert result.values is values and result.indices is indices
    expected = torch.sort(torch.from_numpy(x.copy()), 1)
    np.testing.assert_allclose(as_numpy(values), expected.values.numpy())
    np.testing.assert_array_equal(as_numpy(indices), expected.indices.numpy())
    target = rustorch.empty(3)
    assert rustorch.quantile(to_rustorch(x), 0.5, dim=1, out=target) is target
    np.testing.assert_allclose(as_numpy(target), np.quantile(x, 0.5, axis=1), rtol=1e-6, atol=1e-6)
