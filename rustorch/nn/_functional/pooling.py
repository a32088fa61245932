"""Pooling: max / average / power-average / adaptive pools and max unpooling."""
from __future__ import annotations

import math

import numpy as np

from ..._ops.pooling import (AdaptiveMaxPool, IndexScatter, MaxPool, PoolGeometry, SumPool,
                             adaptive_bounds, pool_output_size)
from ...autograd.function import named_as
from ...tensor import _TORCH_TYPE_NAMES
from ...errors import DTypeNotImplementedError
from ...errors import ArgumentError, ShapeError
from ...tensor import Tensor
from .conv import expand_param
from .vision import _contract
from ...amp._dispatch import autocast_call, autocast_state

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d",
           "lp_pool2d", "lp_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices"]


def _check_rank(input: Tensor, spatial: int, op: str) -> None:
    if input.ndim not in (spatial + 1, spatial + 2) or \
            any(size == 0 for size in input.shape[input.ndim - spatial - 1:]):
        raise ShapeError(f"{op}: non-empty {spatial + 1}D or {spatial + 2}D (batch mode) tensor "
                         f"expected for input, but got input of size {list(input.shape)}")


def _geometry(input: Tensor, spatial: int, kernel_size, stride, padding, dilation,
              ceil_mode: bool, op: str, avg: bool = False) -> PoolGeometry:
    _check_rank(input, spatial, op)
    kernel = expand_param(kernel_size, spatial, "kernel_size", "pooling")
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else expand_param(stride, spatial, "stride", "pooling")
    padding = expand_param(padding, spatial, "padding", "pooling")
    dilation = expand_param(dilation, spatial, "dilation", "pooling")
    if any(k <= 0 for k in kernel):
        raise ShapeError(f"{op}: kernel_size must be greater than zero, but got {list(kernel)}")
    if any(s <= 0 for s in stride):
        raise ShapeError(f"{op}: stride should not be zero (got {list(stride)})")
    if any(d <= 0 for d in dilation):
        raise ShapeError(f"{op}: dilation should be greater than zero, but got {list(dilation)}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > ((k - 1) * d + 1) // 2:
            raise ShapeError(f"pad should be at most half of effective kernel size, but got "
                             f"pad={p}, kernel_size={k} and dilation={d}")
    input_size = tuple(input.shape[input.ndim - spatial:])
    output = tuple(pool_output_size(n, k, s, p, d, ceil_mode)
                   for n, k, s, p, d in zip(input_size, kernel, stride, padding, dilation))
    if any(o <= 0 for o in output):
        channels = input.shape[input.ndim - spatial - 1]
        raise ShapeError(f"Given input size: ({'x'.join(map(str, (channels,) + input_size))}). "
                         f"Calculated output size: "
                         f"({'x'.join(map(str, (channels,) + output))}). Output size is too small")
    return PoolGeometry(kernel, stride, padding, dilation, input_size, output)


def _max_pool(input, spatial, kernel_size, stride, padding, dilation, ceil_mode, op,
              with_indices=True):
    geometry = _geometry(input, spatial, kernel_size, stride, padding, dilation, ceil_mode, op)
    values, indices = MaxPool.apply(input, geometry=geometry, with_indices=with_indices)
    named_as(values, _pool_node_name(spatial, "MaxPool{}DWithIndicesBackward0"))
    return (values, indices) if with_indices else values


def _pool_node_name(dims: int, pattern: str) -> str:
    """PyTorch's node for a pooling op: 1-d ones run as 2-d pools and a squeeze."""
    return "SqueezeBackward1" if dims == 1 else pattern.format(dims)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, "max_pool1d")


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over sliding windows of the last dim; ``return_indices`` also gives flat indices."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, "max_pool1d",
                     return_indices)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over sliding 2-D windows; indices are flat per (H*W) plane, as in PyTorch.

    >>> max_pool2d(rustorch.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d",
                     return_indices)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    if autocast_state.active:
        return autocast_call(max_pool3d, None if return_indices else "max_pool3d", **locals())
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d",
                     return_indices)


def _divisor(geometry: PoolGeometry, count_include_pad: bool, divisor_override, xp, dtype):
    """1 / (window element count) for every output position (PyTorch's avg_pool rule)."""
    if divisor_override:
        return 1.0 / divisor_override
    spatial = len(geometry.input_size)
    reciprocal = np.ones((1,) * spatial)
    for d, (n, k, s, p, out) in enumerate(zip(geometry.input_size, geometry.kernel_size,
                                               geometry.stride, geometry.padding,
                                               geometry.output_size)):
        start = np.arange(out) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            count = end - start
        else:
            count = np.minimum(end, n) - np.maximum(start, 0)
        shape = [1] * spatial
        shape[d] = out
        reciprocal = reciprocal / count.reshape(shape)
    if np.all(reciprocal == reciprocal.flat[0]):
        return float(reciprocal.flat[0])
    return Tensor._make(xp.asarray(reciprocal, dtype=dtype))


def _avg_pool(input, spatial, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, op):
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise DTypeNotImplementedError(
            f"\"{op}\" not implemented for '{_TORCH_TYPE_NAMES.get(input.dtype.name)}': "
            f"rustorch pools floating tensors only; convert with .float() first")
    if divisor_override is not None and divisor_override == 0:
        raise ShapeError("divisor must be not zero")
    geometry = _geometry(input, spatial, kernel_size, stride, padding, 1, ceil_mode, op, True)
    sums = SumPool.apply(input, geometry=geometry)
    scale = _divisor(geometry, count_include_pad, divisor_override, input._xp(),
                     input._data.dtype)
    return named_as(sums * scale, _pool_node_name(spatial, "AvgPool{}DBackward0"))


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over sliding windows of the last dim."""
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                     "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """Mean over sliding 2-D windows (``divisor_override`` replaces the element count)."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool2d")


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    if autocast_state.active:
        return autocast_call(avg_pool3d, "avg_pool3d", **locals())
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool3d")


def _max_unpool(input, indices, spatial, kernel_size, stride, padding, output_size, op):
    if input.ndim not in (spatial + 1, spatial + 2):
        raise ShapeError(f"{op}: expected a {spatial + 1}D or {spatial + 2}D input, got "
                         f"{list(input.shape)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise ShapeError(f"{op}: Expected shape of indices to be same as that of the input "
                         f"tensor ({list(input.shape)}) but got indices tensor with shape: "
                         f"{list(indices.shape)}")
    kernel = expand_param(kernel_size, spatial, "kernel_size", "pooling")
    stride = kernel if stride is None else expand_param(stride, spatial, "stride", "pooling")
    padding = expand_param(padding, spatial, "padding", "pooling")
    in_size = tuple(input.shape[input.ndim - spatial:])
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(in_size, stride, padding,
                                                                  kernel))
    if output_size is None:
        size = default
    else:
        size = tuple(int(v) for v in output_size)
        if len(size) == spatial + 2 or len(size) == spatial + 1 and input.ndim == spatial + 1:
            size = size[len(size) - spatial:]
        if len(size) != spatial:
            raise ArgumentError(f"{op}: output_size must have {spatial} elements, got "
                                f"{list(output_size)}")
        for n, s_d, lo in zip(size, default, stride):
            if not (s_d - lo < n < s_d + lo):
                raise ArgumentError(f"invalid output_size {list(size)} (dim size must be between "
                                    f"{[d - s for d, s in zip(default, stride)]} and "
                                    f"{[d + s for d, s in zip(default, stride)]})")
    plane = math.prod(size)
    index_array = indices._data
    if index_array.size and (int(index_array.min()) < 0 or int(index_array.max()) >= plane):
        bad = int(index_array.max()) if int(index_array.max()) >= plane else \
            int(index_array.min())
        raise ShapeError(f"Found an invalid max index: {bad} (output volumes are of size "
                         f"{'x'.join(map(str, size))})")
    shape = tuple(input.shape[:input.ndim - spatial]) + size
    return IndexScatter.apply(input, indices, shape=shape, spatial=spatial, accumulate=False)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of max_pool1d: values placed at ``indices``, zeros elsewhere."""
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size,
                       "max_unpool1d")


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    if autocast_state.active:
        return autocast_call(max_unpool2d, "max_unpool2d", **locals())
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size,
                       "max_unpool2d")


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    if autocast_state.active:
        return autocast_call(max_unpool3d, "max_unpool3d", **locals())
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size,
                       "max_unpool3d")


def _lp_pool(input, norm_type, spatial, kernel_size, stride, ceil_mode, op):
    kernel = expand_param(kernel_size, spatial, "kernel_size", "pooling")
    pool = (avg_pool1d, avg_pool2d, avg_pool3d)[spatial - 1]
    if stride is not None:
        out = pool(input.pow(norm_type), kernel, stride, 0, ceil_mode)
    else:
        out = pool(input.pow(norm_type), kernel, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(math.prod(kernel)).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pool: ``(sum over window of x^p)^(1/p)``."""
    return _lp_pool(input, norm_type, 1, kernel_size, stride, ceil_mode, "lp_pool1d")


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    return _lp_pool(input, norm_type, 2, kernel_size, stride, ceil_mode, "lp_pool2d")


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    return _lp_pool(input, norm_type, 3, kernel_size, stride, ceil_mode, "lp_pool3d")


def _adaptive_size(input: Tensor, output_size, spatial: int, op: str) -> tuple:
    _check_rank(input, spatial, op)
    if isinstance(output_size, int) or hasattr(output_size, "__index__"):
        sizes = (int(output_size),) * spatial
    else:
        sizes = tuple(output_size)
        if len(sizes) != spatial:
            raise ShapeError(f"{op}: output_size must be {spatial}")
    in_size = input.shape[input.ndim - spatial:]
    sizes = tuple(n if s is None else int(s) for s, n in zip(sizes, in_size))
    if any(s < 0 for s in sizes):
        raise ShapeError(f"{op}: elements of output_size must be greater than or equal to 0, "
                         f"but got {list(sizes)}")
    return sizes


def _pool_matrix(size: int, out: int, xp, dtype):
    """(out, size) averaging matrix of adaptive windows along one dim."""
    starts, ends = adaptive_bounds(size, out)
    matrix = np.zeros((out, size))
    for row, (start, end) in enumerate(zip(starts, ends)):
        matrix[row, start:end] = 1.0 / (end - start)
    return Tensor._make(xp.asarray(matrix, dtype=dtype))


def _adaptive_avg(input, output_size, spatial, op):
    sizes = _adaptive_size(input, output_size, spatial, op)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise DTypeNotImplementedError(
            f"\"{op}\" not implemented for '{_TORCH_TYPE_NAMES.get(input.dtype.name)}': "
            f"rustorch pools floating tensors only; convert with .float() first")
    in_size = tuple(input.shape[input.ndim - spatial:])
    dims = tuple(range(input.ndim - spatial, input.ndim))
    if all(s == 1 for s in sizes):
        return input.mean(dim=dims, keepdim=True)
    if all(n % s == 0 for n, s in zip(in_size, sizes) if s) and all(sizes):
        kernel = tuple(n // s for n, s in zip(in_size, sizes))
        geometry = PoolGeometry(kernel, kernel, (0,) * spatial, (1,) * spatial, in_size, sizes)
        return SumPool.apply(input, geometry=geometry) * (1.0 / math.prod(kernel))
    result = input
    xp, dtype = input._xp(), input._data.dtype
    for axis, (n, s) in zip(dims, zip(in_size, sizes)):
        # contract one spatial dim at a time with its (s, n) averaging matrix
        matrix = _pool_matrix(n, s, xp, dtype)
        result = _contract(result, matrix, axis)
    return result


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average pool whose windows are chosen so the output has ``output_size`` elements."""
    return _adaptive_avg(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    if autocast_state.active:
        return autocast_call(adaptive_avg_pool3d, "adaptive_avg_pool3d", **locals())
    return _adaptive_avg(input, output_size, 3, "adaptive_avg_pool3d")


def _adaptive_max(input, output_size, spatial, op):
    sizes = _adaptive_size(input, output_size, spatial, op)
    in_size = tuple(input.shape[input.ndim - spatial:])
    if all(s and n % s == 0 for n, s in zip(in_size, sizes)):
        kernel = tuple(n // s for n, s in zip(in_size, sizes))
        geometry = PoolGeometry(kernel, kernel, (0,) * spatial, (1,) * spatial, in_size, sizes)
        result = MaxPool.apply(input, geometry=geometry)
    else:
        result = AdaptiveMaxPool.apply(input, output_size=sizes)
    return named_as(result, _pool_node_name(spatial, "AdaptiveMaxPool{}DBackward0"))


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    return _adaptive_max(input, output_size, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    return _adaptive_max(input, output_size, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    if autocast_state.active:
        return autocast_call(adaptive_max_pool3d_with_indices, "adaptive_max_pool3d", **locals())
    return _adaptive_max(input, output_size, 3, "adaptive_max_pool3d")


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    result = _adaptive_max(input, output_size, 1, "adaptive_max_pool1d")
    return result if return_indices else result[0]


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    result = _adaptive_max(input, output_size, 2, "adaptive_max_pool2d")
    return result if return_indices else result[0]


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    if autocast_state.active:
        return autocast_call(adaptive_max_pool3d, "adaptive_max_pool3d", **locals())
    result = _adaptive_max(input, output_size, 3, "adaptive_max_pool3d")
    return result if return_indices else result[0]
