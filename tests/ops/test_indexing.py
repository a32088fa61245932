"""Indexing: ``__getitem__``/``__setitem__`` (basic, advanced, boolean), the ``index_*`` family,
masked ops, take/take_along_dim, put/index_put, nonzero, scatter_reduce and the ``*_scatter``
ops, compared with torch (values, dtypes, shapes and gradients)."""
import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import check, check_error, randint, randn, to_rustorch, torch

F64 = np.float64
MASK = np.array([[True, False, True, False], [False, False, True, True],
                 [True, True, False, False]])


def _long(*values):
    return np.array(values, dtype=np.int64)


# ----------------------------------------------------------------- __getitem__
GETITEM = [
    ("int", lambda m, x: x[1]),
    ("neg_int", lambda m, x: x[-1]),
    ("int_int", lambda m, x: x[1, -2]),
    ("slice", lambda m, x: x[1:]),
    ("slice_step", lambda m, x: x[::2, 1::2]),
    ("slice_neg", lambda m, x: x[-2:, :-1]),
    ("slice_empty", lambda m, x: x[2:1]),
    ("slice_overrun", lambda m, x: x[1:100]),
    ("none", lambda m, x: x[None]),
    ("none_middle", lambda m, x: x[:, None, 1]),
    ("ellipsis", lambda m, x: x[..., 1]),
    ("ellipsis_none", lambda m, x: x[..., None]),
    ("bool_mask", lambda m, x: x[m.tensor(MASK)]),
    ("bool_mask_row", lambda m, x: x[m.tensor([True, False, True])]),
    ("bool_mask_dim1", lambda m, x: x[:, m.tensor([True, False, True, True])]),
    ("bool_scalar", lambda m, x: x[True]),
    ("long_tensor", lambda m, x: x[m.tensor([2, 0, 2])]),
    ("long_tensor_neg", lambda m, x: x[m.tensor([-1, 0])]),
    ("long_tensor_2d", lambda m, x: x[m.tensor([[0, 1], [2, 2]])]),
    ("list", lambda m, x: x[[0, 2]]),
    ("list_pair", lambda m, x: x[[0, 2], [1, 3]]),
    ("tensor_pair_broadcast", lambda m, x: x[m.tensor([[0], [2]]), m.tensor([1, 3])]),
    ("tensor_slice", lambda m, x: x[m.tensor([0, 2]), 1:3]),
    ("slice_tensor", lambda m, x: x[1:, m.tensor([0, 3, 3])]),
    ("int_tensor", lambda m, x: x[1, m.tensor([0, 3])]),
    ("uint8_mask", lambda m, x: x[m.tensor([1, 0, 1], dtype=m.uint8)]),
    ("empty_index", lambda m, x: x[m.tensor([], dtype=m.int64)]),
    ("noncontig", lambda m, x: x.t()[1:, m.tensor([0, 2])]),
]

GETITEM_3D = [
    # advanced indices separated by a slice: the indexed dims go first (numpy/torch rule)
    ("separated", lambda m, x: x[m.tensor([0, 1]), :, m.tensor([1, 2])]),
    ("adjacent", lambda m, x: x[:, m.tensor([0, 2]), m.tensor([1, 3])]),
    ("int_and_tensor_separated", lambda m, x: x[0, :, m.tensor([1, 2, 0])]),
    ("ellipsis_tensor", lambda m, x: x[..., m.tensor([3, 0])]),
    ("mask_then_slice", lambda m, x: x[m.tensor([True, False]), 1:]),
    ("mask_2d_leading", lambda m, x: x[m.tensor(MASK[:2, :3])]),
    ("none_tensor", lambda m, x: x[None, m.tensor([1]), ..., 2]),
    ("int_tensor_step", lambda m, x: x[1, m.tensor([2, 1]), ::2]),
]


@pytest.mark.parametrize("name,fn", GETITEM, ids=[c[0] for c in GETITEM])
def test_getitem(name, fn):
    check(fn, randn(3, 4))


# a list key holding a tensor, a sequence, a slice, Ellipsis or None (and under 32 items)
# indexes like the tuple of its items, with a deprecation warning; other lists are one index
SEQUENCE_KEYS = [
    ("tensors", lambda m: [m.tensor([0, 2]), m.tensor([1, 3])]),
    ("lists", lambda m: [[0, 2], [1, 3]]),
    ("tensor_and_list", lambda m: [m.tensor([0, 2]), [1, 3]]),
    ("int_and_list", lambda m: [0, [1, 2]]),
    ("slice_and_list", lambda m: [slice(None), [1, 2]]),
    ("none_and_list", lambda m: [None, [0]]),
    ("ellipsis_and_list", lambda m: [Ellipsis, [1]]),
    ("bool_list", lambda m: [[True, False, True]]),
    ("plain_ints", lambda m: [0, 2]),
    ("thirty_two_lists", lambda m: [[0, 1]] * 32),
]


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("name,key", SEQUENCE_KEYS, ids=[c[0] for c in SEQUENCE_KEYS])
def test_list_keys_index_like_torch(name, key):
    check(lambda m, x: x[key(m)], randn(3, 4))
    if name not in ("thirty_two_lists", "none_and_list", "ellipsis_and_list"):
        check(_setter(key, lambda m, v: -v[0, 0]), randn(3, 4), randn(3, 4))


def test_uint8_mask_warns_like_torch():
    for m in (torch, rustorch):
        with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
            m.arange(3.0)[m.tensor([1, 0, 1], dtype=m.uint8)]


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
def test_list_key_warns_and_too_many_indices_raise():
    x = rustorch.zeros(3, 4)
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        x[[[0, 1], [1, 2]]]
    check_error(lambda m: m.zeros(3, 4)[[[0, 1], [0, 1], [0, 1]]])


@pytest.mark.parametrize("name,fn", GETITEM_3D, ids=[c[0] for c in GETITEM_3D])
def test_getitem_3d(name, fn):
    check(fn, randn(2, 3, 4))


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, np.bool_])
def test_getitem_dtypes(dtype):
    x = (randn(3, 4) > 0).astype(dtype) if dtype is np.bool_ else randn(3, 4).astype(dtype)
    check(lambda m, x: (x[1:, m.tensor([0, 2])], x[..., 1], x[m.tensor([True, False, True])]), x)


def test_getitem_ints_are_selects():
    # torch applies ints first, so x[:, idx, :, 0] keeps idx's dim in place (numpy moves it)
    check(lambda m, x: x[:, m.tensor([0, 2]), :, 0], randn(2, 3, 4, 5))
    check(lambda m, x: x[1, m.tensor([[0], [2]]), ..., m.tensor([1, 3]), -1], randn(2, 3, 4, 5))
    check(lambda m, x: x[0, m.tensor([True, False, True]), 1:, 2], randn(2, 3, 4, 5))
    check(_setter(lambda m: (0, slice(None), m.tensor([1, 2])), lambda m, v: v[:3, :2]),
          randn(2, 3, 4), randn(3, 4))


def test_getitem_0d():
    check(lambda m, x: (x[None], x[...], x[()]), randn())


@pytest.mark.parametrize("fn", [
    lambda x: x[3], lambda x: x[-4], lambda x: x[0, 4],
    lambda x: x[rustorch_or_torch_tensor(x, [0, 3])],
    lambda x: x[:, rustorch_or_torch_tensor(x, [5])], lambda x: x[0, 0, 0],
])
def test_getitem_out_of_range(fn):
    with pytest.raises(IndexError):
        fn(torch.zeros(3, 4))
    with pytest.raises(IndexError):
        fn(rustorch.zeros(3, 4))
    with pytest.raises(rustorch.RusTorchError):
        fn(rustorch.zeros(3, 4))


def rustorch_or_torch_tensor(like, values):
    return (torch if isinstance(like, torch.Tensor) else rustorch).tensor(values)


def test_float_index_error():
    with pytest.raises(IndexError):
        rustorch.zeros(3)[rustorch.tensor([0.0])]
    with pytest.raises(IndexError):
        torch.zeros(3)[torch.tensor([0.0])]


# ----------------------------------------------------------------- __setitem__
def _setter(key, value_fn):
    def fn(m, x, v):
        y = x.clone()
        y[key(m)] = value_fn(m, v)
        return y
    return fn


SETITEM = [
    ("int_scalar", lambda m: 1, lambda m, v: 5.0),
    ("slice_tensor", lambda m: slice(1, None), lambda m, v: v[:2]),
    ("broadcast_row", lambda m: (slice(None), 1), lambda m, v: v[0, 0]),
    ("broadcast_value", lambda m: slice(0, 2), lambda m, v: v[0]),
    ("step", lambda m: (slice(None, None, 2), slice(1, None, 2)), lambda m, v: v[:2, :2]),
    ("mask_scalar", lambda m: m.tensor(MASK), lambda m, v: -1.0),
    ("mask_tensor", lambda m: m.tensor(MASK), lambda m, v: v.reshape(-1)[:6]),
    ("long_index", lambda m: m.tensor([2, 0]), lambda m, v: v[:2]),
    ("long_index_broadcast", lambda m: m.tensor([2, 0]), lambda m, v: v[0]),
    ("pair_index", lambda m: (m.tensor([0, 2]), m.tensor([1, 3])), lambda m, v: v[0, :2]),
    ("ellipsis", lambda m: (Ellipsis, 0), lambda m, v: v[:, 0]),
    ("none", lambda m: (None, 1), lambda m, v: v[:1]),
]


@pytest.mark.parametrize("name,key,value", SETITEM, ids=[c[0] for c in SETITEM])
def test_setitem(name, key, value):
    check(_setter(key, value), randn(3, 4), randn(3, 4))


def test_setitem_no_grad_paths():
    check(lambda m, x: _assign(x.clone(), (slice(None), 0), 7), randint(0, 9, (3, 4)), grad=False)
    check(lambda m, x: _assign(x.clone(), m.tensor([True, False, True]), 0.5), randn(3, 4),
          grad=False)


def _assign(tensor, key, value):
    tensor[key] = value
    return tensor


def test_setitem_value_requires_grad_only():
    def fn(m, v):
        base = m.zeros(3, 4)
        base[1:, ::2] = v * 2
        return base
    check(fn, randn(2, 2))


def test_setitem_errors():
    for m in (torch, rustorch):
        with pytest.raises(IndexError):
            m.zeros(3, 4)[3] = 1.0
        with pytest.raises(RuntimeError):
            m.zeros(3, 4)[0] = m.ones(3)
        leaf = m.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError):
            leaf[0] = 1.0
    with pytest.raises(rustorch.RusTorchError):
        rustorch.zeros(3, 4)[0] = rustorch.ones(3)


def test_setitem_bumps_version_and_writes_through_views():
    for m in (torch, rustorch):
        base = m.zeros(3, 4)
        view = base[1]
        version = base._version
        view[2] = 5.0
        assert base[1, 2].item() == 5.0
        assert base._version == view._version == version + 1


# ----------------------------------------------------------------- index_* family
INDEX_OPS = [
    ("index_select", lambda m, x: m.index_select(x, 1, m.tensor([3, 0, 0]))),
    ("index_select_dim0", lambda m, x: x.index_select(0, m.tensor([2]))),
    ("index_select_neg_dim", lambda m, x: x.index_select(-1, m.tensor([3, 1]))),
    ("index_select_int32", lambda m, x: x.index_select(1, m.tensor([1, 2], dtype=m.int32))),
    ("index_select_empty", lambda m, x: x.index_select(0, m.tensor([], dtype=m.int64))),
    ("index_select_0d_index", lambda m, x: x.index_select(1, m.tensor(2))),
    ("index_select_noncontig", lambda m, x: x.t().index_select(0, m.tensor([1, 3]))),
    ("take", lambda m, x: m.take(x, m.tensor([[0, 11], [5, -1]]))),
    ("take_along_dim", lambda m, x: m.take_along_dim(x, m.tensor([[0], [3], [1]]), 1)),
    ("take_along_dim_flat", lambda m, x: m.take_along_dim(x, m.tensor([0, 7, 11]))),
    ("take_along_dim_bcast_input",
     lambda m, x: m.take_along_dim(x[:1], m.tensor([[0, 1], [2, 3], [3, 3]]), 1)),
    ("take_along_dim_method", lambda m, x: x.take_along_dim(m.tensor([[1], [0], [3]]), dim=1)),
    ("take_along_dim_bcast", lambda m, x: m.take_along_dim(x, m.tensor([[2]]), 1)),
    ("masked_select", lambda m, x: m.masked_select(x, m.tensor(MASK))),
    ("masked_select_bcast", lambda m, x: x.masked_select(m.tensor([True, False, False, True]))),
    ("masked_fill", lambda m, x: x.masked_fill(m.tensor(MASK), -2.0)),
    ("masked_fill_bcast", lambda m, x: x.masked_fill(m.tensor([[True], [False], [True]]), 3)),
    ("masked_fill_tensor", lambda m, x: m.masked_fill(x, m.tensor(MASK), m.tensor(1.5))),
    ("masked_fill_inf", lambda m, x: x.masked_fill(m.tensor(MASK), float("-inf"))),
]


@pytest.mark.parametrize("name,fn", INDEX_OPS, ids=[c[0] for c in INDEX_OPS])
def test_index_ops(name, fn):
    check(fn, randn(3, 4))


UPDATE_OPS = [
    ("index_add", lambda m, x, s: m.index_add(x, 1, m.tensor([0, 3, 0]), s)),
    ("index_add_alpha", lambda m, x, s: x.index_add(1, m.tensor([2, 1, 2]), s, alpha=-0.5)),
    ("index_copy", lambda m, x, s: x.index_copy(1, m.tensor([3, 0, 1]), s)),
    ("index_fill", lambda m, x, s: x.index_fill(1, m.tensor([3, 0]), -1.0)),
    ("index_fill_neg", lambda m, x, s: x.index_fill(1, m.tensor([-1]), 2.0)),
    ("put", lambda m, x, s: x.put(m.tensor([[0, -1], [4, 4]]), s[:2, :2], accumulate=True)),
    ("index_fill_tensor", lambda m, x, s: x.index_fill(0, m.tensor([1]), s[0, 0])),
    ("masked_scatter", lambda m, x, s: x.masked_scatter(m.tensor(MASK), s)),
    ("masked_scatter_bcast",
     lambda m, x, s: m.masked_scatter(x, m.tensor([False, True, True, False]), s)),
    ("select_scatter", lambda m, x, s: m.select_scatter(x, s[:, 0], 1, -2)),
    ("select_scatter_dim0", lambda m, x, s: x.select_scatter(s[0, :3].repeat(2)[:4], 0, 1)),
    ("slice_scatter", lambda m, x, s: m.slice_scatter(x, s[:, :2], 1, 1, 4, 2)),
    ("slice_scatter_default", lambda m, x, s: m.slice_scatter(x[:3], s.t()[:3, :3].t(), 1, 1)),
    ("diagonal_scatter", lambda m, x, s: m.diagonal_scatter(x, s[0], 0)),
    ("diagonal_scatter_offset", lambda m, x, s: x.diagonal_scatter(s[1, :2], -1)),
    ("diagonal_scatter_dims", lambda m, x, s: m.diagonal_scatter(x, s[2, :2], 1, 1, 0)),
]


@pytest.mark.parametrize("name,fn", UPDATE_OPS, ids=[c[0] for c in UPDATE_OPS])
def test_update_ops(name, fn):
    check(fn, randn(3, 4), randn(3, 3))


@pytest.mark.parametrize("name", ["index_add_", "index_copy_", "index_fill_", "masked_fill_",
                                  "masked_scatter_", "put_", "index_put_", "scatter_reduce_"])
def test_inplace_variants(name):
    calls = {
        "index_add_": lambda m, y, s: y.index_add_(1, m.tensor([0, 3, 0]), s, alpha=2),
        "index_copy_": lambda m, y, s: y.index_copy_(1, m.tensor([3, 0, 1]), s),
        "index_fill_": lambda m, y, s: y.index_fill_(0, m.tensor([2]), 4.0),
        "masked_fill_": lambda m, y, s: y.masked_fill_(m.tensor(MASK), s[0, 0]),
        "masked_scatter_": lambda m, y, s: y.masked_scatter_(m.tensor(MASK), s),
        "put_": lambda m, y, s: y.put_(m.tensor([0, 5, 11]), s[0]),
        "index_put_": lambda m, y, s: y.index_put_((m.tensor([0, 2]), m.tensor([1, 1])), s[0, :2],
                                                   accumulate=True),
        "scatter_reduce_": lambda m, y, s: y.scatter_reduce_(
            1, m.tensor([[0, 0, 3], [1, 2, 1], [3, 3, 3]]), s, "sum"),
    }

    def fn(m, x, s):
        y = x * 1.0
        result = calls[name](m, y, s)
        assert result is y
        return y
    check(fn, randn(3, 4), randn(3, 3))


def test_zero_dim_inputs():
    check(lambda m, x, s: (x.index_add(0, m.tensor([0]), s), x.index_copy(0, m.tensor([0]), s),
                           x.index_fill(0, m.tensor([0]), 2.0), x.index_select(0, m.tensor([0]))),
          randn(), randn())
    check(lambda m, x, s: m.select_scatter(x, s, 0, 2), randn(5), randn())


def test_gather_scatter_edge_cases():
    check(lambda m, x: (m.gather(x, 0, m.tensor(0)), m.gather(x, 0, m.tensor([0, 0]))), randn())
    check(lambda m, x, s: (x.scatter(0, m.tensor(0), s), x.scatter_add(0, m.tensor(0), s)),
          randn(), randn())
    check(lambda m, x: x.gather(1, m.tensor([[0, 3]], dtype=m.int32)), randn(3, 4))
    check(lambda m, x: x.gather(0, m.zeros(2, 0, dtype=m.uint8)), randn(5))


def test_index_ops_dtypes():
    check(lambda m, x: (x.index_select(0, m.tensor([1, 1])), x.masked_fill(x > 3, 0),
                        x.index_add(0, m.tensor([0]), x[:1]), x.index_fill(1, m.tensor([0]), 2.7)),
          randint(0, 9, (3, 4)), grad=False)
    check(lambda m, x: x.index_copy(0, m.tensor([1, 0]), x[:2].flip(0)), randn(3, 4, dtype=F64))


def test_nonzero_argwhere_where():
    x = randn(3, 4)
    x[x > 0.5] = 0
    check(lambda m, x: (m.nonzero(x), x.nonzero(as_tuple=True), m.argwhere(x), m.where(x != 0)),
          x, grad=False)
    check(lambda m, x: (m.nonzero(x), m.nonzero(x, as_tuple=True)), np.array(2.0), grad=False)
    check(lambda m, x: (m.nonzero(x), m.nonzero(x, as_tuple=True)), np.zeros((2, 0, 3)),
          grad=False)
    check(lambda m, x: m.nonzero(x), randn(2, 3, 2) > 0, grad=False)


# ----------------------------------------------------------------- scatter_reduce
INDEX_2D = np.array([[0, 0, 3], [1, 2, 1], [3, 3, 3]], dtype=np.int64)


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax", "amin", "prod"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    check(lambda m, x, s, i: m.scatter_reduce(x, 1, i, s, reduce, include_self=include_self),
          randn(3, 4), randn(3, 3), INDEX_2D)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_ties(reduce):
    source = np.array([[1.0, 1.0, 2.0], [0.5, 0.5, 0.5]], dtype=np.float32)
    x = np.array([[1.0, 0.0, 0.0, 0.0], [0.5, 0.0, 0.0, 0.0]], dtype=np.float32)
    index = np.array([[0, 0, 1], [0, 0, 0]], dtype=np.int64)
    check(lambda m, x, s, i: x.scatter_reduce(1, i, s, reduce), x, source, index)


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_with_zeros(include_self):
    x = np.array([[0.0, 2.0, 0.0, 3.0], [1.5, 0.0, 2.0, 0.5]], dtype=np.float64)
    source = np.array([[4.0, 0.0, 5.0, 0.0], [0.0, 0.0, 3.0, 2.0]], dtype=np.float64)
    index = np.array([[0, 0, 1, 2], [1, 1, 3, 0]], dtype=np.int64)
    check(lambda m, x, s, i: x.scatter_reduce(1, i, s, "prod", include_self=include_self),
          x, source, index)


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax", "amin", "prod"])
def test_scatter_reduce_int(reduce):
    check(lambda m, x, s, i: x.scatter_reduce(0, i, s, reduce, include_self=False),
          randint(-5, 9, (4,)), randint(-5, 9, (5,)), np.array([0, 0, 1, 3, 3]), grad=False)


# ----------------------------------------------------------------- gradcheck
def _leaf(*shape):
    return to_rustorch(randn(*shape, dtype=F64), requires_grad=True)


INDEX = rustorch.tensor([0, 3, 0])


@pytest.mark.parametrize("name,fn,shapes", [
    ("index_select", lambda x: x.index_select(1, INDEX), [(3, 4)]),
    ("index_add", lambda x, s: x.index_add(1, INDEX, s, alpha=2.0), [(3, 4), (3, 3)]),
    ("index_copy", lambda x, s: x.index_copy(1, rustorch.tensor([0, 3, 1]), s), [(3, 4), (3, 3)]),
    ("index_fill", lambda x: x.index_fill(1, INDEX, 1.5), [(3, 4)]),
    ("masked_fill", lambda x: x.masked_fill(rustorch.tensor(MASK), 0.5), [(3, 4)]),
    ("masked_select", lambda x: x.masked_select(rustorch.tensor(MASK)), [(3, 4)]),
    ("masked_scatter", lambda x, s: x.masked_scatter(rustorch.tensor(MASK), s),
     [(3, 4), (2, 4)]),
    ("take", lambda x: x.take(rustorch.tensor([[1, 1], [0, 11]])), [(3, 4)]),
    ("getitem_advanced", lambda x: x[rustorch.tensor([0, 0]), :, rustorch.tensor([1, 2])],
     [(2, 3, 4)]),
    ("select_scatter", lambda x, s: x.select_scatter(s, 0, 1), [(3, 4), (4,)]),
    ("slice_scatter", lambda x, s: x.slice_scatter(s, 1, 0, 4, 2), [(3, 4), (3, 2)]),
    ("diagonal_scatter", lambda x, s: x.diagonal_scatter(s, 1), [(3, 4), (3,)]),
    ("scatter_reduce_sum", lambda x, s: x.scatter_reduce(
        1, rustorch.tensor(INDEX_2D), s, "sum", include_self=False), [(3, 4), (3, 3)]),
    ("scatter_reduce_mean", lambda x, s: x.scatter_reduce(
        1, rustorch.tensor(INDEX_2D), s, "mean"), [(3, 4), (3, 3)]),
    ("scatter_reduce_amax", lambda x, s: x.scatter_reduce(
        1, rustorch.tensor(INDEX_2D), s, "amax"), [(3, 4), (3, 3)]),
    ("scatter_reduce_prod", lambda x, s: x.scatter_reduce(
        1, rustorch.tensor(INDEX_2D), s, "prod"), [(3, 4), (3, 3)]),
])
def test_gradcheck(name, fn, shapes):
    inputs = tuple(_leaf(*shape) for shape in shapes)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize("fn", [
    lambda m, x: x.index_select(1, m.tensor([4])),
    lambda m, x: x.index_select(1, m.tensor([[0]])),
    lambda m, x: x.index_select(1, m.tensor([0.0])),
    lambda m, x: x.index_add(1, m.tensor([0]), m.ones(3, 2)),
    lambda m, x: x.index_copy(1, m.tensor([0]), m.ones(3, 1, dtype=m.float64)),
    lambda m, x: m.take(x, m.tensor([12])),
    lambda m, x: x.masked_fill(x > 0, m.ones(2)),
    lambda m, x: x.masked_fill(x, 1.0),
    lambda m, x: x.masked_scatter(x > -100, m.ones(2)),
    lambda m, x: x.scatter_reduce(0, m.tensor([[0]]), x, "median"),
    lambda m, x: x.scatter_reduce(0, m.tensor([[5]]), x, "sum"),
    lambda m, x: x.select_scatter(m.ones(4), 1, 0),
    lambda m, x: x.index_select(1, m.tensor([-1])),
    lambda m, x: x.index_add(1, m.tensor([-1]), m.ones(3, 1)),
    lambda m, x: x.index_copy(1, m.tensor([4]), m.ones(3, 1)),
    lambda m, x: x.index_fill(1, m.tensor([4]), 1.0),
    lambda m, x: x.put_(m.tensor([12]), m.ones(1)),
    lambda m, x: x.put(m.tensor([1]), m.ones(2)),
    lambda m, x: x.slice_scatter(m.ones(3, 2), 1, 0, 3),
    lambda m, x: x.diagonal_scatter(m.ones(4)),
    lambda m, x: x[:, 0].masked_fill_(m.ones(2, 3, dtype=m.bool), 0),
])
def test_errors(fn):
    with pytest.raises(Exception) as torch_error:
        fn(torch, torch.zeros(3, 4))
    with pytest.raises(rustorch.RusTorchError) as rust_error:
        fn(rustorch, rustorch.zeros(3, 4))
    builtin = next(c for c in torch_error.type.__mro__ if c.__module__ == "builtins")
    assert isinstance(rust_error.value, builtin), (rust_error.value, torch_error.value)


def test_index_put_and_put():
    check(lambda m, x, v: m.index_put(x, (m.tensor([0, 0, 2]), m.tensor([1, 1, 3])), v,
                                      accumulate=True), randn(3, 4), randn(3))
    check(lambda m, x, v: x.index_put((m.tensor([0, 2]),), v), randn(3, 4), randn(4))
    check(lambda m, x, v: x.clone().put_(m.tensor([1, -1]), v, accumulate=True), randn(3, 4),
          randn(2))


@pytest.mark.parametrize("index", [[3, 0, 3, -1, 4, 0, 3], [4, 2, 0, 1, 3], [2], [-5, 0]],
                         ids=["repeats", "permutation", "single", "negative"])
@pytest.mark.parametrize("dim", [0, 1])
def test_slice_gradients_with_repeated_positions(index, dim):
    """Indexing, index_select and index_add along one axis: repeated positions accumulate
    (summed in their original order), unique ones are assigned."""
    values = randn(5, 5, 3)
    positions = np.array(index, dtype=np.int64)
    check(lambda m, x: x[positions] if dim == 0 else x[:, positions], values)
    check(lambda m, x: m.index_select(x, dim, m.tensor(positions % 5)), values)
    source_shape = (len(index), 5, 3) if dim == 0 else (5, len(index), 3)
    check(lambda m, x, s: m.index_add(x, dim, m.tensor(positions % 5), s, alpha=0.5),
          values, randn(*source_shape))


@pytest.mark.parametrize("repeats", [1, 3, 40], ids=["unique", "levels", "grouped"])
def test_accumulating_index_put_and_embedding_backward(repeats):
    """Few repeats per position are added level by level (add.at's order), many per group."""
    positions = np.concatenate([np.arange(6), np.full(repeats, 2), np.full(repeats - 1, 5)])
    positions = np.random.default_rng(3).permutation(positions).astype(np.int64)
    rows = randn(len(positions), 4)
    check(lambda m, x, v: x.index_put((m.tensor(positions),), v, accumulate=True),
          randn(7, 4), rows)
    check(lambda m, w: m.nn.functional.embedding(m.tensor(positions), w), randn(7, 4))
