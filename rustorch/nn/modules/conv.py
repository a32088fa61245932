"""Convolution layers: ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d``."""
from __future__ import annotations


from ... import creation
from ...errors import ArgumentError
from ...tensor import Tensor
from .. import init
from .._functional import conv as _conv
from .._functional.vision import pad as _pad
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _tuple(value, n: int) -> tuple:
    if isinstance(value, (list, tuple)):
        values = tuple(int(v) for v in value)
        return values * n if len(values) == 1 else values
    return (int(value),) * n


class _ConvNd(Module):
    """Shared constructor, parameters and repr of the convolution layers."""

    _spatial = 2
    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode", "output_padding",
                     "in_channels", "out_channels", "kernel_size"]

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding,
                 dilation, transposed: bool, output_padding, groups: int, bias: bool,
                 padding_mode: str, device=None, dtype=None) -> None:
        super().__init__()
        n = self._spatial
        if groups <= 0:
            raise ArgumentError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ArgumentError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ArgumentError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ArgumentError(f"Invalid padding string {padding!r}, should be one of "
                                    f"{{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in _tuple(stride, n)):
                raise ArgumentError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ArgumentError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                                f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, n)
        self.dilation = _tuple(dilation, n)
        self.transposed = transposed
        self.output_padding = _tuple(output_padding, n)
        self.groups = groups
        self.padding_mode = padding_mode
        if isinstance(self.padding, str):
            pads = [0, 0] * n
            if padding == "same":
                for d, k, i in zip(self.dilation, self.kernel_size, range(n - 1, -1, -1)):
                    total = d * (k - 1)
                    pads[2 * i] = total // 2
                    pads[2 * i + 1] = total - total // 2
            self._reversed_padding_repeated_twice = pads
        else:
            self._reversed_padding_repeated_twice = [
                p for p in reversed(self.padding) for _ in range(2)]
        shape = (in_channels, out_channels // groups) if transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(creation.empty(*shape, *self.kernel_size, device=device,
                                               dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.reset_weight_and_bias(self.weight, self.bias)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * len(self.kernel_size):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


class _Conv(_ConvNd):
    _function = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, device, dtype)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        function = type(self)._function
        if self.padding_mode != "zeros":
            return function(_pad(input, self._reversed_padding_repeated_twice,
                                 mode=self.padding_mode), weight, bias, self.stride, 0,
                            self.dilation, self.groups)
        return function(input, weight, bias, self.stride, self.padding, self.dilation,
                        self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L): ``out = bias + sum_c weight[:, c] (*) input[:, c]``.

    >>> Conv1d(16, 33, 3, stride=2)(rustorch.randn(20, 16, 50)).shape
    torch.Size([20, 33, 24])
    """

    _spatial = 1
    _function = staticmethod(_conv.conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W); weight (C_out, C_in / groups, kH, kW).

    >>> Conv2d(1, 16, 3, padding=1)(rustorch.randn(8, 1, 28, 28)).shape
    torch.Size([8, 16, 28, 28])
    """

    _spatial = 2
    _function = staticmethod(_conv.conv2d)


class Conv3d(_Conv):
    """3-D convolution over (N, C_in, D, H, W)."""

    _spatial = 3
    _function = staticmethod(_conv.conv3d)


class _ConvTranspose(_ConvNd):
    _function = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        if padding_mode != "zeros":
            raise ArgumentError(f'Only "zeros" padding mode is supported for '
                                f'{type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input: Tensor, output_size, stride, padding, kernel_size,
                        num_spatial_dims: int, dilation=None) -> list:
        if output_size is None:
            return list(self.output_padding)
        sizes = [int(s) for s in output_size]
        has_batch = input.dim() == num_spatial_dims + 2
        if len(sizes) == num_spatial_dims + (2 if has_batch else 1):
            sizes = sizes[len(sizes) - num_spatial_dims:]
        if len(sizes) != num_spatial_dims:
            raise ArgumentError(f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, "
                                f"output_size must have {num_spatial_dims} or "
                                f"{num_spatial_dims + 2} elements (got {len(output_size)})")
        dilation = dilation if dilation is not None else self.dilation
        result = []
        for d in range(num_spatial_dims):
            in_size = input.shape[input.dim() - num_spatial_dims + d]
            smallest = ((in_size - 1) * stride[d] - 2 * padding[d]
                        + dilation[d] * (kernel_size[d] - 1) + 1)
            largest = smallest + stride[d] - 1
            if not smallest <= sizes[d] <= largest:
                raise ArgumentError(f"requested an output size of {sizes}, but valid sizes range "
                                    f"from {smallest} to {largest} (for an input of "
                                    f"{list(input.shape[2:])})")
            result.append(sizes[d] - smallest)
        return result

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        output_padding = self._output_padding(input, output_size, self.stride, self.padding,
                                              self.kernel_size, self._spatial, self.dilation)
        return type(self)._function(input, self.weight, self.bias, self.stride, self.padding,
                                    output_padding, self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution; weight (C_in, C_out / groups, k)."""

    _spatial = 1
    _function = staticmethod(_conv.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution (a "deconvolution"): the gradient of Conv2d in its input.

    >>> ConvTranspose2d(16, 8, 3, stride=2)(rustorch.randn(1, 16, 12, 12)).shape
    torch.Size([1, 8, 25, 25])
    """

    _spatial = 2
    _function = staticmethod(_conv.conv_transpose2d)


class ConvTranspose3d(_ConvTranspose):
    """3-D transposed convolution."""

    _spatial = 3
    _function = staticmethod(_conv.conv_transpose3d)


# the padding layers live in padding.py; they reach rustorch.nn through this module
from . import padding as _padding  # noqa: E402
from .padding import *  # noqa: E402,F401,F403

__all__ += _padding.__all__
