"""Adding slices into an array at integer positions along one axis, where positions may repeat
(the backward of indexing, ``index_select`` and ``embedding``; ``index_add``; ``index_put`` with
``accumulate=True``).

``numpy.add.at`` does this one element at a time, ~40x slower than an assignment for rows of
100+ values. Here positions that do not repeat (permutations, packed-sequence gathers, most
indexing) are added with one fancy-index ``+=``. Repeated ones are added in levels (every
position's first occurrence, then its second ...: unique positions within a level, add.at's
order and rounding), or, past 32 repeats of one position, summed per group with
``add.reduceat`` over a stable sort. CuPy's ``add.at`` (atomic adds on the GPU) is used as it is.

``ufunc_at`` is ``numpy.<ufunc>.at`` for either library: CuPy has only ``add.at``, and only for
some dtypes, so other cases (``multiply``/``maximum``/``minimum``, int64 or complex sums) go
through host memory: correct, and slow.
"""
from __future__ import annotations

import numpy as np

__all__ = ["add_slices", "single_axis_index", "ufunc_at"]

_MAX_LEVELS = 32  # more repeats of one position than this: sum each group with add.reduceat
# dtypes CuPy's atomic add.at supports
_CUPY_ADD_AT_DTYPES = frozenset(("int32", "uint32", "uint64", "float16", "float32", "float64"))


def _on_host(value):
    return value.get() if hasattr(value, "__cuda_array_interface__") else value


def ufunc_at(xp, name: str, target, key, values) -> None:
    """``numpy.<name>.at(target, key, values)`` (unbuffered, repeated positions applying
    each time) on a numpy or cupy ``target``."""
    if isinstance(target, np.ndarray):
        getattr(np, name).at(target, key, values)
        return
    if name == "add" and target.dtype.name in _CUPY_ADD_AT_DTYPES:
        xp.add.at(target, key, values)
        return
    host_key = tuple(_on_host(part) for part in key) if isinstance(key, tuple) else \
        _on_host(key)
    host = target.get()
    getattr(np, name).at(host, host_key, _on_host(values))
    target[...] = xp.asarray(host)


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
        ufunc_at(xp, "add", target, key_prefix + (index,), values)
        return
    if index.size == 0:
        return
    size = target.shape[axis]
    positions = np.where(index < 0, index + size, index) if index.min() < 0 else index
    if positions.max() >= size or positions.min() < 0:  # let numpy name the bad index
        np.add.at(target, key_prefix + (index,), values)
        return
    most = 1 if index.size == 1 else int(np.bincount(positions, minlength=size).max())
    if most <= 1:
        target[key_prefix + (positions,)] += values
        return
    order = np.argsort(positions, kind="stable")
    ordered = positions[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    if most <= _MAX_LEVELS:
        # level k adds every position's k-th occurrence: positions are unique within a level,
        # and the sums come out in add.at's order, bit for bit
        lengths = np.diff(np.append(starts, ordered.size))
        rank = np.arange(ordered.size) - np.repeat(starts, lengths)
        for level in range(most):
            chosen = order[rank == level]
            target[key_prefix + (positions[chosen],)] += np.take(values, chosen, axis=axis)
        return
    sums = np.add.reduceat(np.take(values, order, axis=axis), starts, axis=axis)
    target[key_prefix + (ordered[starts],)] += sums
