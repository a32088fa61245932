"""Vision helpers: ``pad``, ``interpolate``/``upsample*``, ``pixel_shuffle``/``unshuffle``."""
from __future__ import annotations

import math

import numpy as np

from ...autograd.function import named_as, reports_as
from ... import dtypes as _dtypes
from ..._ops.elementwise import where
from ..._ops.padding import ConstantPad, TakeAxis, pad_indices
from ...errors import ArgumentError, NotSupportedError, ShapeError
from ...tensor import Tensor
from ...amp._dispatch import autocast_call, autocast_state

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "pixel_shuffle", "pixel_unshuffle", "affine_grid", "grid_sample", "channel_shuffle",
           "native_channel_shuffle"]

_NON_CONSTANT_HELP = ("Supported combinations for non-constant padding:\n"
                      "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                      "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                      "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims; ``pad = (last_low, last_high, prev_low, ...)``.

    Negative widths crop. Modes: ``constant`` (with ``value``), ``reflect``, ``replicate``,
    ``circular``.

    >>> pad(rustorch.ones(1, 2), (1, 1)).tolist()
    [[0.0, 1.0, 1.0, 0.0]]
    """
    if autocast_state.active:  # the op is looked up: the argument ``pad`` hides it
        return autocast_call(globals()["pad"], f"{mode}_pad{len(pad) // 2}d", **locals())
    widths = [int(p) for p in pad]
    if len(widths) % 2:
        raise ShapeError("Padding length must be divisible by 2")
    count = len(widths) // 2
    if count > input.ndim:
        raise ShapeError(f"Padding length should be less than or equal to two times the input "
                         f"dimension but got padding length {len(widths)} and input of "
                         f"dimension {input.ndim}")
    pairs = [(0, 0)] * (input.ndim - count) + \
        [(widths[2 * i], widths[2 * i + 1]) for i in reversed(range(count))]
    if mode == "constant":
        for size, (low, high) in zip(input.shape, pairs):
            if size + low + high < 0:
                raise ShapeError(f"narrow(): length must be non-negative (padding {widths} "
                                 f"crops more than the input {list(input.shape)} holds)")
        return ConstantPad.apply(input, widths=tuple(pairs), value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotSupportedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ShapeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if count not in (1, 2, 3) or input.ndim not in (count + 1, count + 2):
        raise NotSupportedError(f"Padding size {len(widths)} is not supported for "
                                f"{input.ndim}D input tensor.\n{_NON_CONSTANT_HELP}")
    leading = 1 if input.ndim == count + 2 else 0  # the batch dim may be empty, no other
    if mode != "circular" and 0 in input.shape[leading:]:
        raise ShapeError(f"Expected {count + 1}D or {count + 2}D (batch mode) tensor with "
                         f"possibly 0 batch size and other non-zero dimensions for input, but "
                         f"got: {list(input.shape)}")
    result = input
    xp = input._xp()
    for axis in range(input.ndim - count, input.ndim):
        low, high = pairs[axis]
        size = input.shape[axis]
        if not low and not high:
            continue
        if mode == "reflect" and (low >= size or high >= size):
            raise ShapeError(f"Argument #4: Padding size should be less than the corresponding "
                             f"input dimension, but got: padding ({low}, {high}) at dimension "
                             f"{axis} of input {list(input.shape)}")
        if mode == "circular" and (low > size or high > size):
            raise ShapeError("Padding value causes wrapping around more than once.")
        if size + low + high < 0 or size == 0:
            raise ShapeError(f"{mode} padding of {list(input.shape)} by {widths} leaves a "
                             f"negative size at dimension {axis}")
        index = pad_indices(xp, size, low, high, mode)
        result = TakeAxis.apply(result, index=index, axis=axis)
    return result


# ----------------------------------------------------------------------------- interpolate
_LINEAR_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _output_sizes(input: Tensor, spatial: int, size, scale_factor, recompute):
    in_size = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ArgumentError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = (size,) * spatial if isinstance(size, int) else tuple(int(s) for s in size)
        if len(sizes) != spatial:
            raise ArgumentError(f"Input and output must have the same number of spatial "
                                f"dimensions, but got input with spatial dimensions of "
                                f"{list(in_size)} and output size of {list(sizes)}. Please "
                                f"provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                f"output size in (o1, o2, ...,oK) format.")
        return sizes, (None,) * spatial
    if scale_factor is None:
        raise ArgumentError("either size or scale_factor should be defined")
    scales = (float(scale_factor),) * spatial if isinstance(scale_factor, (int, float)) \
        else tuple(float(s) for s in scale_factor)
    if len(scales) != spatial:
        raise ArgumentError(f"Input and scale_factor must have the same number of spatial "
                            f"dimensions, but got input with spatial dimensions of "
                            f"{list(in_size)} and scale_factor of shape {list(scales)}.")
    sizes = tuple(int(math.floor(n * s)) for n, s in zip(in_size, scales))
    # recompute_scale_factor makes the kernels use in/out instead of the given factor
    return sizes, ((None,) * spatial if recompute else scales)


def _source_coordinates(out: int, size: int, scale, align_corners: bool, cubic: bool):
    positions = np.arange(out, dtype=np.float64)
    if align_corners:
        return positions * ((size - 1) / (out - 1) if out > 1 else 0.0)
    ratio = 1.0 / scale if scale is not None and scale > 0 else size / out
    source = (positions + 0.5) * ratio - 0.5
    return source if cubic else np.maximum(source, 0.0)


def _cubic_weights(t):
    a = -0.75

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return (far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t))


def _interpolation_matrix(out: int, size: int, scale, align_corners: bool, cubic: bool):
    """(out, size) matrix M with ``out_values = M @ in_values`` along one dim."""
    source = _source_coordinates(out, size, scale, align_corners, cubic)
    matrix = np.zeros((out, size))
    rows = np.arange(out)
    floor = np.floor(source).astype(np.int64)
    t = source - floor
    if cubic:
        for tap, weight in zip(range(-1, 3), _cubic_weights(t)):
            np.add.at(matrix, (rows, np.clip(floor + tap, 0, size - 1)), weight)
        return matrix
    low = np.minimum(floor, size - 1)
    high = np.minimum(low + 1, size - 1)
    np.add.at(matrix, (rows, low), 1.0 - t)
    np.add.at(matrix, (rows, high), t)
    return matrix


def _nearest_index(out: int, size: int, scale, exact: bool):
    ratio = 1.0 / scale if scale is not None and scale > 0 else size / out
    positions = np.arange(out, dtype=np.float64)
    # PyTorch computes the source in float32
    source = np.floor(((positions + 0.5) if exact else positions).astype(np.float32)
                      * np.float32(ratio))
    return np.minimum(source.astype(np.int64), size - 1)


def _contract(input: Tensor, matrix: Tensor, axis: int) -> Tensor:
    """Apply an (out, in) matrix along ``axis``."""
    moved = input.movedim(axis, -1)
    if input.dtype.name == "bfloat16":
        # ml_dtypes' bfloat16 matmul returns float32, so compute there and cast back
        return (moved.float() @ matrix.float().t()).to(input.dtype).movedim(-1, axis)
    return (moved @ matrix.t()).movedim(-1, axis)


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of an (N, C, *spatial) tensor.

    Modes: ``nearest``, ``nearest-exact``, ``linear``, ``bilinear``, ``bicubic``,
    ``trilinear``, ``area``. Linear modes apply one (out, in) interpolation matrix per dim.
    """
    if autocast_state.active:
        return autocast_call(interpolate, f"interpolate_{mode}", **locals())
    spatial = input.ndim - 2
    if spatial < 1:
        raise ShapeError(f"interpolate expects a batched (N, C, *spatial) input, got "
                         f"{list(input.shape)}")
    if antialias:
        raise NotSupportedError("interpolate(antialias=True) is not supported")
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        raise ArgumentError("align_corners option can only be set with the interpolating "
                            "modes: linear | bilinear | bicubic | trilinear")
    sizes, scales = _output_sizes(input, spatial, size, scale_factor, recompute_scale_factor)
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != spatial:
        raise NotSupportedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                f"{_LINEAR_MODES[mode] + 2}D input")
    xp, dtype = input._xp(), input._data.dtype
    if mode == "area":
        from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[spatial - 1](
            input, sizes)
    result = input
    for d, (out, n, scale) in enumerate(zip(sizes, input.shape[2:], scales)):
        axis = 2 + d
        if mode in ("nearest", "nearest-exact"):
            index = xp.asarray(_nearest_index(out, n, scale, mode == "nearest-exact"))
            result = TakeAxis.apply(result, index=index, axis=axis)
        elif mode in _LINEAR_MODES:
            matrix = Tensor._make(xp.asarray(_interpolation_matrix(
                out, n, scale, bool(align_corners), mode == "bicubic"), dtype=dtype))
            result = _contract(result, matrix, axis)
        else:
            raise NotSupportedError(f"interpolate: mode {mode!r} is not supported (use "
                                    f"nearest, nearest-exact, linear, bilinear, bicubic, "
                                    f"trilinear or area)")
    if result is not input:  # PyTorch's upsampling node for the mode and the dims
        kind = {"nearest": "UpsampleNearest", "nearest-exact": "_UpsampleNearestExact",
                "linear": "UpsampleLinear", "bilinear": "UpsampleBilinear",
                "bicubic": "UpsampleBicubic", "trilinear": "UpsampleTrilinear"}[mode]
        named_as(result, f"{kind}{spatial}DBackward0", input)
    return result


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -------------------------------------------------------------------------- pixel shuffle
@reports_as("PixelShuffleBackward0")
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise ShapeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                         f"input with {input.ndim} dimension(s)")
    if r <= 0:
        raise ShapeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, channels, height, width = input.shape
    if channels % (r * r):
        raise ShapeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                         f"divisible by the square of upscale_factor, but input.size(-3)="
                         f"{channels} is not divisible by {r * r}")
    n = len(lead)
    split = input.reshape(*lead, channels // (r * r), r, r, height, width)
    order = tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)
    return split.permute(*order).reshape(*lead, channels // (r * r), height * r, width * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W), the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise ShapeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got "
                         f"input with {input.ndim} dimension(s)")
    if r <= 0:
        raise ShapeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, channels, height, width = input.shape
    if height % r or width % r:
        raise ShapeError(f"pixel_unshuffle expects height and width to be divisible by "
                         f"downscale_factor, but input.size(-2)={height} and input.size(-1)="
                         f"{width} are not divisible by {r}")
    n = len(lead)
    split = input.reshape(*lead, channels, height // r, r, width // r, r)
    order = tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3)
    return split.permute(*order).reshape(*lead, channels * r * r, height // r, width // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, g * k, *) -> (N, k * g, *): interleave the channels of ``groups`` groups."""
    if input.ndim < 3:
        raise ShapeError(f"channel_shuffle expects input to have at least 3 dimensions, but got "
                         f"input with sizes {list(input.shape)}")
    if groups <= 0:
        raise ShapeError(f"Number of groups to divide channels in must be positive. Value of "
                         f"groups:{groups}")
    batch, channels = input.shape[:2]
    if channels % groups:
        raise ShapeError(f"Number of channels must be divisible by groups. Got {channels} "
                         f"channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    grouped = input.reshape(batch, groups, channels // groups, *rest)
    return grouped.transpose(1, 2).reshape(batch, channels, *rest)


native_channel_shuffle = channel_shuffle


# ------------------------------------------------------------------- spatial transformers
def _base_coordinates(size: int, align_corners: bool, xp, dtype):
    """Normalised [-1, 1] pixel-centre coordinates along one dim."""
    if align_corners:
        values = np.linspace(-1.0, 1.0, size) if size > 1 else np.zeros(1)
    else:
        values = (np.arange(size) * 2.0 + 1.0) / size - 1.0
    return xp.asarray(values, dtype=dtype)


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """Sampling grid (N, *spatial, k) of the affine maps ``theta`` (N, k, k+1), for
    ``grid_sample``; ``size`` is the (N, C, *spatial) output size, k = 2 or 3."""
    size = tuple(int(s) for s in size)
    spatial = len(size) - 2
    align_corners = bool(align_corners)
    if spatial not in (2, 3):
        raise NotSupportedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                f"affine transforms, respectively. Got size {list(size)}.")
    if not theta.dtype.is_floating_point:
        raise ArgumentError(f"Expected theta to have floating point type, but got "
                            f"{theta.dtype}")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (spatial, spatial + 1) or \
            theta.shape[0] != size[0]:
        raise ArgumentError(f"Expected a batch of {spatial}D affine matrices of shape "
                            f"Nx{spatial}x{spatial + 1} for size {size}. Got {list(theta.shape)}.")
    if min(size) <= 0:
        raise ArgumentError(f"Expected non-zero, positive output size. Got {list(size)}")
    xp, dtype = theta._xp(), theta._data.dtype
    # (*spatial, k + 1) homogeneous coordinates; x varies along the last spatial dim
    axes = [_base_coordinates(n, align_corners, xp, dtype) for n in size[2:]]
    mesh = xp.meshgrid(*axes, indexing="ij")
    base = xp.stack(list(reversed(mesh)) + [xp.ones_like(mesh[0])], axis=-1)
    base = Tensor._make(base.reshape(1, -1, spatial + 1))
    grid = base @ theta.transpose(1, 2)
    return grid.reshape(size[0], *size[2:], spatial)


def _unnormalize(coordinate: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coordinate + 1) * ((size - 1) / 2)
    return ((coordinate + 1) * size - 1) / 2


def _reflect(coordinate: Tensor, twice_low: int, twice_high: int) -> Tensor:
    if twice_low == twice_high:
        return coordinate * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    shifted = (coordinate - low).abs()
    flips = (shifted.detach() / span).floor()
    extra = shifted - flips * span
    even = (flips - (flips / 2).floor() * 2) == 0
    return where(even, extra + low, span - extra + low)


def _source_index(coordinate: Tensor, size: int, padding_mode: str,
                  align_corners: bool) -> Tensor:
    index = _unnormalize(coordinate, size, align_corners)
    if padding_mode == "border":
        index = index.clamp(0, size - 1)
    elif padding_mode == "reflection":
        index = _reflect(index, 0, 2 * (size - 1)) if align_corners else \
            _reflect(index, -1, 2 * size - 1)
        index = index.clamp(0, size - 1)
    return index


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample (N, C, H, W) ``input`` at the normalised (x, y) locations of ``grid``
    (N, H_out, W_out, 2); modes ``bilinear``/``nearest``, padding ``zeros``/``border``/
    ``reflection``. Differentiable in both ``input`` and ``grid`` (bilinear)."""
    if autocast_state.active:
        return autocast_call(grid_sample, "grid_sample", **locals())
    if mode not in ("bilinear", "nearest"):
        raise NotSupportedError(f"grid_sample: mode {mode!r} is not supported (bilinear or "
                                f"nearest)")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ArgumentError(f"nn.functional.grid_sample(): expected padding_mode to be "
                            f"'zeros', 'border', or 'reflection', but got: '{padding_mode}'")
    if input.ndim != 4:
        raise NotSupportedError(f"grid_sample: only 4-D (N, C, H, W) input is supported, got "
                                f"{list(input.shape)}")
    if grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != input.shape[0]:
        raise ShapeError(f"grid_sampler(): expected grid of shape (N, H_out, W_out, 2) with "
                         f"N={input.shape[0]}, but got grid with sizes {list(grid.shape)}")
    align_corners = bool(align_corners)
    batch, channels, height, width = input.shape
    out_shape = tuple(grid.shape[1:3])
    x = _source_index(grid[..., 0], width, padding_mode, align_corners)
    y = _source_index(grid[..., 1], height, padding_mode, align_corners)
    flat = input.reshape(batch, channels, height * width)

    def sample(ix: Tensor, iy: Tensor) -> Tensor:
        """input at integer (iy, ix) (as float tensors), zero outside."""
        valid = ((ix >= 0) & (ix <= width - 1) & (iy >= 0) & (iy <= height - 1)).detach()
        column = ix.detach().clamp(0, width - 1)
        row = iy.detach().clamp(0, height - 1)
        index = (row * width + column).to(dtype=_dtypes.int64).reshape(batch, 1, -1)
        values = flat.gather(2, index.expand(batch, channels, index.shape[-1]))
        values = values.reshape(batch, channels, *out_shape)
        return values * valid.to(input.dtype).unsqueeze(1)

    if mode == "nearest":
        xp = x._xp()
        rounded_x = Tensor._make(xp.round(x._data))  # round half to even, like nearbyint
        rounded_y = Tensor._make(xp.round(y._data))
        result = sample(rounded_x, rounded_y)
        # PyTorch's nearest mode gives the grid a zero (not a missing) gradient
        return result + (grid * 0).sum() if grid.requires_grad else result
    x0, y0 = x.detach().floor(), y.detach().floor()
    wx1, wy1 = x - x0, y - y0
    wx0, wy0 = 1 - wx1, 1 - wy1
    return (sample(x0, y0) * (wx0 * wy0).unsqueeze(1)
            + sample(x0 + 1, y0) * (wx1 * wy0).unsqueeze(1)
            + sample(x0, y0 + 1) * (wx0 * wy1).unsqueeze(1)
            + sample(x0 + 1, y0 + 1) * (wx1 * wy1).unsqueeze(1))

