"""The ``*_copy`` forms of the view ops, split_with_sizes/unsafe_split/unsafe_chunk,
conj_physical, constant_pad_nd and Tensor.__rdiv__ (rustorch/_ops/copy_variants.py), against
torch."""
import inspect

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import assert_close, check, check_error, randn, rustorch, torch

COPY_CASES = [
    (lambda m, x: m.alias_copy(x), (3, 4)),
    (lambda m, x: m.as_strided_copy(x, (2, 2), (1, 3)), (3, 4)),
    (lambda m, x: m.as_strided_copy(x, (3,), (2,), 1), (3, 4)),
    (lambda m, x: m.diagonal_copy(x), (3, 4)),
    (lambda m, x: m.diagonal_copy(x, 1, 1, 0), (3, 4)),
    (lambda m, x: m.diagonal_copy(x, offset=-1, dim1=2, dim2=0), (3, 4, 5)),
    (lambda m, x: m.expand_copy(x, (3, 2, 4)), (2, 1)),
    (lambda m, x: m.expand_copy(x, [-1, 5], implicit=True), (3, 1)),
    (lambda m, x: m.narrow_copy(x, 1, 1, 2), (3, 4)),
    (lambda m, x: m.narrow_copy(x, -1, -3, 2), (3, 4)),
    (lambda m, x: x.narrow_copy(0, 1, 2), (3, 4)),
    (lambda m, x: m.permute_copy(x, (2, 0, 1)), (2, 3, 4)),
    (lambda m, x: m.select_copy(x, 1, -1), (3, 4)),
    (lambda m, x: m.slice_copy(x, 1, 1, None, 2), (3, 5)),
    (lambda m, x: m.slice_copy(x, -1, -10, 100), (3, 5)),
    (lambda m, x: m.slice_copy(x), (3, 5)),
    (lambda m, x: m.squeeze_copy(x), (1, 3, 1)),
    (lambda m, x: m.squeeze_copy(x, 0), (1, 3, 1)),
    (lambda m, x: m.squeeze_copy(x, [0, 2]), (1, 3, 1)),
    (lambda m, x: m.t_copy(x), (3, 4)),
    (lambda m, x: m.t_copy(x), (4,)),
    (lambda m, x: m.transpose_copy(x, 0, -1), (2, 3, 4)),
    (lambda m, x: m.unbind_copy(x), (3, 4)),
    (lambda m, x: m.unbind_copy(x, 1), (3, 4)),
    (lambda m, x: m.unfold_copy(x, 1, 2, 1), (3, 5)),
    (lambda m, x: m.unsqueeze_copy(x, -1), (3, 4)),
    (lambda m, x: m.view_copy(x, (4, 3)), (3, 4)),
    (lambda m, x: m.view_copy(x.t(), [-1]), (3, 4)),  # any layout: the copy is a reshape
    (lambda m, x: m.view_copy(x, size=(2, 6)), (3, 4)),
    (lambda m, x: m.split_copy(x, 2), (5, 3)),
    (lambda m, x: m.split_copy(x, split_size=2, dim=1), (5, 3)),
    (lambda m, x: m.split_with_sizes_copy(x, [1, 4]), (5, 3)),
    (lambda m, x: m.split_with_sizes_copy(x, split_sizes=[2, 0, 1], dim=-1), (5, 3)),
]


@pytest.mark.parametrize("call, shape", COPY_CASES)
def test_copy_variants_match_torch(call, shape):
    check(call, randn(*shape))
    check(call, randn(*shape, dtype=np.float64))


@pytest.mark.parametrize("call, shape", COPY_CASES)
def test_copy_variants_are_new_contiguous_memory(call, shape):
    source = rustorch.from_numpy(randn(*shape))
    results = call(rustorch, source)
    for result in results if isinstance(results, tuple) else (results,):
        assert result._base is None and result.is_contiguous()
        assert not np.shares_memory(result.numpy(), source.numpy())


def test_copy_variants_keep_integer_and_complex_dtypes():
    values = np.arange(12).reshape(3, 4)
    check(lambda m, x: (m.t_copy(x), m.permute_copy(x, (1, 0)), m.alias_copy(x)), values)
    complex_values = (randn(3, 2) + 1j * randn(3, 2)).astype(np.complex64)
    check(lambda m, z: (m.view_as_real_copy(z), m.transpose_copy(z, 0, 1)), complex_values)
    check(lambda m, x: m.view_as_complex_copy(x), randn(3, 2), grad=False)
    check_error(lambda m: m.view_as_complex_copy(m.ones(3, 2, requires_grad=True)))
    check(lambda m, x: m.view_copy(x, m.int32), randn(3, 4), grad=False)
    check(lambda m, x: m.view_copy(x, dtype=m.int32), randn(3, 4), grad=False)


@pytest.mark.parametrize("name, args", [
    ("permute_copy", ((1, 0),)), ("t_copy", ()), ("diagonal_copy", ()), ("alias_copy", ()),
    ("narrow_copy", (1, 0, 2)), ("unfold_copy", (0, 2, 1)), ("expand_copy", ((2, 3, 3),)),
    ("as_strided_copy", ((2, 2), (1, 3))), ("select_copy", (0, 1)), ("slice_copy", (1, 1)),
])
def test_copy_variants_gradcheck(name, args):
    x = rustorch.randn(3, 3, dtype=rustorch.float64, requires_grad=True)
    assert gradcheck(lambda t: getattr(rustorch, name)(t, *args), (x,))
    assert gradgradcheck(lambda t: getattr(rustorch, name)(t, *args), (x,))


def test_multi_output_copy_variants_gradcheck():
    x = rustorch.randn(4, 3, dtype=rustorch.float64, requires_grad=True)
    for call in (lambda t: rustorch.unbind_copy(t, 1), lambda t: rustorch.split_copy(t, 3),
                 lambda t: rustorch.split_with_sizes_copy(t, [1, 3])):
        assert gradcheck(call, (x,))


def test_copy_variants_out():
    values = randn(3, 4)
    for m in (torch, rustorch):
        out = m.empty(4, 3)
        assert m.t_copy(m.tensor(values), out=out) is out
    check(lambda m, x: m.permute_copy(x, (1, 0), out=m.empty(0)), values, grad=False)
    check(lambda m, x: m.narrow_copy(x, 0, 1, 2, out=m.empty(2, 4)), values, grad=False)
    for m in (torch, rustorch):
        outs = [m.empty(4), m.empty(4), m.empty(4)]
        assert m.unbind_copy(m.tensor(values), out=outs) is None
        pieces = [m.empty(2, 4), m.empty(1, 4)]
        assert m.split_copy(m.tensor(values), 2, out=pieces) is None
    outs = [[m.empty(4) for _ in range(3)] for m in (torch, rustorch)]
    torch.unbind_copy(torch.tensor(values), out=outs[0])
    rustorch.unbind_copy(rustorch.tensor(values), out=outs[1])
    assert_close(outs[1], outs[0])
    check_error(lambda m: m.t_copy(m.ones(3, 4), out=m.empty(4, 3, dtype=m.float64)))
    check_error(lambda m: m.unbind_copy(m.ones(3, 4), out=[m.empty(4)]))


def test_detach_copy_is_cut_from_the_graph_like_torch():
    values = randn(2, 3)
    check(lambda m, x: m.detach_copy(x.t()), values, grad=False)
    for m in (torch, rustorch):
        x = m.from_numpy(values.copy()).requires_grad_()
        result = m.detach_copy(x)
        assert result.requires_grad and result.is_contiguous()
        with m.no_grad():
            assert not m.detach_copy(x).requires_grad
    check_error(lambda m: m.detach_copy(m.ones(2, requires_grad=True)).sum().backward())
    check(lambda m, x: m.detach_copy(x, out=m.empty(3)), randn(3), grad=False)


def test_copy_variant_signatures_and_errors():
    assert list(inspect.signature(rustorch.slice_copy).parameters) == [
        "input", "dim", "start", "end", "step", "out"]
    assert list(inspect.signature(rustorch.expand_copy).parameters) == [
        "input", "size", "implicit", "out"]
    check_error(lambda m: m.t_copy(m.ones(2, 2, 2)))
    check_error(lambda m: m.slice_copy(m.ones(3), 0, 0, 2, 0))
    check_error(lambda m: m.split_copy(m.ones(3), [1, 2]))
    check_error(lambda m: m.narrow_copy(m.ones(3), 0, 2, 2))
    check_error(lambda m: m.narrow_copy(m.ones(3), 0, -5, 2))
    check_error(lambda m: m.narrow_copy(m.ones(3), 0, 1, -1))
    check_error(lambda m: m.narrow_copy(m.tensor(1.0), 0, 0, 1))
    check_error(lambda m: m.permute_copy(m.ones(2, 3), (0,)))
    check_error(lambda m: m.view_copy(m.ones(2, 3), (4,)))
    check_error(lambda m: m.select_copy(m.ones(2, 3), 1, 3))
    check_error(lambda m: m.unfold_copy(m.ones(3), 0, 4, 1))


# ----------------------------------------------------------------- split spellings
@pytest.mark.parametrize("call", [
    lambda m, x: m.split_with_sizes(x, [1, 3, 0]),
    lambda m, x: x.split_with_sizes([2, 1], dim=1),
    lambda m, x: m.unsafe_split(x, 3),
    lambda m, x: x.unsafe_split(2, 1),
    lambda m, x: m.unsafe_split_with_sizes(x, [3, 1]),
    lambda m, x: x.unsafe_split_with_sizes([1, 2], -1),
    lambda m, x: m.unsafe_chunk(x, 3),
    lambda m, x: x.unsafe_chunk(2, dim=1),
])
def test_split_spellings_match_torch(call):
    check(call, randn(4, 3))
    check(call, randn(4, 3, dtype=np.float64))


def test_split_with_sizes_views_and_unsafe_pieces():
    for m in (torch, rustorch):
        x = m.zeros(4)
        pieces = m.split_with_sizes(x, [1, 3])
        pieces[1][0] = 5.0
        assert x[1].item() == 5.0  # views of the input
        unsafe = m.unsafe_split(x * 1, 2)
        assert unsafe[0]._base is None
        leaf = m.ones(4, requires_grad=True)
        m.unsafe_split(leaf * 2, 2)[0].add_(1).sum().backward()  # in-place is allowed
        assert leaf.grad.tolist() == [2.0, 2.0, 0.0, 0.0]
    check_error(lambda m: m.split(m.ones(4, requires_grad=True) * 2, 2)[0].add_(1))


def test_split_spellings_errors():
    check_error(lambda m: m.split_with_sizes(m.ones(3, 3), [1, 1], dim=1))
    check_error(lambda m: m.split_with_sizes(m.ones(3, 3), [-1, 4], dim=1))
    check_error(lambda m: m.ones(3, 3).split_with_sizes(1, 2))
    check_error(lambda m: m.unsafe_split(m.ones(3), [1, 2]))
    check_error(lambda m: m.unsafe_chunk(m.ones(3), 0))
    check_error(lambda m: m.unsafe_split(m.ones(3), 1, 2))


# ----------------------------------------------------------------- conj_physical
def test_conj_physical():
    values = (randn(3, 4) + 1j * randn(3, 4)).astype(np.complex64)
    check(lambda m, z: m.conj_physical(z), values)
    check(lambda m, z: z.conj_physical() * 2, values.astype(np.complex128))
    check(lambda m, x: m.conj_physical(x), randn(3))
    check(lambda m, x: m.conj_physical(x), np.arange(4))
    parts = [rustorch.randn(3, dtype=rustorch.float64, requires_grad=True) for _ in range(2)]
    assert gradcheck(lambda a, b: rustorch.view_as_real(
        rustorch.conj_physical(rustorch.complex(a, b))), parts)
    for m in (torch, rustorch):
        real = m.ones(3)
        assert m.conj_physical(real) is real and real.conj_physical() is real
        assert m.conj_physical_(real) is real
        out = m.empty(1, dtype=m.complex64)
        assert m.conj_physical(m.tensor([1 + 1j]), out=out) is out
        assert out.tolist() == [1 - 1j]


def test_conj_physical_in_place():
    values = (randn(4) + 1j * randn(4)).astype(np.complex64)
    expected, actual = torch.from_numpy(values.copy()), rustorch.from_numpy(values.copy())
    assert torch.conj_physical_(expected) is expected
    assert rustorch.conj_physical_(actual) is actual
    assert_close(actual, expected)
    expected.conj_physical_()
    actual.conj_physical_()
    assert_close(actual, expected)
    check(lambda m, z: (z * 1).conj_physical_() * 3, values)
    check_error(lambda m: m.conj_physical_(m.ones(2, requires_grad=True)))
    check_error(lambda m: m.ones(2, dtype=m.complex64, requires_grad=True).conj_physical_())


# ----------------------------------------------------------------- constant_pad_nd
@pytest.mark.parametrize("pad, value", [
    ([1, 2], 0), ((1, 1, 2, 0), 3.5), ([0, 0, 0, 0, 1, 1], -1), ([-1, 2], 0), ([-2, -1], 1),
    ([], 0), ([0, 0], 2),
])
def test_constant_pad_nd(pad, value):
    check(lambda m, x: m.constant_pad_nd(x, pad, value), randn(2, 3, 3))
    check(lambda m, x: m.constant_pad_nd(x, pad, value=value), randn(2, 3, 3, dtype=np.float64))


def test_constant_pad_nd_dtypes_and_errors():
    check(lambda m, x: m.constant_pad_nd(x, [1, 1], 1.7), np.arange(3))
    check(lambda m, x: m.constant_pad_nd(x, [1, 1], 2), np.array([True, False]))
    check(lambda m, z: m.constant_pad_nd(z, [1, 0], 1 + 2j),
          (randn(2) + 1j * randn(2)).astype(np.complex64))
    check(lambda m, x: m.constant_pad_nd(input=x, pad=(1, 1), value=3), randn(2, 2))
    for m in (torch, rustorch):
        x = m.ones(2)
        assert m.constant_pad_nd(x, []) is not x
    x = rustorch.randn(2, 3, dtype=rustorch.float64, requires_grad=True)
    assert gradcheck(lambda t: rustorch.constant_pad_nd(t, [1, -1, 2, 0], 2.0), (x,))
    check_error(lambda m: m.constant_pad_nd(m.ones(2, 3), [1, 2, 3]))
    check_error(lambda m: m.constant_pad_nd(m.ones(2, 3), [1] * 6))
    check_error(lambda m: m.constant_pad_nd(m.ones(2, 3), [-2, -2]))
    check_error(lambda m: m.constant_pad_nd(m.ones(2, 3), [1.0, 1]))
    check_error(lambda m: m.constant_pad_nd(m.ones(2), [1, 1], 1 + 2j))


# ----------------------------------------------------------------- __rdiv__
def test_rdiv():
    check(lambda m, x: x.__rdiv__(2.0), randn(3, 4) + 3)
    check(lambda m, x: x.__rdiv__(2), np.arange(1, 5))
    check(lambda m, x, y: x.__rdiv__(y), randn(3) + 3, randn(3))
    assert rustorch.Tensor.__rdiv__ is rustorch.Tensor.__rtruediv__
