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

from .._threads import single_threaded_blas
from ..autograd.function import Primitive
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor

__all__ = ["BatchNormTrain", "batch_statistics"]


def _stat_dtype(array):
    return np.float32 if array.dtype.itemsize < 4 else array.dtype


def _rows(array):
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
    takes 0.1 ms against 1.4 ms. It runs on one BLAS thread (a vector this small gains
    nothing from a second thread and loses much when another process holds a core).
    """
    if rows.dtype.kind != "f" or rows.dtype.itemsize < 4 or rows.shape[0] < 64:
        return rows.sum(axis=0)
    with single_threaded_blas(xp):
        return xp.ones(rows.shape[0], dtype=rows.dtype) @ rows


def batch_statistics(xp, x, axes: tuple):
    """(mean, biased var) over ``axes`` in the compute dtype, each shaped (C,)."""
    data = x.astype(_stat_dtype(x), copy=False)
    rows = _rows(data)
    if rows is not None:
        mean = column_sums(xp, rows) / rows.shape[0] if rows.shape[0] else rows.mean(axis=0)
        centered = rows - mean
        return mean, xp.einsum("ij,ij->j", centered, centered) / max(rows.shape[0], 1)
    mean = data.mean(axis=axes)
    shape = _channel_shape(x.ndim)
    centered = data - mean.reshape(shape)
    var = xp.mean(xp.square(centered), axis=axes)
    return mean, var


def _channel_shape(ndim: int) -> tuple:
    return (1, -1) + (1,) * (ndim - 2)


class BatchNormTrain(Primitive):
    """y = (x - mean) * invstd * w + b over channel dim 1; ``mean``/``invstd`` are options."""

    saves = (0, 1)

    def forward(self, xp, x, weight=None, bias=None, mean=None, invstd=None, eps=1e-5):
        self.mean, self.invstd, self.eps = mean, invstd, eps
        shape = _channel_shape(x.ndim)
        scale = invstd if weight is None else invstd * weight.astype(invstd.dtype)
        shift = -mean * scale
        if bias is not None:
            shift = shift + bias.astype(invstd.dtype)
        result = x * scale.astype(x.dtype).reshape(shape)  # keeps x's memory layout
        result += shift.astype(x.dtype).reshape(shape)    # in place: one pass, no temporary
        return result

    def backward(self, grad):
        x, weight = self.saved
        axes = (0,) + tuple(range(2, x.ndim))
        shape = _channel_shape(x.ndim)
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
        xp = grad._xp()
        g, data = grad._data, x._data
        mean, invstd = self.mean, self.invstd
        dtype = invstd.dtype
        grad_rows, data_rows = _rows(g), _rows(data)
        if grad_rows is not None and data_rows is not None and dtype == g.dtype == data.dtype:
            grad_bias = column_sums(xp, grad_rows)
            products = xp.einsum("ij,ij->j", grad_rows, data_rows)
        else:
            grad_bias = g.sum(axis=axes, dtype=dtype)
            products = xp.multiply(g, data, dtype=dtype).sum(axis=axes)
        # sum(g * xhat) = invstd * (sum(g * x) - mean * sum(g))
        grad_weight = invstd * (products - mean * grad_bias)
        grad_input = None
        if self.needs_input_grad(0):
            scale = invstd if weight is None else invstd * weight._data.astype(dtype)
            a = scale
            b = -scale * invstd * grad_weight / count
            c = -scale * grad_bias / count - b * mean
            grad_input = g * a.astype(g.dtype).reshape(shape)
            grad_input += data * b.astype(g.dtype).reshape(shape)
            grad_input += c.astype(g.dtype).reshape(shape)
        return (None if grad_input is None else Tensor._make(grad_input),
                Tensor._make(grad_weight.astype(data.dtype)) if self.needs_input_grad(1)
                else None,
                Tensor._make(grad_bias.astype(data.dtype)) if self.needs_input_grad(2)
                else None)
