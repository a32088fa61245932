"""``torch.nn.utils.rnn``: packing variable-length sequences for recurrent layers.

A packed batch stores the sequences time step by time step, longest first: ``data`` holds the
rows of step 0 of every sequence, then step 1 of the sequences at least 2 long, and so on;
``batch_sizes[t]`` counts the rows of step ``t``. Every function here computes where each output
row comes from with NumPy (from the lengths or ``batch_sizes``) and then gathers all rows with
one differentiable indexing op, so gradients flow between padded and packed layouts.
"""
from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ... import dtypes as _dtypes
from ...creation import arange, as_tensor, empty_like, full
from ...errors import (ArgumentError, ArgumentTypeError, ArgumentValueError, DeviceError,
                       DTypeError, ShapeError, TensorIndexError)
from ...tensor import _TORCH_TYPE_NAMES, Tensor, wrap_dim
from ..._ops.movement import cat

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


class _PackedSequenceFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceFields):
    """The data and ``batch_sizes`` of a packed batch (made by :func:`pack_padded_sequence` or
    :func:`pack_sequence`). ``sorted_indices``/``unsorted_indices`` (int64, on ``data``'s
    device) map between the caller's batch order and the longest-first order; ``batch_sizes``
    is always an int64 CPU tensor.

    >>> import rustorch as torch
    >>> torch.nn.utils.rnn.pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4])]).data
    tensor([1, 4, 2, 3])
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if batch_sizes.device.type != "cpu":
                raise ArgumentError(
                    "batch_sizes should always be on CPU. Instances of PackedSequence should "
                    "never be created manually. They should be instantiated by functions like "
                    "pack_sequence and pack_padded_sequences in nn.utils.rnn. https://pytorch."
                    "org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        elif isinstance(data, (list, tuple)) and len(data) == 2:  # PackedSequence((data, sizes))
            data, batch_sizes = data
        else:  # torch asserts here (AssertionError)
            raise ArgumentTypeError("Expected data to be a list or tuple of length 2 (or pass "
                                    "batch_sizes)")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data: Tensor) -> "PackedSequence":
        """``self`` with ``data`` replaced; the indices follow it to its device."""
        if data is self.data:
            return self
        move = (lambda index: None if index is None else index.to(data.device))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def to(self, *args, **kwargs) -> "PackedSequence":
        """``data.to(*args, **kwargs)``; ``self`` when that changes nothing."""
        return self._with_data(self.data.to(*args, **kwargs))

    def cpu(self, memory_format=None) -> "PackedSequence":
        return self._with_data(self.data.cpu())

    def cuda(self, device=None, non_blocking: bool = False,
             memory_format=None) -> "PackedSequence":
        return self._with_data(self.data.cuda(device, non_blocking))

    def pin_memory(self) -> "PackedSequence":
        pin = (lambda index: None if index is None else index.pin_memory())
        return type(self)(self.data.pin_memory(), self.batch_sizes, pin(self.sorted_indices),
                          pin(self.unsorted_indices))

    def double(self) -> "PackedSequence":
        return self.to(dtype=_dtypes.float64)

    def float(self) -> "PackedSequence":
        return self.to(dtype=_dtypes.float32)

    def half(self) -> "PackedSequence":
        return self.to(dtype=_dtypes.float16)

    def long(self) -> "PackedSequence":
        return self.to(dtype=_dtypes.int64)

    def int(self) -> "PackedSequence":
        return self.to(dtype=_dtypes.int32)

    def short(self) -> "PackedSequence":
        return self.to(dtype=_dtypes.int16)

    def char(self) -> "PackedSequence":
        return self.to(dtype=_dtypes.int8)

    def byte(self) -> "PackedSequence":
        return self.to(dtype=_dtypes.uint8)

    @property
    def is_cuda(self) -> bool:
        """Whether ``data`` is on a GPU."""
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        """Whether ``data`` is in pinned memory."""
        return self.data.is_pinned()


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of the 1-D index tensor ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    output = empty_like(permutation)
    output.scatter_(0, permutation, arange(permutation.numel(), device=permutation.device))
    return output


# ----------------------------------------------------------------- index bookkeeping (NumPy)
def _check_long_vector(tensor: Tensor) -> np.ndarray:
    """``tensor`` (lengths or batch_sizes) as a NumPy array; it must be 1-D CPU int64."""
    problems = [(tensor.ndim != 1, ShapeError), (tensor.device.type != "cpu", DeviceError),
                (tensor.dtype is not _dtypes.int64, DTypeError)]
    for failed, error in problems:
        if failed:
            type_name = _TORCH_TYPE_NAMES.get(tensor.dtype.name, tensor.dtype.name)
            raise error(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                        f"{tensor.ndim}D {tensor.device} {type_name} tensor")
    return tensor.detach().numpy()


def _lengths_array(lengths) -> np.ndarray:
    """Sequence lengths (a list or a CPU tensor) as int64, truncating floats like torch."""
    if isinstance(lengths, Tensor):
        return _check_long_vector(lengths.to(dtype=_dtypes.int64))
    return _check_long_vector(as_tensor(lengths, dtype=_dtypes.int64, device="cpu"))


def _pack_layout(lengths: np.ndarray, enforce_sorted: bool):
    """Where each packed row comes from: its time step, its batch element and the batch sizes,
    plus the longest-first order (None when ``enforce_sorted``), with torch's length checks."""
    order = None if enforce_sorted else np.argsort(-lengths, kind="stable")
    if order is not None:
        lengths = lengths[order]
    if lengths[-1] <= 0:
        raise ArgumentValueError("Length of all samples has to be greater than 0, but found an "
                                 "element in 'lengths' that is <= 0")
    if np.any(lengths[1:] > lengths[:-1]):
        raise ArgumentValueError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability.")
    present = lengths[None, :] > np.arange(lengths[0])[:, None]  # (time, sorted batch)
    time, position = np.nonzero(present)  # row-major: the packed order
    batch = position if order is None else order[position]
    return time, batch, present.sum(axis=1), order


def _index(array: np.ndarray, device) -> Tensor:
    return as_tensor(np.ascontiguousarray(array, dtype=np.int64), device=device)


def _batch_sizes_tensor(batch_sizes: np.ndarray) -> Tensor:
    return as_tensor(batch_sizes.astype(np.int64), device="cpu")


def _packed(data: Tensor, batch_sizes: np.ndarray, order: np.ndarray | None) -> PackedSequence:
    sorted_indices = None if order is None else _index(order, data.device)
    return PackedSequence(data, _batch_sizes_tensor(batch_sizes), sorted_indices, None)


# ----------------------------------------------------------------- packing and padding
def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded ``T x B x *`` batch (``B x T x *`` if ``batch_first``) of sequences with
    the given ``lengths`` (a list or a CPU tensor). With ``enforce_sorted`` the lengths must
    be decreasing; otherwise the batch is sorted and the order kept in ``sorted_indices``."""
    lengths = _lengths_array(lengths)
    if not enforce_sorted:
        wrap_dim(0 if batch_first else 1, input.ndim)  # torch's index_select on the batch dim
    if input.numel() == 0:
        raise ShapeError("Cannot pack empty tensors.")
    if input.ndim < 2:
        if input.ndim == 0:
            raise TensorIndexError("Dimension specified as 1 but tensor has no dimensions")
        wrap_dim(1, input.ndim)
    time_dim, batch_dim = (1, 0) if batch_first else (0, 1)
    if lengths.shape[0] != input.shape[batch_dim]:
        raise ShapeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                         f"{lengths.shape[0]} (batch_size={input.shape[batch_dim]})")
    time, batch, batch_sizes, order = _pack_layout(lengths, enforce_sorted)
    if batch_sizes.shape[0] > input.shape[time_dim]:  # torch reads past the end here
        raise ShapeError(f"pack_padded_sequence: a length of {batch_sizes.shape[0]} exceeds the "
                         f"padded input's {input.shape[time_dim]} time steps")
    key = (batch, time) if batch_first else (time, batch)
    data = input[_index(key[0], input.device), _index(key[1], input.device)]
    return _packed(data, batch_sizes, order)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo :func:`pack_padded_sequence`: the padded ``T x B x *`` batch (``B x T x *`` if
    ``batch_first``; ``T = total_length`` if given) in the original batch order, and the
    lengths (int64, CPU)."""
    max_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_length:
            raise ArgumentError(f"Expected total_length to be at least the length of the "
                                f"longest sequence in input, but got total_length="
                                f"{total_length} and max sequence length being {max_length}")
        if isinstance(total_length, bool) or not hasattr(total_length, "__index__"):
            raise ArgumentTypeError(f"_pad_packed_sequence(): argument 'total_length' "
                                    f"(position 5) must be int, not "
                                    f"{type(total_length).__name__}")
        max_length = operator.index(total_length)
    batch_sizes = _check_long_vector(sequence.batch_sizes)
    if batch_sizes.shape[0] == 0:
        raise ShapeError("pad_packed_sequence: batch_sizes is empty (no time steps)")
    data, steps = sequence.data, np.zeros(max_length, dtype=np.int64)
    steps[:batch_sizes.shape[0]] = batch_sizes
    offsets = np.cumsum(steps) - steps
    position = np.arange(batch_sizes[0])
    present = position[None, :] < steps[:, None]  # (time, sorted batch)
    lengths = present.sum(axis=0)
    source = np.where(present, offsets[:, None] + position[None, :], data.shape[0])
    if sequence.unsorted_indices is not None:  # back to the caller's batch order
        unsorted = sequence.unsorted_indices.detach().cpu().numpy()
        source, lengths = source[:, unsorted], lengths[unsorted]
    if batch_first:
        source = source.T
    padded = _gather_rows(data, source, padding_value, pad=not present.all())
    return padded, as_tensor(lengths.astype(np.int64), device="cpu")


def _gather_rows(rows: Tensor, source: np.ndarray, padding_value, pad: bool) -> Tensor:
    """``rows[source]`` (shape ``source.shape + rows.shape[1:]``); the index ``len(rows)``
    picks a row of ``padding_value`` when ``pad``."""
    trailing = tuple(rows.shape[1:])
    if pad:
        rows = cat([rows, full((1,) + trailing, padding_value, dtype=rows.dtype,
                               device=rows.device)])
    picked = rows.index_select(0, _index(source.reshape(-1), rows.device))
    return picked.reshape(tuple(source.shape) + trailing)


def _broadcast_into(sequence: Tensor, target: tuple) -> Tensor:
    """``sequence`` expanded to ``target`` as torch's ``copy_`` into the padded slot would."""
    shape = tuple(sequence.shape)
    if shape == target:
        return sequence
    ndim = max(len(shape), len(target))
    aligned = zip((1,) * (ndim - len(target)) + target, (1,) * (ndim - len(shape)) + shape)
    broadcast = []
    for dim, (slot, size) in enumerate(aligned):
        if slot != size and 1 not in (slot, size):
            raise ShapeError(f"The size of tensor a ({slot}) must match the size of tensor b "
                             f"({size}) at non-singleton dimension {dim}")
        broadcast.append(size if slot == 1 else slot)
    if tuple(broadcast) != target:
        raise ShapeError(f"output with shape {list(target)} doesn't match the broadcast shape "
                         f"{broadcast}")
    return sequence.expand(target)


def _concatenated(sequences, op: str) -> tuple[Tensor, np.ndarray]:
    """The sequences, cast to the first one's dtype with their trailing dims broadcast to its,
    joined along time; and their lengths."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    elif not isinstance(sequences, Iterable):
        raise ArgumentValueError(f"{op}: Expected iterable for input sequences, but got arg of "
                                 f"type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise ArgumentValueError("received an empty list of sequences")
    first = sequences[0]
    if first.ndim == 0:
        raise ShapeError(f"{op}: each sequence needs a length dim, but sequence 0 is 0-d")
    for sequence in sequences:
        if sequence.ndim == 0:
            raise TensorIndexError("Dimension specified as 0 but tensor has no dimensions")
    trailing = tuple(first.shape[1:])
    pieces = [_broadcast_into(sequence, (sequence.shape[0],) + trailing).to(first.dtype)
              for sequence in sequences]
    lengths = np.array([piece.shape[0] for piece in pieces], dtype=np.int64)
    return (pieces[0] if len(pieces) == 1 else cat(pieces)), lengths


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack ``L_i x *`` sequences into a ``T x B x *`` tensor (``B x T x *`` if
    ``batch_first``), ``T`` the longest length, padding with ``padding_value`` on
    ``padding_side``. The result has the first sequence's dtype and device."""
    rows, lengths = _concatenated(sequences, "pad_sequence")
    if padding_side not in ("left", "right"):
        raise ArgumentValueError(f"Expected padding_side to be one of left or right, but got "
                                 f"{padding_side}.")
    longest = int(lengths.max())
    start = longest - lengths if padding_side == "left" else np.zeros_like(lengths)
    step = np.arange(longest)[:, None] - start[None, :]  # (time, batch)
    present = (step >= 0) & (step < lengths[None, :])
    offsets = np.cumsum(lengths) - lengths
    source = np.where(present, offsets[None, :] + step, rows.shape[0])
    return _gather_rows(rows, source.T if batch_first else source, padding_value,
                        pad=not present.all())


def _split_rows(rows: Tensor, lengths: np.ndarray) -> list[Tensor]:
    """Consecutive pieces of ``rows`` with the given lengths (slices, so each can be modified
    in place as torch's fresh tensors can)."""
    stops = np.cumsum(lengths).tolist()
    return [rows[start:stop] for start, stop in zip([0] + stops[:-1], stops)]


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> list[Tensor]:
    """Split a padded batch back into its ``lengths[i] x *`` sequences. (Unlike torch 2.13,
    the input is not transposed in place when ``batch_first`` is False.)"""
    wrap_dim(1, padded_sequences.ndim)
    time_dim, batch_dim = (1, 0) if batch_first else (0, 1)
    lengths = lengths.detach().cpu().numpy() if isinstance(lengths, Tensor) \
        else np.asarray(lengths)
    batch = padded_sequences.shape[batch_dim]
    if lengths.shape[0] != batch:
        relation = "shorter" if lengths.shape[0] < batch else "longer"
        raise ArgumentError(f"zip() argument 2 is {relation} than argument 1")
    present = np.arange(padded_sequences.shape[time_dim])[None, :] < lengths[:, None]
    batch_index, time_index = np.nonzero(present)  # (batch, time) row-major
    key = (batch_index, time_index) if batch_first else (time_index, batch_index)
    device = padded_sequences.device
    rows = padded_sequences[_index(key[0], device), _index(key[1], device)]
    return _split_rows(rows, present.sum(axis=1))


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of ``L_i x *`` sequences (``pad_sequence`` then ``pack_padded_sequence``);
    with ``enforce_sorted`` their lengths must be decreasing."""
    if not isinstance(sequences, Iterable):
        raise ArgumentTypeError(f"'{type(sequences).__name__}' object is not iterable")
    sequences = list(sequences)  # torch reads every length first: a 0-d one fails here
    for sequence in sequences:
        if sequence.ndim == 0:
            raise TensorIndexError("Dimension specified as 0 but tensor has no dimensions")
    rows, lengths = _concatenated(sequences, "pad_sequence")
    time, batch, batch_sizes, order = _pack_layout(lengths, enforce_sorted)
    offsets = np.cumsum(lengths) - lengths
    data = rows.index_select(0, _index(offsets[batch] + time, rows.device))
    return _packed(data, batch_sizes, order)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences in a packed batch, in the original order."""
    batch_sizes = _check_long_vector(packed_sequences.batch_sizes)
    if batch_sizes.shape[0] == 0:
        raise ShapeError("unpack_sequence: batch_sizes is empty (no time steps)")
    offsets = np.cumsum(batch_sizes) - batch_sizes
    position = np.arange(batch_sizes[0])
    lengths = (position[None, :] < batch_sizes[:, None]).sum(axis=0)
    if packed_sequences.unsorted_indices is not None:
        position = packed_sequences.unsorted_indices.detach().cpu().numpy()
        lengths = lengths[position]
    present = np.arange(batch_sizes.shape[0])[None, :] < lengths[:, None]  # (batch, time)
    batch_index, time_index = np.nonzero(present)
    data = packed_sequences.data
    rows = data.index_select(0, _index(offsets[time_index] + position[batch_index],
                                       data.device))
    return _split_rows(rows, lengths)
