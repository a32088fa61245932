"""Flatten parameters into one vector and back (``parameters_to_vector``)."""
from __future__ import annotations

from typing import Iterable

from ...errors import ArgumentTypeError, DeviceError
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param: Tensor, old_device):
    if old_device is None:
        return param.device
    if param.device != old_device:
        raise DeviceError("Found two parameters on different devices, this is currently not "
                          "supported.")
    return old_device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One 1-D tensor holding every parameter, flattened, in order (differentiable)."""
    from ..._ops.movement import cat
    device = None
    flat = []
    for param in parameters:
        device = _check_param_device(param, device)
        flat.append(param.reshape(-1))
    return cat(flat)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data (in place)."""
    if not isinstance(vec, Tensor):
        raise ArgumentTypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    device = None
    pointer = 0
    for param in parameters:
        device = _check_param_device(param, device)
        count = param.numel()
        param.data = vec[pointer:pointer + count].view_as(param).data
        pointer += count
