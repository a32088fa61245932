"""torch.histogramdd (rustorch/_ops/histogramdd.py), against torch."""
import numpy as np
import pytest

from tests._oracle import assert_close, check_error, randn, rustorch, to_rustorch, to_torch, torch


def _tensor(m, array):
    """``array`` as a tensor of ``m`` (rustorch's on the test device)."""
    return to_torch(array) if m is torch else to_rustorch(array)


def _both(call, *arrays):
    """``call(m, *tensors)`` in both frameworks, compared (hist and every bin edge)."""
    results = [call(m, *[_tensor(m, array) for array in arrays])
               for m in (torch, rustorch)]
    expected, actual = results
    assert type(actual).__name__ == "histogramdd" and actual._fields == ("hist", "bin_edges")
    assert isinstance(actual.bin_edges, tuple)
    assert_close(actual.hist, expected.hist, what="hist")
    # torch's compiled linspace may fuse a multiply-add: edges agree to the last bit or so
    assert_close(list(actual.bin_edges), list(expected.bin_edges), rtol=1e-6, atol=0,
                 what="bin_edges")
    return actual


POINTS = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0]], dtype=np.float32)


@pytest.mark.parametrize("kwargs", [
    {"bins": 3}, {"bins": [2, 3]}, {"bins": (4, 1)},
    {"bins": [2, 2], "range": [0.0, 1.0, 0.0, 1.0]},
    {"bins": 2, "range": (0, 1, 0, 1), "density": True}, {"bins": [3, 3], "density": True},
    {"bins": 5, "range": [-1.0, 3.0, 0.5, 0.5]},
])
def test_histogramdd_counts(kwargs):
    _both(lambda m, x: m.histogramdd(x, **kwargs), POINTS)
    _both(lambda m, x: m.histogramdd(x, **kwargs), POINTS.astype(np.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histogramdd_random_points_weights_and_density(dtype):
    points = randn(50, 3, dtype=dtype)
    weight = np.abs(randn(50, dtype=dtype))
    _both(lambda m, x: m.histogramdd(x, 4), points)
    _both(lambda m, x, w: m.histogramdd(x, [3, 4, 5], weight=w), points, weight)
    _both(lambda m, x, w: m.histogramdd(x, 3, weight=w, density=True), points, weight)
    _both(lambda m, x: m.histogramdd(x, [2, 3, 2], range=[-1, 1, -2, 2, 0, 1]), points)
    batched, batched_weight = randn(4, 6, 2, dtype=dtype), np.abs(randn(4, 6, dtype=dtype))
    _both(lambda m, x, w: m.histogramdd(x, 3, weight=w), batched, batched_weight)
    # values on the evenly spaced edges land in the same bins as torch's
    grid = (np.arange(40, dtype=dtype) / 13).reshape(20, 2)
    _both(lambda m, x: m.histogramdd(x, [7, 9]), grid)
    _both(lambda m, x: m.histogramdd(x, [7, 3], range=[0.1, 2.9, 0.3, 1.7]), grid)


def test_histogramdd_with_edge_tensors():
    edges = [np.array([0.0, 1.0, 2.0], dtype=np.float32),
             np.array([0.0, 0.5, 3.0], dtype=np.float32)]
    _both(lambda m, x, a, b: m.histogramdd(x, [a, b]), POINTS, *edges)
    _both(lambda m, x, a, b: m.histogramdd(x, (a, b), density=True), POINTS, *edges)
    _both(lambda m, x, a, b: m.histogramdd(x, [a, b], range=[0.0, 1.0, 0.0, 1.0]), POINTS,
          *edges)
    for m in (torch, rustorch):
        first = m.tensor([0.0, 1.0, 2.0])
        assert m.histogramdd(_tensor(m, POINTS), [first, m.tensor([0.0, 1.0])]).bin_edges[0] \
            is first


def test_histogramdd_special_inputs():
    _both(lambda m, x: m.histogramdd(x, 2), np.ones((3, 2), dtype=np.float32))
    _both(lambda m, x: m.histogramdd(x, 2), np.zeros((0, 2), dtype=np.float32))
    _both(lambda m, x: m.histogramdd(x, 2, density=True), np.zeros((0, 2), dtype=np.float32))
    _both(lambda m, x: m.histogramdd(x, 2), np.array([[1.0], [2.0]], dtype=np.float32))
    _both(lambda m, x: m.histogramdd(x, 2), np.zeros((3, 0), dtype=np.float32))
    outside = np.array([[5.0, 1.0], [0.0, 1.0], [np.nan, 0.5]], dtype=np.float32)
    _both(lambda m, x: m.histogramdd(x, 2, range=[0.0, 1.0, 0.0, 1.0]), outside)
    _both(lambda m, x: m.histogramdd(x, [m.tensor([0.0, 1.0, 2.0]), m.tensor([0.0, 2.0])]),
          outside)


def test_histogramdd_is_not_differentiable_like_torch():
    for m in (torch, rustorch):
        x = _tensor(m, POINTS).requires_grad_()
        result = m.histogramdd(x, 2)
        assert result.hist.requires_grad and result.bin_edges[0].requires_grad
        assert not m.histogramdd(x.detach(), 2).hist.requires_grad
        weighted = m.histogramdd(x.detach(), 2, weight=m.ones(4, requires_grad=True))
        assert weighted.hist.requires_grad
    check_error(lambda m: m.histogramdd(
        _tensor(m, POINTS).requires_grad_(), 2).hist.sum().backward())
    check_error(lambda m: m.histogramdd(
        _tensor(m, POINTS).requires_grad_(), 2).bin_edges[1].sum().backward())
    check_error(lambda m: m.histogramdd(_tensor(m, POINTS), [
        m.tensor([0.0, 3.0], requires_grad=True), m.tensor([0.0, 3.0])]).hist.sum().backward())


@pytest.mark.parametrize("call", [
    lambda m, x: m.histogramdd(m.tensor([1.0, 2.0]), 3),
    lambda m, x: m.histogramdd(m.tensor(1.0), 2),
    lambda m, x: m.histogramdd(m.tensor([[1, 2]]), 3),
    lambda m, x: m.histogramdd(x.half(), 2),
    lambda m, x: m.histogramdd(x, [2, 2, 2]),
    lambda m, x: m.histogramdd(x, 0),
    lambda m, x: m.histogramdd(x, [-1, 2]),
    lambda m, x: m.histogramdd(x, 2.0),
    lambda m, x: m.histogramdd(x, True),
    lambda m, x: m.histogramdd(x, 2, range=[1.0, 0.0, 0.0, 1.0]),
    lambda m, x: m.histogramdd(x, 2, range=[0.0, 1.0]),
    lambda m, x: m.histogramdd(x, 2, weight=m.ones(3)),
    lambda m, x: m.histogramdd(x, 2, weight=m.ones(4, dtype=m.float64)),
    lambda m, x: m.histogramdd(x, [m.tensor([0.0, 1.0], dtype=m.float64), m.tensor([0.0, 1.0])]),
    lambda m, x: m.histogramdd(x, [m.tensor([0, 1]), m.tensor([0, 1])]),
    lambda m, x: m.histogramdd(x, [m.tensor([0.0]), m.tensor([0.0, 1.0])]),
    lambda m, x: m.histogramdd(x, [m.tensor([[0.0, 1.0]]), m.tensor([0.0, 1.0])]),
    lambda m, x: m.histogramdd(m.tensor([[float("nan"), 1.0], [0.0, 1.0]]), 2),
    lambda m, x: m.histogramdd(m.tensor([[float("inf"), 1.0], [0.0, 1.0]]), 2),
])
def test_histogramdd_errors(call):
    check_error(lambda m: call(m, _tensor(m, POINTS)))
