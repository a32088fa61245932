"""Shared pieces of the loss functions: reduction handling and PyTorch's legacy arguments."""
from __future__ import annotations

import warnings

from ...errors import ArgumentError
from ...tensor import Tensor

__all__ = ["resolve_reduction", "reduce_loss", "warn_size_mismatch", "TYPE_NAMES"]

TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
              "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
              "uint8": "Byte", "bool": "Bool"}


def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """The reduction named by the deprecated ``size_average``/``reduce`` pair."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = "mean" if size_average and reduce else ("sum" if reduce else "none")
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{result}' instead.", stacklevel=3)
    return result


def resolve_reduction(reduction: str, size_average=None, reduce=None,
                      allowed=("none", "mean", "sum")) -> str:
    """Validate ``reduction`` (the legacy arguments override it, as in PyTorch)."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return "mean"
    if reduction not in allowed:
        raise ArgumentError(f"{reduction} is not a valid value for reduction")
    return reduction


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def warn_size_mismatch(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due to "
                      f"broadcasting. Please ensure they have the same size.", stacklevel=3)
