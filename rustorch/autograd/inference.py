"""Inference tensors, as PyTorch's ``inference_mode`` makes them.

A tensor created while inference mode is on is an *inference tensor*: it keeps no version
counter that autograd can trust, so it may not be saved for backward, changed in place outside
inference mode, or made to require grad outside it. rustorch marks one by its version counter's
type (``InferenceVersion``, shared by its views as every counter is); ``Tensor.is_inference()``
reads it. Views of normal tensors taken inside inference mode stay normal, as in PyTorch.
"""
from __future__ import annotations

from ..errors import AutogradError
from .grad_mode import grad_state

__all__ = ["InferenceVersion", "new_version_counter", "check_inplace",
           "check_requires_grad", "saved_versions", "saved_error"]


class InferenceVersion(list):
    """The version counter of an inference tensor (a one-element list, like every counter)."""

    __slots__ = ()


def new_version_counter() -> list:
    """A fresh version counter: an inference one while inference mode is on."""
    return InferenceVersion((0,)) if grad_state.inference else [0]


def check_inplace(tensor) -> None:
    """In-place changes of an inference tensor are allowed inside inference mode only."""
    if type(tensor._version_counter) is InferenceVersion and not grad_state.inference:
        raise AutogradError(
            "Inplace update to inference tensor outside InferenceMode is not allowed. You can "
            "make a clone to get a normal tensor before doing inplace update. See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.")


def check_requires_grad(tensor) -> None:
    if type(tensor._version_counter) is InferenceVersion and not grad_state.inference:
        raise AutogradError("Setting requires_grad=True on inference tensor outside "
                            "InferenceMode is not allowed.")


def saved_error() -> AutogradError:
    return AutogradError(
        "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
        "inference mode in computation tracked by autograd. To work around this, you can make "
        "a clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` "
        "instead of `torch.inference_mode()`.")


def saved_versions(tensors) -> list:
    """The version of each tensor about to be saved for backward (None for non-tensors);
    raises PyTorch's error for an inference tensor."""
    versions = []
    for tensor in tensors:
        counter = getattr(tensor, "_version_counter", None)
        if counter is None:
            versions.append(None)
        elif type(counter) is list:
            versions.append(counter[0])
        else:
            raise saved_error()
    return versions
