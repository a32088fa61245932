"""Scatter-like ops: ``index_reduce`` (slices of ``source`` reduced into ``input`` along a dim),
``as_strided_scatter`` (``src`` written through a strided view of a copy's storage) and
``nonzero_static`` (``nonzero`` padded or cut to a fixed number of rows).

``index_reduce`` is ``scatter_reduce`` with the index vector broadcast over the other dims, so
it shares that primitive, and its gradients (ties of amax/amin share the gradient equally,
prod's handles zeros without dividing by them).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from .._backend import check_same_device
from .._warn_once import warn_once
from .._storage_blocks import block_bytes, memory_block, place_in_block
from ..autograd.function import Primitive
from ..errors import (ArgumentTypeError, DTypeError, DTypeNotImplementedError, ShapeError,
                      TensorIndexError)
from ..tensor import _TORCH_TYPE_NAMES, Tensor, tensor_method, wrap_dim
from .copy_variants import write_out
from .indexing import Gather, ScatterAdd
from .scatter_reduce import ScatterReduceOp, _scattered_mask
from .movement import reshape
from .strided import _strided

__all__ = ["index_reduce", "as_strided_scatter", "nonzero_static"]

_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")
_BETA_WARNING = "index_reduce() is in beta and the API may change at any time."


def _type_name(dtype) -> str:
    return _TORCH_TYPE_NAMES.get(dtype.name, dtype.name)


# ----------------------------------------------------------------- index_reduce
class IndexReduce(ScatterReduceOp):
    """scatter_reduce with an index expanded from a vector along ``dim`` (PyTorch's node is
    ``IndexReduceBackward0``). PyTorch's index_reduce backward differs in two details: amax and
    amin share the gradient among every tie with the result, ``input``'s value included even
    when ``include_self=False`` (it then gets no part of it), and without ``include_self`` an
    int32 index fails there (the formula's ``index_fill`` needs int64)."""

    def forward(self, xp, a, index, source, long_index=True, **options):
        self.long_index = long_index
        return super().forward(xp, a, index, source, **options)

    def backward(self, grad):
        if not self.include_self and not self.long_index:
            raise TensorIndexError("index_fill_(): Expected dtype int64 for index.")
        if self.reduce not in ("amax", "amin") or self.include_self:
            return super().backward(grad)
        input, source = self.saved
        index, dim = Tensor._make(self.index), self.dim
        input_hits = (input == self.output).to(grad.dtype)
        source_hits = (source == Gather.apply(self.output, index, dim=dim)).to(grad.dtype)
        share = grad / ScatterAdd.apply(input_hits, index, source_hits, dim=dim)
        scattered = Tensor._make(_scattered_mask(grad._xp(), self.index, dim, grad.shape))
        return ((share * input_hits).masked_fill(scattered, 0), None,
                Gather.apply(share, index, dim=dim) * source_hits)


def _check_index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor,
                        reduce: str) -> None:
    """PyTorch's argument checks, in its order and with its exception classes."""
    if reduce not in _INDEX_REDUCTIONS:
        raise ShapeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin "
                         f"but got {reduce}.")
    check_same_device("index_reduce", input, index=index, source=source)
    if index.ndim > 1:
        raise TensorIndexError(f"index_reduce_(): Index is supposed to be a vector, but got "
                               f"dim: {index.ndim} with type: {_type_name(index.dtype)} and "
                               f"size: {list(index.shape)}")
    if index.dtype not in (_dtypes.int64, _dtypes.int32):
        raise DTypeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: "
                         f"{_type_name(index.dtype)}")
    if source.dtype is not input.dtype:
        raise DTypeError(f"index_reduce_(): self ({_type_name(input.dtype)}) and source "
                         f"({_type_name(source.dtype)}) must have the same scalar type")
    if dim != 0 and dim >= source.ndim:
        raise TensorIndexError(f"index_reduce_(): Indexing dim {dim} is out of bounds of the "
                               f"source tensor with dim {source.ndim}")
    source_length = source.shape[dim] if source.ndim else 1
    if index.numel() != source_length:
        raise ShapeError(f"index_reduce_(): Number of indices ({index.numel()}) should be equal "
                         f"to source.size(dim): ({source_length}), for dim: {dim}")
    input_sizes, source_sizes = list(input.shape), list(source.shape)
    if input.ndim and source.ndim:
        del input_sizes[dim], source_sizes[dim]
    if input_sizes != source_sizes:
        raise ShapeError(f"source tensor shape must match self tensor shape, excluding the "
                         f"specified dimension. Got self.shape = {list(input.shape)} "
                         f"source.shape = {list(source.shape)}")
    if input.dtype is _dtypes.bool or input.dtype.is_complex:
        raise DTypeNotImplementedError(f"\"index_func_\" not implemented for "
                                       f"'{_type_name(input.dtype)}'")


@tensor_method
def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True, out=None) -> Tensor:
    """``input`` with each slice ``source.select(dim, i)`` reduced (``prod``, ``mean``,
    ``amax`` or ``amin``) into the slice ``index[i]`` of ``input`` along ``dim``; with
    ``include_self=False`` the reduced slices start from the reduction's identity.

    >>> import rustorch as torch
    >>> torch.index_reduce(torch.ones(3), 0, torch.tensor([0, 0, 2]),
    ...                    torch.tensor([2.0, 3.0, 4.0]), "prod").tolist()
    [6.0, 1.0, 4.0]
    """
    warn_once(_BETA_WARNING)
    dim = wrap_dim(dim, input.ndim)
    _check_index_reduce(input, dim, index, source, reduce)
    vector = reshape(input, (1,)) if input.ndim == 0 else input
    size = vector.shape[dim]
    positions = index._data.reshape(-1).astype(np.int64, copy=False)
    if positions.size and (int(positions.min()) < 0 or int(positions.max()) >= size):
        raise TensorIndexError("index out of range in self")
    source_shape = list(vector.shape)
    source_shape[dim] = positions.size
    source = reshape(source, tuple(source_shape))
    along = [1] * vector.ndim
    along[dim] = positions.size
    expanded = source._xp().broadcast_to(positions.reshape(along), tuple(source_shape))
    result = IndexReduce.apply(vector, Tensor._make(expanded), source, dim=dim, reduce=reduce,
                               include_self=include_self,
                               long_index=index.dtype is _dtypes.int64)
    result = reshape(result, ()) if input.ndim == 0 else result
    return write_out(result, out, "index_reduce")


@tensor_method
def index_reduce_(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                  include_self: bool = True) -> Tensor:
    return input._inplace(lambda target: index_reduce(
        target, dim, index, source, reduce, include_self=include_self), source)


# ----------------------------------------------------------------- as_strided_scatter
def _dense_strides(array) -> tuple:
    """The element strides PyTorch's ``clone()`` gives a copy of ``array``: the same ones for a
    non-overlapping, dense layout (a permutation of row-major), row-major otherwise."""
    shape = array.shape
    row_major, step = [0] * len(shape), 1
    for axis in reversed(range(len(shape))):
        row_major[axis] = step
        step *= max(shape[axis], 1)
    strides = [stride // array.itemsize for stride in array.strides]
    required = 1
    for axis in sorted((axis for axis in range(len(shape)) if shape[axis] > 1),
                       key=lambda axis: strides[axis]):
        if strides[axis] != required:
            return tuple(row_major)
        required *= shape[axis]
    return tuple(stride if shape[axis] > 1 else row_major[axis]
                 for axis, stride in enumerate(strides))


def _placement(array):
    """``(storage size, offset, strides)`` of ``array`` in the storage a copy of it gets from
    PyTorch's ``clone_preserve_strides``: its own storage, whole, when that can hold it as
    PyTorch's storage model does; a fresh ``clone()`` (offset 0) when elements overlap."""
    overlapping = any(stride == 0 and length > 1
                      for length, stride in zip(array.shape, array.strides))
    block = None if overlapping else memory_block(array)
    place = None if block is None else place_in_block(array, block[1], block[2])
    if place is None or block[2] % array.itemsize:
        return array.size, 0, _dense_strides(array), False
    return block[2] // array.itemsize, place[0], place[1], True


def _storage_positions(xp, size, stride, offset: int):
    """The storage index of each element of an ``as_strided(size, stride, offset)`` view."""
    positions = xp.full(tuple(size), offset, dtype=np.int64)
    for axis, (length, step) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[axis] = length
        positions = positions + (xp.arange(length, dtype=np.int64) * step).reshape(shape)
    return positions


def _needed(geometry) -> int:
    """The storage elements an ``as_strided(size, stride, offset)`` view reaches."""
    size, stride, offset = geometry
    return offset + sum((length - 1) * step for length, step in zip(size, stride)) + 1 \
        if all(size) else 0


def _out_of_bounds(geometry, storage_size: int, itemsize: int) -> str:
    size, stride, offset = geometry
    return (f"setStorage: sizes {size}, strides {stride}, storage offset {offset}, and itemsize "
            f"{itemsize} requiring a storage size of {_needed(geometry) * itemsize} are out of "
            f"bounds for storage of size {storage_size * itemsize}")


class AsStridedScatter(Primitive):
    """A copy of ``a``'s storage with ``source`` at storage ``positions``, viewed as ``a``."""

    def forward(self, xp, a, source, positions=None, gradient_positions=None, geometry=()):
        self.gradient_positions, self.input_shape = gradient_positions, a.shape
        self.geometry = geometry
        _size, offset, strides, whole_storage = _placement(a)
        if whole_storage:
            storage = block_bytes(a).view(a.dtype).copy()
        else:
            storage = xp.empty(a.size, dtype=a.dtype)
            _strided(xp, storage, a.shape, strides)[...] = a
        storage[positions] = source
        return _strided(xp, storage[offset:], a.shape, strides)

    def backward(self, grad):
        # PyTorch 2.13's rule, kept to match it although its own gradcheck refuses the input's
        # part: both gradients read ``as_strided`` of the row-major gradient (offset 0 unless
        # given); the input's is that slice, zero elsewhere (the overwritten positions pass)
        flat = reshape(grad.contiguous(), (-1,))
        positions = self.gradient_positions
        if positions.size and int(positions.max()) >= flat.shape[0]:
            raise ShapeError(_out_of_bounds(self.geometry, flat.shape[0], grad.dtype.itemsize))
        grad_input = grad_source = None
        if self.needs_input_grad(0):
            outside = grad._xp().ones(flat.shape[0], dtype=bool)
            outside[positions.reshape(-1)] = False
            grad_input = reshape(flat.masked_fill(Tensor._make(outside), 0), self.input_shape)
        if self.needs_input_grad(1):
            grad_source = flat[Tensor._make(positions)]
        return grad_input, grad_source


@tensor_method
def as_strided_scatter(input: Tensor, src: Tensor, size, stride,
                       storage_offset: int | None = None) -> Tensor:
    """A copy of ``input`` (and of the rest of its storage, strides kept) with
    ``copy.as_strided(size, stride, storage_offset)`` set to ``src``.

    >>> import rustorch as torch
    >>> torch.as_strided_scatter(torch.zeros(4), torch.ones(2), (2,), (2,)).tolist()
    [1.0, 0.0, 1.0, 0.0]
    """
    if input.requires_grad and not input._data.flags.c_contiguous:
        raise ShapeError("!self.requires_grad() || self.is_contiguous() INTERNAL ASSERT FAILED: "
                         "as_strided_scatter is currently only supported for contiguous inputs "
                         "(call .contiguous() on the input first)")
    storage_size, input_offset, _strides, _whole = _placement(input._data)
    size, stride = [int(length) for length in size], [int(step) for step in stride]
    offset = input_offset if storage_offset is None else int(storage_offset)
    if len(size) != len(stride):
        raise ShapeError("mismatch in length of strides and shape")
    if any(step < 0 for step in stride):
        raise ShapeError(f"as_strided: Negative strides are not supported at the moment, got "
                         f"strides: {stride}")
    if offset < 0:
        raise ShapeError(f"Tensor: invalid storage offset {offset}")
    if any(length < 0 for length in size):
        raise ShapeError(f"Trying to create tensor with negative dimension {min(size)}: {size}")
    itemsize = input._data.itemsize
    needed = _needed((size, stride, offset))
    if needed > storage_size:
        raise ShapeError(_out_of_bounds((size, stride, offset), storage_size, itemsize))
    if list(src.shape) != size:
        raise ShapeError(f"expected src to have a size equal to the slice of self. src size = "
                         f"{list(src.shape)}, slice size = {size}")
    if any(step == 0 and length > 1 for length, step in zip(size, stride)):
        raise ShapeError("unsupported operation: more than one element of the written-to tensor "
                         "refers to a single memory location. Please clone() the tensor before "
                         "performing the operation.")
    xp = input._xp()
    positions = _storage_positions(xp, size, stride, offset)
    gradient_positions = positions if storage_offset is not None or not input_offset else \
        _storage_positions(xp, size, stride, 0)
    result = AsStridedScatter.apply(input, src.to(input.dtype), positions=positions,
                                    gradient_positions=gradient_positions,
                                    geometry=(size, stride, offset if storage_offset is not None
                                              else 0))
    return result


# ----------------------------------------------------------------- nonzero_static
@tensor_method
def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1, out=None) -> Tensor:
    """``nonzero(input)`` with exactly ``size`` rows: cut, or padded with ``fill_value``.

    >>> import rustorch as torch
    >>> torch.nonzero_static(torch.tensor([0, 3, 0, 5]), size=3).tolist()
    [[1], [3], [-1]]
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise ArgumentTypeError(f"nonzero_static(): argument 'size' must be int, not "
                                f"{type(size).__name__}")
    if size < 0:
        raise ShapeError("nonzero_static: 'size' must be an non-negative integer")
    xp = input._xp()
    found = xp.argwhere(input._data).astype(np.int64, copy=False)[:size]
    result = xp.full((int(size), input.ndim), int(fill_value), dtype=np.int64)
    result[:found.shape[0]] = found
    return write_out(Tensor._make(result), out, "nonzero_static")
