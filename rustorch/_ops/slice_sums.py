"""Adding slices into an array at integer positions along one axis, where positions may repeat
(the backward of indexing and ``index_select``, and ``index_add``).

``numpy.add.at`` does this one element at a time, ~40x slower than an assignment for rows of
100+ values. Here positions that do not repeat (permutations, packed-sequence gathers, most
indexing) are added with one fancy-index ``+=``; repeated ones are summed first, each group of
equal positions in its original order (``add.reduceat`` over a stable sort), as ``add.at``
would sum them. CuPy's ``add.at`` (atomic adds on the GPU) is used as it is.
"""
from __future__ import annotations

import numpy as np

__all__ = ["add_slices", "single_axis_index"]


def single_axis_index(key):
    """``(axis, index)`` when the indexing key selects with one 1-D integer array along one
    axis (``index`` or ``(slice(None), ..., index)``), else None."""
    if not isinstance(key, tuple):
        key = (key,)
    if not key or any(not (isinstance(item, slice) and item == slice(None)) for item in key[:-1]):
        return None
    index = key[-1]
    if getattr(index, "ndim", None) != 1 or index.dtype.kind not in "iu":
        return None
    return len(key) - 1, index


def add_slices(xp, target, axis: int, index, values) -> None:
    """``target[(slice(None),) * axis + (index,)] += values`` in place, repeated positions
    accumulating (``numpy.add.at`` semantics; negative positions count from the end)."""
    key_prefix = (slice(None),) * axis
    if xp is not np and not isinstance(target, np.ndarray):
        xp.add.at(target, key_prefix + (index,), values)
        return
    if index.size == 0:
        return
    size = target.shape[axis]
    positions = np.where(index < 0, index + size, index) if index.min() < 0 else index
    if positions.max() >= size or positions.min() < 0:  # let numpy name the bad index
        np.add.at(target, key_prefix + (index,), values)
        return
    if index.size == 1 or np.bincount(positions, minlength=size).max() <= 1:
        target[key_prefix + (positions,)] += values
        return
    order = np.argsort(positions, kind="stable")
    ordered = positions[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sums = np.add.reduceat(np.take(values, order, axis=axis), starts, axis=axis)
    target[key_prefix + (ordered[starts],)] += sums
