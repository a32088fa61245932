"""``torch.distributions``: probability distributions with PyTorch's parameterisations,
``log_prob``/``entropy``/``rsample`` and KL divergences."""
from __future__ import annotations

from . import constraints
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical
from .distribution import Distribution
from .gamma_family import Beta, Gamma, Poisson
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate import MultivariateNormal
from .one_hot_categorical import OneHotCategorical

__all__ = ["constraints", "Distribution", "Normal", "Uniform", "Laplace", "Exponential",
           "Bernoulli", "Categorical", "Independent", "kl_divergence", "register_kl",
           "OneHotCategorical", "Gamma", "Beta", "Poisson",
           "MultivariateNormal"]
