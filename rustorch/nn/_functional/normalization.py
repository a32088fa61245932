"""Normalization: batch / instance / layer / group norm and local response norm."""
from __future__ import annotations

import math

from ...autograd.function import reports_as
from ..._backend import check_same_device
from ..._ops.normalization import BatchNormTrain, batch_statistics
from ...autograd.grad_mode import no_grad
from ... import dtypes as _dtypes
from ...errors import ArgumentError, ArgumentValueError, DTypeError, ShapeError
from ...tensor import Tensor
from ...amp._dispatch import autocast_call, autocast_state

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "local_response_norm",
           "rms_norm"]


def _update_running(running: Tensor, value, momentum: float) -> None:
    """running = (1 - momentum) * running + momentum * value, in place (no autograd)."""
    data = running._data
    data *= (1.0 - momentum)
    data += (momentum * value).astype(data.dtype, copy=False)
    running._bump_version()


@reports_as("NativeBatchNormBackward0")
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``; in training (or without running
    stats) the batch statistics are used and the running ones updated in place with momentum
    (running_var gets the unbiased variance). Without running stats, ``training`` must be
    True (as in PyTorch; the modules pass True when they track no stats).
    """
    if input.numel() == 0:
        # PyTorch skips every check for an empty input and returns a fresh copy (scaled and
        # shifted by the first weight / bias element), keeping the graph connected
        result = input.clone()
        if weight is not None:
            result = result * weight[0]
        if bias is not None:
            result = result + bias[0]
        return result
    if not training:
        for name, tensor in (("running_mean", running_mean), ("running_var", running_var)):
            if tensor is None:
                raise ArgumentValueError(f"{name} must be defined in evaluation mode (pass "
                                         f"training=True to normalize with batch statistics)")
    check_same_device("batch_norm", input, running_mean=running_mean, running_var=running_var,
                      weight=weight, bias=bias)
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of at least 2 dimensions (N, C, ...), "
                         f"got {list(input.shape)}")
    channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var),
                         ("weight", weight), ("bias", bias)):
        if tensor is not None and tensor.numel() != channels:
            raise ShapeError(f"batch_norm: {name} should contain {channels} elements not "
                             f"{tensor.numel()}")
    axes = (0,) + tuple(range(2, input.ndim))
    shape = (1, -1) + (1,) * (input.ndim - 2)
    if training:
        count = input.numel() // max(channels, 1)
        if count <= 1:
            raise ArgumentError(f"Expected more than 1 value per channel when training, got "
                                f"input size {input.shape}")
        xp = input._xp()
        mean, var = batch_statistics(xp, input._data, axes)
        invstd = 1.0 / xp.sqrt(var + eps)
        if running_mean is not None:
            _update_running(running_mean, mean, momentum)
        if running_var is not None:
            _update_running(running_var, var * (count / max(count - 1, 1)), momentum)
        return BatchNormTrain.apply(input, weight, bias, mean=mean, invstd=invstd, eps=eps)
    scale = (running_var.to(input.dtype) + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean.to(input.dtype) * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(shape) + shift.reshape(shape)


def _tile(tensor: Tensor, times: int) -> Tensor:
    """``tensor.repeat(times)`` for a 1-D tensor, as a fresh (writable) tensor."""
    return tensor.reshape(1, -1).expand(times, -1).reshape(-1).clone()


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise every (sample, channel) plane over its spatial dims."""
    if input.ndim < 3:
        raise ShapeError(f"instance_norm: expected an input of at least 3 dimensions (N, C, "
                         f"...), got {list(input.shape)}")
    batch, channels = input.shape[:2]
    folded = input.reshape(1, batch * channels, *input.shape[2:])
    repeat_weight = _tile(weight, batch) if weight is not None else None
    repeat_bias = _tile(bias, batch) if bias is not None else None
    if not use_input_stats:
        result = batch_norm(folded, _tile(running_mean, batch), _tile(running_var, batch),
                            repeat_weight, repeat_bias, False, momentum, eps)
        return result.reshape(input.shape)
    if math.prod(input.shape[2:]) <= 1:
        raise ArgumentError(f"Expected more than 1 spatial element when training, got input "
                            f"size {input.shape}")
    mean_copy = _tile(running_mean, batch) if running_mean is not None else None
    var_copy = _tile(running_var, batch) if running_var is not None else None
    result = batch_norm(folded, mean_copy, var_copy, repeat_weight, repeat_bias, True,
                        momentum, eps)
    with no_grad():
        # the running stats are the mean over the batch of the per-instance updates
        if running_mean is not None:
            running_mean.copy_(mean_copy.reshape(batch, channels).mean(0))
        if running_var is not None:
            running_var.copy_(var_copy.reshape(batch, channels).mean(0))
    return result.reshape(input.shape)


@reports_as("NativeLayerNormBackward0")
def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims:
    ``(x - mean) / sqrt(var + eps) * weight + bias``."""
    if autocast_state.active:
        return autocast_call(layer_norm, "layer_norm", **locals())
    shape = (normalized_shape,) if isinstance(normalized_shape, int) \
        else tuple(int(s) for s in normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape or len(shape) > input.ndim:
        raise ShapeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                         f"[*, {', '.join(map(str, shape))}], but got input of size"
                         f"{list(input.shape)}")
    input, weight, bias, output_dtype = _mixed_precision(input, weight, bias)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    mean = input.mean(dim=dims, keepdim=True)
    centered = input - mean
    result = centered * ((centered * centered).mean(dim=dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        result = result * weight
    if bias is not None:
        result = result + bias
    return result if output_dtype is None else result.to(output_dtype)


def _mixed_precision(input: Tensor, weight, bias):
    """PyTorch's CPU rules for layer/group norm: a float16/bfloat16 input is normalised in
    float32 (its parameters may be float32 or its own dtype) and the result rounded back;
    otherwise the parameters must have the input's dtype. Returns the (possibly widened)
    input, weight, bias and the dtype to round the result to (None: keep it)."""
    reduced = input.dtype in (_dtypes.float16, _dtypes.bfloat16)
    for parameter in (weight, bias):
        if parameter is None or parameter.dtype is input.dtype:
            continue
        if parameter.dtype is not _dtypes.float32 and (reduced or parameter.dtype in (
                _dtypes.float16, _dtypes.bfloat16)):
            raise DTypeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
        if not reduced:
            raise DTypeError("mixed dtype (CPU): all inputs must share same datatype.")
    if not reduced:
        return input, weight, bias, None
    widen = [None if value is None else value.float() for value in (input, weight, bias)]
    return (*widen, input.dtype)


@reports_as("NativeGroupNormBackward0")
def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each group of ``C / num_groups`` channels of every sample."""
    if autocast_state.active:
        return autocast_call(group_norm, "group_norm", **locals())
    if input.ndim < 2:
        raise ShapeError(f"group_norm: expected at least 2 dimensions, got {list(input.shape)}")
    batch, channels = input.shape[:2]
    if channels % num_groups:
        raise ShapeError(f"Expected number of channels in input to be divisible by num_groups, "
                         f"but got input of shape {list(input.shape)} and num_groups="
                         f"{num_groups}")
    input, weight, bias, output_dtype = _mixed_precision(input, weight, bias)
    grouped = input.reshape(batch, num_groups, -1)
    mean = grouped.mean(dim=2, keepdim=True)
    centered = grouped - mean
    normalized = centered * ((centered * centered).mean(dim=2, keepdim=True) + eps).rsqrt()
    result = normalized.reshape(input.shape)
    shape = (1, -1) + (1,) * (input.ndim - 2)
    if weight is not None:
        result = result * weight.reshape(shape)
    if bias is not None:
        result = result + bias.reshape(shape)
    return result if output_dtype is None else result.to(output_dtype)


def _integer_window_mean(input: Tensor, size: int) -> Tensor:
    """PyTorch's int64 ``avg_pool`` of ``x^2`` over ``size`` neighbouring channels (zero padded
    ``size // 2`` below and ``(size - 1) // 2`` above): the window sums divided by ``size`` with
    integer division (the sums are non-negative, so flooring equals PyTorch's truncation)."""
    xp = input._xp()
    squares = input._data * input._data  # wraps on overflow, as PyTorch's int64 product does
    pad_width = [(0, 0)] * input.ndim
    pad_width[1] = (size // 2 + 1, (size - 1) // 2)  # one extra zero in front for the cumsum
    running = xp.cumsum(xp.pad(squares, pad_width), axis=1)
    channels = input.shape[1]
    sums = xp.take(running, xp.arange(size, size + channels), axis=1) - \
        xp.take(running, xp.arange(channels), axis=1)
    return Tensor._make(sums // size)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """``x / (k + alpha / size * sum_{nearby channels} x^2) ** beta`` (PyTorch's LRN)."""
    from .pooling import avg_pool2d, avg_pool3d
    from .vision import pad
    if input.ndim < 3:
        raise ShapeError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    if input.dtype.name == "int64":
        return input / _integer_window_mean(input, size).mul(alpha).add(k).pow(beta)
    div = (input * input).unsqueeze(1)
    if input.ndim == 3:
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = (div * alpha + k) ** beta
    return input / div


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing ``normalized_shape`` dims
    (``eps`` defaults to the dtype's machine epsilon)."""
    if autocast_state.active:
        return autocast_call(rms_norm, "rms_norm", **locals())
    import numpy as np
    shape = (normalized_shape,) if isinstance(normalized_shape, int) \
        else tuple(int(s) for s in normalized_shape)
    if len(shape) > input.ndim or tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise ShapeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                         f"[*, {', '.join(map(str, shape))}], but got input of size"
                         f"{list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(np.float32 if input._data.dtype.itemsize < 4
                             else input._data.dtype).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    result = input * ((input * input).mean(dim=dims, keepdim=True) + eps).rsqrt()
    return result * weight if weight is not None else result
