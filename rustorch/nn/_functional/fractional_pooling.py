"""Fractional max pooling (Graham 2014, https://arxiv.org/abs/1412.6071).

Each (sample, channel) plane gets one random number ``u`` per spatial dim, from which the
window starts along that dim follow as in ATen's ``generate_intervals``::

    alpha = (input_size - kernel) / (output_size - 1)
    start[i] = int((i + u) * alpha) - int(u * alpha)     for i < output_size - 1
    start[output_size - 1] = input_size - kernel

computed in the input's dtype, so that the same ``_random_samples`` choose the same windows
as PyTorch. The pool scans the kernel elements in ATen's order, each step one gather over
every plane and output at once; the gradient goes back through the chosen indices.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..._backend import check_same_device
from ..._ops.pooling import IndexScatter
from ...autograd.function import Primitive
from ...errors import (ArgumentError, ArgumentTypeError, DTypeError, DTypeNotImplementedError,
                       ShapeError, TensorIndexError)
from ...tensor import _TORCH_TYPE_NAMES, Tensor
from ...amp._dispatch import autocast_call, autocast_state

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]

# which entry of a plane's random samples drives each spatial dim (ATen's kernels: the 2-d pool
# reads (W, H), the 3-d one (T, H, W))
_SAMPLE_FOR_DIM = {2: (1, 0), 3: (0, 1, 2)}
_FLOATING = ("float16", "bfloat16", "float32", "float64")


def _intervals(samples: np.ndarray, input_size: int, output_size: int,
               kernel: int) -> np.ndarray:
    """(planes, output_size) window starts from (planes,) samples, in the samples' dtype."""
    dtype = samples.dtype.type
    starts = np.empty((samples.shape[0], output_size), dtype=np.int64)
    if output_size > 1:
        alpha = dtype(input_size - kernel) / dtype(output_size - 1)
        steps = np.arange(output_size - 1).astype(samples.dtype)
        with np.errstate(invalid="ignore", over="ignore"):
            scaled = ((steps[None, :] + samples[:, None]) * alpha).astype(np.int64)
            offset = (samples * alpha).astype(np.int64)
        starts[:, :-1] = scaled - offset[:, None]
    if output_size > 0:
        starts[:, -1] = input_size - kernel
    return starts


def _window_starts(samples: np.ndarray, input_size: tuple, output_size: tuple,
                   kernel: tuple) -> np.ndarray:
    """Flat plane index of every window's first element, (planes, outputs)."""
    spatial = len(input_size)
    planes = samples.shape[0]
    order = _SAMPLE_FOR_DIM[spatial]
    first = np.zeros((planes,) + tuple(output_size), dtype=np.int64)
    for d in range(spatial):
        starts = _intervals(samples[:, order[d]], input_size[d], output_size[d], kernel[d])
        if kernel[d] > 0 and starts.size and \
                (starts.min() < 0 or starts.max() + kernel[d] > input_size[d]):
            # PyTorch reads out of bounds here (undefined values); refuse instead
            raise TensorIndexError("fractional_max_pool: _random_samples put a pooling window "
                                   "outside the input")
        shape = [planes] + [1] * spatial
        shape[1 + d] = output_size[d]
        first += (starts * math.prod(input_size[d + 1:])).reshape(shape)
    return first.reshape(planes, -1) if planes else first.reshape(0, math.prod(output_size))


def _kernel_offsets(input_size: tuple, kernel: tuple) -> list:
    """Flat plane offset of every window element, in ATen's scan order (last dim fastest)."""
    strides = [math.prod(input_size[d + 1:]) for d in range(len(input_size))]
    return [sum(o * stride for o, stride in zip(offset, strides))
            for offset in itertools.product(*(range(max(k, 0)) for k in kernel))]


class FractionalMaxPool(Primitive):
    """(values, flat per-plane indices) of a fractional max pool over the trailing dims
    (node ``FractionalMaxPool2DBackward0`` / ``3D``); ``samples`` is a (planes, spatial)
    host array."""

    multi_output = True
    differentiable_outputs = (0,)

    def name(self) -> str:
        return f"FractionalMaxPool{self.spatial}DBackward0"

    def forward(self, xp, x, samples=None, kernel_size=(), output_size=()):
        spatial = len(kernel_size)
        self.spatial, self.input_shape = spatial, x.shape
        lead = x.shape[:x.ndim - spatial]
        input_size = x.shape[x.ndim - spatial:]
        plane_size = math.prod(input_size)
        first = _window_starts(samples, input_size, output_size, kernel_size)
        offsets = _kernel_offsets(input_size, kernel_size)
        origin = xp.asarray(first + (np.arange(first.shape[0]) * plane_size)[:, None])
        flat = x.reshape(-1)
        # ATen's scan: a later element wins if greater or NaN, so ties go to the first and
        # NaN to the last; an empty window leaves -inf at its start
        best = xp.full(origin.shape, -np.inf, dtype=x.dtype)
        winner = xp.zeros(origin.shape, dtype=np.int64)
        for number, offset in enumerate(offsets):
            candidate = flat[origin + offset]
            better = candidate > best
            better |= xp.isnan(candidate)
            best = xp.where(better, candidate, best)
            winner[better] = number
        indices = xp.asarray(first)
        if offsets:
            indices = indices + xp.asarray(offsets, dtype=np.int64)[winner]
        out_shape = lead + tuple(output_size)
        self.indices = indices.reshape(out_shape)
        return best.reshape(out_shape), self.indices

    def backward(self, grad, _grad_indices=None):
        if grad.numel() == 0:
            return grad.new_zeros(self.input_shape)
        return IndexScatter.apply(grad, Tensor._make(self.indices), shape=self.input_shape,
                                  spatial=self.spatial, accumulate=True)


def _ntuple(value, n: int) -> tuple:
    """PyTorch's ``_pair``/``_triple``: an iterable as a tuple, anything else repeated."""
    if isinstance(value, (list, tuple)) or hasattr(value, "__iter__"):
        return tuple(value)
    return (value,) * n


def _int_list(value, spatial: int, name: str, op: str) -> tuple:
    if isinstance(value, int) or hasattr(value, "__index__") and not isinstance(value, Tensor):
        return (int(value),) * spatial
    values = tuple(int(v) for v in value)
    if len(values) != spatial:
        many = "tuple of Ints" if spatial == 2 else "tuple of three Ints"
        raise ShapeError(f"{op}: {name} must either be a single Int or {many}")
    return values


def _check_input(input: Tensor, spatial: int, kernel: tuple, output: tuple, op: str) -> None:
    where = f"{op}()" if spatial == 2 else f"{op}_out()"
    if input.ndim not in (spatial + 1, spatial + 2):
        raise ShapeError(f"{where}: Expected {spatial + 1}D or {spatial + 2}D tensor, but got: "
                         f"{list(input.shape)}")
    for dim in range(1, input.ndim):
        if input.shape[dim] == 0:
            raise ShapeError(f"{where}: Expected input to have non-zero size for non-batch "
                             f"dimensions, but got{list(input.shape)} with dimension {dim} "
                             f"being empty.")
    input_size = input.shape[input.ndim - spatial:]
    names = ("height", "width") if spatial == 2 else ("time", "height", "width")
    # ATen checks the 3-d pool's dims in the order time, width, height, and more strictly
    order = (0, 1) if spatial == 2 else (0, 2, 1)
    for d in order:
        size, k, out = input_size[d], kernel[d], output[d]
        fits = out + k - 1 <= size if spatial == 2 else (k <= size and out + k - 1 < size)
        if not fits:
            raise ShapeError(f"{where}: pool {names[d]} {k} too large relative to input "
                             f"{names[d]} {size}")
    if any(o < 0 for o in output):
        shape = list(input.shape[:input.ndim - spatial]) + list(output)
        bad = next(o for o in output if o < 0)
        raise ShapeError(f"Trying to create tensor with negative dimension {bad}: {shape}")


def _check_samples(input: Tensor, samples: Tensor, spatial: int) -> None:
    check_same_device(f"fractional_max_pool{spatial}d", input, _random_samples=samples)
    if samples.dtype is not input.dtype:
        raise DTypeError("Expect _random_samples to have the same dtype as input")
    if samples.ndim != 3:
        raise ShapeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    batched = input.ndim == spatial + 2
    batch = input.shape[0] if batched else 1
    channels = input.shape[1] if batched else input.shape[0]
    if samples.shape[0] < batch:
        raise ShapeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != channels:
        raise ShapeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != spatial:
        raise ShapeError(f"Expect _random_samples.size(2) equals to {spatial}; got "
                         f"{samples.shape[2]}.")


def _fractional_max_pool(input: Tensor, kernel_size, output_size, output_ratio,
                         _random_samples, spatial: int) -> tuple:
    op = f"fractional_max_pool{spatial}d"
    if output_size is None and output_ratio is None:
        raise ArgumentError(f"{op} requires specifying either an output_size or an "
                            f"output_ratio")
    if output_size is None:
        if spatial == 2:
            if not hasattr(output_ratio, "__len__"):
                raise ArgumentTypeError(f"object of type '{type(output_ratio).__name__}' has "
                                        f"no len()")
            if len(output_ratio) > 2:
                raise ArgumentError(f"{op} requires output_ratio to either be a single Int or "
                                    f"tuple of Ints.")
        ratio = _ntuple(output_ratio, spatial)
        output_size = [int(input.size(d - spatial) * ratio[d]) for d in range(spatial)]
    if _random_samples is None:
        if not (input.dtype.is_floating_point or input.dtype.is_complex):  # as torch.rand
            raise DTypeNotImplementedError(
                f"\"check_uniform_bounds\" not implemented for "
                f"'{_TORCH_TYPE_NAMES.get(input.dtype.name, input.dtype.name)}'")
        from ... import random as _random
        batch = 1 if input.dim() == spatial + 1 else input.size(0)
        _random_samples = _random.rand(batch, input.size(-spatial - 1), spatial,
                                       dtype=input.dtype, device=input.device)
    kernel = _int_list(kernel_size, spatial, "kernel_size", op)
    output = _int_list(output_size, spatial, "output_size", op)
    _check_input(input, spatial, kernel, output, op)
    _check_samples(input, _random_samples, spatial)
    if input.dtype.name not in _FLOATING and input.numel() and math.prod(output):
        raise DTypeNotImplementedError(
            f"\"{op}_out_frame\" not implemented for "
            f"'{_TORCH_TYPE_NAMES.get(input.dtype.name, input.dtype.name)}'")
    planes = math.prod(input.shape[:input.ndim - spatial])
    channels = input.shape[input.ndim - spatial - 1]
    samples = _random_samples.detach().cpu().numpy()[:planes // channels if channels else 0]
    samples = samples.reshape(planes, spatial)
    return FractionalMaxPool.apply(input, samples=samples, kernel_size=kernel,
                                   output_size=output)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple:
    if autocast_state.active:
        return autocast_call(fractional_max_pool2d_with_indices, "fractional_max_pool2d",
                             **locals())
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio,
                                _random_samples, 2)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple:
    if autocast_state.active:
        return autocast_call(fractional_max_pool3d_with_indices, "fractional_max_pool3d",
                             **locals())
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio,
                                _random_samples, 3)


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """Max over ``kernel_size`` windows at pseudo-random, increasing starts chosen so the
    output has ``output_size`` (or ``output_ratio`` times the input size) positions per dim.

    >>> fractional_max_pool2d(rustorch.randn(1, 3, 9, 9), 2, output_size=4).shape
    torch.Size([1, 3, 4, 4])
    """
    if autocast_state.active:
        return autocast_call(fractional_max_pool2d, "fractional_max_pool2d", **locals())
    result = _fractional_max_pool(input, kernel_size, output_size, output_ratio,
                                  _random_samples, 2)
    return result if return_indices else result[0]


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """The 3-d fractional max pool over (T, H, W) (see ``fractional_max_pool2d``)."""
    if autocast_state.active:
        return autocast_call(fractional_max_pool3d, "fractional_max_pool3d", **locals())
    result = _fractional_max_pool(input, kernel_size, output_size, output_ratio,
                                  _random_samples, 3)
    return result if return_indices else result[0]
