"""Counting distributions: Geometric, Binomial and Multinomial, parameterised by ``probs``
or ``logits`` as in torch."""
from __future__ import annotations

import math
import numbers

import numpy as np

import rustorch
import rustorch.nn.functional as functional
from rustorch.errors import ArgumentError, NotSupportedError
from rustorch.random import _generator

from . import constraints
from .discrete import Categorical
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Geometric", "Binomial", "Multinomial"]


def _one_of(probs, logits):
    if (probs is None) == (logits is None):
        raise ArgumentError("Either `probs` or `logits` must be specified, but not both.")


class _GradLazyProperty(lazy_property):
    """A ``lazy_property`` evaluated with gradients enabled, as torch's is: its cached value
    stays differentiable even when first computed inside ``no_grad`` (e.g. by ``sample``)."""

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with rustorch.enable_grad():
            return super().__get__(instance, owner)


class _BinaryParameters:
    """``probs`` and ``logits`` (log-odds), each computed from the other on first use."""

    @_GradLazyProperty
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @_GradLazyProperty
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)


class Geometric(_BinaryParameters, Distribution):
    """The number of failures before the first success in Bernoulli(``probs``) trials:
    ``P(k) = (1 - p)^k p`` for ``k = 0, 1, ...``."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        (parameter,) = broadcast_all(given)
        if probs is not None:
            self.probs = parameter
        else:
            self.logits = parameter
        shape = rustorch.Size() if isinstance(given, numbers.Number) else given.size()
        super().__init__(shape, validate_args=validate_args)
        if self._validate_args and probs is not None and not bool((self.probs > 0).all()):
            invalid = self.probs.detach()[~(self.probs > 0)]
            raise ArgumentError(
                f"Expected parameter probs (Tensor of shape {tuple(self.probs.shape)}) of "
                f"distribution {self!r} to be positive but found invalid values:\n{invalid}")

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return rustorch.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        probs = self.probs
        tiny = rustorch.finfo(probs.dtype).tiny
        with rustorch.no_grad():
            uniform = rustorch.empty(shape, dtype=probs.dtype, device=probs.device)
            uniform = uniform.uniform_(tiny, 1)
            return (uniform.log() / (-probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # a certain success at k = 0 has probability one: 0 * log(0) counts as 0
        certain = (probs == 1) & (value == 0)
        probs = rustorch.where(certain, rustorch.zeros_like(probs), probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return functional.binary_cross_entropy_with_logits(self.logits, self.probs,
                                                           reduction="none") / self.probs


def _clamp_by_zero(x):
    # max(x, 0) with gradient 1/2 at zero, as torch writes it
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class Binomial(_BinaryParameters, Distribution):
    """The number of successes in ``total_count`` Bernoulli(``probs``) trials."""

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        total_count, parameter = broadcast_all(total_count,
                                               probs if probs is not None else logits)
        self.total_count = total_count.type_as(parameter)
        if probs is not None:
            self.probs = parameter
        else:
            self.logits = parameter
        self._param = parameter
        super().__init__(parameter.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new._param = new.__dict__["probs" if "probs" in self.__dict__ else "logits"]
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def param_shape(self):
        return self._param.size()

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with rustorch.no_grad():
            counts = self.total_count.expand(shape).cpu().numpy().astype(np.int64)
            probs = self.probs.expand(shape).cpu().numpy().astype(np.float64)
            drawn = _generator(None).binomial(counts, np.clip(probs, 0.0, 1.0))
            return rustorch.from_numpy(np.asarray(drawn)).to(self._param.device,
                                                            self._param.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        total, logits = self.total_count, self.logits
        log_factorial_n = rustorch.lgamma(total + 1)
        log_factorial_k = rustorch.lgamma(value + 1)
        log_factorial_rest = rustorch.lgamma(total - value + 1)
        # total * log(1 + exp(logits)), written to stay finite for large |logits|
        normalizer = (total * _clamp_by_zero(logits)
                      + total * rustorch.log1p(rustorch.exp(-logits.abs())) - log_factorial_n)
        return value * logits - log_factorial_k - log_factorial_rest - normalizer

    def _homogeneous_count(self, what: str) -> int:
        total = int(self.total_count.max())
        if not int(self.total_count.min()) == total:
            raise NotSupportedError(f"Inhomogeneous total count not supported by `{what}`.")
        return total

    def entropy(self):
        self._homogeneous_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(rustorch.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        total = self._homogeneous_count("enumerate_support")
        values = rustorch.arange(1 + total, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values


class _MultinomialSupport(constraints.Constraint):
    """Nonnegative count vectors summing to at most ``upper_bound``."""

    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return (value >= 0).all(dim=-1) & (value.sum(dim=-1) <= self.upper_bound)


class Multinomial(Distribution):
    """Counts of ``total_count`` draws from a categorical distribution over the last
    dimension of ``probs`` (or ``logits``)."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotSupportedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self)) if _instance is None else _instance
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return _MultinomialSupport(self.total_count)

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        sample_shape = tuple(sample_shape)
        with rustorch.enable_grad():
            # Categorical.sample would first compute (and cache) probs under no_grad
            _ = self._categorical.probs
        draws = self._categorical.sample((self.total_count,) + sample_shape)
        draws = draws.permute(*range(1, draws.dim()), 0)
        counts = rustorch.zeros(tuple(self._extended_shape(sample_shape)), dtype=draws.dtype,
                                device=draws.device)
        counts.scatter_add_(-1, draws, rustorch.ones_like(draws))
        return counts.type_as(self.probs)

    def entropy(self):
        count = self.total_count
        # torch evaluates lgamma(n + 1) on an integer tensor, i.e. in the default dtype
        log_factorial = rustorch.lgamma(rustorch.tensor(float(count + 1)))
        first = count * self._categorical.entropy() - log_factorial
        binomial = Binomial(total_count=count, probs=self.probs)
        support = binomial.enumerate_support(expand=False)[1:]
        binomial_probs = rustorch.exp(binomial.log_prob(support))
        second = (binomial_probs * rustorch.lgamma(support + 1)).sum([0, -1])
        return first + second

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_factorial_n = rustorch.lgamma(value.sum(-1) + 1)
        log_factorial_xs = rustorch.lgamma(value + 1).sum(-1)
        # a category of probability zero that is never drawn contributes nothing
        unused = (value == 0) & (logits == -math.inf)
        logits = rustorch.where(unused, rustorch.zeros_like(logits), logits)
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)
