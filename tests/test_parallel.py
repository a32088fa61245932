"""The threaded numpy used for large arrays: results equal one-threaded numpy's, layouts are
kept, errors and floating-point flags behave as numpy's, and large tensor ops equal torch's."""
from __future__ import annotations

import multiprocessing
import warnings

import numpy as np
import pytest

import rustorch
from rustorch import _parallel
from tests._oracle import check, randn

LARGE = _parallel.MIN_ELEMENTS * 2
pn = _parallel.numpy


@pytest.fixture(autouse=True)
def two_threads(monkeypatch):
    """Two threads, and every kind of call split from ``MIN_ELEMENTS`` (cheap ufuncs and
    reductions normally wait for larger arrays): the tests stay small."""
    previous = _parallel.threads()
    _parallel.set_threads(2)
    monkeypatch.setattr(_parallel, "MIN_CHEAP_ELEMENTS", _parallel.MIN_ELEMENTS)
    monkeypatch.setattr(_parallel, "MIN_REDUCTION_ELEMENTS", _parallel.MIN_ELEMENTS)
    yield
    _parallel.set_threads(previous)


def split_calls(monkeypatch) -> list:
    """Record the ranges each threaded call is cut into."""
    calls = []
    original = _parallel.run_slabs

    def recording(function, ranges):
        calls.append(list(ranges))
        return original(function, ranges)

    monkeypatch.setattr(_parallel, "run_slabs", recording)
    return calls


def test_large_ufunc_runs_in_slabs_and_equals_numpy(monkeypatch):
    calls = split_calls(monkeypatch)
    a = randn(LARGE // 512, 512)
    b = randn(512)
    result = pn.multiply(a, b)
    assert calls and len(calls[0]) == 2
    np.testing.assert_array_equal(result, np.multiply(a, b))
    assert result.dtype == np.float32


def test_generalized_ufuncs_are_numpy_s():
    square = randn(512, 512)
    assert pn.matmul is np.matmul  # a matrix product is not elementwise: never cut in slabs
    np.testing.assert_array_equal(pn.matmul(square, square), np.matmul(square, square))


def test_cheap_ufuncs_wait_for_larger_arrays(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_CHEAP_ELEMENTS", LARGE * 4)
    calls = split_calls(monkeypatch)
    a = randn(LARGE)
    np.testing.assert_array_equal(pn.add(a, a), a + a)
    assert calls == []
    np.testing.assert_array_equal(pn.exp(a), np.exp(a))  # transcendental: split already
    assert len(calls) == 1


def test_small_calls_stay_on_one_thread(monkeypatch):
    calls = split_calls(monkeypatch)
    a = randn(64, 64)
    np.testing.assert_array_equal(pn.exp(a), np.exp(a))
    assert calls == []


def test_one_thread_setting_disables_splitting(monkeypatch):
    calls = split_calls(monkeypatch)
    rustorch.set_num_threads(1)
    try:
        assert rustorch.get_num_threads() == 1
        pn.exp(randn(LARGE))
    finally:
        rustorch.set_num_threads(2)
    assert calls == []


@pytest.mark.parametrize("operands", [
    lambda: (randn(LARGE // 256, 256), randn(LARGE // 256, 1)),  # broadcast along the split
    lambda: (randn(2, LARGE // 2), randn(LARGE // 2)),            # leading axis of length 2
    lambda: (randn(1, LARGE), randn(3, 1, 1)[0]),                 # split on the long axis
    lambda: (randn(LARGE).astype(np.int32), 2.5),                 # weak Python scalar
    lambda: (randn(LARGE), randn(LARGE).astype(np.float64)),      # promotion
    lambda: (np.arange(LARGE, dtype=np.int64), np.int16(3)),
])
def test_promotion_and_broadcasting_match_numpy(operands):
    a, b = operands()
    for name in ("add", "true_divide", "greater", "maximum"):
        expected = getattr(np, name)(a, b)
        result = getattr(pn, name)(a, b)
        assert result.dtype == expected.dtype and result.shape == expected.shape
        np.testing.assert_array_equal(result, expected)


def test_output_keeps_the_input_layout():
    channels_last = np.ascontiguousarray(randn(8, 32, 32, 64)).transpose(0, 3, 1, 2)
    assert channels_last.size >= _parallel.MIN_ELEMENTS
    result = pn.maximum(channels_last, 0)
    assert result.strides == np.maximum(channels_last, 0).strides
    np.testing.assert_array_equal(result, np.maximum(channels_last, 0))


def test_out_argument_and_in_place_updates():
    a = randn(LARGE)
    b = randn(LARGE)
    expected = a + b
    returned = pn.add(a, b, out=a)
    assert returned is a
    np.testing.assert_array_equal(a, expected)
    target = np.empty((LARGE,), np.float64)
    pn.multiply(a, 2, out=target)
    np.testing.assert_array_equal(target, (a * 2).astype(np.float64))


def test_overlapping_output_falls_back_to_numpy():
    a = np.arange(LARGE + 1, dtype=np.float32)
    expected = a.copy()
    np.add(expected[:-1], expected[1:], out=expected[1:])
    pn.add(a[:-1], a[1:], out=a[1:])
    np.testing.assert_array_equal(a, expected)


def test_numpy_errors_and_flags_are_numpy_s():
    with pytest.raises(ValueError, match="broadcast"):
        pn.add(randn(LARGE), randn(3))
    with pytest.raises(TypeError):
        pn.bitwise_and(randn(LARGE), randn(LARGE))
    values = randn(LARGE)
    values[7] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="ignore", invalid="ignore"):
            result = pn.log(values)  # errstate reaches the worker threads
    assert np.isneginf(result[7])


def test_where_matches_numpy():
    condition = randn(LARGE) > 0
    a = randn(LARGE)
    for x, y in ((a, 0.0), (1, a.astype(np.float64)), (a, randn(1))):
        expected = np.where(condition, x, y)
        result = pn.where(condition, x, y)
        assert result.dtype == expected.dtype
        np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(pn.where(condition)[0], np.where(condition)[0])


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("axis", [0, 1, -1, (0, 2), None])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(name, axis, keepdims):
    a = randn(64, 96, 48)
    expected = getattr(np, name)(a, axis=axis, keepdims=keepdims)
    result = getattr(pn, name)(a, axis=axis, keepdims=keepdims)
    assert np.shape(result) == np.shape(expected)
    assert np.asarray(result).dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-4)


def test_reductions_of_integers_and_dtypes():
    a = np.arange(LARGE, dtype=np.int32).reshape(512, -1)
    for axis in (0, 1, None):
        expected = np.sum(a, axis=axis)
        result = pn.sum(a, axis=axis)
        assert np.asarray(result).dtype == np.asarray(expected).dtype
        np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(pn.sum(a, axis=1, dtype=np.float64),
                                  np.sum(a, axis=1, dtype=np.float64))
    np.testing.assert_array_equal(pn.mean(a, axis=0), np.mean(a, axis=0))


def test_nan_propagates_through_split_max():
    a = randn(512, 1024)
    a[300, 5] = np.nan
    assert np.isnan(pn.max(a))
    assert np.isnan(pn.max(a, axis=0)[5]) and not np.isnan(pn.max(a, axis=0)[6])


def test_calls_from_workers_do_not_split_again(monkeypatch):
    calls = split_calls(monkeypatch)
    inner = []

    def slab(start, stop):
        inner.append(_parallel.worth_splitting(LARGE))

    _parallel.run_slabs(slab, _parallel.bounds(10, 2))
    assert sorted(inner) == [1, 2]  # the caller may split, the worker may not
    assert len(calls) == 1


def test_errors_in_a_slab_surface_after_every_slab_finished():
    finished = []

    def slab(start, stop):
        if start:
            raise ValueError("bad slab")
        finished.append(start)

    with pytest.raises(ValueError, match="bad slab"):
        _parallel.run_slabs(slab, _parallel.bounds(10, 2))
    assert finished == [0]


def _child_exp(queue):
    queue.put(float(pn.exp(np.zeros(LARGE, np.float32)).sum()))


def test_forked_child_gets_a_working_pool():
    pn.exp(randn(LARGE))  # the parent's pool exists before the fork
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child_exp, args=(queue,))
    process.start()
    value = queue.get(timeout=60)
    process.join(timeout=60)
    assert value == LARGE


# ----------------------------------------------------------------- large tensor ops vs torch
def test_large_elementwise_chain_and_gradients_equal_torch():
    shape = (256, 1024)
    check(lambda m, x, y: (m.sigmoid(x) * m.exp(y.tanh()) - m.relu(x)).sum(),
          randn(*shape), randn(*shape))


def test_large_reductions_equal_torch():
    check(lambda m, x: (x.sum(dim=0), x.mean(dim=1), x.amax(dim=0), x.sum()),
          randn(512, 512, dtype=np.float64), grad=False)


def test_large_max_with_indices_and_argmax_equal_torch():
    values = randn(512, 640)
    values[3, 7] = values[100, 7] = values[3:5, 9].max() + 5  # ties: the first index wins
    values[200, 11] = values[300, 11] = np.nan                # NaN wins, the first one
    for dim in (0, 1):
        check(lambda m, x: x.max(dim=dim), values)
        check(lambda m, x: x.min(dim=dim, keepdim=True), values)
        check(lambda m, x: (x.argmax(dim=dim), x.argmin(dim=dim)), values, grad=False)
    check(lambda m, x: x.transpose(0, 1).max(dim=1), values)
    check(lambda m, x: (x > 0).max(dim=0), values, grad=False)


def test_large_where_and_comparisons_equal_torch():
    check(lambda m, x, y: m.where(x > y, x, y * 2).sum(), randn(512, 512), randn(512, 512))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_whole_float_sum_equals_numpy_and_torch(dtype):
    values = randn(LARGE + 521, dtype=dtype, seed=5)  # an odd length; 13 divides it
    result = pn.sum(values)
    assert type(result) is type(np.sum(values))
    # a float sum's rounding error scales with the sum of magnitudes, not with the (cancelling)
    # result: numpy's own pairwise float32 sum is off by ~1e-5 relative here
    magnitude = np.abs(values).sum(dtype=np.float64)
    np.testing.assert_allclose(result, values.sum(dtype=np.float64), rtol=0,
                               atol=np.finfo(dtype).eps * magnitude)
    assert pn.sum(values.reshape(-1, 13), keepdims=True).shape == (1, 1)
    special = values.copy()
    special[[3, 5000]] = [np.inf, -np.inf]  # inf - inf: nan, quietly
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(rustorch.from_numpy(special).sum().item())
    special[5000] = 1.0
    assert pn.sum(special) == np.inf
    check(lambda m, x: (x.sum(), x[::3].sum(), x.view(-1, 13).sum(dim=(0, 1), keepdim=True)),
          values)
