"""Helpers shared by the distributions: broadcasting, probs/logits conversion, lazy caching."""
from __future__ import annotations

import numbers

import rustorch
from rustorch.errors import ArgumentError

__all__ = ["batch_shape_of", "broadcast_all", "lazy_property", "logits_to_probs", "probs_to_logits",
           "clamp_probs", "sum_rightmost"]


def batch_shape_of(parameters, broadcast):
    """The batch shape of a distribution built from ``parameters``: empty when they are all
    Python numbers (PyTorch's rule), else the shape they were broadcast to (``broadcast``)."""
    if all(isinstance(p, numbers.Number) for p in parameters):
        return rustorch.Size()
    return broadcast.size()


def broadcast_all(*values):
    """Turn numbers into tensors (dtype of the tensor arguments, else the default dtype) and
    broadcast everything to one shape."""
    tensors = [v for v in values if isinstance(v, rustorch.Tensor)]
    for value in values:
        if not isinstance(value, (rustorch.Tensor, numbers.Number)):
            raise ArgumentError("Input arguments must all be instances of numbers.Number, "
                                "torch.Tensor or objects implementing __torch_function__.")
    if tensors:
        dtype, device = tensors[0].dtype, tensors[0].device
    else:
        dtype, device = rustorch.get_default_dtype(), None
    converted = [v if isinstance(v, rustorch.Tensor)
                 else rustorch.tensor(v, dtype=dtype, device=device) for v in values]
    return tuple(rustorch.broadcast_tensors(*converted))


class lazy_property:
    """A property computed on first access and then stored on the instance."""

    def __init__(self, function):
        self.function = function
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with rustorch.enable_grad():  # as torch: a value first read under no_grad (in
            value = self.function(instance)  # sample()) still carries its gradient later
        instance.__dict__[self.function.__name__] = value
        return value


def clamp_probs(probs):
    """Keep probabilities away from 0 and 1 by the dtype's machine epsilon."""
    epsilon = rustorch.finfo(probs.dtype).eps
    return probs.clamp(min=epsilon, max=1 - epsilon)


def logits_to_probs(logits, is_binary: bool = False):
    if is_binary:
        return rustorch.sigmoid(logits)
    return rustorch.softmax(logits, dim=-1)


def probs_to_logits(probs, is_binary: bool = False):
    clamped = clamp_probs(probs)
    if is_binary:
        return rustorch.log(clamped) - rustorch.log1p(-clamped)
    return rustorch.log(clamped)


def sum_rightmost(value, dims: int):
    """Sum the rightmost ``dims`` dimensions."""
    if dims == 0:
        return value
    return value.reshape(tuple(value.shape[:-dims]) + (-1,)).sum(-1)


def draw(sampler, shape, like):
    """``sampler(shape, dtype=, device=)`` with ``like``'s dtype and device."""
    return sampler(tuple(shape), dtype=like.dtype, device=like.device)
