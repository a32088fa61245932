"""``torch.distributions``: probability distributions with PyTorch's parameterisations,
``log_prob``/``entropy``/``rsample`` and KL divergences."""
from __future__ import annotations

from . import constraints, kl_more, transforms  # noqa: F401 - kl_more registers KL pairs
from .constraint_registry import biject_to, transform_to
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical
from .distribution import Distribution
from .gamma_family import Beta, Gamma, Poisson
from .independent import Independent
from .kl import kl_divergence, register_kl
from .more_discrete import Binomial, Geometric, Multinomial
from .more_families import Cauchy, Chi2, Dirichlet, StudentT
from .multivariate import MultivariateNormal
from .one_hot_categorical import OneHotCategorical
from .transformed_distribution import (Gumbel, HalfNormal, LogisticNormal, LogNormal,
                                       TransformedDistribution)
from .transforms import (AbsTransform, AffineTransform, ComposeTransform, ExpTransform,
                         IndependentTransform, PowerTransform, SigmoidTransform,
                         SoftmaxTransform, SoftplusTransform, StickBreakingTransform,
                         TanhTransform, Transform, identity_transform)

__all__ = ["constraints", "Distribution", "Normal", "Uniform", "Laplace", "Exponential",
           "Bernoulli", "Categorical", "Independent", "kl_divergence", "register_kl",
           "OneHotCategorical", "Gamma", "Beta", "Poisson",
           "MultivariateNormal", "transforms", "biject_to", "transform_to",
           "TransformedDistribution", "LogNormal", "LogisticNormal", "HalfNormal", "Gumbel",
           "Dirichlet", "Chi2", "StudentT", "Cauchy", "Geometric", "Binomial", "Multinomial",
           "Transform", "ComposeTransform", "IndependentTransform", "ExpTransform",
           "PowerTransform", "SigmoidTransform", "SoftplusTransform", "TanhTransform",
           "AbsTransform", "AffineTransform", "SoftmaxTransform", "StickBreakingTransform",
           "identity_transform"]
