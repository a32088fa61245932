"""nn.utils.rnn against torch.nn.utils.rnn: PackedSequence, pack/pad in every layout (values,
dtypes, gradients), the list forms, torch's errors, and a float64 gradcheck."""
from __future__ import annotations

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import (DEVICE, assert_close, check, check_error, randn, rustorch, to_rustorch,
                           to_torch, torch)

needs_cuda = pytest.mark.skipif(not rustorch.cuda.is_available(), reason="needs a CUDA GPU")


def rnn(module):
    return module.nn.utils.rnn


def padded_input(lengths, batch_first, trailing=(3,), dtype=np.float32, extra_steps=1):
    time, batch = max(lengths) + extra_steps, len(lengths)
    shape = (batch, time) if batch_first else (time, batch)
    return randn(*shape, *trailing, dtype=dtype)


LENGTHS = [([5, 3, 3, 1], True), ([2, 5, 1, 3], False), ([4, 4, 4], True), ([1, 2, 1, 2], False),
           ([3], True)]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", LENGTHS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pack_padded_sequence(batch_first, lengths, enforce_sorted, dtype):
    def pack(m, x):
        packed = rnn(m).pack_padded_sequence(x, lengths, batch_first, enforce_sorted)
        assert type(packed).__name__ == "PackedSequence"
        assert packed.batch_sizes.device.type == "cpu"
        if packed.sorted_indices is not None:
            assert packed.sorted_indices.device == x.device == packed.unsorted_indices.device
        return packed
    check(pack, padded_input(lengths, batch_first, dtype=dtype))


@pytest.mark.parametrize("trailing", [(), (2, 3)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_padded_sequence_trailing_dims(trailing, batch_first):
    lengths = [2, 4, 1]
    check(lambda m, x: rnn(m).pack_padded_sequence(x, lengths, batch_first, False),
          padded_input(lengths, batch_first, trailing))


@pytest.mark.parametrize("lengths_dtype", ["int64", "int32", "float32"])
def test_pack_padded_sequence_tensor_lengths(lengths_dtype):
    def pack(m, x):
        lengths = m.tensor([1.0, 3.0, 2.0], device="cpu").to(getattr(m, lengths_dtype))
        return rnn(m).pack_padded_sequence(x, lengths, enforce_sorted=False)
    check(pack, padded_input([1, 3, 2], False))


def test_pack_padded_sequence_integer_data_without_gradient():
    data = np.arange(24, dtype=np.int64).reshape(4, 3, 2)
    check(lambda m, x: rnn(m).pack_padded_sequence(x, [4, 2, 1]), data)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", LENGTHS)
@pytest.mark.parametrize("padding_value, total_length", [(0.0, None), (-2.5, 8), (7, None)])
def test_pad_packed_sequence_round_trip(batch_first, lengths, enforce_sorted, padding_value,
                                        total_length):
    def round_trip(m, x):
        packed = rnn(m).pack_padded_sequence(x, lengths, batch_first, enforce_sorted)
        padded, sizes = rnn(m).pad_packed_sequence(packed, batch_first, padding_value,
                                                   total_length)
        assert sizes.device.type == "cpu"
        return padded, sizes
    check(round_trip, padded_input(lengths, batch_first, (2, 2), np.float64))


@pytest.mark.parametrize("with_indices", [False, True])
def test_pad_packed_sequence_of_a_packed_leaf(with_indices):
    def pad(m, data):
        batch_sizes = m.tensor([3, 3, 1, 1], device="cpu")
        sorted_indices = m.tensor([2, 0, 1], device=data.device) if with_indices else None
        packed = rnn(m).PackedSequence(data, batch_sizes, sorted_indices)
        return rnn(m).pad_packed_sequence(packed, batch_first=True, padding_value=1.5)
    check(pad, randn(8, 2))


def test_pad_packed_sequence_integer_data_truncates_padding_value():
    def pad(m, x):
        packed = rnn(m).pack_sequence([x[:3], x[:2]])
        return rnn(m).pad_packed_sequence(packed, padding_value=1.5, total_length=4)
    check(pad, np.arange(4, dtype=np.int64) + 5)


def sequences(lengths, trailing=(2,), dtype=np.float32):
    return [randn(length, *trailing, dtype=dtype) for length in lengths]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("padding_value", [0.0, -1.25])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pad_sequence(batch_first, padding_side, padding_value, dtype):
    check(lambda m, *s: rnn(m).pad_sequence(list(s), batch_first, padding_value, padding_side),
          *sequences([3, 5, 0, 1], dtype=dtype))


@pytest.mark.parametrize("trailing", [(), (2, 3)])
def test_pad_sequence_trailing_dims_and_equal_lengths(trailing):
    check(lambda m, *s: rnn(m).pad_sequence(s), *sequences([2, 4, 1], trailing))
    check(lambda m, *s: rnn(m).pad_sequence(s, True), *sequences([3, 3], trailing))


def test_pad_sequence_casts_to_the_first_dtype_and_broadcasts():
    whole = np.arange(4, dtype=np.int64)
    halves = np.array([1.5, -2.5], dtype=np.float32)
    check(lambda m, a, b: rnn(m).pad_sequence([a, b], padding_value=2.7), whole, halves)
    check(lambda m, a, b: rnn(m).pad_sequence([a, b], padding_value=2.7), halves, whole)
    check(lambda m, a, b: rnn(m).pad_sequence([a, b], True), randn(2, 3), randn(4, 1))
    flags = np.array([True, False])
    check(lambda m, a: rnn(m).pad_sequence([a, a[:1]], padding_value=0.5), flags)


def test_pad_sequence_of_a_tensor_and_of_empty_sequences():
    check(lambda m, x: rnn(m).pad_sequence(x, batch_first=True), randn(3, 4, 2))
    check(lambda m, a, b: rnn(m).pad_sequence((a, b)), randn(0, 2), randn(0, 2))


@pytest.mark.parametrize("batch_first", [False, True])
def test_unpad_sequence(batch_first):
    def unpad(m, *s):
        padded = rnn(m).pad_sequence(s, batch_first)
        lengths = m.tensor([len(item) for item in s], device="cpu")
        return rnn(m).unpad_sequence(padded, lengths, batch_first)
    check(unpad, *sequences([3, 5, 1, 5], (2, 2)))


def test_unpad_sequence_of_a_leaf_keeps_its_shape():
    # torch 2.13 transposes the input in place (pytorch#98499); rustorch leaves it alone
    padded = to_rustorch(randn(4, 3, 2), requires_grad=True)
    pieces = rnn(rustorch).unpad_sequence(padded, rustorch.tensor([4, 1, 2]))
    assert tuple(padded.shape) == (4, 3, 2)
    assert [tuple(piece.shape) for piece in pieces] == [(4, 2), (1, 2), (2, 2)]
    pieces[1].mul_(2)  # pieces are independent results, as torch's are
    sum(piece.sum() for piece in pieces).backward()
    expected = np.zeros((4, 3, 2))
    expected[:4, 0], expected[:1, 1], expected[:2, 2] = 1, 2, 1
    np.testing.assert_array_equal(padded.grad.cpu().numpy(), expected)


@pytest.mark.parametrize("lengths, enforce_sorted", [([4, 2, 2, 1], True), ([1, 4, 2], False)])
def test_pack_and_unpack_sequence(lengths, enforce_sorted):
    inputs = sequences(lengths, (3,), np.float64)
    check(lambda m, *s: rnn(m).pack_sequence(list(s), enforce_sorted), *inputs)
    check(lambda m, *s: rnn(m).unpack_sequence(rnn(m).pack_sequence(s, enforce_sorted)),
          *inputs)


def test_unpack_padded_with_total_length_and_one_dimensional_sequences():
    def unpack(m, x):
        return rnn(m).unpack_sequence(rnn(m).pack_padded_sequence(x, [2, 6, 3], False, False))
    check(unpack, randn(7, 3))


def test_invert_permutation():
    check(lambda m: rnn(m).invert_permutation(m.tensor([3, 0, 4, 1, 2])))
    assert rnn(rustorch).invert_permutation(None) is None


def packed_pair(lengths=(1, 3, 2), enforce_sorted=False):
    padded = randn(max(lengths), len(lengths), 2)
    return tuple(rnn(m).pack_padded_sequence(convert(padded), list(lengths),
                                             enforce_sorted=enforce_sorted)
                 for m, convert in ((rustorch, to_rustorch), (torch, to_torch)))


def test_packed_sequence_is_a_namedtuple():
    actual, expected = packed_pair()
    assert actual._fields == expected._fields
    assert isinstance(actual, tuple) and len(actual) == 4
    data, batch_sizes, sorted_indices, unsorted_indices = actual
    assert data is actual.data and unsorted_indices is actual.unsorted_indices
    assert_close(list(actual), list(expected))
    doubled = data * 2
    assert actual == actual._replace() and actual._replace(data=doubled).data is doubled
    assert repr(actual).startswith("PackedSequence(data=tensor(")


def test_packed_sequence_constructor_forms():
    actual, expected = packed_pair()
    for m, packed in ((rustorch, actual), (torch, expected)):
        PackedSequence = rnn(m).PackedSequence
        forms = [PackedSequence(packed.data, packed.batch_sizes, packed.sorted_indices),
                 PackedSequence((packed.data, packed.batch_sizes), None, packed.sorted_indices),
                 PackedSequence(packed.data, packed.batch_sizes)]
        assert forms[0].unsorted_indices.tolist() == packed.unsorted_indices.tolist()
        assert forms[1].unsorted_indices.tolist() == packed.unsorted_indices.tolist()
        assert forms[2].sorted_indices is None and forms[2].unsorted_indices is None
    with pytest.raises(rustorch.RusTorchError):
        rnn(rustorch).PackedSequence(actual.data)  # torch: AssertionError


@pytest.mark.parametrize("method", ["double", "float", "half", "long", "int", "short", "char",
                                    "byte"])
def test_packed_sequence_conversions(method):
    actual, expected = packed_pair()
    converted, reference = getattr(actual, method)(), getattr(expected, method)()
    assert_close(list(converted), list(reference))
    assert converted.batch_sizes is actual.batch_sizes


def test_packed_sequence_to_and_cpu():
    actual, expected = packed_pair()
    assert actual.to(rustorch.float32) is actual and actual.to(actual.data.device) is actual
    assert_close(list(actual.to(rustorch.float64)), list(expected.to(torch.float64)))
    assert_close(list(actual.to(dtype=rustorch.int32)), list(expected.to(dtype=torch.int32)))
    moved = actual.cpu()
    assert moved.data.device.type == moved.sorted_indices.device.type == "cpu"
    assert (moved is actual) == (DEVICE == "cpu")
    assert actual.is_cuda == (DEVICE == "cuda") and not actual.is_pinned()


def test_packed_sequence_gradient_flows_through_to():
    padded = to_rustorch(randn(3, 2, 2), requires_grad=True)
    packed = rnn(rustorch).pack_padded_sequence(padded, [3, 1]).double()
    rnn(rustorch).pad_packed_sequence(packed)[0].sum().backward()
    expected = np.zeros((3, 2, 2), np.float32)
    expected[:, 0], expected[:1, 1] = 1, 1
    np.testing.assert_array_equal(padded.grad.cpu().numpy(), expected)


@pytest.mark.skipif(rustorch.cuda.is_available(), reason="checks the CPU-only behaviour")
def test_packed_sequence_cuda_without_a_gpu():
    with pytest.raises(rustorch.errors.DeviceError):
        packed_pair()[0].cuda()


@pytest.mark.cuda
@needs_cuda
def test_packed_sequence_on_cuda():
    packed = packed_pair()[0].cpu()
    moved = packed.cuda()
    assert moved.data.is_cuda and moved.sorted_indices.is_cuda and moved.unsorted_indices.is_cuda
    assert moved.batch_sizes.device.type == "cpu" and moved.cpu().data.device.type == "cpu"
    lengths = rustorch.tensor([3, 1, 2], device="cuda")
    with pytest.raises(rustorch.errors.DeviceError, match="1D CPU int64"):
        rnn(rustorch).pack_padded_sequence(moved.data.new_ones(3, 3), lengths, False, False)
    with pytest.raises(ValueError, match="batch_sizes should always be on CPU"):
        rnn(rustorch).PackedSequence(moved.data, moved.batch_sizes.cuda())


ERRORS = {
    "unsorted": lambda m: rnn(m).pack_padded_sequence(m.zeros(4, 3), [2, 4, 1]),
    "zero length": lambda m: rnn(m).pack_padded_sequence(m.zeros(4, 3), [4, 2, 0]),
    "negative length": lambda m: rnn(m).pack_padded_sequence(m.zeros(4, 3), [1, -1, 2],
                                                             enforce_sorted=False),
    "length count": lambda m: rnn(m).pack_padded_sequence(m.zeros(4, 3), [4, 2]),
    "2-D lengths": lambda m: rnn(m).pack_padded_sequence(m.zeros(4, 3), [[4, 2, 1]]),
    "empty input": lambda m: rnn(m).pack_padded_sequence(m.zeros(0, 3), [1, 1, 1]),
    "1-D input": lambda m: rnn(m).pack_padded_sequence(m.zeros(3), [3]),
    "0-d input": lambda m: rnn(m).pack_padded_sequence(m.tensor(1.0), [1]),
    "1-D input unsorted": lambda m: rnn(m).pack_padded_sequence(m.zeros(3), [3], False, False),
    "total_length": lambda m: rnn(m).pad_packed_sequence(
        rnn(m).pack_sequence([m.ones(3), m.ones(1)]), total_length=2),
    "float total_length": lambda m: rnn(m).pad_packed_sequence(
        rnn(m).pack_sequence([m.ones(3), m.ones(1)]), total_length=4.0),
    "int32 batch_sizes": lambda m: rnn(m).pad_packed_sequence(
        rnn(m).PackedSequence(m.ones(3), m.tensor([2, 1], dtype=m.int32, device="cpu"))),
    "empty sequence list": lambda m: rnn(m).pad_sequence([]),
    "padding side": lambda m: rnn(m).pad_sequence([m.ones(2)], padding_side="middle"),
    "not iterable": lambda m: rnn(m).pad_sequence(3),
    "trailing mismatch": lambda m: rnn(m).pad_sequence([m.ones(2, 3), m.ones(2, 4)]),
    "trailing rank": lambda m: rnn(m).pad_sequence([m.ones(2, 3), m.ones(2)]),
    "broadcast grows": lambda m: rnn(m).pad_sequence([m.ones(2, 1), m.ones(2, 3)]),
    "0-d first": lambda m: rnn(m).pad_sequence([m.tensor(1.0), m.ones(2)]),
    "0-d later": lambda m: rnn(m).pad_sequence([m.ones(2), m.tensor(1.0)]),
    "pack 0-d": lambda m: rnn(m).pack_sequence([m.tensor(1.0)]),
    "pack zero length": lambda m: rnn(m).pack_sequence([m.ones(2), m.ones(0)]),
    "pack unsorted": lambda m: rnn(m).pack_sequence([m.ones(1), m.ones(2)]),
    "pack empty": lambda m: rnn(m).pack_sequence([]),
    "pack not iterable": lambda m: rnn(m).pack_sequence(3),
    "unpad count": lambda m: rnn(m).unpad_sequence(m.zeros(3, 2), m.tensor([3, 1, 1])),
    "unpad count short": lambda m: rnn(m).unpad_sequence(m.zeros(3, 2), m.tensor([3])),
    "invert int32": lambda m: rnn(m).invert_permutation(m.tensor([1, 0], dtype=m.int32)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    check_error(ERRORS[name])


@pytest.mark.parametrize("call, pattern", [
    (lambda m: rnn(m).pack_padded_sequence(m.zeros(4, 3), [2, 4, 1]), "enforce_sorted=False"),
    (lambda m: rnn(m).pack_padded_sequence(m.zeros(4, 3), [4, 2, 0]), "greater than 0"),
    (lambda m: rnn(m).pad_packed_sequence(rnn(m).pack_sequence([m.ones(3)]), total_length=2),
     "total_length=2 and max sequence length being 3"),
    (lambda m: rnn(m).pad_sequence([m.ones(2, 3), m.ones(2, 4)]),
     r"tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"),
])
def test_error_messages_match_torch(call, pattern):
    for module in (torch, rustorch):
        with pytest.raises(Exception, match=pattern):
            call(module)


def test_lengths_longer_than_the_padded_input_raise():
    # torch reads past the end of the input here; rustorch refuses
    with pytest.raises(rustorch.errors.ShapeError, match="exceeds"):
        rnn(rustorch).pack_padded_sequence(rustorch.zeros(3, 2), [4, 1])


def test_gradcheck_pack_and_pad_float64():
    padded = to_rustorch(randn(5, 3, 2, dtype=np.float64), requires_grad=True)

    def round_trip(x):
        packed = rnn(rustorch).pack_padded_sequence(x, [2, 5, 3], enforce_sorted=False)
        return packed.data, rnn(rustorch).pad_packed_sequence(packed, True, -1.0, 6)[0]
    assert gradcheck(round_trip, (padded,))
    assert gradgradcheck(round_trip, (padded,))
    first = to_rustorch(randn(2, 2, dtype=np.float64), requires_grad=True)
    second = to_rustorch(randn(4, 2, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda a, b: rnn(rustorch).pad_sequence([a, b], padding_side="left"),
                     (first, second))
    assert gradcheck(lambda a, b: rnn(rustorch).pack_sequence([b, a]).data, (first, second))
