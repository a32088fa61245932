"""Fused batch-norm training primitive.

Forward normalises with the batch statistics (computed once by the caller, which also needs
them for the running averages) in two passes: ``y = x * scale + shift`` with per-channel
``scale = w / sqrt(var + eps)`` and ``shift = b - mean * scale``. Backward is the closed form

    gx = w * invstd * (g - mean(g) - xhat * mean(g * xhat))

in Tensor ops when a graph is being built (double backward; the statistics are then
recomputed from ``x`` so that they are differentiated too), and on raw arrays otherwise.
"""
from __future__ import annotations

import numpy as np

from .. import _parallel
from ..autograd.function import Primitive
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor
from .channels_last import (channel_shape, column_sums, per_channel_sums, pixel_rows,
                            scale_shift, wide_rows)

__all__ = ["BatchNormTrain", "batch_statistics"]


def _stat_dtype(array):
    return np.float32 if array.dtype.itemsize < 4 else array.dtype


def batch_statistics(xp, x, axes: tuple):
    """(mean, biased var) over ``axes`` in the compute dtype, each shaped (C,)."""
    data = x.astype(_stat_dtype(x), copy=False)
    wide, pixels = wide_rows(data)
    if wide is not None and data.size:
        count = data.size // data.shape[1]
        mean = per_channel_sums(xp, wide, pixels) / count
        xp = _parallel.module_for(wide)
        centered = xp.subtract(wide, xp.tile(mean, pixels))
        xp.multiply(centered, centered, out=centered)
        return mean, per_channel_sums(xp, centered, pixels) / count
    rows = pixel_rows(data)
    if rows is not None:
        mean = column_sums(xp, rows) / rows.shape[0] if rows.shape[0] else rows.mean(axis=0)
        centered = rows - mean
        return mean, xp.einsum("ij,ij->j", centered, centered) / max(rows.shape[0], 1)
    mean = data.mean(axis=axes)
    shape = channel_shape(x.ndim)
    centered = data - mean.reshape(shape)
    var = xp.mean(xp.square(centered), axis=axes)
    return mean, var


class BatchNormTrain(Primitive):
    """y = (x - mean) * invstd * w + b over channel dim 1; ``mean``/``invstd`` are options."""

    saves = (0, 1)

    def forward(self, xp, x, weight=None, bias=None, mean=None, invstd=None, eps=1e-5):
        self.mean, self.invstd, self.eps = mean, invstd, eps
        scale = invstd if weight is None else invstd * weight.astype(invstd.dtype)
        shift = -mean * scale
        if bias is not None:
            shift = shift + bias.astype(invstd.dtype)
        return scale_shift(xp, x, scale, shift)

    def backward(self, grad):
        x, weight = self.saved
        axes = (0,) + tuple(range(2, x.ndim))
        shape = channel_shape(x.ndim)
        count = x.numel() // x.shape[1]
        if not grad_state.enabled:
            return self._backward_arrays(grad, x, weight, axes, shape, count)
        # building a graph: recompute the statistics from x so they are differentiated too
        mean = x.mean(dim=axes, keepdim=True)
        centered = x - mean
        invstd = ((centered * centered).mean(dim=axes, keepdim=True) + self.eps).rsqrt()
        xhat = centered * invstd
        grad_bias = grad.sum(dim=axes)
        grad_weight = (grad * xhat).sum(dim=axes)
        grad_input = None
        if self.needs_input_grad(0):
            scale = invstd if weight is None else invstd * weight.reshape(shape)
            grad_input = (grad - grad_bias.reshape(shape) / count
                          - xhat * (grad_weight.reshape(shape) / count)) * scale
        return (grad_input,
                grad_weight if self.needs_input_grad(1) else None,
                grad_bias if self.needs_input_grad(2) else None)

    def _backward_arrays(self, grad, x, weight, axes, shape, count):
        """The same formula on raw arrays (no graph is being built), with fewer passes:
        ``gx = a * g + b * x + c`` with per-channel a, b, c."""
        g, data = grad._data, x._data
        xp = _parallel.module_for(g)
        mean, invstd = self.mean, self.invstd
        dtype = invstd.dtype
        grad_wide, pixels = wide_rows(g)
        data_wide = wide_rows(data)[0] if grad_wide is not None else None
        if data_wide is not None and data_wide.shape == grad_wide.shape and \
                dtype == g.dtype == data.dtype:
            grad_bias = per_channel_sums(xp, grad_wide, pixels)
            products = xp.einsum("ij,ij->j", grad_wide, data_wide).reshape(pixels, -1).sum(0)
        else:
            grad_bias = g.sum(axis=axes, dtype=dtype)
            products = xp.multiply(g, data, dtype=dtype).sum(axis=axes)
        # sum(g * xhat) = invstd * (sum(g * x) - mean * sum(g))
        grad_weight = invstd * (products - mean * grad_bias)
        grad_input = None
        if self.needs_input_grad(0):
            scale = invstd if weight is None else invstd * weight._data.astype(dtype)
            b = -scale * invstd * grad_weight / count
            c = -scale * grad_bias / count - b * mean
            grad_input = scale_shift(xp, g, scale, c)  # in g's memory layout
            xp.add(grad_input, scale_shift(xp, data, b), out=grad_input)
        return (None if grad_input is None else Tensor._make(grad_input),
                Tensor._make(grad_weight.astype(data.dtype)) if self.needs_input_grad(1)
                else None,
                Tensor._make(grad_bias.astype(data.dtype)) if self.needs_input_grad(2)
                else None)
