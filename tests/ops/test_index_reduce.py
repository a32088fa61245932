"""index_reduce, as_strided_scatter and nonzero_static (rustorch/_ops/index_reduce.py), against
torch."""
import warnings

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import (ON_CPU, assert_close, check, check_error, randn, rustorch,
                           to_rustorch, torch)

pytestmark = pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")

INDEX = np.array([0, 2, 0, 1, 2, 0], dtype=np.int64)


def _index(m, values=INDEX, dtype=None):
    return m.tensor(values) if dtype is None else m.tensor(values.astype(dtype))


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_matches_torch(reduce, include_self):
    kwargs = {"include_self": include_self}
    check(lambda m, x, s: m.index_reduce(x, 0, _index(m), s, reduce, **kwargs),
          randn(4, 3), randn(6, 3))
    check(lambda m, x, s: x.index_reduce(1, _index(m), s, reduce, **kwargs),
          randn(2, 3, 4, dtype=np.float64), randn(2, 6, 4, dtype=np.float64))
    check(lambda m, x, s: m.index_reduce(x, -1, _index(m, dtype=np.int32), s, reduce, **kwargs),
          randn(2, 3), randn(2, 6), grad=include_self)
    if not include_self:  # torch's formula index_fills with the index, which must be int64
        check_error(lambda m: m.index_reduce(
            m.ones(3, requires_grad=True), 0, m.tensor([0, 2], dtype=m.int32), m.ones(2), reduce,
            include_self=False).sum().backward())


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_gradients_with_ties_and_zeros(reduce, include_self):
    base = np.array([[1.0, 0.0, 3.0], [2.0, 5.0, 0.0], [4.0, 4.0, 4.0], [7.0, 1.0, 2.0]])
    source = np.array([[2.0, 0.0, 3.0], [7.0, 5.0, 1.0], [4.0, 9.0, 4.0], [1.0, 1.0, 1.0],
                       [0.0, 4.0, 3.0]])
    index = np.array([0, 2, 0, 1, 0], dtype=np.int64)
    for dtype in (np.float32, np.float64):
        check(lambda m, x, s: m.index_reduce(x, 0, _index(m, index), s, reduce,
                                             include_self=include_self),
              base.astype(dtype), source.astype(dtype))


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_gradcheck(reduce, include_self):
    x = rustorch.randn(4, 3, dtype=rustorch.float64, requires_grad=True)
    source = rustorch.randn(5, 3, dtype=rustorch.float64, requires_grad=True)
    index = rustorch.tensor([0, 2, 0, 1, 0])

    def call(a, b):
        return rustorch.index_reduce(a, 0, index, b, reduce, include_self=include_self)
    assert gradcheck(call, (x, source))
    if reduce in ("prod", "mean"):
        assert gradgradcheck(call, (x, source))


def test_index_reduce_integer_half_and_scalar_cases():
    for values in (np.array([7, -8, 1]), np.array([7, -8, 1], dtype=np.int32)):
        source = np.array([2, 3, -1, 4], dtype=values.dtype)
        for reduce in ("prod", "mean", "amax", "amin"):
            for include_self in (True, False):
                check(lambda m, x, s: m.index_reduce(x, 0, m.tensor([0, 1, 1, 0]), s, reduce,
                                                     include_self=include_self),
                      values, source)
    # CuPy has no bfloat16 arrays (tests/conftest.py skips bfloat16 parametrizations there)
    bfloat16 = ("bfloat16",) if ON_CPU or rustorch.cuda.is_bf16_supported() else ()
    for dtype in ("float16",) + bfloat16:
        results = [m.index_reduce(m.ones(3, 2, dtype=getattr(m, dtype)), 0, m.tensor([0, 0, 2]),
                                  m.full((3, 2), 3.0, dtype=getattr(m, dtype)), "mean")
                   for m in (torch, rustorch)]
        assert_close(results[1], results[0])
    check(lambda m, x, s: m.index_reduce(x, 0, m.tensor([0]), s, "prod"),
          np.array(2.0, dtype=np.float32), np.array(3.0, dtype=np.float32))
    check(lambda m, x, s: m.index_reduce(x, 0, m.tensor(1), s, "amax"),
          randn(2), randn(1))
    check(lambda m, x, s: m.index_reduce(x, 0, m.tensor([], dtype=m.int64), s, "amin"),
          randn(3, 2), randn(0, 2))
    nan_source = np.array([np.nan, 2.0], dtype=np.float32)
    check(lambda m, x, s: m.index_reduce(x, 0, m.tensor([0, 0]), s, "amax"),
          np.array([1.0, 5.0], dtype=np.float32), nan_source, grad=False)


def test_index_reduce_in_place_and_out():
    base, source = randn(4, 3), randn(6, 3)
    for reduce in ("prod", "amax"):
        expected = torch.from_numpy(base.copy())
        actual = to_rustorch(base)
        assert expected.index_reduce_(0, _index(torch), torch.from_numpy(source), reduce) \
            is expected
        assert actual.index_reduce_(0, _index(rustorch), to_rustorch(source), reduce) \
            is actual
        assert_close(actual, expected)
    check(lambda m, x, s: (x * 1).index_reduce_(0, _index(m), s, "mean", include_self=False),
          base, source)
    check(lambda m, x, s: m.index_reduce(x, 0, _index(m), s, "amin", out=m.empty(4, 3)),
          base, source, grad=False)
    assert not hasattr(rustorch, "index_reduce_") and not hasattr(torch, "index_reduce_")
    check_error(lambda m: m.ones(2, requires_grad=True).index_reduce_(
        0, m.tensor([0]), m.ones(1), "prod"))


def test_index_reduce_warns_once_like_torch():
    from rustorch import _warn_once
    _warn_once._warned.discard("index_reduce() is in beta and the API may change at any time.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            rustorch.index_reduce(rustorch.ones(2), 0, rustorch.tensor([0]), rustorch.ones(1),
                                  "prod")
    assert [str(w.message) for w in caught] == [
        "index_reduce() is in beta and the API may change at any time."]


@pytest.mark.parametrize("call", [
    lambda m: m.index_reduce(m.zeros(3, 3), 0, m.tensor([0, 1]), m.ones(2, 3), "sum"),
    lambda m: m.index_reduce(m.zeros(3, 3), 0, m.tensor([0.0, 1.0]), m.ones(2, 3), "prod"),
    lambda m: m.index_reduce(m.zeros(3, 3), 0, m.tensor([[0, 1]]), m.ones(2, 3), "prod"),
    lambda m: m.index_reduce(m.zeros(3, 3), 0, m.tensor([-1, 1]), m.ones(2, 3), "prod"),
    lambda m: m.index_reduce(m.zeros(3, 3), 0, m.tensor([3, 1]), m.ones(2, 3), "prod"),
    lambda m: m.index_reduce(m.zeros(3, 3), 0, m.tensor([0, 1]), m.ones(2, 3).double(),
                             "prod"),
    lambda m: m.index_reduce(m.zeros(3, 3), 0, m.tensor([0, 1]), m.ones(2, 2), "prod"),
    lambda m: m.index_reduce(m.zeros(3, 3), 0, m.tensor([0, 1, 2]), m.ones(2, 3), "prod"),
    lambda m: m.index_reduce(m.zeros(3, 3), 0, m.tensor([0, 1]), m.ones(2, 3, 1), "prod"),
    lambda m: m.index_reduce(m.zeros(3, 3), 2, m.tensor([0, 1]), m.ones(2, 3), "prod"),
    lambda m: m.index_reduce(m.tensor(2.0), 0, m.tensor([0, 0]), m.ones(2), "prod"),
    lambda m: m.index_reduce(m.ones(2), 0, m.tensor(1), m.tensor(3.0), "amax"),
    lambda m: m.index_reduce(m.tensor([True]), 0, m.tensor([0]), m.tensor([False]), "amax"),
    lambda m: m.index_reduce(m.ones(1, dtype=m.complex64), 0, m.tensor([0]),
                             m.ones(1, dtype=m.complex64), "prod"),
])
def test_index_reduce_errors(call):
    check_error(call)


# ----------------------------------------------------------------- as_strided_scatter
@pytest.mark.parametrize("shape, src_shape, size, stride, offset", [
    ((3, 3), (2, 2), (2, 2), (1, 2), 0), ((3, 3), (2, 2), (2, 2), (1, 2), 1),
    ((3, 3), (2, 2), (2, 2), (2, 1), None), ((6,), (2, 2), (2, 2), (3, 1), 1),
    ((2, 3, 4), (3, 2), (3, 2), (8, 1), 5), ((4,), (), (), (), 2),
    ((3,), (0, 2), (0, 2), (1, 1), 0),
])
def test_as_strided_scatter_matches_torch(shape, src_shape, size, stride, offset):
    # torch's gradient for ``input`` passes at the overwritten positions (its own gradcheck
    # refuses it); rustorch keeps that rule, and the forward and src's gradient are exact
    check(lambda m, x, s: m.as_strided_scatter(x, s, size, stride, offset),
          randn(*shape, dtype=np.float64), randn(*src_shape, dtype=np.float64))
    check(lambda m, x, s: x.as_strided_scatter(s, size, stride, storage_offset=offset),
          randn(*shape), randn(*src_shape))


def test_as_strided_scatter_layouts_dtypes_and_overlap():
    # the copy is laid out as clone() lays out the input: a transposed input keeps its strides
    check(lambda m, x, s: m.as_strided_scatter(x.t(), s, (2,), (1,), 0),
          randn(2, 3), randn(2), grad=False)
    check(lambda m, x, s: m.as_strided_scatter(x[:, ::2], s, (2,), (1,), 1),
          randn(3, 4), randn(2), grad=False)
    check(lambda m, x, s: m.as_strided_scatter(x[4:], s, (2,), (2,)), randn(10), randn(2),
          grad=False)
    check(lambda m, x, s: m.as_strided_scatter(x, s, (2, 2), (3, 1)), randn(6),
          randn(2, 2, dtype=np.float64), grad=False)
    check(lambda m, x, s: m.as_strided_scatter(x, s, (2, 2), (3, 1)), np.arange(6),
          np.arange(4).reshape(2, 2) + 10)
    # overlapping positions: the last write wins, as torch's sequential copy
    check(lambda m, x, s: m.as_strided_scatter(x, s, (2, 2), (1, 1)), randn(6), randn(2, 2),
          grad=False)
    # the rest of the input's storage is copied too, strides and offset kept
    check(lambda m, x, s: m.as_strided_scatter(x[:, ::2], s, (6,), (1,), 0), randn(3, 4),
          randn(6), grad=False)
    check(lambda m, x, s: m.as_strided_scatter(x.t(), s, (6,), (1,), 0), randn(3, 4),
          randn(6), grad=False)
    check(lambda m, x, s: m.as_strided_scatter(x[1:], s, (2,), (1,), 0), randn(3, 4),
          randn(2), grad=False)
    check(lambda m, x, s: m.as_strided_scatter(x[1:], s, (2,), (1,)), randn(3, 4),
          randn(2), grad=False)
    check(lambda m, x, s: m.as_strided_scatter(x[:, None].expand(3, 3), s, (2,), (1,), 0),
          randn(3), randn(2), grad=False)
    for m in (torch, rustorch):
        result = m.as_strided_scatter(m.zeros(3, 4)[1:], m.ones(2), (2,), (1,))
        assert result.stride() == (4, 1) and result.storage_offset() == 4


def test_as_strided_scatter_gradcheck_for_src():
    x = rustorch.randn(3, 3, dtype=rustorch.float64)
    source = rustorch.randn(2, 2, dtype=rustorch.float64, requires_grad=True)
    assert gradcheck(lambda s: rustorch.as_strided_scatter(x, s, (2, 2), (1, 2), 1), (source,))
    assert gradgradcheck(lambda s: rustorch.as_strided_scatter(x, s, (2, 2), (1, 2), 1),
                         (source,))


def test_as_strided_scatter_gradient_of_a_view_input():
    # an omitted storage_offset means the input's own one forward, 0 for the gradient
    check(lambda m, b, s: m.as_strided_scatter((b * 1)[1:], s, (2, 2), (1, 2)),
          randn(3, 4, dtype=np.float64), randn(2, 2, dtype=np.float64))
    check_error(lambda m: m.as_strided_scatter(
        (m.ones(3, 4, dtype=m.float64, requires_grad=True) * 1)[1:],
        m.ones(2, 2, dtype=m.float64), (2, 2), (1, 2), 5).sum().backward())


@pytest.mark.parametrize("call", [
    lambda m: m.as_strided_scatter(m.zeros(6), m.ones(2, 2), (2, 2), (0, 1)),
    lambda m: m.as_strided_scatter(m.zeros(6), m.ones(2, 2), (2, 2), (3, 1), 3),
    lambda m: m.as_strided_scatter(m.zeros(6), m.ones(3), (2, 2), (3, 1)),
    lambda m: m.as_strided_scatter(m.zeros(6), m.ones(2), (2, 2), (3, 1)),
    lambda m: m.as_strided_scatter(m.zeros(6), m.ones(2), (2,), (-1,), 3),
    lambda m: m.as_strided_scatter(m.zeros(6), m.ones(2), (2,), (1, 1)),
    lambda m: m.as_strided_scatter(m.zeros(6), m.ones(2), (2,), (1,), -1),
    lambda m: m.as_strided_scatter(m.zeros(3, 2).t().requires_grad_(), m.ones(2), (2,), (1,)),
])
def test_as_strided_scatter_errors(call):
    check_error(call)


# ----------------------------------------------------------------- nonzero_static
@pytest.mark.parametrize("values, size, fill_value", [
    (np.array([[0, 1], [2, 0]]), 3, -1), (np.array([[0, 1], [2, 3]]), 1, 7),
    (np.array([[0, 1], [2, 3]]), 0, -1), (np.array([True, False, True]), 4, -5),
    (np.array([np.nan, 0.0, -0.0, 1e-30], dtype=np.float32), 3, 9),
    (np.array([1j, 0]), 2, -1), (np.array(3.0), 2, -1), (np.array(0.0), 2, -1),
    (np.zeros((2, 0, 3)), 2, 0),
])
def test_nonzero_static(values, size, fill_value):
    check(lambda m, x: m.nonzero_static(x, size=size, fill_value=fill_value), values,
          grad=False)
    check(lambda m, x: x.nonzero_static(size=size), values, grad=False)
    check(lambda m, x: m.nonzero_static(x, size=size, out=m.empty(0, dtype=m.int64)), values,
          grad=False)


def test_nonzero_static_errors():
    check_error(lambda m: m.nonzero_static(m.tensor([1]), size=-1))
    check_error(lambda m: m.nonzero_static(m.tensor([1]), size=2.0))
    check_error(lambda m: m.nonzero_static(m.tensor([1]), size=2, out=m.empty(0)))
