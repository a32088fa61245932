"""Statistics built from reductions: dist, cov, corrcoef, trapezoid, cumulative_trapezoid."""
from __future__ import annotations

import warnings

from ..autograd.function import reports_as
from ..errors import ShapeError
from ..tensor import Tensor, tensor_method, wrap_dim
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["dist", "cov", "corrcoef", "trapezoid", "trapz", "cumulative_trapezoid"]


@tensor_method
@reports_as("DistBackward0")
def dist(input, other, p: float = 2) -> Tensor:
    """The p-norm of ``input - other``."""
    if autocast_state.active:
        return autocast_call(dist, "dist", **locals())
    from .reduce_more import vector_norm_impl
    return vector_norm_impl(input - other, p, op="dist")


@tensor_method
def cov(input, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """Covariance of the rows (variables) of ``input`` over its columns (observations),
    optionally with integer frequency weights and float observation weights."""
    if input.ndim > 2:
        raise ShapeError(f"cov(): expected input to have two or fewer dimensions but got an "
                         f"input with {input.ndim} dimensions")
    observations = input.reshape(1, -1) if input.ndim < 2 else input
    if not (observations.dtype.is_floating_point or observations.dtype.is_complex):
        from .. import dtypes as _dtypes
        observations = observations.to(_dtypes.get_default_dtype())
    weights = None
    if fweights is not None:
        weights = fweights.to(observations.dtype)
    if aweights is not None:
        weights = aweights if weights is None else weights * aweights
    if weights is None:
        average = observations.mean(1)
        total = float(observations.shape[1])
        factor = total - correction
    else:
        total = weights.sum()
        average = (observations * weights).sum(1) / total
        factor = total - correction * ((weights * aweights).sum() / total) \
            if aweights is not None and correction else total - correction
    if not isinstance(factor, Tensor) and factor <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0", UserWarning, stacklevel=2)
        factor = 0.0
    centered = observations - average.unsqueeze(1)
    weighted = centered if weights is None else centered * weights
    conjugated = weighted.conj() if weighted.dtype.is_complex else weighted
    result = centered.matmul(conjugated.t()) / factor
    return result.squeeze()


@tensor_method
def corrcoef(input) -> Tensor:
    """Pearson correlation coefficients of the rows of ``input``, clipped to [-1, 1]."""
    covariance = cov(input)
    if covariance.ndim == 0:
        return covariance / covariance
    from ..linalg._helpers import diagonal_last
    deviation = diagonal_last(covariance).sqrt()
    result = covariance / deviation.unsqueeze(1) / deviation.unsqueeze(0)
    return result if result.dtype.is_complex else result.clamp(-1, 1)


def _differences(tensor: Tensor, dim: int) -> Tensor:
    length = tensor.shape[dim]
    return tensor.narrow(dim, 1, length - 1) - tensor.narrow(dim, 0, length - 1)


def _trapezoid_pieces(y, x, dx, dim):
    dim = wrap_dim(dim, y.ndim)
    length = y.shape[dim]
    if length == 0:
        return y.narrow(dim, 0, 0), dim
    sums = y.narrow(dim, 1, length - 1) + y.narrow(dim, 0, length - 1)
    if x is None:
        return sums * ((1.0 if dx is None else dx) / 2), dim
    if isinstance(x, Tensor):
        if x.ndim == 1:
            shape = [1] * y.ndim
            shape[dim] = x.shape[0]
            x = x.reshape(shape)
        return _differences(x, dim if x.ndim == y.ndim else -1) * sums / 2, dim
    return sums * (x / 2), dim


def trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim`` (sample points ``x`` or uniform spacing ``dx``)."""
    pieces, dim = _trapezoid_pieces(y, x, dx, dim)
    return pieces.sum(dim)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Running trapezoidal integral along ``dim``."""
    pieces, dim = _trapezoid_pieces(y, x, dx, dim)
    return pieces.cumsum(dim)
