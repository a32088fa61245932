"""Depthwise convolutions (one input channel per group: ``groups == in_channels``) as
multiply-adds per kernel offset on channels-last arrays.

The GEMM formulation in ``conv.py`` runs one product per group with an inner dimension of the
kernel size (9 for 3x3), and its grouped im2col copies the input once per offset: for
MobileNet-style layers that is 30-60x slower than PyTorch. Here each kernel offset is one
strided window of the padded input, multiplied by that offset's per-channel weights and
added into the output (or, for the weight gradient, multiplied by the output gradient and
summed): ``prod(kernel)`` vectorized passes over ``N * L * C`` values, no patch matrix.

Layouts follow ``conv.py``: ``source`` is the zero-padded input as (N, *padded, G);
``grad_rows`` the output gradient as (N, *out, G, M) with ``M = out_channels / groups``.
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import _parallel

# output bytes per block of samples in the forward: a block and its scratch product stay in
# the L2 cache across the kernel offsets
_BLOCK_BYTES = 2 ** 19

__all__ = ["is_depthwise", "depthwise_forward", "depthwise_input_grad",
           "depthwise_weight_grad"]


def is_depthwise(weight_shape, groups: int) -> bool:
    """One input channel per group, more than one group."""
    return groups > 1 and weight_shape[1] == 1


def _offsets(geometry):
    """(kernel offset, the window of the padded input it reads, as slices) per offset."""
    for offset in itertools.product(*(range(k) for k in geometry.kernel_size)):
        yield offset, (slice(None),) + tuple(
            slice(o * dil, o * dil + step * (out - 1) + 1, step)
            for o, dil, step, out in zip(offset, geometry.dilation, geometry.stride,
                                         geometry.output_size))


def _kernels(weight, groups: int, dtype):
    """(G*M, 1, *k) -> (*k, G, M): each offset's weights as a (G, M) block."""
    spatial = weight.ndim - 2
    multiplier = weight.shape[0] // groups
    moved = weight.reshape((groups, multiplier) + weight.shape[2:])
    return moved.transpose(tuple(range(2, 2 + spatial)) + (0, 1)).astype(dtype, copy=False)


def depthwise_forward(xp, source, weight, geometry, dtype):
    """(N, *out, G*M) channels-last output of the padded channels-last ``source``.

    The products run with the channels innermost (numpy's inner loop over G values, never
    over a length-1 or length-M axis): (N, *out, G) for M = 1, else (N, *out, M, G),
    transposed to the output's channel order at the end. Samples go in blocks of about
    ``_BLOCK_BYTES`` of output, so that the offsets' additions find their block in cache.
    """
    groups = geometry.groups
    kernels = _kernels(weight, groups, dtype)
    multiplier = kernels.shape[-1]
    batch = source.shape[0]
    if multiplier == 1:
        shape, kernels = geometry.output_size + (groups,), kernels[..., 0]
    else:
        shape, kernels = geometry.output_size + (multiplier, groups), kernels.swapaxes(-1, -2)
    result = xp.empty((batch,) + shape, dtype=dtype)
    offsets = list(_offsets(geometry))
    step = max(1, _BLOCK_BYTES // max(1, result[:1].nbytes))

    def run(first, last):
        product = xp.empty((min(step, last - first),) + shape, dtype=dtype)
        for start in range(first, last, step):
            stop = min(last, start + step)
            target, scratch = result[start:stop], product[:stop - start]
            for index, (offset, window) in enumerate(offsets):
                taps = source[(slice(start, stop),) + window[1:]]
                if multiplier > 1:
                    taps = taps[..., None, :]
                xp.multiply(taps, kernels[offset], out=target if index == 0 else scratch)
                if index:
                    xp.add(target, scratch, out=target)

    _over_samples(source, result.size * len(offsets), run)
    if multiplier > 1:
        result = result.swapaxes(-1, -2)
    return result.reshape((batch,) + geometry.output_size + (groups * multiplier,))


def _over_samples(array, work: int, run) -> list:
    """``run(first, last)`` over the batch: for NumPy arrays with enough ``work`` (values
    touched), one range of samples per intra-op thread at once (each range's blocks are
    independent; numpy releases the GIL in the per-block ufunc calls), else in one call.
    Returns the calls' results in batch order."""
    batch = array.shape[0]
    parts = _parallel.worth_splitting(work) if type(array) is np.ndarray else 1
    parts = max(1, min(parts, batch))
    return _parallel.run_slabs(run, _parallel.bounds(batch, parts))


def _per_multiplier(xp, grad_rows):
    """(N, *out, G, M) -> M contiguous (N, *out, G) arrays (the channels innermost)."""
    if grad_rows.shape[-1] == 1:
        return [grad_rows[..., 0]]
    return [xp.ascontiguousarray(grad_rows[..., index]) for index in range(grad_rows.shape[-1])]


def depthwise_input_grad(xp, grad_rows, weight, geometry, dtype):
    """(N, *padded, G) channels-last gradient of the padded input: each offset's products
    added into its window, block of samples by block (as in the forward)."""
    groups = geometry.groups
    kernels = _kernels(weight, groups, dtype)
    batch = grad_rows.shape[0]
    parts = _per_multiplier(xp, grad_rows)
    padded = xp.zeros((batch,) + geometry.padded_size + (groups,), dtype=dtype)
    step = max(1, _BLOCK_BYTES // max(1, parts[0][:1].nbytes))
    offsets = list(_offsets(geometry))

    def run(first, last):
        scratch = xp.empty((min(step, last - first),) + geometry.output_size + (groups,),
                           dtype=dtype)
        for start in range(first, last, step):
            stop = min(last, start + step)
            product = scratch[:stop - start]
            for offset, window in offsets:
                target = padded[(slice(start, stop),) + window[1:]]
                for index, part in enumerate(parts):
                    xp.multiply(part[start:stop], kernels[offset][:, index], out=product)
                    xp.add(target, product, out=target)

    _over_samples(padded, grad_rows.size * len(offsets), run)
    return padded


def depthwise_weight_grad(xp, source, grad_rows, geometry, dtype):
    """(G*M, 1, *k) weight gradient from the padded channels-last ``source``: per offset and
    multiplier index, a per-channel dot product of the window with the output gradient."""
    groups = geometry.groups
    multiplier = grad_rows.shape[-1]
    spatial = len(geometry.kernel_size)
    parts = _per_multiplier(xp, grad_rows)
    leading = "abcdefgh"[:grad_rows.ndim - 2]
    per_channel_dot = f"{leading}z,{leading}z->z"
    offsets = list(_offsets(geometry))

    def run(first, last):
        partial = xp.empty(geometry.kernel_size + (groups, multiplier), dtype=dtype)
        for offset, window in offsets:
            taps = source[(slice(first, last),) + window[1:]]  # read in place: no copy
            for index, part in enumerate(parts):
                partial[offset + (slice(None), index)] = xp.einsum(per_channel_dot, taps,
                                                                   part[first:last])
        return partial

    partials = _over_samples(source, grad_rows.size * len(offsets), run)
    result = partials[0]
    for partial in partials[1:]:
        result += partial
    # (*k, G, M) -> (G, M, *k) -> (G*M, 1, *k)
    order = (spatial, spatial + 1) + tuple(range(spatial))
    return xp.ascontiguousarray(result.transpose(order)).reshape(
        (groups * multiplier, 1) + geometry.kernel_size)
