"""The ``torch.*`` spellings of ``nn.functional`` ops (``torch.layer_norm``,
``torch.max_pool2d``, ``torch.cosine_similarity`` ...), with the signatures PyTorch gives them
there: ATen's, where losses take ``reduction`` as an integer (0 none, 1 mean, 2 sum), the
normalizations take their ``cudnn_enabled`` flags, and ``adaptive_max_pool1d`` and
``max_pool1d_with_indices`` return (values, indices). Plus the Tensor-method ops PyTorch also
exposes as functions: ``clamp_min``, ``clamp_max``, ``is_signed``, ``is_same_size``.
"""
from __future__ import annotations

from ..autograd.function import named_as
from ..autograd.grad_mode import no_grad
from ..nn import functional as F

__all__ = ["cosine_similarity", "pairwise_distance", "pixel_shuffle", "pixel_unshuffle",
           "channel_shuffle", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d", "max_pool1d",
           "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "layer_norm", "group_norm",
           "batch_norm", "instance_norm", "rms_norm", "kl_div",
           "binary_cross_entropy_with_logits", "hinge_embedding_loss", "margin_ranking_loss",
           "cosine_embedding_loss", "triplet_margin_loss", "poisson_nll_loss", "clamp_min",
           "clamp_max", "is_signed", "is_same_size", "native_layer_norm", "native_batch_norm",
           "native_group_norm", "native_dropout", "native_channel_shuffle"]

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(value, op: str) -> str:
    """ATen's integer reduction (the string forms are accepted too); like ATen, an integer
    other than 1 (mean) and 2 (sum) means no reduction."""
    if isinstance(value, str):
        return value
    return _REDUCTIONS.get(value, "none")


cosine_similarity = F.cosine_similarity
pairwise_distance = F.pairwise_distance
pixel_shuffle = F.pixel_shuffle
pixel_unshuffle = F.pixel_unshuffle
channel_shuffle = F.channel_shuffle
conv_transpose1d = F.conv_transpose1d
conv_transpose2d = F.conv_transpose2d
conv_transpose3d = F.conv_transpose3d
avg_pool1d = F.avg_pool1d
adaptive_avg_pool1d = F.adaptive_avg_pool1d


def adaptive_max_pool1d(input, output_size):
    """(values, indices), as ``torch.adaptive_max_pool1d`` returns them."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode,
                        return_indices=True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                        eps)


def _statistics(values, dims, keepdim, eps):
    """(mean, 1 / sqrt(biased variance + eps)) over ``dims``."""
    mean = values.mean(dim=dims, keepdim=keepdim)
    variance = values.var(dim=dims, unbiased=False, keepdim=keepdim)
    return mean, (variance + eps).rsqrt()


def _detached_statistics(values, dims, keepdim, eps):
    """``_statistics`` outside the graph: ATen's native layer and batch norms return them as
    non-differentiable outputs."""
    with no_grad():
        return _statistics(values.detach(), dims, keepdim, eps)


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """(output, mean, rstd): the statistics shaped like the input with the normalized dims
    kept as size 1."""
    output = F.layer_norm(input, normalized_shape, weight, bias, eps)
    dims = tuple(range(input.ndim - len(tuple(normalized_shape)), input.ndim))
    return (output, *_detached_statistics(input, dims, True, eps))


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                      eps):
    """(output, batch mean, batch 1/std); both statistics empty outside training, as ATen."""
    output = F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                          eps)
    if not training:
        return output, input.new_empty(0), input.new_empty(0)
    dims = (0,) + tuple(range(2, input.ndim))
    return (output, *_detached_statistics(input, dims, False, eps))


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):  # noqa: N803 (ATen's names)
    """(output, mean, rstd), the statistics per (sample, group); unlike the layer and batch
    norms', these are differentiable, as in ATen."""
    output = F.group_norm(input, group, weight, bias, eps)
    mean, rstd = _statistics(input.reshape(N, group, -1), -1, False, eps)
    return tuple(named_as(value, "NativeGroupNormBackward0", input)
                 for value in (output, mean, rstd))


def native_dropout(input, p, train):
    """(output, keep mask): each element kept with probability ``1 - p`` and scaled by
    ``1 / (1 - p)`` in training (all kept, a copy, otherwise)."""
    if not train:
        return named_as(input.clone(), "NativeDropoutBackward0", input), \
            input.new_ones(input.shape).bool()
    from .. import random as _random  # noqa: PLC0415 (random imports the ops)
    keep = _random.rand_like(input, dtype=input.dtype) >= p
    scale = 0.0 if p >= 1 else 1.0 / (1.0 - p)
    output = named_as(input * keep * scale, "NativeDropoutBackward0", input)
    return output, keep


def native_channel_shuffle(input, groups):
    return F.channel_shuffle(input, groups)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return F.rms_norm(input, normalized_shape, weight, eps)


def kl_div(input, target, reduction=1, *, log_target=False):
    return F.kl_div(input, target, reduction=_reduction(reduction, "kl_div"),
                    log_target=log_target)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction=1):
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(reduction, "binary_cross_entropy"),
        pos_weight=pos_weight)


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    return F.hinge_embedding_loss(input, target, margin,
                                  reduction=_reduction(reduction, "hinge_embedding_loss"))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction(reduction, "margin_ranking_loss"))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction(reduction, "cosine_embedding_loss"))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction=1):
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction(reduction, "triplet_margin_loss"))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction(reduction, "poisson_nll_loss"))


def clamp_min(input, min):  # noqa: A002
    return input.clamp_min(min)


def clamp_max(input, max):  # noqa: A002
    return input.clamp_max(max)


def is_signed(input) -> bool:
    return input.is_signed()


def is_same_size(input, other) -> bool:
    return input.is_same_size(other)
