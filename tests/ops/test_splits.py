"""Ops from rustorch/_ops/splits.py compared with torch: tensor_split/hsplit/vsplit/dsplit
(values, gradients, shared memory), sum_to_size, fill_diagonal_, resize_/resize_as_,
apply_/map_, pin_memory/is_pinned."""
import numpy as np
import pytest

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import ON_CPU, assert_close, check, check_error, randint, randn, torch

FRAMEWORKS = (torch, rustorch)


def in_both(function):
    """``function(m)`` for torch and rustorch: (torch result, rustorch result)."""
    return function(torch), function(rustorch)


def assert_same(function):
    """``function(m)`` gives the same values (and dtypes, shapes) in both frameworks."""
    expected, actual = in_both(function)
    assert_close(actual, expected)
    return expected, actual


# ----------------------------------------------------------------- tensor_split
SPLIT_CASES = [
    ("sections_even", lambda m, x: m.tensor_split(x, 3), [randn(6, 2)]),
    ("sections_uneven", lambda m, x: m.tensor_split(x, 3, dim=1), [randn(2, 7)]),
    ("sections_more_than_size", lambda m, x: m.tensor_split(x, 5), [randn(3)]),
    ("sections_one", lambda m, x: m.tensor_split(x, 1, 1), [randn(2, 3)]),
    ("sections_empty_dim", lambda m, x: m.tensor_split(x, 3), [randn(0, 2)]),
    ("negative_dim", lambda m, x: m.tensor_split(x, 2, dim=-1), [randn(2, 3, 5)]),
    ("indices_list", lambda m, x: m.tensor_split(x, [1, 3], dim=1), [randn(2, 5)]),
    ("indices_tuple", lambda m, x: m.tensor_split(x, (2,)), [randn(5)]),
    ("indices_unsorted_out_of_range", lambda m, x: m.tensor_split(x, [1, 4, 2, 7, -1]),
     [randn(5)]),
    ("indices_very_negative", lambda m, x: m.tensor_split(x, [-9, 2]), [randn(5)]),
    ("indices_empty", lambda m, x: m.tensor_split(x, []), [randn(4)]),
    ("indices_repeated", lambda m, x: m.tensor_split(x, [2, 2]), [randn(4, 2)]),
    ("indices_tensor", lambda m, x: m.tensor_split(x, m.tensor([1, 3]), dim=1), [randn(2, 5)]),
    ("sections_tensor_0d", lambda m, x: m.tensor_split(x, m.tensor(2)), [randn(5)]),
    ("indices_of_0d_tensors", lambda m, x: m.tensor_split(x, [m.tensor(1), 3]), [randn(5)]),
    ("noncontiguous", lambda m, x: m.tensor_split(x.t(), 2, dim=1), [randn(5, 3)]),
    ("method", lambda m, x: x.tensor_split(2, 1), [randn(3, 4)]),
    ("keyword_sections", lambda m, x: m.tensor_split(x, sections=2), [randn(5)]),
    ("keyword_indices", lambda m, x: x.tensor_split(indices=[2], dim=0), [randn(5)]),
    ("keyword_tensor", lambda m, x: m.tensor_split(
        x, tensor_indices_or_sections=m.tensor([1]), dim=-1), [randn(2, 3)]),
    ("int_dtype", lambda m, x: m.tensor_split(x, 2), [randint(0, 9, (5,))]),
    ("hsplit_2d", lambda m, x: m.hsplit(x, 2), [randn(3, 4)]),
    ("hsplit_1d", lambda m, x: m.hsplit(x, 3), [randn(6)]),
    ("hsplit_indices", lambda m, x: m.hsplit(x, [1, 3]), [randn(2, 5)]),
    ("hsplit_0d_tensor", lambda m, x: m.hsplit(x, m.tensor(2)), [randn(6)]),
    ("hsplit_method_varargs", lambda m, x: x.hsplit(1, 2), [randn(3, 4)]),
    ("hsplit_method_list", lambda m, x: x.hsplit([3]), [randn(3, 4)]),
    ("hsplit_keyword", lambda m, x: m.hsplit(x, sections=2), [randn(3, 4)]),
    ("hsplit_empty", lambda m, x: m.hsplit(x, 3), [randn(0)]),
    ("vsplit", lambda m, x: m.vsplit(x, 2), [randn(4, 3)]),
    ("vsplit_indices", lambda m, x: x.vsplit([1, 2]), [randn(4, 3)]),
    ("vsplit_3d", lambda m, x: x.vsplit(3), [randn(3, 2, 2)]),
    ("dsplit", lambda m, x: m.dsplit(x, 2), [randn(1, 3, 4)]),
    ("dsplit_indices", lambda m, x: x.dsplit((1, 3)), [randn(2, 1, 4, 2)]),
    ("dsplit_noncontiguous", lambda m, x: m.dsplit(x.permute(2, 1, 0), 2), [randn(4, 3, 2)]),
]


@pytest.mark.parametrize("name,function,inputs", SPLIT_CASES, ids=[c[0] for c in SPLIT_CASES])
def test_split_values_and_gradients(name, function, inputs):
    actual, expected = check(function, *inputs)
    assert isinstance(actual, tuple) and isinstance(expected, tuple)


@pytest.mark.parametrize("split", [
    lambda m, x: m.tensor_split(x, [1, 3], dim=1),
    lambda m, x: m.tensor_split(x, 2, dim=-1),
    lambda m, x: m.hsplit(x, 2),
    lambda m, x: x.vsplit([2]),
])
def test_split_pieces_are_views_sharing_memory(split):
    def run(m):
        x = m.arange(12.).reshape(3, 4).clone()  # a base, not a view
        pieces = split(m, x)
        shared = [piece._base is x for piece in pieces]
        before = x._version
        pieces[0].fill_(-1.0)
        pieces[-1].mul_(10)
        return x, shared, x._version - before
    (expected, expected_shared, expected_bump), (actual, actual_shared, actual_bump) = \
        in_both(run)
    assert_close(actual, expected)
    assert actual_shared == expected_shared == [True] * len(expected_shared)
    assert actual_bump == expected_bump == 2


def test_split_writing_into_input_shows_in_pieces():
    def run(m):
        x = m.zeros(2, 6)
        pieces = m.tensor_split(x, 3, dim=1)
        x.add_(m.arange(12.).reshape(2, 6))
        return pieces
    assert_same(run)


def test_split_piece_modified_in_place_backpropagates():
    def run(m, x):
        y = x * 1
        first, second = m.tensor_split(y, [2], dim=1)
        first.mul_(3)
        second.zero_()
        return y
    check(run, randn(3, 5))


def test_split_gradcheck():
    x = rustorch.randn(4, 5, dtype=rustorch.float64, requires_grad=True)
    assert gradcheck(lambda t: rustorch.tensor_split(t, [1, 3, 2], dim=1), (x,))
    assert gradgradcheck(lambda t: rustorch.tensor_split(t, 3, dim=0)[1].sin(), (x,))


@pytest.mark.parametrize("function", [
    lambda m: m.tensor_split(m.tensor(3.0), 2),                      # 0-d input
    lambda m: m.tensor_split(m.arange(5), 0),                       # zero sections
    lambda m: m.tensor_split(m.arange(5), -1),
    lambda m: m.tensor_split(m.arange(5), m.tensor([1.0])),          # float index tensor
    lambda m: m.tensor_split(m.arange(5), m.tensor([1], dtype=m.int32)),
    lambda m: m.tensor_split(m.arange(5), m.tensor([[1]])),          # 2-D index tensor
    lambda m: m.tensor_split(m.arange(5), 2.0),
    lambda m: m.tensor_split(m.arange(5), [1.0]),
    lambda m: m.tensor_split(m.arange(5), True),
    lambda m: m.tensor_split(m.arange(5), 2, dim=1),
    lambda m: m.hsplit(m.arange(6), 4),                              # not divisible
    lambda m: m.hsplit(m.arange(6), 0),
    lambda m: m.hsplit(m.arange(6), -2),                             # divides, but negative
    lambda m: m.hsplit(m.zeros(3, 5), 2),
    lambda m: m.hsplit(m.tensor(1.0), 1),
    lambda m: m.hsplit(m.arange(6), m.tensor([2])),                  # 1-D tensor argument
    lambda m: m.vsplit(m.arange(6), 2),
    lambda m: m.vsplit(m.zeros(4, 3), 3),
    lambda m: m.dsplit(m.zeros(2, 3), 1),
    lambda m: m.dsplit(m.zeros(1, 3, 4), 3),
])
def test_split_errors(function):
    check_error(function)


def test_split_error_messages_name_the_op():
    with pytest.raises(RuntimeError, match="hsplit attempted to split along dimension 1"):
        rustorch.hsplit(rustorch.zeros(3, 5), 2)
    with pytest.raises(RuntimeError, match="number of sections must be larger than 0"):
        rustorch.tensor_split(rustorch.zeros(3), 0)
    with pytest.raises(RuntimeError, match="dsplit requires a tensor with at least 3"):
        rustorch.dsplit(rustorch.zeros(3, 5), 1)


# ----------------------------------------------------------------- sum_to_size
SUM_TO_SIZE_CASES = [
    ("trailing", lambda m, x: x.sum_to_size(3, 1), [randn(2, 3, 4)]),
    ("keep_leading_one", lambda m, x: x.sum_to_size((1, 3, 1)), [randn(2, 3, 4)]),
    ("list", lambda m, x: x.sum_to_size([4]), [randn(2, 3, 4)]),
    ("size_object", lambda m, x: x.sum_to_size(m.Size([3, 4])), [randn(2, 3, 4)]),
    ("scalar", lambda m, x: x.sum_to_size(()), [randn(2, 3)]),
    ("ones", lambda m, x: x.sum_to_size(1, 1), [randn(2, 3)]),
    ("leading_only", lambda m, x: x.sum_to_size(3), [randn(1, 3)]),
    ("same", lambda m, x: x.sum_to_size(2, 3), [randn(2, 3)]),
    ("zero_d", lambda m, x: x.sum_to_size(()), [randn()]),
    ("empty", lambda m, x: x.sum_to_size(1, 3), [randn(0, 3)]),
    ("noncontiguous", lambda m, x: x.t().sum_to_size(1, 2), [randn(2, 3)]),
    ("int_promotes", lambda m, x: x.sum_to_size(3), [randint(0, 5, (2, 3), dtype=np.int32)]),
    ("bool", lambda m, x: x.sum_to_size(1, 3), [np.array([[True, False, True]] * 2)]),
]


@pytest.mark.parametrize("name,function,inputs", SUM_TO_SIZE_CASES,
                         ids=[c[0] for c in SUM_TO_SIZE_CASES])
def test_sum_to_size(name, function, inputs):
    check(function, *inputs)


def test_sum_to_size_same_shape_returns_self_and_gradcheck():
    for m in FRAMEWORKS:
        x = m.ones(2, 3)
        assert x.sum_to_size(2, 3) is x
    x = rustorch.randn(2, 3, 4, dtype=rustorch.float64, requires_grad=True)
    assert gradcheck(lambda t: t.sum_to_size(3, 1), (x,))
    assert gradgradcheck(lambda t: (t * t).sum_to_size(1, 4), (x,))


@pytest.mark.parametrize("size", [(2,), (5,), (2, 2, 3, 4), (1, 1, 1, 1), (0,), (-1,)])
def test_sum_to_size_not_expandable(size):
    check_error(lambda m: m.ones(2, 3, 4).sum_to_size(*size))


def test_sum_to_size_argument_errors():
    check_error(lambda m: m.ones(2, 3).sum_to_size(3.0))
    check_error(lambda m: m.ones(2, 3).sum_to_size())
    check_error(lambda m: m.tensor(2.0).sum_to_size(1))


# ----------------------------------------------------------------- fill_diagonal_
FILL_DIAGONAL_CASES = [
    ("square", lambda m, x: (x * 1).fill_diagonal_(2.5), [randn(3, 3)]),
    ("tall", lambda m, x: (x * 1).fill_diagonal_(2.5), [randn(7, 3)]),
    ("tall_wrap", lambda m, x: (x * 1).fill_diagonal_(2.5, wrap=True), [randn(7, 3)]),
    ("tall_wrap_8", lambda m, x: (x * 1).fill_diagonal_(-1, True), [randn(8, 3)]),
    ("tall_wrap_long", lambda m, x: (x * 1).fill_diagonal_(-1, True), [randn(20, 3)]),
    ("height_width_plus_one", lambda m, x: (x * 1).fill_diagonal_(4, True), [randn(4, 3)]),
    ("wide_wrap", lambda m, x: (x * 1).fill_diagonal_(2.5, wrap=True), [randn(3, 7)]),
    ("cube", lambda m, x: (x * 1).fill_diagonal_(5), [randn(3, 3, 3)]),
    ("hypercube", lambda m, x: (x * 1).fill_diagonal_(5, True), [randn(2, 2, 2, 2)]),
    ("empty", lambda m, x: (x * 1).fill_diagonal_(5), [randn(0, 3)]),
    ("transposed_wrap", lambda m, x: (x * 1).t().fill_diagonal_(4, wrap=True), [randn(3, 7)]),
    ("int_truncates", lambda m, x: x.fill_diagonal_(2.7), [randint(0, 9, (3, 3))]),
    ("int_bool_value", lambda m, x: x.fill_diagonal_(True), [randint(0, 9, (3, 3))]),
    ("bool", lambda m, x: x.fill_diagonal_(2), [np.zeros((3, 3), bool)]),
    ("complex", lambda m, x: (x * 1).fill_diagonal_(1 + 2j),
     [randn(3, 3).astype(np.complex64)]),
    ("tensor_value", lambda m, x: (x * 1).fill_diagonal_(m.tensor(-3.0)), [randn(3, 3)]),
    ("uint8_negative_wraps", lambda m, x: x.fill_diagonal_(-1),
     [randint(0, 9, (2, 2), dtype=np.uint8)]),
]


@pytest.mark.parametrize("name,function,inputs", FILL_DIAGONAL_CASES,
                         ids=[c[0] for c in FILL_DIAGONAL_CASES])
def test_fill_diagonal(name, function, inputs):
    check(function, *inputs)


def test_fill_diagonal_in_place_on_strided_view_and_version():
    def run(m):
        base = m.zeros(4, 6)
        view = base[:, ::2]
        before = base._version
        result = view.fill_diagonal_(3.0)
        return base, result is view, base._version - before
    (expected, expected_same, expected_bump), (actual, actual_same, actual_bump) = in_both(run)
    assert_close(actual, expected)
    assert actual_same and expected_same
    assert actual_bump == expected_bump == 1


def test_fill_diagonal_leaf_requiring_grad_raises_but_not_under_no_grad():
    check_error(lambda m: m.zeros(3, 3, requires_grad=True).fill_diagonal_(1.0))

    def run(m):
        x = m.zeros(3, 3, requires_grad=True)
        with m.no_grad():
            x.fill_diagonal_(1.0)
        return x
    assert_same(run)


@pytest.mark.parametrize("function", [
    lambda m: m.zeros(3).fill_diagonal_(1.0),
    lambda m: m.zeros(()).fill_diagonal_(1.0),
    lambda m: m.zeros(2, 3, 2).fill_diagonal_(1.0),
    lambda m: m.zeros(3, 3).fill_diagonal_(m.tensor([2.0])),
    lambda m: m.zeros(3, 3).fill_diagonal_("a"),
    lambda m: m.zeros(3, 3).fill_diagonal_(1 + 2j),
    lambda m: m.zeros(3, 3, dtype=m.int64).fill_diagonal_(float("nan")),
    lambda m: m.zeros(3, 3, dtype=m.uint8).fill_diagonal_(300),
    lambda m: m.zeros(3, 3, dtype=m.int8).fill_diagonal_(-129),
])
def test_fill_diagonal_errors(function):
    check_error(function)


# ----------------------------------------------------------------- resize_ / resize_as_
def _resized(sizes, make=lambda m: m.arange(6.0), **kwargs):
    def run(m):
        x = make(m)
        before = x._version
        result = x.resize_(*sizes, **kwargs)
        return x, result is x, x._version - before, x.stride()
    return in_both(run)


@pytest.mark.parametrize("sizes", [(2, 3), ((3, 2),), ([6],), (6,), (2, 2), (4,), ((),), (0,),
                                   (1, 1, 2)])
def test_resize_within_storage(sizes):
    (expected, expected_self, expected_bump, expected_stride), \
        (actual, actual_self, actual_bump, actual_stride) = _resized(sizes)
    assert_close(actual, expected)
    assert actual_self and expected_self
    assert actual_bump == expected_bump
    assert actual_stride == expected_stride


@pytest.mark.parametrize("sizes", [(9,), (3, 3), (2, 5, 2)])
def test_resize_grow_keeps_prefix(sizes):
    (expected, _, expected_bump, _), (actual, _, actual_bump, _) = _resized(sizes)
    assert tuple(actual.shape) == tuple(expected.shape) == tuple(rustorch.Size(sizes))
    assert_close(actual.flatten()[:6], expected.flatten()[:6])
    assert actual_bump == expected_bump == 1


@pytest.mark.parametrize("sizes,memory_format", [((2, 6), None), ((4, 3), None),
                                                 ((4, 3), "contiguous_format"), ((3, 4), None)])
def test_resize_noncontiguous_uses_storage_order(sizes, memory_format):
    def run(m):
        x = m.arange(12.0).reshape(3, 4).t()
        before = x._version
        formats = {} if memory_format is None else {"memory_format": getattr(m, memory_format)}
        x.resize_(*sizes, **formats)
        return x, x.stride(), x._version - before
    (expected, expected_stride, expected_bump), (actual, actual_stride, actual_bump) = \
        in_both(run)
    assert_close(actual, expected)
    assert actual_stride == expected_stride and actual_bump == expected_bump


def test_resize_channels_last():
    def run(m):
        x = m.arange(24.0).reshape(1, 2, 3, 4)
        x.resize_(1, 2, 3, 4, memory_format=m.channels_last)
        y = m.arange(6.0)
        y.resize_(1, 2, 1, 3, memory_format=m.channels_last)
        return x, x.stride(), y.stride()
    expected, actual = in_both(run)
    assert_close(actual[0], expected[0])
    assert actual[1:] == expected[1:]


def test_resize_view_shares_storage_with_base():
    def run(m):
        base = m.arange(6.0)
        view = base[1:4]
        view.resize_(2, 2)
        view.fill_(9.0)
        return base, view, view._base is base
    expected, actual = in_both(run)
    assert_close(actual[:2], expected[:2])
    assert actual[2] and expected[2]


def test_resize_view_then_in_place_write_records_into_base():
    def run(m):
        base = m.zeros(6)
        view = base[1:5]
        view.resize_(2, 2)
        source = m.arange(4.0).reshape(2, 2).requires_grad_()
        view.copy_(source * 2)
        (base * m.arange(6.0)).sum().backward()
        return base, base.requires_grad, source.grad
    assert_same(run)


def test_resize_base_shrink_keeps_views_sharing():
    def run(m):
        base = m.arange(6.0)
        view = base.view(2, 3)
        base.resize_(4)
        base.fill_(-1.0)
        return view
    assert_same(run)


def test_resize_view_grown_past_storage_keeps_its_values():
    def run(m):
        base = m.arange(6.0)
        view = base[2:]
        view.resize_(10)
        return view[:4], base
    assert_same(run)


def test_resize_then_autograd_still_works():
    def run(m):
        x = m.arange(6.0)
        x.resize_(2, 2)
        weight = m.ones(2, 2, requires_grad=True)
        (x * weight).sum().backward()
        return weight.grad
    assert_same(run)


def test_resize_as():
    def run(m):
        x = m.zeros(2, 3, dtype=m.int32)
        x.resize_as_(m.zeros(3, 2, dtype=m.float64))
        y = m.arange(6.0)
        result = m.resize_as_(y, m.zeros(4))
        return x.shape, x.dtype == m.int32, result is y, y
    expected, actual = in_both(run)
    assert tuple(actual[0]) == tuple(expected[0]) == (3, 2)
    assert actual[1:3] == expected[1:3] == (True, True)
    assert_close(actual[3], expected[3])


@pytest.mark.parametrize("function", [
    lambda m: m.arange(6.0).requires_grad_().resize_(2, 3),
    lambda m: (m.arange(6.0).requires_grad_() * 2).resize_(6),
    lambda m: m.arange(6.0).resize_(-1),
    lambda m: m.arange(6.0).resize_(2, -1),
    lambda m: m.arange(6.0).resize_(2.5),
    lambda m: m.arange(6.0).resize_(),
    lambda m: m.arange(6.0).resize_(1, 2, 3, memory_format=m.preserve_format),
    lambda m: m.arange(6.0).resize_(2, 3, memory_format=m.channels_last),
    lambda m: m.arange(6.0).resize_as_([1, 2]),
])
def test_resize_errors(function):
    check_error(function)


def test_resize_requires_grad_raises_even_under_no_grad():
    for m in FRAMEWORKS:
        x = m.arange(6.0).requires_grad_()
        with m.no_grad(), pytest.raises(RuntimeError, match="cannot resize variables"):
            x.resize_(2, 3)


# ----------------------------------------------------------------- apply_ / map_
# torch implements apply_ and map_ for CPU tensors only (they call a Python function per
# element; on CUDA they raise TypeError): the tests below are ``cpu_only``, and
# test_apply_and_map_refuse_non_cpu_tensors checks the refusal on a GPU test device
APPLY_CASES = [
    ("float", lambda m: m.arange(6.0).reshape(2, 3), lambda m, t: t * t - 1),
    ("int_truncates", lambda m: m.arange(6), lambda m, t: t / 4),
    ("bool", lambda m: m.tensor([True, False, True]), lambda m, t: not t),
    ("complex", lambda m: m.tensor([1 + 1j, 2j]), lambda m, t: t * 1j),
    ("float16", lambda m: m.tensor([1.0, 2.0], dtype=m.float16), lambda m, t: t / 3),
    ("bfloat16", lambda m: m.tensor([1.0, 2.0], dtype=m.bfloat16), lambda m, t: t / 3),
    ("zero_d", lambda m: m.tensor(2.0), lambda m, t: t + 1),
    ("empty", lambda m: m.zeros(0, 3), lambda m, t: t + 1),
    ("noncontiguous", lambda m: m.arange(6.0).reshape(2, 3).t(), lambda m, t: -t),
    ("returns_0d_tensor", lambda m: m.ones(2), lambda m, t: m.tensor(3.0)),
    ("returns_bool", lambda m: m.ones(2), lambda m, t: True),
    ("overflow_to_inf", lambda m: m.ones(2, dtype=m.float16), lambda m, t: 1e6),
    ("uint8_negative_wraps", lambda m: m.ones(2, dtype=m.uint8), lambda m, t: -255),
]


@pytest.mark.cpu_only  # apply_/map_: CPU tensors only, as in torch
@pytest.mark.parametrize("name,make,function", APPLY_CASES, ids=[c[0] for c in APPLY_CASES])
def test_apply(name, make, function):
    def run(m):
        x = make(m)
        before, seen = x._version, []

        def recorded(value):
            seen.append(type(value))
            return function(m, value)
        result = x.apply_(recorded)
        return x, result is x, x._version - before, seen
    (expected, expected_self, expected_bump, expected_seen), \
        (actual, actual_self, actual_bump, actual_seen) = in_both(run)
    assert_close(actual, expected)
    assert actual_self and expected_self
    assert actual_bump == expected_bump  # PyTorch does not bump the version here
    assert actual_seen == expected_seen


@pytest.mark.cpu_only  # apply_/map_: CPU tensors only, as in torch
def test_apply_writes_through_strided_view():
    def run(m):
        base = m.arange(6.0)
        base[::2].apply_(lambda t: 100)
        return base
    assert_same(run)


@pytest.mark.cpu_only  # apply_/map_: CPU tensors only, as in torch
@pytest.mark.parametrize("function", [
    lambda m: m.arange(3.0).requires_grad_().apply_(abs),
    lambda m: (m.arange(3.0).requires_grad_() * 1).apply_(abs),
    lambda m: m.tensor([1.0, 2.0]).apply_(lambda t: None),
    lambda m: m.tensor([1.0, 2.0]).apply_(lambda t: 1 + 2j),
    lambda m: m.tensor([1.0, 2.0]).apply_(lambda t: 1 + 0j),
    lambda m: m.tensor([1, 2]).apply_(lambda t: 1 + 0j),
    lambda m: m.tensor([1, 2]).apply_(lambda t: float("nan")),
    lambda m: m.tensor([1.0, 2.0]).apply_(lambda t: "3.5"),
    lambda m: m.tensor([1, 2]).apply_(lambda t: "a"),
    lambda m: m.tensor([True]).apply_(lambda t: None),
    lambda m: m.tensor([1, 2], dtype=m.uint8).apply_(lambda t: 300),
    lambda m: m.tensor([1, 2], dtype=m.int8).apply_(lambda t: -129),
    lambda m: m.tensor([1, 2], dtype=m.int32).apply_(lambda t: 2 ** 40),
    lambda m: m.tensor([1, 2]).apply_(lambda t: 2 ** 70),
    lambda m: m.tensor([1.0]).apply_(3),
])
def test_apply_errors(function):
    check_error(function)


@pytest.mark.cpu_only  # apply_/map_: CPU tensors only, as in torch
def test_callable_errors_propagate_unchanged():
    for m in FRAMEWORKS:
        with pytest.raises(ZeroDivisionError):
            m.ones(2).apply_(lambda t: t / 0)
        with pytest.raises(TypeError, match="positional argument"):
            m.ones(3).map_(m.ones(3), lambda a: a)


MAP_CASES = [
    ("same_shape", lambda m: (m.arange(6.0).reshape(2, 3), m.ones(2, 3)), lambda a, b: a + b),
    ("broadcast", lambda m: (m.arange(6.0).reshape(2, 3), m.tensor([10.0, 20.0, 30.0])),
     lambda a, b: a * b),
    ("zero_d_other", lambda m: (m.arange(3.0), m.tensor(2.0)), lambda a, b: a - b),
    ("int", lambda m: (m.arange(4), m.arange(4)), lambda a, b: a * 10 + b),
    ("noncontiguous", lambda m: (m.arange(6.0).reshape(2, 3).t(), m.ones(3, 2).t().t()),
     lambda a, b: a - b),
]


@pytest.mark.cpu_only  # apply_/map_: CPU tensors only, as in torch
@pytest.mark.parametrize("name,make,function", MAP_CASES, ids=[c[0] for c in MAP_CASES])
def test_map(name, make, function):
    def run(m):
        x, other = make(m)
        before, seen = x._version, []

        def recorded(a, b):
            seen.append((type(a), type(b)))
            return function(a, b)
        result = x.map_(other, recorded)
        return x, result is x, x._version - before, seen
    (expected, expected_self, expected_bump, expected_seen), \
        (actual, actual_self, actual_bump, actual_seen) = in_both(run)
    assert_close(actual, expected)
    assert actual_self and expected_self
    assert actual_bump == expected_bump
    assert actual_seen == expected_seen


@pytest.mark.cpu_only  # apply_/map_: CPU tensors only, as in torch
def test_map_with_aliased_source_sees_earlier_writes():
    def run(m):
        a = m.arange(5.0)
        a[1:].map_(a[:4], lambda p, q: p + q)
        b = m.arange(3.0)
        b.map_(b, lambda p, q: p * q)
        return a, b
    assert_same(run)


@pytest.mark.cpu_only  # apply_/map_: CPU tensors only, as in torch
@pytest.mark.parametrize("function", [
    lambda m: m.arange(3.0).map_(3, lambda a, b: a),
    lambda m: m.arange(3.0).map_(m.ones(2, 3), lambda a, b: a),
    lambda m: m.ones(3).map_(m.ones(3, dtype=m.float64), lambda a, b: a),
    lambda m: m.ones(3).map_(m.ones(3, requires_grad=True), lambda a, b: a),
    lambda m: m.ones(3, requires_grad=True).map_(m.ones(3), lambda a, b: a),
])
def test_map_errors(function):
    check_error(function)


@pytest.mark.skipif(ON_CPU, reason="needs a non-CPU test device")
def test_apply_and_map_refuse_non_cpu_tensors():
    # torch: TypeError("apply_ is only implemented on CPU tensors"), and the same for map_
    for call in (lambda x: x.apply_(lambda t: t), lambda x: x.map_(x, lambda a, b: a)):
        with pytest.raises(TypeError, match="only implemented on CPU tensors") as error:
            call(rustorch.ones(2))
        assert isinstance(error.value, rustorch.RusTorchError)


# ----------------------------------------------------------------- pinned memory
def test_is_pinned_is_false():
    for m in FRAMEWORKS:
        assert m.arange(3.0).is_pinned() is False


@pytest.mark.skipif(rustorch.cuda.is_available() or torch.cuda.is_available(),
                    reason="pin_memory only raises without an accelerator")
def test_pin_memory_without_accelerator_raises():
    check_error(lambda m: m.arange(3.0).pin_memory())
    with pytest.raises(RuntimeError, match="accelerator"):
        rustorch.ones(2).pin_memory()


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind_values_gradients_and_node_like_torch(dim):
    """One UnbindBackward0 node; unused pieces get zero gradients; float64 gradcheck and
    gradgradcheck through the stacked backward."""
    def run(m, x):
        pieces = x.unbind(dim)
        assert [piece.output_nr for piece in pieces] == list(range(len(pieces)))
        return pieces[0] * 2 + pieces[-1].exp()

    check(run, randn(3, 4, 2))
    x = rustorch.tensor(randn(3, 4, 2, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda t: t.unbind(dim)[1].sin(), (x,))
    assert gradgradcheck(lambda t: t.unbind(dim)[1].sin(), (x,))
