"""Loss functions (``torch.nn.functional``): regression, classification (in
``_classification_loss``), ranking and embedding losses; every one takes ``reduction``."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ...autograd.function import reports_as
from ..._ops import elementwise as ew
from ...errors import ArgumentError, ShapeError
from ...tensor import Tensor
from ._common import ArgumentValueError
from ._classification_loss import *  # noqa: F401,F403
from ._classification_loss import __all__ as _classification_all
from ._loss_common import reduce_loss, resolve_reduction, warn_size_mismatch
from .activation import softplus
from .linear import pairwise_distance
from ...amp._dispatch import autocast_call, autocast_state

__all__ = list(_classification_all) + [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "soft_margin_loss",
    "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
    "multilabel_margin_loss"]


def _weighted(loss: Tensor, weight: Tensor | None, input: Tensor, reduction: str) -> Tensor:
    """PyTorch's weighted regression losses: 'mean' divides by the summed weights."""
    if weight is None:
        return reduce_loss(loss, reduction)
    if tuple(weight.shape) != tuple(input.shape):
        raise ArgumentError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return reduce_loss(loss, reduction)


@reports_as("MseLossBackward0")
def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """``(input - target)^2``."""
    if autocast_state.active:
        return autocast_call(mse_loss, "mse_loss", **locals())
    warn_size_mismatch(input, target)
    reduction = resolve_reduction(reduction, size_average, reduce)
    difference = input - target
    return _weighted(difference * difference, weight, input, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """``|input - target|``."""
    if autocast_state.active:
        return autocast_call(l1_loss, "l1_loss", **locals())
    warn_size_mismatch(input, target)
    reduction = resolve_reduction(reduction, size_average, reduce)
    return _weighted((input - target).abs(), weight, input, reduction)


@reports_as("SmoothL1LossBackward0")
def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` if ``|d| < beta`` else ``|d| - 0.5 beta``."""
    if autocast_state.active:
        return autocast_call(smooth_l1_loss, "smooth_l1_loss", **locals())
    warn_size_mismatch(input, target)
    reduction = resolve_reduction(reduction, size_average, reduce)
    if beta < 0:
        raise ArgumentValueError("smooth_l1_loss does not support negative values for beta.")
    difference = (input - target).abs()
    if beta == 0.0:
        return reduce_loss(difference, reduction)
    loss = ew.where(difference < beta, difference * difference * (0.5 / beta),
                    difference - 0.5 * beta)
    return reduce_loss(loss, reduction)


@reports_as("HuberLossBackward0")
def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d^2`` if ``|d| < delta`` else ``delta * (|d| - 0.5 delta)``."""
    if autocast_state.active:
        return autocast_call(huber_loss, "huber_loss", **locals())
    warn_size_mismatch(input, target)
    reduction = resolve_reduction(reduction)
    if delta <= 0:
        raise ArgumentValueError("huber_loss does not support non-positive values for delta.")
    difference = (input - target).abs()
    loss = ew.where(difference < delta, difference * difference * 0.5,
                    (difference - 0.5 * delta) * delta)
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape):
            raise ArgumentError("Weights and input must have the same size.")
        return reduce_loss(loss * weight, reduction)
    return reduce_loss(loss, reduction)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """``target * (log(target) - input)`` (``input`` holds log-probabilities)."""
    if autocast_state.active:
        return autocast_call(kl_div, "kl_div", **locals())
    if size_average is None and reduce is None and reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    reduction = resolve_reduction(reduction, size_average, reduce,
                                  allowed=("none", "mean", "sum", "batchmean"))
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        # target * log(target) with 0 * log(0) = 0 (and finite gradients at 0)
        safe = ew.where(positive, target, target.new_ones(()))
        loss = target * safe.log() - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return reduce_loss(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-target * input))``."""
    if autocast_state.active:
        return autocast_call(soft_margin_loss, "soft_margin_loss", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    return reduce_loss(softplus(-target * input, 1.0, math.inf), reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``."""
    if autocast_state.active:
        return autocast_call(margin_ranking_loss, "margin_ranking_loss", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise ShapeError("margin_ranking_loss : All input tensors should have same dimension but "
                         f"got sizes: input1: {input1.size()}, input2: {input2.size()}, target: "
                         f"{target.size()} ")
    return reduce_loss((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """``x`` where ``target == 1``, ``max(0, margin - x)`` where ``target == -1``."""
    if autocast_state.active:
        return autocast_call(hinge_embedding_loss, "hinge_embedding_loss", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    zero = input.new_zeros(())
    margin_part = ew.where(target != 1, (margin - input).clamp_min(0), zero)
    self_part = ew.where(target != -1, input, zero)
    return reduce_loss(margin_part + self_part, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` for ``target == 1``, ``max(0, cos(x1, x2) - margin)`` for -1."""
    if autocast_state.active:
        return autocast_call(cosine_embedding_loss, "cosine_embedding_loss", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    if target.dim() not in (0, 1) or input1.dim() != target.dim() + 1 or \
            tuple(input1.shape) != tuple(input2.shape):
        raise ShapeError("cosine_embedding_loss: expected 1D inputs with a 0D target or 2D "
                         "inputs with a 1D target of equal batch size, but got input1: "
                         f"{input1.size()}, input2: {input2.size()}, target: {target.size()}")
    dim = input1.dim() - 1
    epsilon = 1e-12
    product = (input1 * input2).sum(dim)
    magnitude1 = (input1 * input1).sum(dim) + epsilon
    magnitude2 = (input2 * input2).sum(dim) + epsilon
    cosine = product / (magnitude1 * magnitude2).sqrt()
    zero = cosine.new_zeros(())
    loss = ew.where(target == 1, 1 - cosine, zero) + \
        ew.where(target == -1, (cosine - margin).clamp_min(0), zero)
    return reduce_loss(loss, reduction)


def _check_triplet_dims(anchor: Tensor, positive: Tensor, negative: Tensor) -> None:
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise ShapeError("The anchor, positive, and negative tensors are expected to have the "
                         f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                         f"{dims[1]}D, and negative {dims[2]}D inputs")


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with the p-norm distance."""
    if autocast_state.active:
        return autocast_call(triplet_margin_loss, "triplet_margin_loss", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ArgumentError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    distance_positive = pairwise_distance(anchor, positive, p, eps)
    distance_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        distance_swap = pairwise_distance(positive, negative, p, eps)
        distance_negative = ew.minimum(distance_negative, distance_swap)
    return reduce_loss((margin + distance_positive - distance_negative).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """Triplet loss with a custom ``distance_function`` (default: pairwise_distance)."""
    reduction = resolve_reduction(reduction)
    if margin <= 0:
        raise ArgumentError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    distance = distance_function if distance_function is not None else pairwise_distance
    distance_positive = distance(anchor, positive)
    distance_negative = distance(anchor, negative)
    if swap:
        distance_negative = ew.minimum(distance_negative, distance(positive, negative))
    return reduce_loss((margin + distance_positive - distance_negative).clamp_min(0), reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``exp(input) - target * input`` (log_input) or ``input - target * log(input + eps)``."""
    if autocast_state.active:
        return autocast_call(poisson_nll_loss, "poisson_nll_loss", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        # Stirling's approximation of log(target!), only where target > 1
        large = target > 1
        safe = ew.where(large, target, target.new_ones(()))
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + ew.where(large, stirling, stirling.new_zeros(()))
    return reduce_loss(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """``0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps))``."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ArgumentError("var has negative entry/entries")
        var = input.new_full(tuple(input.shape), float(var))
    elif bool((var._data < 0).any()):
        raise ArgumentError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass  # heteroscedastic: one dim of size 1 broadcasts
        else:
            raise ArgumentError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ArgumentError(reduction + " is not valid")
    # the clamp is applied without autograd seeing it, as PyTorch does
    var = var + (var.clamp_min(eps) - var).detach()
    difference = input - target
    loss = 0.5 * (var.log() + difference * difference / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """Mean over classes of the binary logistic loss."""
    reduction = resolve_reduction(reduction, size_average, reduce)
    log_sig = -softplus(-input, 1.0, math.inf)
    log_sig_neg = -softplus(input, 1.0, math.inf)
    loss = -(target * log_sig + (1 - target) * log_sig_neg)
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    return reduce_loss(loss, reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """``sum_{i != y} max(0, margin - x[y] + x[i])^p / C`` per sample."""
    if autocast_state.active:
        return autocast_call(multi_margin_loss, "multi_margin_loss", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ArgumentError("only p == 1 and p == 2 supported")
    squeeze = input.ndim <= 1
    if squeeze:
        input, target = input.reshape(1, -1), target.reshape(1)
    classes = input.shape[1]
    index = target.reshape(-1, 1)
    picked = input.gather(1, index)
    margins = (margin - picked + input).clamp_min(0)
    if p == 2:
        margins = margins * margins
    if weight is not None:
        margins = margins * weight[target].reshape(-1, 1)
    not_target = 1 - _one_hot_like(target, classes, margins)
    loss = (margins * not_target).sum(1) / classes
    if squeeze and reduction == "none":
        loss = loss.reshape(())
    return reduce_loss(loss, reduction)


def _one_hot_like(target: Tensor, classes: int, like: Tensor) -> Tensor:
    xp = like._xp()
    return Tensor._make((xp.arange(classes)[None, :] == target._data.reshape(-1, 1))
                        .astype(like._data.dtype))


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """``sum_{j in targets, i not in targets} max(0, 1 - (x[j] - x[i])) / C`` per sample;
    ``target`` lists class indices, ended by the first -1."""
    if autocast_state.active:
        return autocast_call(multilabel_margin_loss, "multilabel_margin_loss", **locals())
    reduction = resolve_reduction(reduction, size_average, reduce)
    squeeze = input.ndim <= 1
    if squeeze:
        input, target = input.reshape(1, -1), target.reshape(1, -1)
    xp = input._xp()
    labels = target._data
    classes = input.shape[1]
    # entries after the first -1 are ignored
    valid = xp.cumprod(labels >= 0, axis=1).astype(bool)
    safe = xp.where(valid, labels, 0)
    is_target = xp.zeros(input.shape, dtype=bool)
    rows = xp.broadcast_to(xp.arange(input.shape[0])[:, None], labels.shape)
    is_target[rows[valid], safe[valid]] = True
    picked = input.gather(1, Tensor._make(safe.astype(np.int64)))  # (N, T)
    hinge = (1 - picked.unsqueeze(2) + input.unsqueeze(1)).clamp_min(0)  # (N, T, C)
    mask = Tensor._make((valid[:, :, None] & ~is_target[:, None, :]).astype(input._data.dtype))
    loss = (hinge * mask).sum((1, 2)) / classes
    if squeeze and reduction == "none":
        loss = loss.reshape(())
    return reduce_loss(loss, reduction)
