"""Location-scale continuous distributions: Normal, Uniform, Laplace, Exponential."""
from __future__ import annotations

import math

import rustorch
from rustorch.errors import ArgumentError

from . import constraints
from .distribution import Distribution
from .utils import batch_shape_of, broadcast_all, draw

__all__ = ["Normal", "Uniform", "Laplace", "Exponential"]


def _nan_like(tensor):
    return rustorch.full_like(tensor, float("nan"))


class _LocationScale(Distribution):
    """A real-valued family with parameters ``loc`` (its mean and mode) and ``scale``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(batch_shape_of((loc, scale), self.loc), validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc


class Normal(_LocationScale):
    """The normal distribution with mean ``loc`` and standard deviation ``scale``."""

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        noise = draw(rustorch.randn, shape, self.loc)
        return self.loc + noise * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_scale = rustorch.log(self.scale)
        return (-((value - self.loc) ** 2) / (2 * self.scale.pow(2)) - log_scale
                - 0.5 * math.log(2 * math.pi))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + rustorch.erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        return self.loc + self.scale * rustorch.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + rustorch.log(self.scale)


class Uniform(Distribution):
    """The continuous uniform distribution on ``[low, high)``; as in torch, its support
    (used to validate values) is the closed interval."""

    arg_constraints = {"low": constraints.dependent(is_discrete=False, event_dim=0),
                       "high": constraints.dependent(is_discrete=False, event_dim=0)}
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(batch_shape_of((low, high), self.low), validate_args=validate_args)
        if self._validate_args and not bool((self.low < self.high).all()):
            raise ArgumentError("Uniform is not defined when low>= high")

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.interval(self.low, self.high)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return _nan_like(self.high)

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        uniform = draw(rustorch.rand, shape, self.low)
        return self.low + uniform * (self.high - self.low)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        inside = ((self.low <= value) & (self.high > value)).to(self.low.dtype)
        return rustorch.log(inside) - rustorch.log(self.high - self.low)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return rustorch.log(self.high - self.low)


class Laplace(_LocationScale):
    """The Laplace distribution with location ``loc`` and scale ``scale``."""

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        tiny = rustorch.finfo(self.loc.dtype).eps
        uniform = draw(rustorch.rand, shape, self.loc)
        uniform = (uniform * 2 - 1).clamp(min=tiny - 1, max=1 - tiny)
        return self.loc - self.scale * uniform.sign() * rustorch.log1p(-uniform.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -rustorch.log(2 * self.scale) - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        centered = value - self.loc
        return 0.5 - 0.5 * centered.sign() * rustorch.expm1(-centered.abs() / self.scale)

    def icdf(self, value):
        shifted = value - 0.5
        return self.loc - self.scale * shifted.sign() * rustorch.log1p(-2 * shifted.abs())

    def entropy(self):
        return 1 + rustorch.log(2 * self.scale)


class Exponential(Distribution):
    """The exponential distribution with rate ``rate``."""

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(batch_shape_of((rate,), self.rate), validate_args=validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return rustorch.zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with rustorch.no_grad():
            unit = draw(rustorch.empty, shape, self.rate).exponential_()
        return unit / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return rustorch.log(self.rate) - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - rustorch.exp(-self.rate * value)

    def icdf(self, value):
        return -rustorch.log1p(-value) / self.rate

    def entropy(self):
        return 1.0 - rustorch.log(self.rate)
