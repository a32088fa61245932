"""More continuous families: Dirichlet, Chi2, StudentT and Cauchy.

Dirichlet and StudentT are reparameterised through gamma draws, whose implicit gradient comes
from ``gamma_family.standard_gamma``."""
from __future__ import annotations

import math

import rustorch
import rustorch.nn.functional as functional
from rustorch.errors import ArgumentError

from . import constraints
from .continuous import _LocationScale
from .distribution import Distribution
from .gamma_family import Gamma, standard_gamma
from .utils import broadcast_all, draw

__all__ = ["Dirichlet", "Chi2", "StudentT", "Cauchy"]


def _gamma_draws(concentration):
    """``standard_gamma`` for any shape: it fails on 0-d input (numpy returns a scalar there)."""
    return standard_gamma(concentration.reshape(-1)).reshape(concentration.shape)


def _where_constant(condition, constant, tensor):
    return rustorch.where(condition, rustorch.full_like(tensor, constant), tensor)


class Dirichlet(Distribution):
    """The Dirichlet distribution on the simplex, with concentrations along the last
    dimension: ``p(x) = Gamma(sum a) / prod Gamma(a_i) * prod x_i^(a_i - 1)``."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ArgumentError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    def rsample(self, sample_shape=()):
        """Normalised gamma draws; gradients flow through each draw's implicit derivative."""
        shape = tuple(self._extended_shape(sample_shape))
        gammas = _gamma_draws(self.concentration.expand(shape))
        tiny = rustorch.finfo(gammas.dtype).tiny
        return (gammas / gammas.sum(-1, keepdim=True).clamp(min=tiny)).clamp(min=tiny)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        concentration = self.concentration
        return (rustorch.xlogy(concentration - 1.0, value).sum(-1)
                + rustorch.lgamma(concentration.sum(-1)) - rustorch.lgamma(concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        """The mode; where every concentration is below one, a vertex (the largest one)."""
        excess = (self.concentration - 1).clamp(min=0.0)
        mode = excess / excess.sum(-1, True)
        vertex = functional.one_hot(mode.argmax(dim=-1), excess.shape[-1]).to(mode.dtype)
        below_one = (self.concentration < 1).all(dim=-1, keepdim=True)
        return rustorch.where(below_one, vertex, mode)

    @property
    def variance(self):
        total = self.concentration.sum(-1, True)
        return self.concentration * (total - self.concentration) / (total.pow(2) * (total + 1))

    def entropy(self):
        size = self.concentration.size(-1)
        total = self.concentration.sum(-1)
        return (rustorch.lgamma(self.concentration).sum(-1) - rustorch.lgamma(total)
                - (size - total) * rustorch.digamma(total)
                - ((self.concentration - 1.0) * rustorch.digamma(self.concentration)).sum(-1))


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom: ``Gamma(df / 2, 1 / 2)``."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    @property
    def df(self):
        return self.concentration * 2

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        sample = _gamma_draws(self.concentration.expand(shape)) / self.rate.expand(shape)
        return sample.clamp(min=rustorch.finfo(sample.dtype).tiny)


class StudentT(Distribution):
    """Student's t distribution with ``df`` degrees of freedom, location ``loc`` and scale
    ``scale``; sampled as ``loc + scale * Z / sqrt(V / df)`` with ``V ~ Chi2(df)``."""

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new._chi2 = self._chi2.expand(batch_shape)
        return new

    @property
    def mean(self):
        return _where_constant(self.df <= 1, math.nan, self.loc.clone())

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        df = self.df
        # a safe df where the finite formula is not taken keeps its gradient finite
        safe_df = rustorch.where(df > 2, df, rustorch.full_like(df, 3.0))
        finite = self.scale.pow(2) * safe_df / (safe_df - 2)
        result = rustorch.where(df > 2, finite, df.clone())
        result = _where_constant((df <= 2) & (df > 1), math.inf, result)
        return _where_constant(df <= 1, math.nan, result)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        normal = draw(rustorch.randn, shape, self.df)
        chi2 = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * normal * rustorch.rsqrt(chi2 / self.df)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        df = self.df
        standardized = (value - self.loc) / self.scale
        normalizer = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
                      + rustorch.lgamma(0.5 * df) - rustorch.lgamma(0.5 * (df + 1.0)))
        return -0.5 * (df + 1.0) * rustorch.log1p(standardized ** 2.0 / df) - normalizer

    def entropy(self):
        df = self.df
        log_beta = rustorch.lgamma(0.5 * df) + math.lgamma(0.5) - rustorch.lgamma(0.5 * (df + 1))
        return (self.scale.log()
                + 0.5 * (df + 1) * (rustorch.digamma(0.5 * (df + 1)) - rustorch.digamma(0.5 * df))
                + 0.5 * df.log() + log_beta)


class Cauchy(_LocationScale):
    """The Cauchy (Lorentz) distribution with median ``loc`` and half-width ``scale`` (its mode;
    it has no mean)."""

    def _filled(self, constant):
        return rustorch.full(tuple(self._extended_shape()), constant, dtype=self.loc.dtype,
                             device=self.loc.device)

    @property
    def mean(self):
        return self._filled(math.nan)

    @property
    def variance(self):
        return self._filled(math.inf)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with rustorch.no_grad():
            noise = draw(rustorch.empty, shape, self.loc).cauchy_()
        return self.loc + noise * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (-math.log(math.pi) - self.scale.log()
                - (((value - self.loc) / self.scale) ** 2).log1p())

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return rustorch.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        return rustorch.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()
