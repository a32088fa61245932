"""Convolutions: ``conv1d/2d/3d`` and ``conv_transpose1d/2d/3d``.

All of them run through the ``Conv``/``ConvTranspose`` primitives of ``rustorch._ops.conv``.
"""
from __future__ import annotations

from ...autograd.function import reports_as
from ..._ops.conv import Conv, ConvGeometry, ConvTranspose
from ..._ops.fold import Fold, Unfold
from ..._ops.pooling import PoolGeometry
from ...errors import ArgumentError, DTypeError, NotSupportedError, ShapeError
from ...tensor import Tensor
from ...amp._dispatch import autocast_call, autocast_state

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "unfold", "fold"]


def expand_param(value, spatial: int, name: str, op: str = "convolution") -> tuple:
    """An int or a sequence of ``spatial`` ints as a tuple (PyTorch's error otherwise)."""
    if isinstance(value, int) or hasattr(value, "__index__") and not isinstance(value, Tensor):
        return (int(value),) * spatial
    values = tuple(int(v) for v in value)
    if len(values) == 1:
        return values * spatial
    if len(values) != spatial:
        raise ShapeError(f"expected {name} to be a single integer value or a list of {spatial} "
                         f"values to match the {op} dimensions, but got {name}={list(values)}")
    return values


def _check_input(input: Tensor, weight: Tensor, spatial: int, op: str) -> bool:
    """Validate ranks and dtypes; returns whether the input is batched."""
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise DTypeError(f"{op}() expected Tensor arguments for input and weight, got "
                         f"{type(input).__name__} and {type(weight).__name__}")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise ShapeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) input "
                         f"to {op}, but got input of size: {list(input.shape)}")
    if weight.ndim != spatial + 2:
        raise ShapeError(f"weight should have at least three dimensions; {op} expects a "
                         f"{spatial + 2}-D weight, but got weight of size {list(weight.shape)}")
    if input.dtype is not weight.dtype:
        raise DTypeError(f"expected scalar type {weight.dtype.name.capitalize()} but found "
                         f"{input.dtype.name.capitalize()} (input and weight of {op} must have "
                         f"the same dtype; cast one with .to())")
    if input.dtype.is_complex or input.dtype.name == "bool":
        raise DTypeError(f"{op}: dtype {input.dtype} is not supported")
    return input.ndim == spatial + 2


def _check_common(stride, dilation, padding_pairs) -> None:
    if any(s <= 0 for s in stride):
        raise ShapeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise ShapeError("non-positive dilation is not supported")
    if any(low < 0 or high < 0 for low, high in padding_pairs):
        raise ShapeError("negative padding is not supported")


def _check_bias(bias, weight: Tensor, channels: int) -> None:
    if bias is None:
        return
    if bias.ndim != 1 or bias.shape[0] != channels:
        raise ShapeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                         f"1-dimensional with {channels} elements, but got bias of size "
                         f"{list(bias.shape)} instead")
    if bias.dtype is not weight.dtype:
        raise DTypeError(f"expected scalar type {weight.dtype.name.capitalize()} but found "
                         f"{bias.dtype.name.capitalize()} (bias dtype must match the weight's)")


def _padding_pairs(padding, spatial: int, kernel_size, stride, dilation) -> tuple:
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * spatial
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ShapeError("padding='same' is not supported for strided convolutions")
            # PyTorch puts the odd extra element of padding on the high side
            totals = [d * (k - 1) for d, k in zip(dilation, kernel_size)]
            return tuple((total // 2, total - total // 2) for total in totals)
        raise ArgumentError(f"Invalid padding string: {padding!r}")
    return tuple((p, p) for p in expand_param(padding, spatial, "padding"))


def _check_kernel_fits(input_size, kernel_size, padding_pairs, dilation) -> None:
    padded = [size + low + high for size, (low, high) in zip(input_size, padding_pairs)]
    kernel = [d * (k - 1) + 1 for d, k in zip(dilation, kernel_size)]
    if any(p < k for p, k in zip(padded, kernel)):
        raise ShapeError(f"Calculated padded input size per channel: "
                         f"({' x '.join(map(str, padded))}). Kernel size: "
                         f"({' x '.join(map(str, kernel))}). Kernel size can't be greater than "
                         f"actual input size")


def _convnd(input, weight, bias, stride, padding, dilation, groups, spatial: int, op: str):
    batched = _check_input(input, weight, spatial, op)
    if not batched:
        input = input.unsqueeze(0)
    stride = expand_param(stride, spatial, "stride")
    dilation = expand_param(dilation, spatial, "dilation")
    kernel_size = tuple(weight.shape[2:])
    pairs = _padding_pairs(padding, spatial, kernel_size, stride, dilation)
    _check_common(stride, dilation, pairs)
    if groups <= 0:
        raise ShapeError("non-positive groups is not supported")
    out_channels = weight.shape[0]
    if out_channels % groups:
        raise ShapeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                         f"dimension 0, but got weight of size [{list(weight.shape)}] instead")
    if input.shape[1] != weight.shape[1] * groups:
        raise ShapeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                         f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, "
                         f"but got {input.shape[1]} channels instead")
    _check_bias(bias, weight, out_channels)
    _check_kernel_fits(input.shape[2:], kernel_size, pairs, dilation)
    geometry = ConvGeometry(stride, pairs, dilation, groups, input.shape[2:], kernel_size)
    # the forward's patch matrix is kept for the weight gradient only when there is one
    result = Conv.apply(input, weight, bias, geometry=geometry,
                        keep_columns=isinstance(weight, Tensor) and weight.requires_grad)
    return result if batched else result.squeeze(0)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D cross-correlation: ``out[n, o, l] = b[o] + sum_{c,k} w[o, c, k] x[n, c, s*l + d*k]``."""
    if autocast_state.active:
        return autocast_call(conv1d, "conv1d", **locals())
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation over (N, C, H, W) (or unbatched (C, H, W)) input.

    >>> conv2d(rustorch.randn(1, 3, 8, 8), rustorch.randn(4, 3, 3, 3), padding=1).shape
    rustorch.Size([1, 4, 8, 8])
    """
    if autocast_state.active:
        return autocast_call(conv2d, "conv2d", **locals())
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-D cross-correlation over (N, C, D, H, W) (or unbatched) input."""
    if autocast_state.active:
        return autocast_call(conv3d, "conv3d", **locals())
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def transposed_output_size(input_size, kernel_size, stride, padding, output_padding,
                           dilation) -> tuple:
    return tuple((size - 1) * s - 2 * p + d * (k - 1) + op + 1
                 for size, k, s, p, op, d in zip(input_size, kernel_size, stride, padding,
                                                 output_padding, dilation))


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      spatial: int, op: str):
    batched = _check_input(input, weight, spatial, op)
    if not batched:
        input = input.unsqueeze(0)
    if isinstance(padding, str):
        raise ArgumentError(f"{op}(): padding must be an int or a tuple of ints, got "
                            f"{padding!r} (string padding is only supported by convolutions)")
    stride = expand_param(stride, spatial, "stride")
    dilation = expand_param(dilation, spatial, "dilation")
    padding = expand_param(padding, spatial, "padding")
    output_padding = expand_param(output_padding, spatial, "output_padding")
    pairs = tuple((p, p) for p in padding)
    _check_common(stride, dilation, pairs)
    if groups <= 0:
        raise ShapeError("non-positive groups is not supported")
    for dim, (op_size, s, d) in enumerate(zip(output_padding, stride, dilation)):
        if op_size < 0 or (op_size >= s and op_size >= d):
            raise ShapeError(f"output padding must be smaller than either stride or dilation, "
                             f"but got output_padding={list(output_padding)} stride="
                             f"{list(stride)} dilation={list(dilation)} (dimension {dim})")
    if input.shape[1] != weight.shape[0]:
        raise ShapeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                         f"input{list(input.shape)} to have {weight.shape[0]} channels, but got "
                         f"{input.shape[1]} channels instead")
    if weight.shape[0] % groups:
        raise ShapeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                         f"dimension 0, but got weight of size [{list(weight.shape)}] instead")
    out_channels = weight.shape[1] * groups
    _check_bias(bias, weight, out_channels)
    kernel_size = tuple(weight.shape[2:])
    output_size = transposed_output_size(input.shape[2:], kernel_size, stride, padding,
                                         output_padding, dilation)
    if any(size <= 0 for size in output_size):
        raise ShapeError(f"{op}: the computed output size {list(output_size)} is too small for "
                         f"input {list(input.shape)}")
    geometry = ConvGeometry(stride, pairs, dilation, groups, output_size, kernel_size,
                            output_size=input.shape[2:])
    result = ConvTranspose.apply(input, weight, geometry=geometry)
    if bias is not None:
        result = result + bias.reshape((-1,) + (1,) * spatial)
    return result if batched else result.squeeze(0)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution (the gradient of conv1d with respect to its input)."""
    if autocast_state.active:
        return autocast_call(conv_transpose1d, "conv_transpose1d", **locals())
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 1, "conv_transpose1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution; weight is (C_in, C_out / groups, kH, kW)."""
    if autocast_state.active:
        return autocast_call(conv_transpose2d, "conv_transpose2d", **locals())
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2, "conv_transpose2d")


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """3-D transposed convolution."""
    if autocast_state.active:
        return autocast_call(conv_transpose3d, "conv_transpose3d", **locals())
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 3, "conv_transpose3d")


def _block_geometry(image_size, kernel_size, dilation, padding, stride) -> PoolGeometry:
    kernel = expand_param(kernel_size, 2, "kernel_size", "im2col")
    dilation = expand_param(dilation, 2, "dilation", "im2col")
    padding = expand_param(padding, 2, "padding", "im2col")
    stride = expand_param(stride, 2, "stride", "im2col")
    if any(k <= 0 for k in kernel) or any(d <= 0 for d in dilation) or \
            any(s <= 0 for s in stride) or any(p < 0 for p in padding):
        raise ShapeError(f"im2col: kernel_size {list(kernel)}, dilation {list(dilation)} and "
                         f"stride {list(stride)} must be positive and padding {list(padding)} "
                         f"non-negative")
    blocks = tuple((size + 2 * p - d * (k - 1) - 1) // s + 1
                   for size, k, d, p, s in zip(image_size, kernel, dilation, padding, stride))
    if any(b <= 0 for b in blocks):
        raise ShapeError(f"Given input with spatial size {tuple(image_size)}, kernel_size="
                         f"{kernel}, dilation={dilation}, padding={padding}, calculated shape of "
                         f"the array of sliding blocks as {blocks}, but its components must be "
                         f"at least one.")
    return PoolGeometry(kernel, stride, padding, dilation, tuple(image_size), blocks)


@reports_as("Im2ColBackward0")
def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col: (N, C, H, W) -> (N, C * kH * kW, L), one column per sliding block."""
    if input.ndim not in (3, 4):
        raise NotSupportedError(f"Input Error: Only 3D or 4D input Tensors are supported "
                                f"(got {input.ndim}D)")
    batched = input.ndim == 4
    if not batched:
        input = input.unsqueeze(0)
    geometry = _block_geometry(input.shape[2:], kernel_size, dilation, padding, stride)
    result = Unfold.apply(input, geometry=geometry)
    return result if batched else result.squeeze(0)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im: (N, C * kH * kW, L) -> (N, C, *output_size), summing overlapping values."""
    if input.ndim not in (2, 3):
        raise NotSupportedError(f"Input Error: Only unbatched (2D) or batched (3D) input "
                                f"Tensors are supported (got {input.ndim}D)")
    batched = input.ndim == 3
    if not batched:
        input = input.unsqueeze(0)
    size = expand_param(output_size, 2, "output_size", "col2im")
    geometry = _block_geometry(size, kernel_size, dilation, padding, stride)
    kernel = geometry.kernel_size[0] * geometry.kernel_size[1]
    if input.shape[1] % kernel:
        raise ShapeError(f"Expected size of input's dimension 1 to be divisible by the product "
                         f"of kernel_size, but got input.size(1)={input.shape[1]} and "
                         f"kernel_size={geometry.kernel_size}")
    blocks = geometry.output_size[0] * geometry.output_size[1]
    if input.shape[2] != blocks:
        raise ShapeError(f"Given output_size={size}, kernel_size={geometry.kernel_size}, "
                         f"dilation={geometry.dilation}, padding={geometry.padding}, stride="
                         f"{geometry.stride}, expected size of input's dimension 2 to match the "
                         f"calculated number of sliding blocks {geometry.output_size[0]} * "
                         f"{geometry.output_size[1]} = {blocks}, but got input.size(2)="
                         f"{input.shape[2]}.")
    result = Fold.apply(input, geometry=geometry)
    return result if batched else result.squeeze(0)
