"""Elementwise and simplex transforms, as ``torch.distributions.transforms`` (which also
exports the machinery of transform_base.py): Exp, Power, Sigmoid, Softplus, Tanh, Abs,
Affine, Softmax and StickBreaking."""
from __future__ import annotations

import math
import numbers

import rustorch
import rustorch.nn.functional as functional
from rustorch.errors import ArgumentError

from . import constraints
from .transform_base import ComposeTransform, IndependentTransform, Transform, identity_transform
from .utils import broadcast_all, lazy_property

__all__ = ["Transform", "ComposeTransform", "IndependentTransform", "ExpTransform",
           "PowerTransform", "SigmoidTransform", "SoftplusTransform", "TanhTransform",
           "AbsTransform", "AffineTransform", "SoftmaxTransform", "StickBreakingTransform",
           "identity_transform"]


class _ParameterFreeTransform(Transform):
    """A transform without parameters: equal to every instance of its class."""

    def __eq__(self, other):
        return isinstance(other, type(self))


class ExpTransform(_ParameterFreeTransform):
    """``y = exp(x)``."""

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


def _clipped_sigmoid(x):
    finfo = rustorch.finfo(x.dtype)
    return rustorch.sigmoid(x).clamp(min=finfo.tiny, max=1.0 - finfo.eps)


class SigmoidTransform(_ParameterFreeTransform):
    """``y = 1 / (1 + exp(-x))``, inverse ``x = logit(y)``."""

    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = +1

    def _call(self, x):
        return _clipped_sigmoid(x)

    def _inverse(self, y):
        finfo = rustorch.finfo(y.dtype)
        y = y.clamp(min=finfo.tiny, max=1.0 - finfo.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -functional.softplus(-x) - functional.softplus(x)


class SoftplusTransform(_ParameterFreeTransform):
    """``y = log(1 + exp(x))``."""

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return functional.softplus(x)

    def _inverse(self, y):
        return (-y).expm1().neg().log() + y

    def log_abs_det_jacobian(self, x, y):
        return -functional.softplus(-x)


class TanhTransform(_ParameterFreeTransform):
    """``y = tanh(x)``; the log-Jacobian ``2 (log 2 - x - softplus(-2x))`` is stable."""

    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    bijective = True
    sign = +1

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return rustorch.atanh(y)

    def log_abs_det_jacobian(self, x, y):
        return 2.0 * (math.log(2.0) - x - functional.softplus(-2.0 * x))


class AbsTransform(_ParameterFreeTransform):
    """``y = |x|`` (not bijective; the inverse is the identity)."""

    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class PowerTransform(Transform):
    """``y = x ** exponent`` on the positive reals."""

    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        (self.exponent,) = broadcast_all(exponent)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return PowerTransform(self.exponent, cache_size=cache_size)

    @lazy_property
    def sign(self):
        return self.exponent.sign()

    def __eq__(self, other):
        return isinstance(other, PowerTransform) and bool(
            self.exponent.eq(other.exponent).all().item())

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape):
        return rustorch.broadcast_shapes(shape, tuple(self.exponent.shape))

    inverse_shape = forward_shape


def _parameters_equal(first, second) -> bool:
    if isinstance(first, numbers.Number) and isinstance(second, numbers.Number):
        return first == second
    return bool((first == second).all().item())


class AffineTransform(Transform):
    """``y = loc + scale * x``; ``event_dim`` says how many rightmost dimensions form one
    event (their log-Jacobians are summed)."""

    bijective = True

    def __init__(self, loc, scale, event_dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.loc = loc
        self.scale = scale
        self._event_dim = event_dim

    @property
    def event_dim(self) -> int:
        return self._event_dim

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        if self.event_dim == 0:
            return constraints.real
        return constraints.independent(constraints.real, self.event_dim)

    codomain = domain

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self.event_dim, cache_size=cache_size)

    def __eq__(self, other):
        return (isinstance(other, AffineTransform) and _parameters_equal(self.loc, other.loc)
                and _parameters_equal(self.scale, other.scale))

    @property
    def sign(self):
        if isinstance(self.scale, numbers.Number):
            return 1 if float(self.scale) > 0 else -1 if float(self.scale) < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        shape = tuple(x.shape)
        if isinstance(self.scale, numbers.Number):
            result = rustorch.full_like(x, math.log(abs(self.scale)))
        else:
            result = self.scale.abs().log()
        if self.event_dim:
            result = result.reshape(tuple(result.shape[:-self.event_dim]) + (-1,)).sum(-1)
            shape = shape[:-self.event_dim]
        return result.expand(shape)

    def forward_shape(self, shape):
        return rustorch.broadcast_shapes(shape, tuple(getattr(self.loc, "shape", ())),
                                         tuple(getattr(self.scale, "shape", ())))

    inverse_shape = forward_shape


def _require_vector(shape):
    if len(shape) < 1:
        raise ArgumentError("Too few dimensions on input")


class SoftmaxTransform(_ParameterFreeTransform):
    """``y = exp(x) / sum(exp(x))`` onto the simplex (not bijective; the inverse is ``log``)."""

    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        probs = (x - x.max(-1, True)[0]).exp()
        return probs / probs.sum(-1, True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape):
        _require_vector(shape)
        return shape

    inverse_shape = forward_shape


class StickBreakingTransform(_ParameterFreeTransform):
    """A bijection from ``R^(K-1)`` onto the ``K``-simplex by iterated sigmoid stick
    breaking (the offsets make ``x = 0`` map to the uniform point)."""

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    @staticmethod
    def _log_offset(x):
        size = x.shape[-1]
        return (size + 1 - x.new_ones(size).cumsum(-1)).log()

    def _call(self, x):
        fractions = _clipped_sigmoid(x - self._log_offset(x))
        remaining = (1 - fractions).cumprod(-1)
        return (functional.pad(fractions, [0, 1], value=1)
                * functional.pad(remaining, [1, 0], value=1))

    def _inverse(self, y):
        cropped = y[..., :-1]
        offset = y.shape[-1] - y.new_ones(cropped.shape[-1]).cumsum(-1)
        survival = (1 - cropped.cumsum(-1)).clamp(min=rustorch.finfo(y.dtype).tiny)
        return cropped.log() - survival.log() + offset.log()

    def log_abs_det_jacobian(self, x, y):
        shifted = x - self._log_offset(x)
        return (-shifted + functional.logsigmoid(shifted) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        _require_vector(shape)
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        _require_vector(shape)
        return tuple(shape[:-1]) + (shape[-1] - 1,)
