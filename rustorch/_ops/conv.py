"""Convolution primitives: one closed family of three linear maps.

``Conv(x, w)`` is the N-d convolution (cross-correlation), ``ConvTranspose(g, w)`` its adjoint
in ``x`` (the input gradient, and PyTorch's transposed convolution) and ``ConvWeight(x, g)``
its adjoint in ``w`` (the weight gradient). Each one's backward is written with the other two,
so gradients of any order stay in the family.

Layout: the arrays are computed channels-last. ``Conv`` builds an im2col matrix of shape
``(groups, N*L, K*Cg)`` from a strided window view (``L`` output positions, ``K`` kernel
offsets, ``Cg`` channels per group) and does one BLAS GEMM per group; its output is an
``(N, *spatial, C)`` array returned as an ``(N, C, *spatial)`` view, so elementwise ops and the
next convolution read it without a transpose copy.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd.function import Primitive
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor
from .channels_last import add_per_channel, column_sums
from .conv_depthwise import (depthwise_forward, depthwise_input_grad, depthwise_weight_grad,
                             is_depthwise)

__all__ = ["Conv", "ConvTranspose", "ConvWeight", "ConvGeometry", "conv_output_size"]


class ConvGeometry:
    """Everything that fixes a convolution besides the data: sizes per spatial dim.

    ``padding`` is a tuple of (low, high) pairs (asymmetric for ``padding='same'``).
    ``output_size`` defaults to the convolution's; a transposed convolution passes its own
    input's size, which is smaller when ``output_padding >= stride`` (allowed when it is below
    the dilation): the trailing positions the convolution would add are never read.
    """

    __slots__ = ("stride", "padding", "dilation", "groups", "input_size", "kernel_size",
                 "output_size")

    def __init__(self, stride, padding, dilation, groups, input_size, kernel_size,
                 output_size=None) -> None:
        self.stride = tuple(stride)
        self.padding = tuple(padding)
        self.dilation = tuple(dilation)
        self.groups = groups
        self.input_size = tuple(input_size)
        self.kernel_size = tuple(kernel_size)
        self.output_size = tuple(output_size) if output_size is not None else \
            conv_output_size(input_size, kernel_size, stride, self.padding, dilation)

    @property
    def padded_size(self) -> tuple:
        return tuple(size + low + high for size, (low, high) in zip(self.input_size,
                                                                     self.padding))

    def __repr__(self) -> str:
        return (f"ConvGeometry(stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, groups={self.groups}, input={self.input_size}, "
                f"kernel={self.kernel_size})")


def conv_output_size(input_size, kernel_size, stride, padding, dilation) -> tuple:
    return tuple(
        (size + low + high - dil * (kernel - 1) - 1) // step + 1
        for size, kernel, step, (low, high), dil in zip(input_size, kernel_size, stride, padding,
                                                        dilation))


def _compute_dtype(array):
    """Half types compute in float32 (numpy has no fast half GEMM)."""
    return np.float32 if array.dtype.itemsize < 4 else array.dtype


def _channels_last(array):
    """(N, C, *s) -> (N, *s, C) view."""
    return array.transpose((0,) + tuple(range(2, array.ndim)) + (1,))


def _channels_first(array):
    """(N, *s, C) -> (N, C, *s) view."""
    return array.transpose((0, array.ndim - 1) + tuple(range(1, array.ndim - 1)))


# The patch matrix of a whole batch can be many times the input's size; it is built for
# blocks of samples of at most this many bytes (one GEMM per block), which bounds the memory
# and keeps each block cache-friendly at no measurable cost in speed.
_COLUMN_BLOCK_BYTES = 2 * 2 ** 20
_INPUT_GRAD_BLOCK_BYTES = 2 ** 20
# a multi-block patch matrix up to this size is kept from the forward for the weight gradient
_KEEP_COLUMNS_BYTES = 16 * 2 ** 20




def _padded_source(xp, x, geometry: ConvGeometry, dtype):
    """``x`` (N, C, *in) as a zero-padded channels-last array (N, *padded, C)."""
    source = _channels_last(x)
    if any(low or high for low, high in geometry.padding):
        padded = xp.zeros((x.shape[0],) + geometry.padded_size + (x.shape[1],), dtype=dtype)
        padded[(slice(None),) + tuple(slice(low, low + size) for (low, _), size in
                                      zip(geometry.padding, geometry.input_size))] = source
        return padded
    return source.astype(dtype, copy=False)


def _batch_blocks(x, geometry: ConvGeometry, dtype):
    """(start, stop) sample ranges whose patch matrices fit ``_COLUMN_BLOCK_BYTES``."""
    batch = x.shape[0]
    per_sample = math.prod(geometry.output_size) * math.prod(geometry.kernel_size) * \
        x.shape[1] * np.dtype(dtype).itemsize
    step = max(1, min(batch, _COLUMN_BLOCK_BYTES // max(per_sample, 1)))
    return [(start, min(batch, start + step)) for start in range(0, max(batch, 1), step)]


def _im2col(xp, source, geometry: ConvGeometry):
    """The (groups, n*L, K*Cg) patch matrix of a padded channels-last ``source``.

    With one input channel it is built kernel-offset-major, (K, n*L), and returned as its
    transposed view: each offset's row is then a copy of whole image rows (runs of ``out``
    elements instead of one), measured 2.6 -> 0.9 ms for (64, 1, 28, 28) with a 3x3 kernel;
    BLAS takes the transposed operand at no cost.
    """
    batch, channels = source.shape[0], source.shape[-1]
    groups = geometry.groups
    spatial = len(geometry.input_size)
    strides = source.strides
    rows = batch * math.prod(geometry.output_size)
    width = math.prod(geometry.kernel_size) * (channels // groups)
    if channels == 1 and groups == 1:
        window = xp.lib.stride_tricks.as_strided(
            source,
            shape=geometry.kernel_size + (batch,) + geometry.output_size,
            strides=tuple(strides[1 + d] * geometry.dilation[d] for d in range(spatial))
            + (strides[0],)
            + tuple(strides[1 + d] * geometry.stride[d] for d in range(spatial)))
        return window.reshape(width, rows).T[None]
    window = xp.lib.stride_tricks.as_strided(
        source,
        shape=(batch,) + geometry.output_size + geometry.kernel_size + (groups,
                                                                         channels // groups),
        strides=(strides[0],)
        + tuple(strides[1 + d] * geometry.stride[d] for d in range(spatial))
        + tuple(strides[1 + d] * geometry.dilation[d] for d in range(spatial))
        + (strides[-1] * (channels // groups), strides[-1]))
    if groups == 1:
        return window.reshape(1, rows, width)
    # groups first: (G, N, *out, *k, Cg)
    order = (2 * spatial + 1, 0) + tuple(range(1, 2 * spatial + 1)) + (2 * spatial + 2,)
    return window.transpose(order).reshape(groups, rows, width)


def _weight_matrix(xp, weight, groups: int, dtype):
    """(O, Cg, *k) -> (G, K*Cg, Og), the right operand of the forward GEMM."""
    out_channels = weight.shape[0]
    spatial = weight.ndim - 2
    grouped = weight.reshape((groups, out_channels // groups) + weight.shape[1:])
    # (G, Og, Cg, *k) -> (G, *k, Cg, Og)
    order = (0,) + tuple(range(3, 3 + spatial)) + (2, 1)
    width = math.prod(weight.shape[1:])
    return grouped.transpose(order).reshape(groups, width, out_channels // groups).astype(
        dtype, copy=False)


def _grad_matrix(xp, grad, groups: int, dtype):
    """(N, O, *out) -> (G, N*L, Og)."""
    batch, out_channels = grad.shape[:2]
    source = _channels_last(grad)
    rows = batch * math.prod(grad.shape[2:])
    if groups == 1:
        return source.reshape(1, rows, out_channels).astype(dtype, copy=False)
    source = source.reshape((rows, groups, out_channels // groups))
    return source.transpose(1, 0, 2).astype(dtype, copy=False)


def _from_group_rows(matrix, batch: int, spatial_size: tuple):
    """(G, N*L, Og) -> (N, G*Og, *spatial) (a channels-first view of channels-last data)."""
    groups, rows, per_group = matrix.shape
    if groups == 1:
        flat = matrix[0]
    else:
        flat = matrix.transpose(1, 0, 2).reshape(rows, groups * per_group)
    return _channels_first(flat.reshape((batch,) + tuple(spatial_size) + (groups * per_group,)))


def _group_matmul(xp, left, right, out=None):
    """``left[g] @ right[g]`` for every group, as 2-D BLAS calls (into ``out`` if given).

    numpy's stacked matmul falls back to a slow loop for transposed operands; 2-D matmul hands
    the transpose to BLAS instead.
    """
    if out is None:
        out = xp.empty((left.shape[0], left.shape[1], right.shape[2]),
                       dtype=xp.result_type(left, right))
    for group in range(left.shape[0]):
        xp.matmul(left[group], right[group], out=out[group])
    return out


def conv_forward(xp, x, weight, geometry: ConvGeometry, keep_columns: bool = False):
    """(N, C, *in) -> (N, O, *out), and the patch matrices of its sample blocks, as a list
    of ((start, stop), matrix), when ``keep_columns`` and they take at most
    ``_KEEP_COLUMNS_BYTES`` (or form one block); else None. A depthwise convolution keeps its
    padded channels-last input instead (the size of the input: no patch matrix)."""
    dtype = _compute_dtype(x)
    groups = geometry.groups
    if is_depthwise(weight.shape, groups):
        source = _padded_source(xp, x, geometry, dtype)
        output = _channels_first(depthwise_forward(xp, source, weight, geometry, dtype))
        return output, source if keep_columns else None
    weights = _weight_matrix(xp, weight, groups, dtype)
    source = _padded_source(xp, x, geometry, dtype)
    positions = math.prod(geometry.output_size)
    width = weights.shape[1]
    blocks = _batch_blocks(x, geometry, dtype)
    result = xp.empty((groups, x.shape[0] * positions, weights.shape[2]), dtype=dtype)
    # the weight gradient then needs no second im2col pass; bounded, so that the activation
    # memory stays well under PyTorch's
    keep = keep_columns and (len(blocks) == 1 or x.shape[0] * positions * width *
                             np.dtype(dtype).itemsize <= _KEEP_COLUMNS_BYTES)
    kept = []
    for start, stop in blocks:
        cols = _im2col(xp, source[start:stop], geometry)
        _group_matmul(xp, cols, weights, out=result[:, start * positions:stop * positions])
        if keep:
            kept.append(((start, stop), cols))
    output = _from_group_rows(result, x.shape[0], geometry.output_size)
    return output, kept if keep else None


def conv_input_grad(xp, grad, weight, geometry: ConvGeometry):
    """The transposed convolution, (N, O, *out) -> (N, C, *in).

    One GEMM per kernel offset (``grad @ W[:, :, offset]``) added into the strided window
    of a zero-padded channels-last buffer, block of samples by block: measured faster than
    one big GEMM followed by a col2im scatter, since the (N*L, K*C) intermediate never
    exists.
    """
    depthwise = is_depthwise(weight.shape, geometry.groups)
    if all(step == 1 for step in geometry.stride) and (
            not depthwise or weight.shape[0] == geometry.groups):
        flipped = _unit_stride_adjoint(xp, grad, weight, geometry)
        if flipped is not None:  # a depthwise one's adjoint is depthwise too
            return flipped
    if depthwise:
        dtype = _compute_dtype(grad)
        padded = depthwise_input_grad(xp, _grad_rows(grad, geometry.groups, dtype), weight,
                                      geometry, dtype)
        return _channels_first(_unpadded(padded, geometry))
    dtype = _compute_dtype(grad)
    batch = grad.shape[0]
    groups = geometry.groups
    spatial = len(geometry.input_size)
    out_channels, per_group = weight.shape[:2]
    grads = _grad_matrix(xp, grad, groups, dtype)                          # (G, N*L, Og)
    # (O, Cg, *k) -> (*k, G, Og, Cg), contiguous so each offset is a plain matrix
    order = tuple(range(2, 2 + spatial)) + (0, 1)
    kernels = xp.ascontiguousarray(weight.transpose(order).astype(dtype, copy=False)).reshape(
        geometry.kernel_size + (groups, out_channels // groups, per_group))
    padded = xp.zeros((batch,) + geometry.padded_size + (groups, per_group), dtype=dtype)
    positions = math.prod(geometry.output_size)
    # blocks of samples small enough for the cache: each offset's GEMM result is added
    # while still hot (measured about twice as fast as whole-batch GEMMs)
    per_sample = positions * (out_channels + groups * per_group) * np.dtype(dtype).itemsize
    step = max(1, _INPUT_GRAD_BLOCK_BYTES // max(per_sample, 1))
    windows = [(offset, tuple(slice(o * dil, o * dil + stride * (out - 1) + 1, stride)
                              for o, dil, stride, out in zip(offset, geometry.dilation,
                                                             geometry.stride,
                                                             geometry.output_size)))
               for offset in itertools.product(*(range(k) for k in geometry.kernel_size))]
    for start in range(0, batch, step):
        stop = min(batch, start + step)
        rows = slice(start * positions, stop * positions)
        window_shape = (stop - start,) + geometry.output_size + (per_group,)
        for offset, target in windows:
            for group in range(groups):
                contribution = grads[group, rows] @ kernels[offset + (group,)]
                padded[(slice(start, stop),) + target + (group,)] += \
                    contribution.reshape(window_shape)
    inner = _unpadded(padded, geometry)
    inner = inner.reshape(inner.shape[:-2] + (groups * per_group,))
    return _channels_first(inner)


def _unpadded(padded, geometry: ConvGeometry):
    """The input-sized interior of a padded channels-last (N, *padded, ...) array."""
    return padded[(slice(None),) + tuple(slice(low, low + size) for (low, _), size in
                                         zip(geometry.padding, geometry.input_size))]


def _grad_rows(grad, groups: int, dtype):
    """(N, G*M, *out) -> (N, *out, G, M) channels-last."""
    moved = _channels_last(grad).astype(dtype, copy=False)
    return moved.reshape(moved.shape[:-1] + (groups, grad.shape[1] // groups))


def _unit_stride_adjoint(xp, grad, weight, geometry: ConvGeometry):
    """With stride 1 the input gradient is itself a convolution: of ``grad``, padded by
    ``dilation * (k - 1) - padding``, with the kernels flipped and their in/out channels
    swapped within each group. The forward's im2col GEMMs then do it: as fast as the
    per-offset products for one group, 2-3x faster for grouped and depthwise convolutions
    (one GEMM per group instead of one per group and offset). None where that padding would
    be negative or the sizes do not come back (a transposed convolution's output_padding).
    """
    padding = tuple((dil * (kernel - 1) - low, dil * (kernel - 1) - high)
                    for dil, kernel, (low, high) in zip(geometry.dilation, geometry.kernel_size,
                                                        geometry.padding))
    if any(low < 0 or high < 0 for low, high in padding):
        return None
    adjoint = ConvGeometry(geometry.stride, padding, geometry.dilation, geometry.groups,
                           grad.shape[2:], geometry.kernel_size)
    if adjoint.output_size != geometry.input_size:
        return None
    groups = geometry.groups
    out_channels, per_group = weight.shape[:2]
    spatial = weight.ndim - 2
    # (O, Cg, *k) -> (G, Og, Cg, *k) -> (G, Cg, Og, *k) -> (C, Og, *k), flipped spatially
    swapped = weight.reshape((groups, out_channels // groups, per_group) + weight.shape[2:])
    swapped = swapped.swapaxes(1, 2).reshape((groups * per_group, out_channels // groups)
                                             + weight.shape[2:])
    flipped = swapped[(slice(None), slice(None)) + (slice(None, None, -1),) * spatial]
    return conv_forward(xp, grad, flipped, adjoint)[0]


def conv_weight_grad(xp, x, grad, geometry: ConvGeometry, kept=None):
    """``sum over blocks of cols^T @ grad``, reshaped to the weight layout (O, Cg, *k).

    ``kept``: the forward's ((start, stop), patch matrix) blocks (a depthwise forward's
    padded input); without it they are built again.
    """
    dtype = _compute_dtype(x)
    groups = geometry.groups
    spatial = len(geometry.kernel_size)
    per_group = x.shape[1] // groups
    if per_group == 1 and groups > 1:
        source = kept if kept is not None else _padded_source(xp, x, geometry, dtype)
        return depthwise_weight_grad(xp, source, _grad_rows(grad, groups, dtype), geometry,
                                     dtype)
    grads = _grad_matrix(xp, grad, groups, dtype)                          # (G, N*L, Og)
    positions = math.prod(geometry.output_size)
    if kept is None:
        source = _padded_source(xp, x, geometry, dtype)
        kept = [(block, None) for block in _batch_blocks(x, geometry, dtype)]
    result = None
    for (start, stop), cols in kept:
        if cols is None:
            cols = _im2col(xp, source[start:stop], geometry)
        block = _group_matmul(xp, cols.transpose(0, 2, 1),
                              grads[:, start * positions:stop * positions])
        result = block if result is None else result.__iadd__(block)
    out_per_group = result.shape[-1]
    result = result.reshape((groups,) + geometry.kernel_size + (per_group, out_per_group))
    # (G, *k, Cg, Og) -> (G, Og, Cg, *k)
    order = (0, spatial + 2, spatial + 1) + tuple(range(1, spatial + 1))
    result = result.transpose(order).reshape(
        (groups * out_per_group, per_group) + geometry.kernel_size)
    return xp.ascontiguousarray(result)


def _sum_bias_grad(grad: Tensor) -> Tensor:
    """Sum over all dims but the channels; a BLAS gemv over channels-last rows when no graph
    is being built (numpy's strided axis reduction is ~10x slower), tensor ops otherwise."""
    data = grad._data
    if not grad_state.enabled and data.ndim >= 3 and data.dtype.kind == "f" and \
            data.dtype.itemsize >= 4:
        moved = _channels_last(data)
        if moved.flags.c_contiguous:
            return Tensor._make(column_sums(grad._xp(), moved.reshape(-1, data.shape[1])))
    return grad.sum(dim=(0,) + tuple(range(2, grad.ndim)))


class Conv(Primitive):
    """y = x (*) w (+ b); ``geometry`` is a ConvGeometry."""

    saves = (0, 1)

    def forward(self, xp, x, weight, bias=None, geometry=None, keep_columns=True):
        """``keep_columns=False`` (the weight needs no gradient) drops the patch matrix."""
        self.geometry = geometry
        result, kept = conv_forward(xp, x, weight, geometry,
                                    keep_columns=self.needs_grad and keep_columns)
        if kept is not None:
            self.kept = kept  # reused by the weight gradient
        if bias is not None:  # the GEMM output is a fresh buffer: add in place
            add_per_channel(xp, result, bias)
        return result.astype(x.dtype, copy=False)

    def backward(self, grad):
        x, weight = self.saved
        geometry = self.geometry
        grad_x = ConvTranspose.apply(grad, weight, geometry=geometry) \
            if self.needs_input_grad(0) else None
        grad_w = ConvWeight.apply(x, grad, geometry=geometry, kept=self.__dict__.get("kept")) \
            if self.needs_input_grad(1) else None
        grad_b = _sum_bias_grad(grad) if self.needs_input_grad(2) else None
        return grad_x, grad_w, grad_b


class ConvTranspose(Primitive):
    """The adjoint of ``Conv`` in x: (N, O, *out) -> (N, C, *in) for ``geometry``."""

    saves = (0, 1)

    def forward(self, xp, grad, weight, geometry=None):
        self.geometry = geometry
        result = conv_input_grad(xp, grad, weight, geometry)
        return result.astype(grad.dtype, copy=False)

    def backward(self, upstream):
        grad, weight = self.saved
        geometry = self.geometry
        grad_g = Conv.apply(upstream, weight, geometry=geometry) \
            if self.needs_input_grad(0) else None
        grad_w = ConvWeight.apply(upstream, grad, geometry=geometry) \
            if self.needs_input_grad(1) else None
        return grad_g, grad_w


class ConvWeight(Primitive):
    """The adjoint of ``Conv`` in w: (x, g) -> (O, Cg, *k)."""

    saves = (0, 1)

    def forward(self, xp, x, grad, geometry=None, kept=None):
        self.geometry = geometry
        result = conv_weight_grad(xp, x, grad, geometry, kept)
        return result.astype(x.dtype, copy=False)

    def backward(self, upstream):
        x, grad = self.saved
        geometry = self.geometry
        grad_x = ConvTranspose.apply(grad, upstream, geometry=geometry) \
            if self.needs_input_grad(0) else None
        grad_g = Conv.apply(x, upstream, geometry=geometry) \
            if self.needs_input_grad(1) else None
        return grad_x, grad_g
