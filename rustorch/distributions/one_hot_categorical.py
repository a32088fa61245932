"""OneHotCategorical: a categorical distribution whose samples are one-hot vectors."""
from __future__ import annotations

import rustorch
import rustorch.nn.functional as functional

from . import constraints
from .discrete import Categorical
from .distribution import Distribution
from .kl import kl_divergence, register_kl

__all__ = ["OneHotCategorical"]


class OneHotCategorical(Distribution):
    """Vectors of length K with a single one, at index ``i`` with probability ``probs[i]``."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        parameter = self._categorical._param
        super().__init__(self._categorical.batch_shape, parameter.size()[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _check_parameters(self):
        pass  # the wrapped Categorical has validated the parameters

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def _param(self):
        return self._categorical._param

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        index = self.probs.argmax(dim=-1)
        return functional.one_hot(index, self._event_shape[0]).to(self.probs.dtype)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        index = self._categorical.sample(sample_shape)
        return functional.one_hot(index, self._event_shape[0]).to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(dim=-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        count = self._event_shape[0]
        values = rustorch.eye(count, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((count,) + (1,) * len(self._batch_shape) + (count,))
        if expand:
            values = values.expand((count,) + tuple(self._batch_shape) + (count,))
        return values


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_one_hot_one_hot(p, q):
    return kl_divergence(p._categorical, q._categorical)
