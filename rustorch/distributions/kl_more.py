"""More closed-form KL divergences, registered with ``register_kl`` as torch registers them:
pairs of the newer families, and mixed pairs (infinite where the support of ``p`` is not
contained in that of ``q``)."""
from __future__ import annotations

import math

import rustorch
from rustorch.errors import NotSupportedError

from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli
from .gamma_family import Beta, Gamma, Poisson
from .kl import kl_divergence, register_kl
from .more_discrete import Binomial, Geometric
from .more_families import Cauchy, Dirichlet
from .transformed_distribution import EULER_CONSTANT, Gumbel, HalfNormal, TransformedDistribution

__all__: list = []


def _infinite_like(tensor):
    return rustorch.full_like(tensor, math.inf)


def _infinite_where(condition, value):
    condition, value = rustorch.broadcast_tensors(condition, value)
    return rustorch.where(condition, _infinite_like(value), value)


def _x_log_x(tensor):
    return rustorch.xlogy(tensor, tensor)  # 0 at 0


# ---------------------------------------------------------------- same family
@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    if bool((p.total_count < q.total_count).any()):
        raise NotSupportedError("KL between Binomials where q.total_count > p.total_count is "
                                "not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p()
                          - (-q.probs).log1p())
    return _infinite_where(p.total_count > q.total_count, kl)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    p_total = p.concentration.sum(-1)
    q_total = q.concentration.sum(-1)
    log_normalizers = p_total.lgamma() - q_total.lgamma()
    log_gammas = (p.concentration.lgamma() - q.concentration.lgamma()).sum(-1)
    difference = p.concentration - q.concentration
    expected_logs = p.concentration.digamma() - p_total.digamma().unsqueeze(-1)
    return log_normalizers - log_gammas + (difference * expected_logs).sum(-1)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    scale_ratio = p.scale / q.scale
    q_ratio = q.loc / q.scale
    p_ratio = p.loc / q.scale
    first = -scale_ratio.log() - q_ratio + p_ratio
    second = scale_ratio * EULER_CONSTANT
    third = rustorch.exp(q_ratio + (1 + scale_ratio).lgamma() - p_ratio)
    return first + second + third - (1 + EULER_CONSTANT)


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    return -p.entropy() - rustorch.log1p(-q.probs) / p.probs - q.logits


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotSupportedError("KL between TransformedDistributions with different "
                                "transforms or event shapes")
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    return (((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log()
            - (4 * p.scale * q.scale).log())


# ---------------------------------------------------------------- infinite: support mismatch
@register_kl(Poisson, Bernoulli)
@register_kl(Poisson, Binomial)
def _kl_poisson_infinity(p, q):
    return _infinite_like(p.rate)


@register_kl(Exponential, Beta)
@register_kl(Exponential, Uniform)
def _kl_exponential_infinity(p, q):
    return _infinite_like(p.rate)


@register_kl(Gamma, Beta)
@register_kl(Gamma, Uniform)
def _kl_gamma_infinity(p, q):
    return _infinite_like(p.concentration)


@register_kl(Gumbel, Beta)
@register_kl(Gumbel, Exponential)
@register_kl(Gumbel, Gamma)
@register_kl(Gumbel, Uniform)
def _kl_gumbel_infinity(p, q):
    return _infinite_like(p.loc)


@register_kl(Laplace, Beta)
@register_kl(Laplace, Exponential)
@register_kl(Laplace, Gamma)
@register_kl(Laplace, Uniform)
def _kl_laplace_infinity(p, q):
    return _infinite_like(p.loc)


@register_kl(Normal, Beta)
@register_kl(Normal, Exponential)
@register_kl(Normal, Gamma)
@register_kl(Normal, Uniform)
def _kl_normal_infinity(p, q):
    return _infinite_like(p.loc)


# ---------------------------------------------------------------- finite mixed pairs
@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p, q):
    mean = p.concentration1 / (p.concentration1 + p.concentration0)
    return -p.entropy() - q.rate.log() + q.rate * mean


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    total = p.concentration1 + p.concentration0
    log_normalizer = q.concentration.lgamma() - q.concentration * q.rate.log()
    expected_log = (q.concentration - 1) * (p.concentration1.digamma() - total.digamma())
    return -p.entropy() + log_normalizer - expected_log + q.rate * p.concentration1 / total


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    total = p.concentration1 + p.concentration0
    mean = p.concentration1 / total
    variance_normal = q.scale.pow(2)
    log_normalizer = 0.5 * (variance_normal * 2 * math.pi).log()
    second_moment = (mean * (1 - mean) / (total + 1) + mean.pow(2)) * 0.5
    return (-p.entropy() + log_normalizer
            + (second_moment - q.loc * mean + q.loc.pow(2) * 0.5) / variance_normal)


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    return _infinite_where((q.low > 0.0) | (q.high < 1.0), result)


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    ratio = q.rate / p.rate
    return (-q.concentration * rustorch.log(ratio) + ratio + q.concentration.lgamma()
            + q.concentration * EULER_CONSTANT - (1 + EULER_CONSTANT))


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    product = p.rate * q.scale
    loc_ratio = q.loc / q.scale
    return (product.log() - 1 - loc_ratio
            + rustorch.exp(loc_ratio) * product / (product + 1) + product.reciprocal())


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p, q):
    variance_normal = q.scale.pow(2)
    rate_squared = p.rate.pow(2)
    log_term = 0.5 * rustorch.log(rate_squared * variance_normal * 2 * math.pi)
    moments = rate_squared.reciprocal() - q.loc / p.rate + q.loc.pow(2) * 0.5
    return log_term - 1 + moments / variance_normal


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.concentration / p.rate


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    product = p.rate * q.scale
    loc_ratio = q.loc / q.scale
    first = ((p.concentration - 1) * p.concentration.digamma() - p.concentration.lgamma()
             - p.concentration)
    second = product.log() + p.concentration / product
    third = (rustorch.exp(loc_ratio) * (1 + product.reciprocal()).pow(-p.concentration)
             - loc_ratio)
    return first + second + third


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    variance_normal = q.scale.pow(2)
    rate_squared = p.rate.pow(2)
    first = (0.5 * rustorch.log(rate_squared * variance_normal * 2 * math.pi)
             - p.concentration - p.concentration.lgamma())
    moments = (0.5 * (p.concentration.pow(2) + p.concentration) / rate_squared
               - q.loc * p.concentration / p.rate + 0.5 * q.loc.pow(2))
    return (first + (p.concentration - 1) * p.concentration.digamma()
            + moments / variance_normal)


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    ratio = p.scale / q.scale
    log_term = (ratio / math.sqrt(2 * math.pi)).log()
    spread = (math.pi * ratio * 0.5).pow(2) / 3
    shift = ((p.loc + p.scale * EULER_CONSTANT - q.loc) / q.scale).pow(2) * 0.5
    return -log_term + spread + shift - (EULER_CONSTANT + 1)


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p, q):
    variance_normal = q.scale.pow(2)
    ratio = p.scale.pow(2) / variance_normal
    log_term = 0.5 * rustorch.log(2 * ratio / math.pi)
    moments = 0.5 * p.loc.pow(2) - p.loc * q.loc + 0.5 * q.loc.pow(2)
    return -log_term + ratio + moments / variance_normal - 1


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    mean_ratio = p.loc / q.scale
    variance_ratio = (p.scale / q.scale).pow(2)
    loc_ratio = q.loc / q.scale
    return (-variance_ratio.log() * 0.5 + mean_ratio - loc_ratio
            + rustorch.exp(-mean_ratio + 0.5 * variance_ratio + loc_ratio)
            - (0.5 * (1 + math.log(2 * math.pi))))


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    difference = p.loc - q.loc
    scale_ratio = p.scale / q.scale
    standardized = difference / p.scale
    gaussian = math.sqrt(2 / math.pi) * p.scale * rustorch.exp(-0.5 * standardized.pow(2))
    absolute = difference * rustorch.erf(math.sqrt(0.5) * standardized)
    return (-rustorch.log(scale_ratio) + (gaussian + absolute) / q.scale
            - (0.5 * (1 + math.log(0.5 * math.pi))))


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    width = p.high - p.low
    log_width = rustorch.log(width)
    first = ((q.concentration1 - 1) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width)
    second = ((q.concentration0 - 1)
              * (_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + width) / width)
    log_beta = (q.concentration1.lgamma() + q.concentration0.lgamma()
                - (q.concentration1 + q.concentration0).lgamma())
    result = second + log_beta - log_width - first
    return _infinite_where((p.high > 1.0) | (p.low < 0.0), result)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return _infinite_where(p.low < 0.0, result)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    width = p.high - p.low
    log_normalizer = q.concentration.lgamma() - q.concentration * q.rate.log()
    expected_log = ((1 - q.concentration) * (_x_log_x(p.high) - _x_log_x(p.low) - width)
                    / width)
    result = -width.log() + log_normalizer + expected_log + q.rate * (p.high + p.low) / 2
    return _infinite_where(p.low < 0.0, result)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    ratio = q.scale / (p.high - p.low)
    high_standardized = (p.high - q.loc) / q.scale
    low_standardized = (p.low - q.loc) / q.scale
    first = ratio.log() + 0.5 * (high_standardized + low_standardized)
    second = ratio * (rustorch.exp(-high_standardized) - rustorch.exp(-low_standardized))
    return first - second


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    width = p.high - p.low
    log_term = (math.sqrt(math.pi * 2) * q.scale / width).log()
    moments = width.pow(2) / 12 + ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return log_term + 0.5 * moments / q.scale.pow(2)
