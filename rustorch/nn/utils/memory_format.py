"""Store convolution weights in a given memory format (``torch.nn.utils.memory_format``).

>>> model = convert_conv2d_weight_memory_format(model, rustorch.channels_last)
"""
from __future__ import annotations

from typing import TypeVar

from ..modules.module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]

_M = TypeVar("_M", bound=Module)


def _convert(module: _M, memory_format, layer_types: tuple) -> _M:
    if isinstance(module, layer_types):
        # ``.data`` keeps the Parameter object (optimizers hold it), with the new strides
        module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, layer_types)
    return module


def convert_conv2d_weight_memory_format(module: _M, memory_format) -> _M:
    """Give the weights of every ``Conv2d``/``ConvTranspose2d`` in ``module`` the layout
    ``memory_format`` (e.g. ``channels_last``), recursively; returns ``module``."""
    from ..modules.conv import Conv2d, ConvTranspose2d
    return _convert(module, memory_format, (Conv2d, ConvTranspose2d))


def convert_conv3d_weight_memory_format(module: _M, memory_format) -> _M:
    """Give the weights of every ``Conv3d``/``ConvTranspose3d`` in ``module`` the layout
    ``memory_format`` (e.g. ``channels_last_3d``), recursively; returns ``module``."""
    from ..modules.conv import Conv3d, ConvTranspose3d
    return _convert(module, memory_format, (Conv3d, ConvTranspose3d))
