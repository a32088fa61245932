"""``clamp`` against scalar bounds on arrays, fast on numpy (relu and clamp use it).

numpy's ``maximum``/``minimum`` against a scalar run a loop without SIMD, ~3x slower than
against an array of the same shape (and slower than any other arithmetic with a scalar). Large
numpy float arrays are therefore taken in memory order and compared with a read-only row filled
with the bound, broadcast over rows of ``ROW`` values: relu on 64x16x28x28 float32 goes from 0.5
to 0.17 ms. Other arrays (small, integer, not dense, CuPy) use the ufunc with the scalar.
"""
from __future__ import annotations

import functools

import numpy as np

from .. import _parallel

__all__ = ["clamp_array"]

ROW = 16384  # values per row of the memory-order view
_MIN_SIZE = 4096  # smaller arrays: the scalar loop costs less than setting up the rows


@functools.lru_cache(maxsize=32)
def _constant_row(value, dtype):
    row = np.full(ROW, value, dtype)
    row.flags.writeable = False
    return row


def clamp_array(xp, a, low=None, high=None):
    """``minimum(maximum(a, low), high)`` in ``a``'s dtype, skipping a bound that is None;
    always a new array, laid out as ``a`` when ``a`` is dense."""
    fast = (xp is np or xp is _parallel.numpy) and a.dtype.kind == "f" and a.size >= _MIN_SIZE
    memory, out, written = _in_memory_order(a) if fast else (None, None, None)
    if memory is None:
        result = a
        if low is not None:
            result = xp.maximum(result, low)
        if high is not None:
            result = xp.minimum(result, high)
        return result.astype(a.dtype, copy=False) if result is not a else a.copy()
    source, target = memory.reshape(-1), written.reshape(-1)
    whole = source.size - source.size % ROW
    for ufunc, bound in ((xp.maximum, low), (xp.minimum, high)):
        if bound is None:
            continue
        row = _constant_row(bound, a.dtype)
        if whole:
            ufunc(source[:whole].reshape(-1, ROW), row, out=target[:whole].reshape(-1, ROW))
        if whole < source.size:
            ufunc(source[whole:], row[:source.size - whole], out=target[whole:])
        source = target
    if source is not target:  # no bound at all
        target[...] = source
    return out


def _in_memory_order(a):
    """For a numpy array whose values fill one block of memory in some axis order:
    (``a`` seen in memory order, a new empty array laid out as ``a``, that array seen in the
    same order), both views C-contiguous; else (None, None, None)."""
    out = np.empty_like(a)  # keeps the layout of a dense array
    if a.flags.c_contiguous:
        return a, out, out
    order = sorted(range(a.ndim), key=lambda axis: -a.strides[axis])
    view, target = a.transpose(order), out.transpose(order)
    if view.flags.c_contiguous and target.flags.c_contiguous:
        return view, out, target
    return None, None, None
