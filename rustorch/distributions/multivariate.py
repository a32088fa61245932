"""The multivariate normal distribution, parameterised by a covariance matrix, a precision
matrix or the lower Cholesky factor of the covariance."""
from __future__ import annotations

import math

import rustorch
from rustorch.errors import ArgumentError

from . import constraints
from .distribution import Distribution
from .kl import register_kl
from .utils import draw, lazy_property

__all__ = ["MultivariateNormal"]


def _mahalanobis_squared(scale_tril, difference):
    """``difference^T (L L^T)^-1 difference`` over broadcast batches."""
    batch = rustorch.broadcast_shapes(tuple(scale_tril.shape[:-2]),
                                      tuple(difference.shape[:-1]))
    size = scale_tril.shape[-1]
    scale_tril = scale_tril.expand(tuple(batch) + (size, size))
    difference = difference.expand(tuple(batch) + (size,))
    whitened = rustorch.linalg.solve_triangular(scale_tril, difference.unsqueeze(-1),
                                                upper=False)
    return whitened.squeeze(-1).pow(2).sum(-1)


def _half_log_determinant(scale_tril):
    return rustorch.log(scale_tril.diagonal(dim1=-2, dim2=-1)).sum(-1)


class MultivariateNormal(Distribution):
    """A Gaussian over vectors with mean ``loc`` and exactly one of ``covariance_matrix``,
    ``precision_matrix`` or ``scale_tril``."""

    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        if loc.dim() < 1:
            raise ArgumentError("loc must be at least one-dimensional.")
        given = [(name, matrix) for name, matrix in (("covariance_matrix", covariance_matrix),
                                                     ("precision_matrix", precision_matrix),
                                                     ("scale_tril", scale_tril))
                 if matrix is not None]
        if len(given) != 1:
            raise ArgumentError("Exactly one of covariance_matrix or precision_matrix or "
                                "scale_tril may be specified.")
        name, matrix = given[0]
        if matrix.dim() < 2:
            raise ArgumentError(f"{name} matrix must be at least two-dimensional, "
                                "with optional leading batch dimensions")
        size = loc.shape[-1]
        batch_shape = rustorch.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        self.__dict__[name] = matrix.expand(tuple(batch_shape) + (-1, -1))
        self.loc = loc.expand(tuple(batch_shape) + (-1,))
        if tuple(matrix.shape[-2:]) != (size, size):
            raise ArgumentError(f"{name} must have shape {(size, size)} in its last two "
                                f"dimensions, got {tuple(matrix.shape[-2:])}")
        super().__init__(batch_shape, (size,), validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = rustorch.linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = rustorch.linalg.cholesky(
                rustorch.linalg.inv(matrix))

    def _full(self, matrix):
        return matrix.expand(tuple(self._batch_shape) + tuple(matrix.shape[-2:]))

    @lazy_property
    def scale_tril(self):
        return self._full(self._unbroadcasted_scale_tril)

    @lazy_property
    def covariance_matrix(self):
        factor = self._unbroadcasted_scale_tril
        return self._full(factor @ factor.mT)

    @lazy_property
    def precision_matrix(self):
        return rustorch.linalg.inv(self.covariance_matrix)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        diagonal = self._unbroadcasted_scale_tril.pow(2).sum(-1)
        return diagonal.expand(tuple(self._batch_shape) + tuple(self._event_shape))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        noise = draw(rustorch.randn, shape, self.loc)
        return self.loc + (self._unbroadcasted_scale_tril @ noise.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        size = self._event_shape[0]
        distance = _mahalanobis_squared(self._unbroadcasted_scale_tril, value - self.loc)
        return (-0.5 * (size * math.log(2 * math.pi) + distance)
                - _half_log_determinant(self._unbroadcasted_scale_tril))

    def entropy(self):
        size = self._event_shape[0]
        half_log_det = _half_log_determinant(self._unbroadcasted_scale_tril)
        result = 0.5 * size * (1.0 + math.log(2 * math.pi)) + half_log_det
        return result.expand(tuple(self._batch_shape))


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariate_normal(p, q):
    if p.event_shape != q.event_shape:
        raise ArgumentError("KL-divergence between two Multivariate Normals with different "
                            "event shapes cannot be computed")
    p_factor, q_factor = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    batch = rustorch.broadcast_shapes(tuple(p_factor.shape[:-2]), tuple(q_factor.shape[:-2]))
    size = p.event_shape[0]
    p_full = p_factor.expand(tuple(batch) + (size, size))
    q_full = q_factor.expand(tuple(batch) + (size, size))
    trace_term = rustorch.linalg.solve_triangular(q_full, p_full, upper=False).pow(2)
    trace_term = trace_term.sum(-1).sum(-1)
    mean_term = _mahalanobis_squared(q_factor, q.loc - p.loc)
    return (_half_log_determinant(q_factor) - _half_log_determinant(p_factor)
            + 0.5 * (trace_term + mean_term - size))
