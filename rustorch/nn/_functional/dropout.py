"""Dropout functions: ``dropout``, ``dropout1d/2d/3d`` (whole channels), ``alpha_dropout``,
``feature_alpha_dropout``. Masks are drawn as Bernoulli(1 - p) and kept for backward."""
from __future__ import annotations

import warnings

import numpy as np

from ...autograd.function import Primitive
from ...errors import ArgumentError, ShapeError
from ...tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]

_SELU_ALPHA_SCALE = 1.7580993408473766  # selu's alpha * scale


def _check_probability(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ArgumentError(f"dropout probability has to be between 0 and 1, but got {p}")


def _uniform_array(shape, like: Tensor):
    """U(0, 1) samples of ``shape`` on ``like``'s device, from rustorch's generator when
    ``rustorch.rand`` exists (so ``manual_seed`` applies), else numpy's global one."""
    from ... import random as _random
    rand = getattr(_random, "rand", None)
    if rand is not None:
        return rand(*shape, dtype=like.dtype if like.dtype.is_floating_point else None,
                    device=like.device)._data
    return like._xp().asarray(np.random.random_sample(shape))


def _keep_mask(shape, p: float, like: Tensor):
    """A float mask (1 = keep) with keep probability ``1 - p``, in ``like``'s dtype."""
    return (_uniform_array(shape, like) >= p).astype(like._data.dtype)


class _MaskScale(Primitive):
    """``x * mask * scale`` with a constant mask (its gradient is ``grad * mask * scale``)."""

    def forward(self, xp, a, mask=None, scale=1.0):
        self.mask, self.scale = mask, scale
        return (a * mask) * a.dtype.type(scale)

    def backward(self, grad):
        return grad * Tensor._make(self.mask) * self.scale


def _masked(input: Tensor, mask_shape, p: float, inplace: bool) -> Tensor:
    if p == 1.0:
        mask = input._xp().zeros(mask_shape, input._data.dtype)
        scale = 0.0
    else:
        mask = _keep_mask(mask_shape, p, input)
        scale = 1.0 / (1.0 - p)

    def apply(target):
        return _MaskScale.apply(target, mask=mask, scale=scale)

    return input._inplace(apply) if inplace else apply(input)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    _check_probability(p)
    if not training or p == 0.0:
        return input
    return _masked(input, tuple(input.shape), p, inplace)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool, name: str,
                     batched_dims: int) -> Tensor:
    _check_probability(p)
    ndim = input.dim()
    if ndim not in (batched_dims - 1, batched_dims):
        raise ShapeError(f"{name}: Expected {batched_dims - 1}D or {batched_dims}D input, but "
                         f"received a {ndim}D input. Note that {name} exists to provide "
                         f"channel-wise dropout on inputs with {batched_dims - 2} spatial "
                         "dimensions, a channel dimension, and an optional batch dimension (i.e. "
                         f"{batched_dims - 1}D or {batched_dims}D inputs).")
    if not training or p == 0.0:
        return input
    channel_dims = 1 if ndim == batched_dims - 1 else 2  # (C, ...) or (N, C, ...)
    mask_shape = tuple(input.shape[:channel_dims]) + (1,) * (ndim - channel_dims)
    return _masked(input, mask_shape, p, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) inputs."""
    return _feature_dropout(input, p, training, inplace, "dropout1d", 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) inputs."""
    ndim = input.dim()
    if ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated "
                      f"and will result in an error in a future release.", stacklevel=2)
    elif ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim.", stacklevel=2)
    _check_probability(p)
    if not training or p == 0.0:
        return input
    mask_shape = tuple(input.shape[:2]) + (1,) * (ndim - 2)
    return _masked(input, mask_shape, p, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    return _feature_dropout(input, p, training, inplace, "dropout3d", 5)


def _alpha(input: Tensor, mask_shape, p: float, training: bool, inplace: bool) -> Tensor:
    _check_probability(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0) if inplace else input * 0
    keep = Tensor._make(_keep_mask(mask_shape, p, input))
    a = 1.0 / ((_SELU_ALPHA_SCALE ** 2 * p + 1) * (1 - p)) ** 0.5
    # dropped units are set to selu's saturation value, then the affine map restores the
    # mean and variance
    offset = (keep - 1) * (_SELU_ALPHA_SCALE * a) + _SELU_ALPHA_SCALE * a * p

    def apply(target):
        return target * (keep * a) + offset

    return input._inplace(apply) if inplace else apply(input)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout that keeps SELU's self-normalising mean and variance."""
    return _alpha(input, tuple(input.shape), p, training, inplace)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels."""
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return _alpha(input, mask_shape, p, training, inplace)
