"""Padding primitives behind ``F.pad``.

``ConstantPad`` pads (or, with negative widths, crops) every dim; its adjoint is itself with
the widths negated. The other modes are gathers along one axis (``TakeAxis``) whose adjoint
is an index-add (``IndexAddAxis``): a reflect/replicate/circular pad is one gather per
padded dim with a precomputed index vector.
"""
from __future__ import annotations

from ..autograd.function import Primitive
from .slice_sums import ufunc_at

__all__ = ["ConstantPad", "TakeAxis", "IndexAddAxis", "pad_indices"]


class ConstantPad(Primitive):
    """Pad each dim by (low, high) (negative crops) with ``value``; ``widths`` has one pair
    per dim of the input."""

    def forward(self, xp, x, widths=(), value=0):
        self.widths = widths
        shape = tuple(size + low + high for size, (low, high) in zip(x.shape, widths))
        result = xp.full(shape, value, dtype=x.dtype) if value else \
            xp.zeros(shape, dtype=x.dtype)
        source = tuple(slice(max(-low, 0), size - max(-high, 0))
                       for size, (low, high) in zip(x.shape, widths))
        target = tuple(slice(max(low, 0), out - max(high, 0))
                       for out, (low, high) in zip(shape, widths))
        if all(s.stop > s.start for s in source) and all(t.stop > t.start for t in target):
            result[target] = x[source]
        return result

    def backward(self, grad):
        return ConstantPad.apply(grad, widths=tuple((-low, -high) for low, high in self.widths))


class TakeAxis(Primitive):
    """``x.take(index, axis)`` for a 1-D integer ``index`` (an option, not an input)."""

    def forward(self, xp, x, index=None, axis=0):
        self.index, self.axis, self.size = index, axis, x.shape[axis]
        return xp.take(x, index, axis=axis)

    def backward(self, grad):
        return IndexAddAxis.apply(grad, index=self.index, axis=self.axis, size=self.size)


class IndexAddAxis(Primitive):
    """The adjoint of ``TakeAxis``: ``out[..., index[j], ...] += g[..., j, ...]``."""

    def forward(self, xp, grad, index=None, axis=0, size=0):
        self.index, self.axis = index, axis
        shape = list(grad.shape)
        shape[axis] = size
        result = xp.zeros(shape, dtype=grad.dtype)
        ufunc_at(xp, "add", result, (slice(None),) * axis + (index,), grad)
        return result

    def backward(self, upstream):
        return TakeAxis.apply(upstream, index=self.index, axis=self.axis)


def pad_indices(xp, size: int, low: int, high: int, mode: str):
    """Source index of each output position of a (low, high) pad of a length-``size`` dim."""
    positions = xp.arange(-low, size + high)
    if mode == "reflect":
        period = 2 * (size - 1)
        positions = xp.abs(positions) % period if period else positions * 0
        return xp.where(positions >= size, period - positions, positions)
    if mode == "replicate":
        return xp.clip(positions, 0, size - 1)
    if mode == "circular":
        # PyTorch crops the negative sides first, then wraps around what is left
        start, stop = max(-low, 0), size - max(-high, 0)
        kept = stop - start
        return start + xp.arange(-max(low, 0), kept + max(high, 0)) % kept
    raise ValueError(mode)
