"""View semantics, property-tested with hypothesis: view ops share memory and the version
counter with their base (writes go both ways), advanced indexing copies, and autograd through
in-place ops on views matches torch."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rustorch
from tests._oracle import as_numpy, check, randn, to_rustorch, torch

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)

# (name, fn(module, tensor) -> view, minimum ndim, writable)
VIEW_OPS = [
    ("view_flat", lambda m, x: x.view(-1), 1, True),
    ("reshape_contiguous", lambda m, x: x.reshape(x.numel()), 1, True),
    ("view_as", lambda m, x: x.view_as(x), 1, True),
    ("flatten", lambda m, x: x.flatten(), 1, True),
    ("transpose", lambda m, x: x.transpose(0, -1), 1, True),
    ("permute", lambda m, x: x.permute(*reversed(range(x.ndim))), 1, True),
    ("movedim", lambda m, x: x.movedim(0, -1), 1, True),
    ("t", lambda m, x: x.t() if x.ndim <= 2 else x.transpose(0, 1), 2, True),
    ("mT", lambda m, x: x.mT, 2, True),
    ("narrow", lambda m, x: x.narrow(0, x.shape[0] // 2, (x.shape[0] + 1) // 2), 1, True),
    ("select", lambda m, x: x.select(-1, x.shape[-1] - 1), 1, True),
    ("expand", lambda m, x: x.expand(2, *x.shape), 1, False),
    ("diagonal", lambda m, x: x.diagonal(0, 0, -1), 2, True),
    ("diagonal_offset", lambda m, x: x.diagonal(1, -1, 0), 2, True),
    ("unfold", lambda m, x: x.unfold(0, 1, 1), 1, True),
    ("unfold_overlapping", lambda m, x: x.unfold(-1, 1, 2), 1, True),
    ("split", lambda m, x: x.split(1)[0], 1, True),
    ("chunk", lambda m, x: x.chunk(2, -1)[-1], 1, True),
    ("unbind", lambda m, x: x.unbind(0)[0], 1, True),
    ("slice_step", lambda m, x: x[::2], 1, True),
    ("slice_neg", lambda m, x: x[..., -1:], 1, True),
    ("int_index", lambda m, x: x[0], 1, True),
    ("none_ellipsis", lambda m, x: x[None, ..., None], 1, True),
    ("squeeze", lambda m, x: x.unsqueeze(1).squeeze(1), 1, True),
    ("squeeze_all", lambda m, x: x.squeeze(), 1, True),
    ("unsqueeze", lambda m, x: x.unsqueeze(0), 1, True),
    ("view_of_view", lambda m, x: x.transpose(0, -1)[0:1].unsqueeze(0), 1, True),
    ("as_strided", lambda m, x: x.as_strided((1, x.numel()), (x.numel(), 1)), 1, True),
    ("real", lambda m, x: x.view(x.shape), 1, True),
    ("detach", lambda m, x: x.detach(), 1, True),
]
OP_IDS = [op[0] for op in VIEW_OPS]


def _pair(shape):
    array = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    return torch.from_numpy(array.copy()), to_rustorch(array)


def _same(rust, expected):
    np.testing.assert_array_equal(as_numpy(rust), as_numpy(expected))


def shares_memory(a, b) -> bool:
    """Whether rustorch tensors ``a`` and ``b`` share memory: ``np.shares_memory`` of their
    arrays on the CPU; on another device (no host arrays), whether their storages' byte ranges
    overlap."""
    if a.is_cpu and b.is_cpu:
        return np.shares_memory(a.numpy(), b.numpy())

    def span(tensor):
        storage = tensor.untyped_storage()
        return storage.data_ptr(), storage.data_ptr() + storage.nbytes()
    (a_start, a_end), (b_start, b_end) = span(a), span(b)
    return a_start < b_end and b_start < a_end


@pytest.mark.parametrize("name,op,min_ndim,writable", VIEW_OPS, ids=OP_IDS)
@settings(max_examples=15, deadline=None)
@given(shape=shapes)
def test_view_shares_memory(name, op, min_ndim, writable, shape):
    if len(shape) < min_ndim:
        return
    torch_base, base = _pair(shape)
    torch_view, view = op(torch, torch_base), op(rustorch, base)
    assert tuple(view.shape) == tuple(torch_view.shape)
    _same(view, torch_view)
    assert shares_memory(view, base) or view.numel() == 0
    assert view._version == base._version
    if torch_view._is_view():
        assert view._is_view(), f"{name}: torch returns a view, rustorch does not"
    if not writable:
        return
    # a write through the view shows in the base, and shares the version counter
    version = base._version
    view.add_(100)
    torch_view.add_(100)
    _same(base, torch_base)
    assert base._version == view._version > version
    # and a write to the base shows in the view
    base.mul_(-1)
    torch_base.mul_(-1)
    _same(view, torch_view)
    assert view._version == base._version


@pytest.mark.parametrize("name,op", [
    ("long_index", lambda m, x: x[m.tensor([0, 0])]),
    ("list_index", lambda m, x: x[[0]]),
    ("bool_mask", lambda m, x: x[x >= 0]),
    ("index_select", lambda m, x: x.index_select(0, m.tensor([0]))),
    ("masked_select", lambda m, x: x.masked_select(x > 0)),
    ("take", lambda m, x: x.take(m.tensor([0]))),
    ("flip", lambda m, x: x.flip(0)),
    ("clone", lambda m, x: x.clone()),
    ("reshape_noncontiguous", lambda m, x: x.transpose(0, -1).reshape(-1)),
])
@settings(max_examples=10, deadline=None)
@given(shape=st.lists(st.integers(2, 4), min_size=2, max_size=3).map(tuple))
def test_copies_do_not_share_memory(name, op, shape):
    torch_base, base = _pair(shape)
    torch_copy, copy = op(torch, torch_base), op(rustorch, base)
    _same(copy, torch_copy)
    assert not torch_copy._is_view()
    assert not copy._is_view()
    assert not shares_memory(copy, base)
    copy.fill_(-7)
    _same(base, torch_base)  # unchanged


def test_view_requires_contiguous():
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError):
            m.zeros(3, 4).t().view(-1)


# ----------------------------------------------------------------- autograd through views
def _clone_then(action):
    def fn(m, a, y):
        x = a.clone()
        action(m, x, y)
        return x
    return fn


INPLACE_ON_VIEWS = [
    ("column_mul", lambda m, x, y: x[:, 0].mul_(2)),
    ("transpose_add", lambda m, x, y: x.transpose(0, 1).add_(y.t())),
    ("diagonal_mul", lambda m, x, y: x.diagonal().mul_(y[0, :3])),
    ("unfold_mul", lambda m, x, y: x.unfold(1, 2, 2).mul_(3)),
    ("chained_views", lambda m, x, y: x[1:][:, ::2].add_(y[1:, :2])),
    ("select_copy", lambda m, x, y: x.select(1, 2).copy_(y[:, 0])),
    ("narrow_exp", lambda m, x, y: x.narrow(1, 1, 2).exp_()),
    ("view_flat_mul", lambda m, x, y: x.view(-1)[::3].mul_(y.reshape(-1)[:4])),
    ("setitem_tensor", lambda m, x, y: x.__setitem__((slice(None), 1), y[:, 3] * 2)),
    ("two_views", lambda m, x, y: (x[0].mul_(y[0]), x[:, 0].add_(y[:, 1]))),
    ("zero_", lambda m, x, y: x[1].zero_()),
    ("tril_on_view", lambda m, x, y: x[:, :3].tril_()),
    ("masked_fill_on_view", lambda m, x, y: x[:2].masked_fill_(y[:2] > 0, 0.5)),
]


@pytest.mark.parametrize("name,action", INPLACE_ON_VIEWS, ids=[c[0] for c in INPLACE_ON_VIEWS])
def test_inplace_on_view_gradients(name, action):
    check(_clone_then(action), randn(3, 4), randn(3, 4))


def test_view_read_after_base_inplace():
    def fn(m, a, y):
        x = a * 1
        v = x[0]
        x.mul_(y)
        return v * 2, x
    check(fn, randn(3, 4), randn(3, 4))


def test_base_read_after_view_inplace_twice():
    # the second in-place goes through a view (v) taken before the first one modified x
    def fn(m, a, y):
        x = a.clone()
        v = x.t()
        v[1].mul_(y[0, :3])
        v[1:].add_(y[:, :3].t())
        return x.sum(0), x
    check(fn, randn(3, 4), randn(3, 4))


def test_stale_view_returned():
    def fn(m, a, y):
        x = a.clone()
        v = x.t()
        v[1].mul_(y[0, :3])
        return v
    check(fn, randn(3, 4), randn(3, 4))


GRAD_VIEW_OPS = [op for op in VIEW_OPS if op[3] and op[0] not in (
    "detach", "as_strided", "split", "chunk", "unbind")]  # torch forbids in-place on the last 3


@pytest.mark.parametrize("name,op,min_ndim,writable", GRAD_VIEW_OPS,
                         ids=[op[0] for op in GRAD_VIEW_OPS])
@settings(max_examples=8, deadline=None)
@given(shape=shapes, seed=st.integers(0, 1000))
def test_inplace_through_any_view_gradients(name, op, min_ndim, writable, shape, seed):
    if len(shape) < min_ndim:
        return

    def fn(m, a, y):
        x = a * 1
        view = op(m, x)
        view.mul_(op(m, y).detach() + 2)  # not a leaf: the graph goes through CopySlices
        view.add_(op(m, y))
        return x.exp(), view

    check(fn, randn(*shape, dtype=np.float64, seed=seed), randn(*shape, dtype=np.float64,
                                                                 seed=seed + 1))


def test_view_of_parameter_after_no_grad_update():
    def fn(m, w):
        v = w[0]
        with m.no_grad():
            w.add_(1)
        return v * 2
    check(fn, randn(3, 4))


def test_views_taken_before_base_inplace():
    def fn(m, a, y):
        x = a * 1
        row, column = x[1], x[:, 2]
        x.mul_(y)
        row.add_(1)
        return x, column * 3, row
    check(fn, randn(3, 4), randn(3, 4))


# ----------------------------------------------------------------- errors
def _both(fn):
    """``fn(module)`` must raise RuntimeError in torch and a RusTorchError RuntimeError here."""
    with pytest.raises(RuntimeError):
        fn(torch)
    with pytest.raises(rustorch.RusTorchError) as error:
        fn(rustorch)
    assert isinstance(error.value, RuntimeError)


def test_inplace_on_leaf_requiring_grad():
    _both(lambda m: m.ones(3, requires_grad=True).add_(1))
    _both(lambda m: m.ones(3, requires_grad=True).__setitem__(0, 2.0))


def test_inplace_on_view_of_leaf_requiring_grad():
    _both(lambda m: m.ones(3, 4, requires_grad=True)[0].mul_(2))
    _both(lambda m: m.ones(3, 4, requires_grad=True).t().zero_())
    _both(lambda m: m.ones(3, 4, requires_grad=True).diagonal().fill_(0))


def test_inplace_on_leaf_allowed_under_no_grad():
    for m in (torch, rustorch):
        leaf = m.ones(3, 4, requires_grad=True)
        with m.no_grad():
            leaf[0].mul_(2)
            leaf.add_(1)
        assert leaf.requires_grad and leaf.is_leaf
        assert leaf[0, 0].item() == 3.0


def test_modified_saved_tensor():
    def exp_then_modify(m):
        a = m.ones(3, requires_grad=True)
        b = a * 2
        c = b.exp()  # saves its output
        c.add_(1)
        c.sum().backward()

    def mul_then_modify_input(m):
        a = m.ones(3, requires_grad=True)
        b = a * 2
        c = b * b  # saves b
        b.add_(1)
        c.sum().backward()

    def modify_through_view(m):
        a = m.ones(3, 4, requires_grad=True)
        b = a * 2
        c = b.sin()
        b[0].zero_()
        c.sum().backward()
    for fn in (exp_then_modify, mul_then_modify_input, modify_through_view):
        _both(fn)


def test_version_counter_matches_torch():
    for m in (torch, rustorch):
        x = m.zeros(3, 4)
        v = x[1:]
        w = v.t()
        assert x._version == v._version == w._version == 0
        w.add_(1)
        x[0] = 2.0
        v.mul_(3)
        assert x._version == v._version == w._version == 3
        assert x.detach()._version == 3


def test_inplace_on_multi_output_views():
    def split_piece(m):
        x = m.ones(4, 3, requires_grad=True) * 1
        x.split(2)[0].mul_(2)

    def unbind_piece_view(m):
        x = m.ones(4, 3, requires_grad=True) * 1
        x.unbind(0)[1][1:].add_(1)

    def chunk_piece(m):
        x = m.ones(4, 3, requires_grad=True) * 1
        x.chunk(3, 1)[2].zero_()
    for fn in (split_piece, unbind_piece_view, chunk_piece):
        _both(fn)
    for m in (torch, rustorch):  # allowed without autograd
        x = m.ones(4, 3)
        x.split(2)[1].mul_(2)
        assert x.sum().item() == 18
