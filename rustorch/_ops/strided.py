"""Strided views on arrays and their adjoints: the machinery behind ``diagonal``, ``unfold``
and ``as_strided``, which are views sharing memory as in PyTorch. The adjoint of a view is the
generic :class:`ViewScatter`: zeros of the input's shape with the gradient written into the
same view.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive, named_as
from ..errors import NotSupportedError, ShapeError
from ..tensor import tensor_method, wrap_dim
from .slice_sums import ufunc_at

__all__ = ["as_strided"]

# ----------------------------------------------------------------- strided views on arrays
def _strided(xp, array, shape, strides):
    """A writable view of ``array`` with element ``strides`` (numpy and cupy alike)."""
    itemsize = array.itemsize
    return xp.lib.stride_tricks.as_strided(array, shape=tuple(shape),
                                           strides=tuple(s * itemsize for s in strides))


def _element_strides(array) -> tuple:
    return tuple(s // array.itemsize for s in array.strides)


def diagonal_view(xp, array, offset=0, dim1=0, dim2=1):
    """The diagonal of ``array`` over (dim1, dim2), moved to the last axis, as a view."""
    moved = xp.moveaxis(array, (dim1, dim2), (-2, -1))
    rows, cols = moved.shape[-2], moved.shape[-1]
    if offset >= 0:
        length = max(min(rows, cols - offset), 0)
        moved = moved[..., :, min(offset, cols):]
    else:
        length = max(min(rows + offset, cols), 0)
        moved = moved[..., min(-offset, rows):, :]
    strides = _element_strides(moved)
    return _strided(xp, moved, moved.shape[:-2] + (length,),
                    strides[:-2] + (strides[-2] + strides[-1],))


def unfold_view(xp, array, dimension=0, size=1, step=1):
    """Windows of ``size`` every ``step`` along ``dimension``; the window is the last axis."""
    if array.ndim == 0:
        return array.reshape(1)
    strides = _element_strides(array)
    count = (array.shape[dimension] - size) // step + 1
    shape = array.shape[:dimension] + (count,) + array.shape[dimension + 1:] + (size,)
    new_strides = (strides[:dimension] + (strides[dimension] * step,)
                   + strides[dimension + 1:] + (strides[dimension],))
    return _strided(xp, array, shape, new_strides)


class ViewCopy(Primitive):
    """``view(xp, a)`` (a view function on arrays), copied unless ``copy=False``."""

    def forward(self, xp, a, view=None, copy=True):
        self.view, self.input_shape = view, a.shape
        result = view(xp, a)
        return result.copy() if copy else result

    def backward(self, grad):
        return ViewScatter.apply(grad.new_zeros(self.input_shape), grad, view=self.view,
                                 accumulate=True)


class ViewScatter(Primitive):
    """A copy of ``a`` with ``source`` written (or, overlapping, added) into ``view(xp, a)``."""

    def forward(self, xp, a, source, view=None, accumulate=False):
        self.view, self.accumulate = view, accumulate
        result = a.copy()
        target = view(xp, result)
        if not accumulate:
            target[...] = source
        elif target.size and _memory_overlap(target):
            _add_overlapping(xp, result, target, source)
        else:
            target += source
        return result

    def backward(self, grad):
        grad_input = grad_source = None
        if self.needs_input_grad(0):
            grad_input = grad if self.accumulate else ViewScatter.apply(grad, 0, view=self.view)
        if self.needs_input_grad(1):
            grad_source = ViewCopy.apply(grad, view=self.view)
        return grad_input, grad_source


def _memory_overlap(view) -> bool:
    """Whether two elements of a strided view may alias one memory location. Sufficient test
    for no overlap: sorted by stride, each stride exceeds the span of the smaller ones."""
    span = 0
    for stride, size in sorted((abs(stride), size) for stride, size in
                               zip(view.strides, view.shape) if size > 1):
        if stride <= span:
            return True
        span += stride * (size - 1)
    return False


def _add_overlapping(xp, base, target, source):
    """``target += source`` where several target elements alias one memory location."""
    flat = base.reshape(-1)
    positions = _element_positions(xp, base, target)
    ufunc_at(xp, "add", flat, positions.reshape(-1),
              xp.broadcast_to(source, target.shape).reshape(-1))


def _element_positions(xp, base, target):
    """Flat indices into contiguous ``base`` of each element of the view ``target``."""
    itemsize = base.itemsize
    start = _address(target) - _address(base)
    positions = xp.full(target.shape, start // itemsize, dtype=np.int64)
    for axis, (size, stride) in enumerate(zip(target.shape, target.strides)):
        shape = [1] * target.ndim
        shape[axis] = size
        positions = positions + (xp.arange(size, dtype=np.int64) * (stride // itemsize)
                                 ).reshape(shape)
    return positions


def _address(array) -> int:
    if isinstance(array, np.ndarray):
        return int(array.__array_interface__["data"][0])
    return int(array.data.ptr)



# ----------------------------------------------------------------- windows and strides
@tensor_method(name="unfold")
def unfold(input, dimension: int, size: int, step: int):
    """A view with all windows of ``size`` elements every ``step`` along ``dimension``."""
    dimension = wrap_dim(dimension, input.ndim)
    length = input.shape[dimension] if input.ndim else 1
    if size > length:
        raise ShapeError(f"maximum size for tensor at dimension {dimension} is {length} but "
                         f"size is {size}")
    if step <= 0:
        raise ShapeError(f"step is {step} but must be > 0")
    if size < 0:
        raise ShapeError(f"size is {size} but must be >= 0")

    def view(xp, array):
        return unfold_view(xp, array, dimension, size, step)

    result = named_as(ViewCopy.apply(input, view=view, copy=False), "UnfoldBackward0")
    return input._make_view(result, lambda base: unfold(base, dimension, size, step))


def _storage_root(array):
    root = array
    while isinstance(root.base, type(array)):
        root = root.base
    return root


@tensor_method
def as_strided(input, size, stride, storage_offset: int | None = None):
    """A view of ``input``'s storage with the given ``size``/``stride`` (in elements).

    The storage is the contiguous array the tensor was created on; views of views share it.
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise ShapeError(f"mismatch in length of strides and shape ({len(size)} vs "
                         f"{len(stride)})")
    if any(s < 0 for s in stride):
        raise ShapeError("as_strided: Negative strides are not supported at the moment, got "
                         f"strides: {list(stride)}")
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    root = _storage_root(input._data)
    if not root.flags.c_contiguous:
        root = input._data if input._data.flags.c_contiguous else None
        if root is None:
            raise ShapeError("as_strided: the input's storage is not contiguous; call "
                             ".contiguous() first")
        offset = 0 if storage_offset is None else offset
    needed = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1 if all(size) else 0
    if needed > root.size:
        raise ShapeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                         f"offset {offset} require {needed} elements, but the storage has "
                         f"{root.size}")

    def view(xp, array):
        # ``array`` is the input's own data; index its storage root (shared memory)
        storage = _storage_root(array) if _storage_root(array).flags.c_contiguous else array
        flat = storage.reshape(-1)[offset:]
        return _strided(xp, flat, size, stride)

    result = _AsStrided.apply(input, view=view)
    return input._make_view(result, lambda base: as_strided(base, size, stride, offset))


class _AsStrided(Primitive):
    """as_strided's forward; its adjoint scatters through storage positions."""

    def forward(self, xp, a, view=None):
        self.view, self.input = view, a
        return view(xp, a)

    def backward(self, grad):
        return _AsStridedBackward.apply(grad, input=self.input, view=self.view)


class _AsStridedBackward(Primitive):
    def forward(self, xp, grad, input=None, view=None):
        self.view = view
        storage = _storage_root(input) if _storage_root(input).flags.c_contiguous else input
        # double backward re-applies ``view`` to a fresh gradient array: right only when the
        # input is its whole storage
        self.simple = storage is input or (storage.size == input.size and
                                           input.flags.c_contiguous)
        gathered = xp.zeros(storage.size, dtype=grad.dtype)
        ufunc_at(xp, "add", gathered, _element_positions(xp, storage, view(xp, input)).reshape(-1),
                  grad.reshape(-1))
        return gathered[_element_positions(xp, storage, input)]

    def backward(self, grad):
        if not self.simple:
            raise NotSupportedError("double backward of as_strided on a view of a larger "
                                    "storage is not supported; call .contiguous() first")
        return _AsStrided.apply(grad.contiguous(), view=self.view)
