"""Classification losses: ``nll_loss``, ``cross_entropy`` (class indices or probabilities,
label smoothing, K-dim inputs), ``binary_cross_entropy`` and its logits form."""
from __future__ import annotations

import numpy as np

from ..._backend import check_same_device
from ..._ops import elementwise as ew
from ...autograd.function import Primitive, reports_as
from ...errors import ArgumentError, DTypeError, ShapeError, TensorIndexError
from ...tensor import Tensor
from ._common import ArgumentValueError
from ._loss_common import TYPE_NAMES, reduce_loss, resolve_reduction
from ._cross_entropy import fused_cross_entropy
from .activation import _Softplus, log_softmax
from ...amp._dispatch import autocast_call, autocast_state

__all__ = ["nll_loss", "cross_entropy", "binary_cross_entropy",
           "binary_cross_entropy_with_logits"]


def _check_weight_dtype(input: Tensor, weight: Tensor | None) -> None:
    if weight is not None and weight.dtype is not input.dtype:
        raise DTypeError(f"expected scalar type {TYPE_NAMES.get(input.dtype.name)} but found "
                         f"{TYPE_NAMES.get(weight.dtype.name)}")


def _check_class_target(input: Tensor, target: Tensor, weight: Tensor | None) -> int:
    """Validate shapes as PyTorch's nll_loss_nd does; returns the number of classes."""
    check_same_device("nll_loss", input, target=target, weight=weight)
    if target.dtype.name not in ("int64", "uint8"):
        raise DTypeError("expected target dtype to be Long or Byte, but got "
                         f"{TYPE_NAMES.get(target.dtype.name, target.dtype.name)}")
    if input.ndim < 1:
        raise ShapeError(f"input tensor should be 1D or 2D, got {input.ndim}D")
    classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if input.ndim >= 2:
        batch = target.shape[0] if target.ndim >= 1 else 0
        if input.shape[0] != batch:
            raise ArgumentError(f"Expected input batch_size ({input.shape[0]}) to match target "
                                f"batch_size ({batch}).")
    if input.ndim <= 2:
        if target.ndim > 1:
            raise ShapeError("0D or 1D target tensor expected, multi-target not supported")
    else:
        if input.ndim == 4 and target.ndim != 3:
            raise ShapeError(f"only batches of spatial targets supported ({input.ndim - 1}D "
                             f"tensors) but got targets of dimension: {target.ndim}")
        expected = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != expected:
            raise ShapeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != classes):
        raise ShapeError(f"weight tensor should be defined either for all {classes} classes or no "
                         f"classes but got weight tensor of shape: {list(weight.shape)}")
    return classes


def _class_last(input: Tensor) -> Tensor:
    """(N, C, d1, ...) -> (N, d1, ..., C): the class dim last, for gathering."""
    return input.movedim(1, -1) if input.ndim > 2 else input


def _target_weights(target: Tensor, weight: Tensor | None, ignore_index: int, classes: int,
                    dtype) -> tuple:
    """(safe target indices, per-target weight array with ignored entries zeroed)."""
    xp = target._xp()
    data = target._data.astype(np.int64)
    valid = data != ignore_index
    bad = valid & ((data < 0) | (data >= classes))
    if bad.any():
        raise TensorIndexError(f"Target {int(data[bad].reshape(-1)[0])} is out of bounds.")
    safe = xp.where(valid, data, 0)
    if weight is not None:
        weights = weight.detach()._data[safe]
    else:
        weights = xp.ones(safe.shape, dtype)
    weights = xp.where(valid, weights, 0).astype(dtype)
    return safe, weights


@reports_as("NllLossBackward0")
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """``-weight[t] * input[n, t]`` per target; 'mean' divides by the summed target weights."""
    if autocast_state.active:
        return autocast_call(nll_loss, "nll_loss", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    _check_weight_dtype(input, weight)
    classes = _check_class_target(input, target, weight)
    if input.ndim == 1:  # one sample: treat as a batch of one
        loss = nll_loss(input.unsqueeze(0), target.reshape(1), weight, None, ignore_index,
                        None, reduction)
        return loss.reshape(tuple(target.shape)) if reduction == "none" else loss
    safe, weights = _target_weights(target, weight, ignore_index, classes, input._data.dtype)
    index = Tensor._make(safe[..., None])
    picked = _class_last(input).gather(-1, index).squeeze(-1)
    if reduction == "mean":
        # divide the weights (constants) rather than the loss: when every target is ignored
        # the loss is 0/0 = nan, but the gradient stays zero, as in PyTorch
        total_weight = weights.sum()
        scale = total_weight if float(total_weight) != 0 else 1.0
        loss = -(picked * Tensor._make(weights / scale)).sum()
        if float(total_weight) == 0:
            loss = loss + float("nan")
        return loss
    loss = -(picked * Tensor._make(weights))
    return loss.sum() if reduction == "sum" else loss


class _BinaryCrossEntropy(Primitive):
    """``-w * (t * log(x) + (1 - t) * log(1 - x))`` with the logs clamped at -100."""

    saves = (0, 1, 2)

    def forward(self, xp, x, t, w=None):
        with np.errstate(divide="ignore", invalid="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        loss = -(t * log_x + (1 - t) * log_1mx)
        return loss * w if w is not None else loss

    def backward(self, grad):
        x, t, w = self.saved
        if w is not None:
            grad = grad * w
        grad_x = grad_t = None
        if self.needs_input_grad(0):
            grad_x = grad * (x - t) / ((1 - x) * x).clamp_min(1e-12)
        if self.needs_input_grad(1):
            grad_t = grad * ((1 - x).log() - x.log())
        return grad_x, grad_t, None


@reports_as("BinaryCrossEntropyBackward0")
def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Binary cross entropy between probabilities ``input`` and ``target``."""
    if autocast_state.active:
        return autocast_call(binary_cross_entropy, "binary_cross_entropy", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ArgumentError(f"Using a target size ({target.size()}) that is different to the "
                            f"input size ({input.size()}) is deprecated. Please ensure they have "
                            "the same size.")
    data = input._data
    if data.size and (bool((data < 0).any()) or bool((data > 1).any())):
        raise ArgumentValueError("all elements of input should be between 0 and 1")
    if weight is not None:
        weight = weight.broadcast_to(tuple(np.broadcast_shapes(tuple(target.shape),
                                                               tuple(weight.shape))))
    loss = _BinaryCrossEntropy.apply(input, target, weight)
    return reduce_loss(loss, reduction)


@reports_as("BinaryCrossEntropyWithLogitsBackward0")
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """``sigmoid`` + binary cross entropy, computed stably from logits:
    ``(1 - t) * x - (1 + (pos_weight - 1) * t) * logsigmoid(x)``."""
    if autocast_state.active:
        return autocast_call(binary_cross_entropy_with_logits,
                             "binary_cross_entropy_with_logits", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ArgumentError(f"Target size ({target.size()}) must be the same as input size "
                            f"({input.size()})")
    log_sigmoid = -_Softplus.apply(-input, beta=1.0, threshold=np.inf)
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input - log_weight * log_sigmoid
    else:
        loss = (1 - target) * input - log_sigmoid
    if weight is not None:
        loss = loss * weight
    return reduce_loss(loss, reduction)


def _cross_entropy_probabilities(logp: Tensor, target: Tensor, weight: Tensor | None,
                                 reduction: str, label_smoothing: float,
                                 class_dim: int) -> Tensor:
    classes = logp.shape[class_dim]
    if tuple(target.shape) != tuple(logp.shape):
        if logp.ndim <= 2:
            raise ShapeError("0D or 1D target tensor expected, multi-target not supported")
        expected = [logp.shape[0]] + list(logp.shape[2:])
        raise ShapeError(f"Expected target size {expected}, got {list(target.shape)}")
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    product = logp * target
    if weight is not None:
        shape = [1] * logp.ndim
        shape[class_dim] = classes
        product = product * weight.reshape(shape)
    if reduction == "mean":
        return -product.sum() / (logp.numel() // classes if classes else 0)
    if reduction == "sum":
        return -product.sum()
    return -product.sum(class_dim)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """``nll_loss(log_softmax(input, class_dim), target)``; ``target`` holds class indices
    (with ``ignore_index``) or class probabilities shaped like ``input``."""
    if autocast_state.active:
        return autocast_call(cross_entropy, "cross_entropy", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ArgumentValueError("label_smoothing must be between 0.0 and 1.0. Got: "
                                 f"{label_smoothing}")
    _check_weight_dtype(input, weight)
    class_dim = 0 if input.ndim == 1 else 1
    if input.ndim == 0:
        raise ShapeError("cross_entropy: input tensor should be 1D or more, got 0D")
    if input.ndim == 2 and label_smoothing <= 0 and not target.dtype.is_floating_point and \
            input._data.dtype in (np.float32, np.float64) and input.shape[1] > 0:
        classes = _check_class_target(input, target, weight)
        safe, weights = _target_weights(target, weight, ignore_index, classes,
                                        input._data.dtype)
        return fused_cross_entropy(input, safe, weights, reduction)
    logp = log_softmax(input, class_dim)
    if target.dtype.is_floating_point:
        return _cross_entropy_probabilities(logp, target, weight, reduction, label_smoothing,
                                            class_dim)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return loss
    classes = logp.shape[class_dim]
    if weight is not None:
        shape = [1] * logp.ndim
        shape[class_dim] = classes
        smooth = -(logp * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignored = Tensor._make(target._data == ignore_index)
    smooth = ew.where(ignored, smooth.new_zeros(()), smooth)
    if reduction == "mean":
        valid = target._data != ignore_index
        if weight is not None:
            safe = target._xp().where(valid, target._data, 0)
            denominator = (weight.detach()._data[safe] * valid).sum()
        else:
            denominator = valid.sum()
        denominator = float(denominator)
        smooth = smooth.sum() / (denominator if denominator != 0 else 1.0)
        if denominator == 0:  # every target ignored: nan, with zero gradients (as torch)
            smooth = smooth + float("nan")
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / classes)
