"""Gamma-based families: Gamma, Beta and Poisson, with their closed-form KL divergences.

Gamma's ``rsample`` draws with numpy and differentiates through the sample with the implicit
reparameterisation gradient ``dx/dconcentration = -(dF/dconcentration) / f(x)``, where ``F`` is
the regularised lower incomplete gamma function (the cdf of a unit-rate gamma)."""
from __future__ import annotations

import numpy as np

import rustorch
from rustorch.random import _generator

from . import constraints
from .distribution import Distribution
from .kl import register_kl
from .utils import batch_shape_of, broadcast_all

__all__ = ["Gamma", "Beta", "Poisson"]


def _standard_gamma_derivative(concentration, sample):
    """d sample / d concentration of a unit-rate gamma sample at fixed cdf level (float64)."""
    import scipy.special  # noqa: PLC0415 - imported on first use: it costs 0.3 s and a BLAS pool
    step = np.maximum(1e-6, 1e-4 * concentration)
    lower = np.maximum(concentration - step, concentration * 0.5)
    upper = concentration + step
    cdf_slope = (scipy.special.gammainc(upper, sample)
                 - scipy.special.gammainc(lower, sample)) / (upper - lower)
    log_density = ((concentration - 1) * np.log(sample) - sample
                   - scipy.special.gammaln(concentration))
    return -cdf_slope / np.exp(log_density)


class _StandardGamma(rustorch.autograd.Function):
    """Unit-rate gamma samples with the implicit reparameterisation gradient."""

    @staticmethod
    def forward(ctx, concentration):
        original = concentration.detach().cpu().numpy()
        alpha = original.astype(np.float64)
        sample = np.asarray(np.maximum(_generator(None).standard_gamma(alpha),  # 0-d too
                                       np.finfo(original.dtype).tiny))
        ctx.derivative = _standard_gamma_derivative(alpha, sample)
        return rustorch.from_numpy(sample).to(concentration.device, concentration.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        derivative = rustorch.from_numpy(ctx.derivative).to(grad_output.device,
                                                             grad_output.dtype)
        return grad_output * derivative


def standard_gamma(concentration):
    """Differentiable unit-rate gamma draws, one per element of ``concentration``."""
    return _StandardGamma.apply(concentration)


class Gamma(Distribution):
    """The gamma distribution with shape ``concentration`` and inverse scale ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(batch_shape_of((concentration, rate), self.concentration),
                         validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        sample = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return sample.clamp(min=rustorch.finfo(sample.dtype).tiny)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        concentration, rate = self.concentration, self.rate
        return (rustorch.xlogy(concentration, rate) + rustorch.xlogy(concentration - 1, value)
                - rate * value - rustorch.lgamma(concentration))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return rustorch.special.gammainc(self.concentration, self.rate * value)

    def entropy(self):
        concentration = self.concentration
        return (concentration - rustorch.log(self.rate) + rustorch.lgamma(concentration)
                + (1.0 - concentration) * rustorch.digamma(concentration))


def _log_beta(first, second):
    return rustorch.lgamma(first) + rustorch.lgamma(second) - rustorch.lgamma(first + second)


class Beta(Distribution):
    """The beta distribution on [0, 1], sampled as ``X / (X + Y)`` for gammas ``X``, ``Y``."""

    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(batch_shape_of((concentration1, concentration0), self.concentration1),
                         validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        """The mode for concentrations above one (nan where a density is unbounded)."""
        total = self.concentration1 + self.concentration0
        mode = (self.concentration1 - 1) / (total - 2)
        unbounded = (self.concentration1 <= 1) | (self.concentration0 <= 1)
        return rustorch.where(unbounded, rustorch.full_like(mode, float("nan")), mode)

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        first = standard_gamma(self.concentration1.expand(shape))
        second = standard_gamma(self.concentration0.expand(shape))
        tiny = rustorch.finfo(first.dtype).tiny
        eps = rustorch.finfo(first.dtype).eps
        return (first / (first + second).clamp(min=tiny)).clamp(min=tiny, max=1 - eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (rustorch.xlogy(self.concentration1 - 1, value)
                + rustorch.xlogy(self.concentration0 - 1, 1 - value)
                - _log_beta(self.concentration1, self.concentration0))

    def entropy(self):
        first, second = self.concentration1, self.concentration0
        total = first + second
        return (_log_beta(first, second) - (first - 1) * rustorch.digamma(first)
                - (second - 1) * rustorch.digamma(second)
                + (total - 2) * rustorch.digamma(total))


class Poisson(Distribution):
    """The Poisson distribution with mean ``rate``."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(batch_shape_of((rate,), self.rate), validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with rustorch.no_grad():
            return rustorch.poisson(self.rate.expand(shape).contiguous())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return rustorch.xlogy(value, rate) - rate - rustorch.lgamma(value + 1)


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    return (q.concentration * rustorch.log(p.rate / q.rate)
            + rustorch.lgamma(q.concentration) - rustorch.lgamma(p.concentration)
            + (p.concentration - q.concentration) * rustorch.digamma(p.concentration)
            + (q.rate - p.rate) * (p.concentration / p.rate))


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    p_total = p.concentration1 + p.concentration0
    q_total = q.concentration1 + q.concentration0
    return (_log_beta(q.concentration1, q.concentration0)
            - _log_beta(p.concentration1, p.concentration0)
            + (p.concentration1 - q.concentration1) * rustorch.digamma(p.concentration1)
            + (p.concentration0 - q.concentration0) * rustorch.digamma(p.concentration0)
            + (q_total - p_total) * rustorch.digamma(p_total))


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return rustorch.xlogy(p.rate, p.rate) - rustorch.xlogy(p.rate, q.rate) - (p.rate - q.rate)
