"""``Unfold`` (im2col) and ``Fold`` (col2im): a pair of adjoint linear primitives.

Both walk the kernel offsets of a ``PoolGeometry``; each offset moves one strided slice of
the zero-padded image to / from one row block of the column matrix.
"""
from __future__ import annotations

import math

from ..autograd.function import Primitive
from .pooling import PoolGeometry

__all__ = ["Unfold", "Fold"]


class Unfold(Primitive):
    """(N, C, *in) -> (N, C * K, L): every sliding block flattened into a column."""

    def forward(self, xp, x, geometry: PoolGeometry = None):
        self.geometry = geometry
        batch, channels = x.shape[:2]
        padded_size = tuple(size + 2 * p for size, p in zip(geometry.input_size,
                                                           geometry.padding))
        padded = xp.zeros((batch, channels) + padded_size, dtype=x.dtype)
        padded[(slice(None), slice(None)) + geometry.interior()] = x
        blocks = math.prod(geometry.output_size)
        kernel = math.prod(geometry.kernel_size)
        result = xp.empty((batch, channels, kernel) + geometry.output_size, dtype=x.dtype)
        for number, offset in enumerate(geometry.offsets()):
            result[:, :, number] = padded[(Ellipsis,) + geometry.window_slice(offset)]
        return result.reshape(batch, channels * kernel, blocks)

    def backward(self, grad):
        return Fold.apply(grad, geometry=self.geometry)


class Fold(Primitive):
    """(N, C * K, L) -> (N, C, *out): sums every column back into its sliding block."""

    def forward(self, xp, columns, geometry: PoolGeometry = None):
        self.geometry = geometry
        batch = columns.shape[0]
        kernel = math.prod(geometry.kernel_size)
        channels = columns.shape[1] // kernel
        blocks = columns.reshape((batch, channels, kernel) + geometry.output_size)
        padded_size = tuple(size + 2 * p for size, p in zip(geometry.input_size,
                                                           geometry.padding))
        buffer = xp.zeros((batch, channels) + padded_size, dtype=columns.dtype)
        for number, offset in enumerate(geometry.offsets()):
            buffer[(Ellipsis,) + geometry.window_slice(offset)] += blocks[:, :, number]
        return buffer[(slice(None), slice(None)) + geometry.interior()]

    def backward(self, grad):
        return Unfold.apply(grad, geometry=self.geometry)
