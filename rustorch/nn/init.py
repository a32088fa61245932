"""Parameter initialisation (``torch.nn.init``): every function fills its tensor in place under
no_grad and returns it; fans and gains follow PyTorch exactly."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..autograd.grad_mode import no_grad
from ..errors import ArgumentError
from ..tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "orthogonal_", "sparse_", "uniform", "normal", "constant", "eye",
           "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
           "orthogonal", "sparse"]


# ----------------------------------------------------------------- sampling
def _write(tensor: Tensor, values) -> Tensor:
    xp = tensor._xp()
    tensor._data[...] = xp.asarray(values).astype(tensor._data.dtype, copy=False)
    tensor._bump_version()
    return tensor


def _numpy_generator(generator):
    """The numpy Generator behind a rustorch Generator, or numpy's global state."""
    for name in ("_numpy_generator", "_rng", "rng"):
        candidate = getattr(generator, name, None) if generator is not None else None
        if isinstance(candidate, np.random.Generator):
            return candidate
    return np.random


def _uniform_fill(tensor: Tensor, low: float, high: float, generator=None) -> Tensor:
    # rustorch.random supplies Tensor.uniform_ (and manual_seed); numpy until it is present
    if hasattr(Tensor, "uniform_"):
        with no_grad():
            return tensor.uniform_(low, high, generator=generator)
    return _write(tensor, _numpy_generator(generator).uniform(low, high, tuple(tensor.shape)))


def _normal_fill(tensor: Tensor, mean: float, std: float, generator=None) -> Tensor:
    if hasattr(Tensor, "normal_"):
        with no_grad():
            return tensor.normal_(mean, std, generator=generator)
    return _write(tensor, _numpy_generator(generator).normal(mean, std, tuple(tensor.shape)))


def _host(tensor: Tensor) -> np.ndarray:
    data = tensor._data
    return np.asarray(data if isinstance(data, np.ndarray) else data.get(), dtype=np.float64)


def _standard_normal(shape, generator=None) -> np.ndarray:
    """float64 standard normal samples drawn through the same source as ``normal_``."""
    from ..creation import empty
    scratch = empty(*shape, dtype=_float64())
    return _host(_normal_fill(scratch, 0.0, 1.0, generator))


def _standard_uniform(shape, generator=None) -> np.ndarray:
    from ..creation import empty
    scratch = empty(*shape, dtype=_float64())
    return _host(_uniform_fill(scratch, 0.0, 1.0, generator))


def _float64():
    from .. import dtypes
    return dtypes.float64


# ----------------------------------------------------------------- gains and fans
def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (PyTorch's table)."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ArgumentError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ArgumentError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ArgumentError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                            "dimensions")
    receptive_field_size = 1
    for size in tensor.shape[2:]:
        receptive_field_size *= size
    return tensor.size(1) * receptive_field_size, tensor.size(0) * receptive_field_size


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ArgumentError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# ----------------------------------------------------------------- fills
def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with U(a, b)."""
    return _uniform_fill(tensor, a, b, generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with N(mean, std^2)."""
    return _normal_fill(tensor, mean, std, generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill with N(mean, std^2) restricted to [a, b] (redrawing the values outside)."""
    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    shape = tuple(tensor.shape)
    lower, upper = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
    if upper - lower > 0.3:
        values = mean + std * _standard_normal(shape, generator)
        outside = (values < a) | (values > b)
        while outside.any():  # a few rounds: each keeps >30% of the redraws
            redraw = mean + std * _standard_normal(shape, generator)
            values = np.where(outside, redraw, values)
            outside = (values < a) | (values > b)
    else:
        # inverse CDF of the truncated normal: uniform in [cdf(a), cdf(b)], mapped back
        from scipy.special import ndtri
        uniform = lower + (upper - lower) * _standard_uniform(shape, generator)
        values = np.clip(mean + std * ndtri(uniform), a, b)
    with no_grad():
        return _write(tensor, values)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    with no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix."""
    if tensor.ndimension() != 2:
        raise ArgumentError("Only tensors with 2 dimensions are supported")
    xp = tensor._xp()
    return _write(tensor, xp.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a {3,4,5}-D conv weight with the Dirac delta (identity convolution per group)."""
    dimensions = tensor.ndimension()
    if dimensions not in (3, 4, 5):
        raise ArgumentError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.size()
    if sizes[0] % groups != 0:
        raise ArgumentError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    min_dim = min(out_per_group, sizes[1])
    values = np.zeros(tuple(sizes))
    centre = tuple(size // 2 for size in sizes[2:])
    channels = np.arange(min_dim)
    for group in range(groups):
        values[(group * out_per_group + channels, channels) + centre] = 1
    return _write(tensor, values)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return _uniform_fill(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """N(0, std^2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _normal_fill(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """U(-bound, bound) with ``bound = gain * sqrt(3 / fan)``."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return _uniform_fill(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """N(0, std^2) with ``std = gain / sqrt(fan)``."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return _normal_fill(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix."""
    if tensor.ndimension() < 2:
        raise ArgumentError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flattened = _standard_normal((rows, cols), generator)
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diag(r))  # makes the decomposition unique (uniform over O(n))
    if rows < cols:
        q = q.T
    return _write(tensor, (q * gain).reshape(tuple(tensor.shape)))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """N(0, std^2) with a fraction ``sparsity`` of each column set to zero."""
    if tensor.ndimension() != 2:
        raise ArgumentError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    values = std * _standard_normal((rows, cols), generator)
    # a random permutation of the rows per column: argsort of uniform noise
    order = np.argsort(_standard_uniform((rows, cols), generator), axis=0)
    np.put_along_axis(values, order[:num_zeros], 0.0, axis=0)
    return _write(tensor, values)


def _make_deprecate(method):
    new_name = method.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of "
                      f"`nn.init.{new_name}`.", FutureWarning, stacklevel=2)
        return method(*args, **kwargs)

    deprecated_init.__name__ = old_name
    deprecated_init.__doc__ = f"Deprecated alias of :func:`{new_name}`."
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)


def reset_weight_and_bias(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default for Linear and Conv layers: ``kaiming_uniform_(a=sqrt(5))`` (which is
    U(-1/sqrt(fan_in), 1/sqrt(fan_in))) for the weight, the same bound for the bias."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
