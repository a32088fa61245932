"""Fractional max pooling layers (thin wrappers of ``nn.functional.fractional_max_pool2d/3d``);
fixed ``_random_samples`` are a buffer, as in PyTorch."""
from __future__ import annotations

from ...errors import ArgumentError
from ...tensor import Tensor
from .._functional import fractional_pooling as _fractional
from .._functional.fractional_pooling import _ntuple
from .module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


class _FractionalMaxPoolNd(Module):
    __constants__ = ["kernel_size", "return_indices", "output_size", "output_ratio"]
    _spatial = 2
    _function = None

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None) -> None:
        super().__init__()
        n = self._spatial
        self.kernel_size = _ntuple(kernel_size, n)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, n) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, n) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ArgumentError(f"{type(self).__name__} requires specifying either an output "
                                f"size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ArgumentError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and \
                not all(0 < self.output_ratio[d] < 1 for d in range(n)):
            raise ArgumentError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor):
        return type(self)._function(input, self.kernel_size, self.output_size,
                                    self.output_ratio, self.return_indices,
                                    _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pool over (N, C, H, W): ``kernel_size`` windows at pseudo-random starts,
    ``output_size`` (or ``output_ratio`` of the input size) positions per dim.

    >>> FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))(rustorch.randn(2, 4, 20, 16)).shape
    torch.Size([2, 4, 10, 8])
    """

    _function = staticmethod(_fractional.fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pool over (N, C, T, H, W) (see ``FractionalMaxPool2d``)."""

    _spatial = 3
    _function = staticmethod(_fractional.fractional_max_pool3d)

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None) -> None:
        if isinstance(kernel_size, int) and kernel_size <= 0 or \
                isinstance(kernel_size, (tuple, list)) and not all(k > 0 for k in kernel_size):
            raise ArgumentError(f"kernel_size must be greater than 0, but got {kernel_size}")
        super().__init__(kernel_size, output_size, output_ratio, return_indices,
                         _random_samples)
