"""Memory formats: the order in which a tensor's values lie in memory.

``contiguous_format`` is row-major (C order); ``channels_last`` keeps (N, C, H, W) tensors as
N, H, W, C in memory (``channels_last_3d``: N, D, H, W, C); ``preserve_format`` (the default of
``clone`` and the ``*_like`` constructors) keeps the layout of the source, as numpy's
``order="K"`` does: a dense source's strides, or a dense layout in the same axis order.

A tensor in another format is a transposed view of a row-major array, so its ``stride()`` is
PyTorch's and elementwise ops keep the layout (numpy's ufuncs follow their inputs' order).
"""
from __future__ import annotations

import numpy as np

from ..errors import ArgumentTypeError, ShapeError
from ..layout import (channels_last, channels_last_3d, contiguous_format, memory_format,
                      preserve_format)

__all__ = ["memory_order", "allocate", "is_contiguous_as", "copy_as"]

_CHANNELS_LAST = {channels_last: (4, (0, 2, 3, 1)), channels_last_3d: (5, (0, 2, 3, 4, 1))}


def _checked(format_, function: str):
    if format_ is None:
        return None
    if not isinstance(format_, memory_format):
        raise ArgumentTypeError(f"{function}(): argument 'memory_format' must be "
                                f"torch.memory_format, not {type(format_).__name__}")
    return format_


def memory_order(format_, ndim: int, function: str = "contiguous"):
    """The axes of a new ``ndim``-dim tensor from outermost to innermost in memory, None for
    row-major, or ``preserve_format``; refuses channels-last formats of the wrong rank."""
    format_ = _checked(format_, function)
    if format_ is None or format_ is contiguous_format:
        return None
    if format_ is preserve_format:
        return preserve_format
    rank, order = _CHANNELS_LAST[format_]
    if ndim != rank:
        raise ShapeError(f"required rank {rank} tensor to use {format_.name} format")
    return order


def allocate(xp, shape, dtype, format_=preserve_format, like=None, function: str = "empty"):
    """An uninitialised array of ``shape`` and ``dtype`` in ``format_`` (``preserve_format``
    follows the array ``like``, row-major without it)."""
    order = memory_order(format_, len(shape), function)
    if order is preserve_format:
        if like is None or like.shape != tuple(shape):
            return xp.empty(shape, dtype=dtype)
        return xp.empty_like(like, dtype=dtype, order="K")
    if order is None:
        return xp.empty(shape, dtype=dtype)
    stored = xp.empty([shape[axis] for axis in order], dtype=dtype)
    return stored.transpose(tuple(int(axis) for axis in np.argsort(order)))


def is_contiguous_as(array, format_) -> bool:
    """PyTorch's ``is_contiguous(memory_format=...)`` (dims of size 1 may have any stride)."""
    format_ = _checked(format_, "is_contiguous")
    if format_ is None or format_ is contiguous_format or format_ is preserve_format:
        return bool(array.flags.c_contiguous)  # preserve_format: as PyTorch answers it
    rank, order = _CHANNELS_LAST[format_]
    return array.ndim == rank and bool(array.transpose(order).flags.c_contiguous)


def copy_as(xp, array, format_=preserve_format, function: str = "clone"):
    """A copy of ``array`` laid out in ``format_``."""
    result = allocate(xp, array.shape, array.dtype, format_, like=array, function=function)
    result[...] = array
    return result
