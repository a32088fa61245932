"""Per-channel arithmetic on channels-last data (what convolutions return, seen as NCHW).

A channels-last ``(N, C, *spatial)`` array is C-contiguous as ``(N, *spatial, C)``: per-channel
reductions run over its ``(N*L, C)`` rows, and per-channel elementwise ops over a *wide* view
whose rows hold whole pixels, with the (C,) vector tiled to the row length. numpy's inner loop
then covers a whole row instead of the C values of one pixel.
"""
from __future__ import annotations



__all__ = ["channel_shape", "pixel_rows", "wide_rows", "column_sums", "per_channel_sums",
           "scale_shift", "add_per_channel"]


def channel_shape(ndim: int) -> tuple:
    """The broadcast shape of a (C,) vector against (N, C, *spatial)."""
    return (1, -1) + (1,) * (ndim - 2)


def pixel_rows(array):
    """A (M, C) view of channels-last data (what convolutions produce), else None.

    Per-channel reductions over such a view run along contiguous rows, about twice as fast
    as reducing the (N, C, *spatial) view over its strided axes.
    """
    if array.ndim < 3:
        return array if array.ndim == 2 else None
    moved = array.transpose((0,) + tuple(range(2, array.ndim)) + (1,))
    if moved.flags.c_contiguous:
        return moved.reshape(-1, array.shape[1])
    return None


def column_sums(xp, rows):
    """``rows.sum(axis=0)`` of an (M, C) C-contiguous array as a BLAS ``ones @ rows`` (gemv).

    numpy reduces a few long columns in a strided loop: for (50176, 16) float32 the gemv
    takes 0.1 ms against 1.4 ms.
    """
    if rows.dtype.kind != "f" or rows.dtype.itemsize < 4 or rows.shape[0] < 64:
        return rows.sum(axis=0)
    return xp.ones(rows.shape[0], dtype=rows.dtype) @ rows


_WIDE_ROW = 16384  # values per row of the wide view, at most (unless one pixel has more)


def wide_rows(array):
    """(view, pixels): channels-last data as a C-contiguous 2-D view whose rows hold ``pixels``
    whole pixels (the trailing spatial dims that fit ``_WIDE_ROW`` values), or (None, 0).

    Per-channel arithmetic on the (N*H*W, C) view runs numpy's inner loop over only C values
    per row; on the wide view a per-channel vector tiled ``pixels`` times lines up with long
    rows (BatchNorm2d on (64, 16, 28, 28): 1.5 -> 0.3 ms for ``x * scale + shift``).
    """
    rows = pixel_rows(array)
    if rows is None or array.ndim < 3:
        return None, 0
    channels = array.shape[1]
    pixels = 1
    for length in reversed(array.shape[2:]):
        if pixels * length * channels > _WIDE_ROW and pixels > 1:
            break
        pixels *= length
    return rows.reshape(-1, pixels * channels), pixels


def per_channel_sums(xp, wide, pixels: int):
    """Per-channel sums of a wide view: the column sums folded over its ``pixels``."""
    return column_sums(xp, wide).reshape(pixels, -1).sum(axis=0)


def scale_shift(xp, x, scale, shift=None):
    """``x * scale + shift`` with per-channel (C,) vectors, in x's memory layout."""
    wide, pixels = wide_rows(x)
    if wide is None:
        shape = channel_shape(x.ndim)
        result = xp.multiply(x, scale.astype(x.dtype).reshape(shape))  # keeps x's layout
        if shift is not None:
            xp.add(result, shift.astype(x.dtype).reshape(shape), out=result)
        return result
    result = xp.empty_like(x)
    target = wide_rows(result)[0]
    xp.multiply(wide, xp.tile(scale.astype(x.dtype), pixels), out=target)
    if shift is not None:
        xp.add(target, xp.tile(shift.astype(x.dtype), pixels), out=target)
    return result


def add_per_channel(xp, array, vector) -> None:
    """``array += vector`` along dim 1, in place."""
    wide, pixels = wide_rows(array)
    if wide is None:
        xp.add(array, vector.astype(array.dtype).reshape(channel_shape(array.ndim)), out=array)
    else:
        xp.add(wide, xp.tile(vector.astype(array.dtype), pixels), out=wide)
