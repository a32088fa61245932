"""``kl_divergence`` and the ``register_kl`` registry of closed-form KL divergences."""
from __future__ import annotations

import rustorch
import rustorch.nn.functional as functional
from rustorch.errors import ArgumentTypeError, NotSupportedError

from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical
from .independent import Independent
from .utils import sum_rightmost

__all__ = ["kl_divergence", "register_kl"]

_KL_REGISTRY: dict = {}


def register_kl(type_p, type_q):
    """Decorator registering ``function(p, q)`` as KL(p || q) for the given classes."""
    if not (isinstance(type_p, type) and isinstance(type_q, type)):
        raise ArgumentTypeError("Expected type_p and type_q to be subclasses of Distribution")

    def decorator(function):
        _KL_REGISTRY[type_p, type_q] = function
        return function
    return decorator


def _lookup(type_p, type_q):
    """The registered function whose classes are the closest ancestors of (type_p, type_q)."""
    best, best_rank = None, None
    for (registered_p, registered_q), function in _KL_REGISTRY.items():
        if issubclass(type_p, registered_p) and issubclass(type_q, registered_q):
            rank = (type_p.__mro__.index(registered_p), type_q.__mro__.index(registered_q))
            if best_rank is None or rank < best_rank:
                best, best_rank = function, rank
    return best


def kl_divergence(p, q):
    """KL(p || q), batched over the distributions' batch shape."""
    function = _lookup(type(p), type(q))
    if function is None:
        raise NotSupportedError(f"No KL(p || q) is implemented for p type {type(p).__name__} "
                                f"and q type {type(q).__name__}")
    return function(p, q)


def _infinite_where(condition, value):
    return rustorch.where(condition, rustorch.full_like(value, float("inf")), value)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    variance_ratio = (p.scale / q.scale).pow(2)
    mean_term = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (variance_ratio + mean_term - 1 - rustorch.log(variance_ratio))


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    one_term = p.probs * (functional.softplus(-q.logits) - functional.softplus(-p.logits))
    one_term = rustorch.where(q.probs == 0, rustorch.full_like(one_term, float("inf")),
                              one_term)
    one_term = rustorch.where(p.probs == 0, rustorch.zeros_like(one_term), one_term)
    zero_term = (1 - p.probs) * (functional.softplus(q.logits) - functional.softplus(p.logits))
    zero_term = rustorch.where(q.probs == 1, rustorch.full_like(zero_term, float("inf")),
                               zero_term)
    zero_term = rustorch.where(p.probs == 1, rustorch.zeros_like(zero_term), zero_term)
    return one_term + zero_term


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    terms = p.probs * (p.logits - q.logits)
    q_zero, p_zero = rustorch.broadcast_tensors(q.probs == 0, p.probs == 0)
    terms = _infinite_where(q_zero, terms)
    terms = rustorch.where(p_zero, rustorch.zeros_like(terms), terms)
    return terms.sum(-1)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = rustorch.log((q.high - q.low) / (p.high - p.low))
    return _infinite_where((q.low > p.low) | (q.high < p.high), result)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    rate_ratio = q.rate / p.rate
    return rate_ratio - 1 - rustorch.log(rate_ratio)


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    scale_ratio = p.scale / q.scale
    distance = (p.loc - q.loc).abs() / q.scale
    return (-rustorch.log(scale_ratio) + distance
            + scale_ratio * rustorch.exp(-(p.loc - q.loc).abs() / p.scale) - 1)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotSupportedError("KL between Independents with different event dims")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
