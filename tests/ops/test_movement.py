"""Shape ops from rustorch/_ops/shape_more.py (and the core movement ops they build on),
compared with torch: values, dtypes, shapes and gradients."""
import re

import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import ON_CPU, as_numpy, check, check_error, randint, randn, to_rustorch, torch
from tests.ops.test_views_properties import shares_memory

F64 = np.float64

CASES = [
    # flips, rolls, rotations
    ("flip", lambda m, x: m.flip(x, [0]), [randn(3, 4)]),
    ("flip_multi", lambda m, x: m.flip(x, (0, 2)), [randn(2, 3, 4)]),
    ("flip_neg_dim", lambda m, x: x.flip(-1), [randn(2, 3)]),
    ("flip_noncontig", lambda m, x: m.flip(x.t(), [1]), [randn(3, 4)]),
    ("flip_empty", lambda m, x: m.flip(x, [0]), [randn(0, 3)]),
    ("flip_int", lambda m, x: m.flip(x, [1]), [randint(0, 9, (2, 3))]),
    ("fliplr", lambda m, x: m.fliplr(x), [randn(3, 4)]),
    ("flipud", lambda m, x: m.flipud(x), [randn(3, 4)]),
    ("roll_flat", lambda m, x: m.roll(x, 2), [randn(3, 4)]),
    ("roll_dim", lambda m, x: m.roll(x, -1, 1), [randn(3, 4)]),
    ("roll_multi", lambda m, x: x.roll((1, 2), (0, 1)), [randn(3, 4)]),
    ("roll_big_shift", lambda m, x: m.roll(x, 7, 0), [randn(3, 2)]),
    ("rot90", lambda m, x: m.rot90(x), [randn(3, 4)]),
    ("rot90_k2", lambda m, x: m.rot90(x, 2), [randn(3, 4)]),
    ("rot90_k3_dims", lambda m, x: m.rot90(x, 3, (1, 2)), [randn(2, 3, 4)]),
    ("rot90_neg", lambda m, x: m.rot90(x, -1, [0, 1]), [randn(3, 4)]),
    ("rot90_k0", lambda m, x: m.rot90(x, 0), [randn(3, 4)]),
    # repeats
    ("repeat", lambda m, x: x.repeat(2, 3), [randn(2, 3)]),
    ("repeat_new_dims", lambda m, x: x.repeat(2, 1, 3), [randn(2, 3)]),
    ("repeat_ones", lambda m, x: x.repeat(1, 1), [randn(2, 3)]),
    ("repeat_zero", lambda m, x: x.repeat(0, 2), [randn(2, 3)]),
    ("repeat_0d", lambda m, x: x.repeat(3), [randn()]),
    ("repeat_tuple", lambda m, x: x.repeat((2, 2)), [randn(3)]),
    ("tile", lambda m, x: m.tile(x, (2,)), [randn(2, 3)]),
    ("tile_more", lambda m, x: x.tile((2, 1, 2)), [randn(2, 3)]),
    ("repeat_interleave_int", lambda m, x: m.repeat_interleave(x, 2), [randn(2, 3)]),
    ("repeat_interleave_dim", lambda m, x: m.repeat_interleave(x, 3, dim=1), [randn(2, 3)]),
    ("repeat_interleave_tensor",
     lambda m, x: x.repeat_interleave(m.tensor([1, 0, 2]), dim=1), [randn(2, 3)]),
    ("repeat_interleave_neg_dim",
     lambda m, x: x.repeat_interleave(m.tensor([2, 1]), dim=-2), [randn(2, 3)]),
    # diagonals
    ("diagonal", lambda m, x: m.diagonal(x), [randn(3, 4)]),
    ("diagonal_offset", lambda m, x: x.diagonal(1), [randn(3, 4)]),
    ("diagonal_neg_offset", lambda m, x: x.diagonal(-2), [randn(3, 4)]),
    ("diagonal_big_offset", lambda m, x: x.diagonal(5), [randn(3, 4)]),
    ("diagonal_dims", lambda m, x: m.diagonal(x, 0, 2, 0), [randn(3, 2, 4)]),
    ("diagonal_dims_neg", lambda m, x: x.diagonal(1, -1, -2), [randn(2, 3, 4)]),
    ("diagonal_noncontig", lambda m, x: x.t().diagonal(), [randn(3, 4)]),
    ("diag_1d", lambda m, x: m.diag(x), [randn(3)]),
    ("diag_1d_offset", lambda m, x: m.diag(x, 2), [randn(3)]),
    ("diag_1d_neg", lambda m, x: m.diag(x, -1), [randn(3)]),
    ("diag_2d", lambda m, x: m.diag(x), [randn(3, 4)]),
    ("diag_2d_offset", lambda m, x: x.diag(-1), [randn(3, 4)]),
    ("diag_embed", lambda m, x: m.diag_embed(x), [randn(2, 3)]),
    ("diag_embed_offset", lambda m, x: m.diag_embed(x, 1, 0, 2), [randn(2, 3)]),
    ("diag_embed_neg", lambda m, x: m.diag_embed(x, -1, -1, 0), [randn(2, 3)]),
    ("diagflat", lambda m, x: m.diagflat(x), [randn(2, 2)]),
    ("diagflat_offset", lambda m, x: m.diagflat(x, -1), [randn(3)]),
    ("tril", lambda m, x: m.tril(x), [randn(3, 4)]),
    ("tril_k", lambda m, x: x.tril(1), [randn(3, 4)]),
    ("tril_neg_k", lambda m, x: x.tril(-1), [randn(2, 3, 4)]),
    ("triu", lambda m, x: m.triu(x), [randn(3, 4)]),
    ("triu_k", lambda m, x: x.triu(-1), [randn(4, 3)]),
    ("triu_batch", lambda m, x: x.triu(2), [randn(2, 3, 4)]),
    ("triu_noncontig", lambda m, x: x.t().triu(), [randn(3, 4)]),
    ("triu_int", lambda m, x: x.triu(), [randint(0, 9, (3, 3))]),
    # windows and strides
    ("unfold", lambda m, x: x.unfold(0, 2, 1), [randn(5)]),
    ("unfold_step", lambda m, x: x.unfold(1, 2, 2), [randn(3, 5)]),
    ("unfold_overlap", lambda m, x: x.unfold(1, 3, 1), [randn(2, 5)]),
    ("unfold_gap", lambda m, x: x.unfold(0, 1, 3), [randn(7, 2)]),
    ("unfold_noncontig", lambda m, x: x.t().unfold(0, 2, 1), [randn(3, 4)]),
    ("as_strided", lambda m, x: m.as_strided(x, (2, 2), (1, 2)), [randn(2, 3)]),
    ("as_strided_offset", lambda m, x: x.as_strided((2, 3), (3, 1), 2), [randn(9)]),
    ("as_strided_overlap", lambda m, x: x.as_strided((3, 3), (1, 1)), [randn(6)]),
    ("as_strided_of_view", lambda m, x: x[1:].as_strided((2, 2), (2, 1)), [randn(8)]),
    ("as_strided_of_view_offset", lambda m, x: x[2:].as_strided((3,), (2,), 1), [randn(8)]),
    # grids and stacking
    ("meshgrid_ij", lambda m, x, y: m.meshgrid(x, y, indexing="ij"), [randn(3), randn(4)]),
    ("meshgrid_xy", lambda m, x, y: m.meshgrid(x, y, indexing="xy"), [randn(3), randn(4)]),
    ("meshgrid_3", lambda m, x, y, z: m.meshgrid([x, y, z], indexing="xy"),
     [randn(2), randn(3), randn(4)]),
    ("column_stack", lambda m, x, y, z: m.column_stack([x, y, z]),
     [randn(3), randn(3, 2), randn(3)]),
    ("dstack", lambda m, x, y: m.dstack([x, y]), [randn(2, 3), randn(2, 3)]),
    ("dstack_1d", lambda m, x, y: m.dstack((x, y)), [randn(3), randn(3)]),
    ("row_stack", lambda m, x, y: m.row_stack([x, y]), [randn(3), randn(2, 3)]),
    ("atleast_3d", lambda m, x: m.atleast_3d(x), [randn(3)]),
    ("atleast_3d_2d", lambda m, x: m.atleast_3d(x), [randn(2, 3)]),
    ("atleast_nd_lists", lambda m, x, y: (m.atleast_1d([x]), m.atleast_2d((x, y)),
                                          m.atleast_3d([x, y]), m.atleast_3d(x, y)),
     [randn(), randn(3)]),
    ("block_diag", lambda m, x, y, z: m.block_diag(x, y, z),
     [randn(2, 2), randn(3), randn(1, 3)]),
    ("block_diag_0d", lambda m, x, y: m.block_diag(x, y), [randn(), randn(2, 1)]),
    ("cartesian_prod", lambda m, x, y: m.cartesian_prod(x, y), [randn(2), randn(3)]),
    ("cartesian_prod_one", lambda m, x: m.cartesian_prod(x), [randn(3)]),
    ("combinations", lambda m, x: m.combinations(x), [randn(4)]),
    ("combinations_r3", lambda m, x: m.combinations(x, 3), [randn(5)]),
    ("combinations_too_few", lambda m, x: m.combinations(x, 3), [randn(2)]),
    ("flip_dims_keyword", lambda m, x: m.flip(x, dims=(0, 1)), [randn(2, 3)]),
    ("flip_method_dims_keyword", lambda m, x: x.flip(dims=[1]), [randn(2, 3)]),
    ("combinations_repl", lambda m, x: m.combinations(x, 2, with_replacement=True),
     [randn(3)]),
]


@pytest.mark.parametrize("name,fn,inputs", CASES, ids=[c[0] for c in CASES])
def test_against_torch(name, fn, inputs):
    check(fn, *inputs)


@pytest.mark.parametrize("dtype", [np.float64, np.float16])
@pytest.mark.parametrize("name,fn", [
    ("flip", lambda m, x: m.flip(x, [1])), ("roll", lambda m, x: m.roll(x, 1, 0)),
    ("tril", lambda m, x: m.tril(x)), ("diagonal", lambda m, x: x.diagonal()),
    ("repeat", lambda m, x: x.repeat(2, 1)), ("unfold", lambda m, x: x.unfold(1, 2, 1)),
])
def test_dtypes(dtype, name, fn):
    check(fn, randn(3, 4, dtype=dtype))


@pytest.mark.skipif(not ON_CPU and not rustorch.cuda.is_bf16_supported(),
                    reason="the test device has no bfloat16 arrays (CuPy has none)")
def test_bfloat16():
    import ml_dtypes
    check(lambda m, x: m.flip(x, [0]).tril(), randn(3, 3).astype(ml_dtypes.bfloat16))


def test_index_helpers():
    for row, col, offset in [(3, 3, 0), (3, 4, 1), (4, 3, -1), (0, 3, 0), (3, 3, 5), (3, 3, -5)]:
        check(lambda m: m.tril_indices(row, col, offset), grad=False)
        check(lambda m: m.triu_indices(row, col, offset), grad=False)
    check(lambda m: m.tril_indices(3, 3, dtype=m.int32), grad=False)


def test_repeat_interleave_counts_only():
    check(lambda m: m.repeat_interleave(m.tensor([2, 0, 3])), grad=False)
    check(lambda m: m.repeat_interleave(m.tensor([[1, 2], [3, 4]]), 2), grad=False)


def _random64(*shape):
    return to_rustorch(randn(*shape, dtype=F64), requires_grad=True)


@pytest.mark.parametrize("name,fn,shape", [
    ("flip", lambda x: x.flip(0, 1), (3, 4)),
    ("roll", lambda x: x.roll((1, -2), (0, 1)), (3, 4)),
    ("rot90", lambda x: x.rot90(1, (0, 1)), (3, 4)),
    ("repeat", lambda x: x.repeat(2, 1, 2), (2, 3)),
    ("repeat_interleave", lambda x: x.repeat_interleave(2, 0), (2, 3)),
    ("diagonal", lambda x: x.diagonal(1, 0, 2), (3, 2, 4)),
    ("diag_embed", lambda x: rustorch.diag_embed(x, -1), (2, 3)),
    ("tril", lambda x: x.tril(-1), (3, 4)),
    ("triu", lambda x: x.triu(1), (3, 4)),
    ("unfold_overlap", lambda x: x.unfold(1, 3, 1), (2, 5)),
    ("as_strided", lambda x: x.as_strided((3, 3), (1, 1)), (6,)),
    ("block_diag", lambda x: rustorch.block_diag(x, x.t()), (2, 3)),
])
def test_gradcheck(name, fn, shape):
    x = _random64(*shape)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_views_share_memory():
    base = rustorch.arange(12.0).reshape(3, 4)
    for view in (base.diagonal(), base.unfold(1, 2, 2), base.as_strided((2, 2), (4, 1), 1)):
        assert view._base is not None and view._version_counter is base._version_counter
    base.diagonal().mul_(0)
    assert base[1, 1].item() == 0 and base[2, 2].item() == 0
    window = base.unfold(1, 2, 2)
    window[0, 0, 1] = -1.0
    assert base[0, 1].item() == -1.0
    for copy in (base.flip(0), base.roll(1), base.repeat(1, 1), base.tril(), base.rot90(),
                 rustorch.diag(base)):
        assert copy._base is None
        assert not shares_memory(copy, base)


def test_inplace_triangles():
    for name in ("tril_", "triu_"):
        expected = getattr(torch.arange(12.0).reshape(3, 4), name)(1)
        actual = getattr(rustorch.arange(12.0).reshape(3, 4), name)(1)
        np.testing.assert_array_equal(as_numpy(actual), expected.numpy())

    def torch_or_rust(m):
        leaf = m.tensor(randn(3, 3, seed=4), requires_grad=True)
        result = leaf * 2
        result.tril_()
        return result, leaf
    actual, leaf = torch_or_rust(rustorch)
    expected, torch_leaf = torch_or_rust(torch)
    actual.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(as_numpy(leaf.grad), torch_leaf.grad.numpy())


@pytest.mark.parametrize("fn", [
    lambda m, x: m.flip(x, [0, 0]),
    lambda m, x: m.rot90(x, 1, (0, 0)),
    lambda m, x: x.repeat(2),
    lambda m, x: x.unfold(0, 5, 1),
    lambda m, x: x.unfold(0, 2, 0),
    lambda m, x: x.diagonal(0, 1, 1),
    lambda m, x: m.tril(x[0]),
    lambda m, x: m.diag(x.unsqueeze(0)),
    lambda m, x: m.roll(x, (1, 2)),
    lambda m, x: x.repeat_interleave(m.tensor([1, 2, 3]), dim=1),
    lambda m, x: m.meshgrid(x, x, indexing="yx"),
    lambda m, x: m.block_diag(x.unsqueeze(0)),
])
def test_errors(fn):
    x_torch = torch.zeros(3, 4)
    x_rust = rustorch.zeros(3, 4)
    with pytest.raises(Exception) as torch_error:
        fn(torch, x_torch)
    with pytest.raises(rustorch.RusTorchError) as rust_error:
        fn(rustorch, x_rust)
    assert isinstance(rust_error.value, torch_error.type) or \
        issubclass(torch_error.type, RuntimeError) and isinstance(rust_error.value, RuntimeError)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.narrow(x, 0, 5, 1), lambda m, x: m.narrow(x, 0, -4, 1),
    lambda m, x: m.narrow(x, 1, 1, -1), lambda m, x: x.narrow(1, 2, 5),
    lambda m, x: m.chunk(x, 0), lambda m, x: x.chunk(-1),
])
def test_narrow_and_chunk_errors_as_torch(fn):
    with pytest.raises((IndexError, RuntimeError)) as torch_error:
        fn(torch, torch.zeros(3, 4))
    with pytest.raises(torch_error.type, match=re.escape(str(torch_error.value))) as rust_error:
        fn(rustorch, rustorch.zeros(3, 4))
    assert isinstance(rust_error.value, rustorch.RusTorchError)


@pytest.mark.parametrize("chain", [
    lambda y: y.t_(),
    lambda y: y.transpose_(0, 1).unsqueeze_(0),
    lambda y: y.unsqueeze_(1).squeeze_(1).swapaxes_(0, 1),
    lambda y: y.swapdims_(1, 0).unsqueeze_(-1).squeeze_(),
])
def test_inplace_metadata_ops_match_torch(chain):
    def run(m, x):
        y = x * 2
        result = chain(y)
        assert result is y
        return y * 3
    check(run, randn(2, 3))


def test_inplace_metadata_op_on_leaf_raises_like_torch():
    check_error(lambda m: m.ones(2, requires_grad=True).t_())
