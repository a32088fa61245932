"""Activation functions (``torch.nn.functional``): fused primitives for the hot ones
(softmax, log_softmax, gelu, silu, elu family, softplus, leaky_relu, hardtanh), the rest
composed from core ops. Every backward is written in Tensor ops, so double backward works."""
from __future__ import annotations

import math
import warnings

from ... import dtypes as _dtypes
from ..._ops import elementwise as ew
from ...autograd.function import Primitive, reports_as
from ...errors import ArgumentError, NotSupportedError, ShapeError
from ._common import ArgumentValueError
from ...tensor import Tensor, wrap_dim
from ...amp._dispatch import autocast_call, autocast_state

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu",
           "selu_", "celu", "celu_", "gelu", "silu", "mish", "sigmoid", "tanh", "softmax",
           "log_softmax", "softmin", "softplus", "softsign", "hardtanh", "hardtanh_",
           "hardsigmoid", "hardswish", "logsigmoid", "tanhshrink", "softshrink", "hardshrink",
           "threshold", "threshold_", "prelu", "rrelu", "rrelu_", "glu", "gumbel_softmax"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _apply_inplace(input: Tensor, function, inplace: bool) -> Tensor:
    """``function(input)``, written back into ``input`` when ``inplace``."""
    if not inplace:
        return function(input)
    return input._inplace(function)


def _scalar(array, value):
    return array.dtype.type(value)


def _mask(condition: Tensor, like: Tensor) -> Tensor:
    return condition.to(like.dtype)


# ----------------------------------------------------------------- piecewise linear
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``."""
    return input.relu_() if inplace else ew.relu(input)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


class _Hardtanh(Primitive):
    saves = (0,)

    def forward(self, xp, a, low=-1.0, high=1.0):
        self.low, self.high = low, high
        return xp.clip(a, _scalar(a, low), _scalar(a, high)).astype(a.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved
        # PyTorch's hardtanh passes gradient only strictly inside (low, high)
        return grad * _mask(x > self.low, grad) * _mask(x < self.high, grad)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``clamp(x, min_val, max_val)``."""
    if min_val > max_val:
        raise ArgumentError("min_val cannot be greater than max_val")
    return _apply_inplace(input, lambda x: _Hardtanh.apply(x, low=min_val, high=max_val),
                          inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


class _LeakyRelu(Primitive):
    saves = (0,)

    def forward(self, xp, a, slope=0.01):
        self.slope = slope
        return xp.where(a > 0, a, a * _scalar(a, slope)).astype(a.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved
        return ew.where(x > 0, grad, grad * self.slope)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x if x > 0 else negative_slope * x``."""
    return _apply_inplace(input, lambda x: _LeakyRelu.apply(x, slope=negative_slope), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, True)


def _threshold(input: Tensor, limit: float, value: float, inplace: bool) -> Tensor:
    return _apply_inplace(input, lambda x: ew.where(x > limit, x, x.new_full((), value)),
                          inplace)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x if x > threshold else value``."""
    return _threshold(input, threshold, value, inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _threshold(input, threshold, value, True)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU; in eval mode the slope is ``(lower + upper) / 2``."""
    if training:
        from .dropout import _uniform_array
        uniform = _uniform_array(tuple(input.shape), input)
        slope_tensor = Tensor._make((lower + (upper - lower) * uniform).astype(input._data.dtype))
        return _apply_inplace(input, lambda x: ew.where(x >= 0, x, x * slope_tensor), inplace)
    return leaky_relu(input, (lower + upper) / 2, inplace)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, True)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x if |x| > lambd else 0``."""
    return ew.where(input.abs() > lambd, input, input.new_zeros(()))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd if x > lambd``, ``x + lambd if x < -lambd``, else 0."""
    if lambd < 0:
        raise ArgumentValueError("lambda must be in range [0, 3.40282e+38] for input dtype "
                                 f"{input.dtype}, but found {lambd}")
    zero = input.new_zeros(())
    return ew.where(input > lambd, input - lambd, ew.where(input < -lambd, input + lambd, zero))


# ----------------------------------------------------------------- exponential family
class _EluFamily(Primitive):
    """``scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))`` (ELU, SELU, CELU)."""

    saves = (0,)

    def forward(self, xp, a, alpha=1.0, scale=1.0, input_scale=1.0):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale
        negative = _scalar(a, alpha) * xp.expm1(a * _scalar(a, input_scale))
        return (_scalar(a, scale) * xp.where(a > 0, a, negative)).astype(a.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved
        negative = (x * self.input_scale).exp() * (self.alpha * self.input_scale)
        return grad * self.scale * ew.where(x > 0, x.new_ones(()), negative)


@reports_as("EluBackward0")
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x if x > 0 else alpha * (exp(x) - 1)``."""
    return _apply_inplace(input, lambda x: _EluFamily.apply(x, alpha=alpha), inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, True)


@reports_as("EluBackward0")
def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    return _apply_inplace(
        input, lambda x: _EluFamily.apply(x, alpha=_SELU_ALPHA, scale=_SELU_SCALE), inplace)


def selu_(input: Tensor) -> Tensor:
    return selu(input, True)


@reports_as("CeluBackward0")
def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise ArgumentValueError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _apply_inplace(
        input, lambda x: _EluFamily.apply(x, alpha=alpha, input_scale=1.0 / alpha), inplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, True)


class _Softplus(Primitive):
    saves = (0,)

    def forward(self, xp, a, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold
        scaled = a * _scalar(a, beta)
        # log1p(exp(z)) computed stably as max(z, 0) + log1p(exp(-|z|))
        soft = (xp.maximum(scaled, 0) + xp.log1p(xp.exp(-xp.abs(scaled)))) / _scalar(a, beta)
        return xp.where(scaled > threshold, a, soft).astype(a.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved
        scaled = x * self.beta
        return grad * ew.where(scaled > self.threshold, x.new_ones(()), scaled.sigmoid())


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta`` (linear above ``threshold``)."""
    if autocast_state.active:
        return autocast_call(softplus, "softplus", **locals())
    return _Softplus.apply(input, beta=beta, threshold=threshold)


@reports_as("LogSigmoidBackward0")
def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, computed stably."""
    return -_Softplus.apply(-input, beta=1.0, threshold=math.inf)


def sigmoid(input: Tensor) -> Tensor:
    return ew.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return ew.tanh(input)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``."""
    return input - input.tanh()


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return _apply_inplace(input, lambda x: _Hardtanh.apply(x + 3, low=0.0, high=6.0) / 6,
                          inplace)


@reports_as("HardswishBackward0")
def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``."""
    return _apply_inplace(input, lambda x: x * _Hardtanh.apply(x + 3, low=0.0, high=6.0) / 6,
                          inplace)


# ----------------------------------------------------------------- smooth gates
def _erf_array(xp, array):
    from ..._ops.math_common import special_call
    return special_call(xp, "erf", array)


class _Gelu(Primitive):
    saves = (0,)

    def forward(self, xp, a, approximate="none"):
        self.approximate = approximate
        half = _scalar(a, 0.5)
        if approximate == "tanh":
            inner = _scalar(a, _SQRT_2_OVER_PI) * (a + _scalar(a, 0.044715) * a * a * a)
            return (half * a * (1 + xp.tanh(inner))).astype(a.dtype, copy=False)
        erf = _erf_array(xp, a * _scalar(a, _SQRT_HALF))
        return (half * a * (1 + erf)).astype(a.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved
        if self.approximate == "tanh":
            inner = (x + x * x * x * 0.044715) * _SQRT_2_OVER_PI
            t = inner.tanh()
            d_inner = (x * x * (3 * 0.044715) + 1) * _SQRT_2_OVER_PI
            return grad * (0.5 * (t + 1) + 0.5 * x * (1 - t * t) * d_inner)
        from ..._ops.math_special import erf
        cdf = (erf(x * _SQRT_HALF) + 1) * 0.5
        pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
        return grad * (cdf + x * pdf)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (``approximate='tanh'``: the tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise ArgumentValueError("approximate argument must be either none or tanh, got "
                                 f"{approximate!r}")
    return _Gelu.apply(input, approximate=approximate)


class _Silu(Primitive):
    saves = (0,)

    def forward(self, xp, a):
        return (a / (1 + xp.exp(-a))).astype(a.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved
        s = x.sigmoid()
        return grad * s * (1 + x * (1 - s))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)``."""
    return _apply_inplace(input, lambda x: _Silu.apply(x), inplace)


@reports_as("MishBackward0")
def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    if autocast_state.active:
        return autocast_call(mish, None, **locals())
    return _apply_inplace(input, lambda x: x * softplus(x).tanh(), inplace)


@reports_as("GluBackward0")
def glu(input: Tensor, dim: int = -1) -> Tensor:
    """``a * sigmoid(b)`` where ``a, b`` are the halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise ShapeError("glu does not support scalars because halving size must be even")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if size % 2:
        raise ShapeError(f"Halving dimension must be even, but dimension {dim} is size {size}")
    first, second = input.chunk(2, dim)
    return first * second.sigmoid()


@reports_as("PreluKernelBackward0")
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x if x > 0 else weight * x``, ``weight`` broadcast along the channel dim (1)."""
    if autocast_state.active:
        return autocast_call(prelu, "prelu", **locals())
    if weight.numel() != 1:
        channels = input.shape[1] if input.ndim >= 2 else (input.shape[0] if input.ndim else 1)
        if weight.numel() != channels:
            raise ShapeError("Mismatch of parameter numbers and input channel size. Found "
                             f"parameter numbers = {weight.numel()} and channel size = {channels}.")
        if input.ndim >= 2:
            weight = weight.reshape((1, channels) + (1,) * (input.ndim - 2))
    elif weight.ndim > 0 and input.ndim >= 0:
        weight = weight.reshape(())
    return ew.where(input > 0, input, input * weight)


# ----------------------------------------------------------------- softmax family
def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  f"to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


class _Softmax(Primitive):
    saves_output = True

    def forward(self, xp, a, dim=-1, log=False):
        self.dim, self.log = dim, log
        if a.ndim == 0:
            return xp.zeros_like(a) if log else xp.ones_like(a)
        shifted = a - xp.max(a, axis=dim, keepdims=True) if a.size else a
        exps = xp.exp(shifted)
        total = xp.sum(exps, axis=dim, keepdims=True)
        result = shifted - xp.log(total) if log else exps / total
        return result.astype(a.dtype, copy=False)

    def backward(self, grad):
        out = self.output
        dim = self.dim if out.ndim else None
        if self.log:
            total = grad.sum(dim=dim, keepdim=True) if dim is not None else grad
            return grad - out.exp() * total
        product = grad * out
        total = product.sum(dim=dim, keepdim=True) if dim is not None else product
        return product - out * total


def _softmax_impl(input: Tensor, dim, dtype, log: bool, name: str) -> Tensor:
    if dim is None:
        dim = _softmax_dim(name, input.ndim)
    if dtype is not None:
        input = input.to(_dtypes.to_dtype(dtype))
    elif not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise NotSupportedError(f"\"{name}_lastdim_kernel_impl\" not implemented for "
                                f"'{input.dtype.name.capitalize()}'")
    dim = wrap_dim(dim, input.ndim)
    return _Softmax.apply(input, dim=dim, log=log)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``, computed after subtracting the max (stable)."""
    if autocast_state.active:
        return autocast_call(softmax, "softmax", **locals())
    return _softmax_impl(input, dim, dtype, False, "softmax")


@reports_as("LogSoftmaxBackward0")
def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    """``x - logsumexp(x, dim)``."""
    if autocast_state.active:
        return autocast_call(log_softmax, "log_softmax", **locals())
    return _softmax_impl(input, dim, dtype, True, "log_softmax")


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``softmax(-x, dim)``."""
    if autocast_state.active:
        return autocast_call(softmin, "softmax", **locals())
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    if dtype is not None:
        input = input.to(_dtypes.to_dtype(dtype))
    return _softmax_impl(-input, dim, None, False, "softmin")


# Tensor methods that PyTorch exposes on tensors too
def _tensor_softmax(input, dim, dtype=None):
    if autocast_state.active:
        return autocast_call(_tensor_softmax, "softmax", **locals())
    return _softmax_impl(input, dim, dtype, False, "softmax")


@reports_as("LogSoftmaxBackward0")
def _tensor_log_softmax(input, dim, dtype=None):
    if autocast_state.active:
        return autocast_call(_tensor_log_softmax, "log_softmax", **locals())
    return _softmax_impl(input, dim, dtype, True, "log_softmax")


for _name, _function in (("softmax", _tensor_softmax), ("log_softmax", _tensor_log_softmax)):
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _function)


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """Samples from the Gumbel-softmax distribution; ``hard=True`` returns one-hot samples
    whose gradient is the soft sample's (straight-through)."""
    from .dropout import _uniform_array
    uniform = _uniform_array(tuple(logits.shape), logits)
    # -log(Exponential(1)) samples are Gumbel(0, 1)
    exponential = -logits._xp().log1p(-uniform)
    gumbels = Tensor._make(-logits._xp().log(exponential).astype(logits._data.dtype))
    soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    index = soft.argmax(dim, keepdim=True)
    one_hot = soft.detach().new_zeros(tuple(soft.shape)).scatter(dim, index, 1.0)
    return one_hot - soft.detach() + soft
