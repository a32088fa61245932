"""Variance and standard deviation (``var``, ``std``, ``var_mean``, ``std_mean``).

Real float32/float64 inputs take one primitive whose CPU forward works in blocks along a kept
axis (several threads for large inputs), so the centred copy of the input never exists whole;
other dtypes and corner cases compose the formula from differentiable ops.
"""
from __future__ import annotations

import builtins
import warnings

import numpy as np

from .. import _parallel
from ..autograd.function import Primitive, reports_as
from ..errors import ArgumentError
from ..tensor import tensor_method
from ._helpers import dims_tuple
from .reduce import _out, expand_reduced
from .reduce_more import _float_input, _reduced_count
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["var", "std", "var_mean", "std_mean"]

_BLOCK_ELEMENTS = 1 << 18  # the centred temporary of one block: 1 MiB of float32


class Var(Primitive):
    """``sum((x - mean)^2) / divisor`` over ``dims`` (all when None)."""

    saves = (0,)

    def forward(self, xp, a, dims=None, keepdim=False, divisor=1.0):
        self.dims, self.keepdim, self.divisor = dims, keepdim, divisor
        axes = tuple(range(a.ndim)) if dims is None else dims
        if xp is np or xp is _parallel.numpy:
            total = _sum_of_squares(a, axes)
        else:
            centered = a - a.mean(axis=axes, keepdims=True)
            total = (centered * centered).sum(axis=axes, keepdims=True)
        total /= divisor
        return total if keepdim else total.reshape(
            [length for axis, length in enumerate(a.shape) if axis not in axes])

    def backward(self, grad):
        (x,) = self.saved
        centered = x - x.mean(dim=self.dims, keepdim=True)
        return expand_reduced(grad, x.shape, self.dims, self.keepdim) * centered * (
            2.0 / self.divisor)


def _squared_deviations(block, center, axes: tuple, result) -> None:
    """``result = sum((block - center)^2)`` over ``axes`` (keepdims)."""
    centered = block - center
    np.multiply(centered, centered, out=centered)
    np.sum(centered, axis=axes, keepdims=True, out=result)


def _sum_of_squares(a: np.ndarray, axes: tuple) -> np.ndarray:
    """``sum((a - mean)^2)`` over ``axes``, keepdims, in bounded blocks."""
    if len(axes) < a.ndim:  # each block holds whole reduced extents: its own mean is exact
        return _parallel.reduce_kept(
            a, axes, lambda block, result: _squared_deviations(
                block, block.mean(axis=axes, keepdims=True), axes, result),
            [a.dtype], block_elements=_BLOCK_ELEMENTS)[0]
    # every axis reduced: the global mean first, then partial sums over rows of 1024 elements
    flat = a.reshape(-1)
    mean = flat.mean()
    body = flat[:flat.size - flat.size % 1024].reshape(-1, 1024)
    partial = _parallel.reduce_kept(
        body, (1,), lambda block, result: _squared_deviations(block, mean, (1,), result),
        [a.dtype], block_elements=_BLOCK_ELEMENTS)[0]
    tail = flat[body.size:] - mean
    total = partial.sum(dtype=a.dtype) + np.dot(tail, tail)
    return np.full((1,) * a.ndim, total, a.dtype)


def _correction(correction, unbiased) -> float:
    if correction is not None and unbiased is not None:
        raise ArgumentError("var/std: give either 'correction' or 'unbiased', not both")
    if correction is not None:
        return float(correction)
    return 1.0 if unbiased is None or unbiased else 0.0


def _var_args(dim, unbiased, correction):
    # var(x, True) and var(x, False) are the legacy ``unbiased`` positional form
    if isinstance(dim, bool):
        return None, dim
    return dim, unbiased


@tensor_method
def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None):
    """Variance ``sum((x - mean)^2) / max(0, N - correction)`` over ``dim``."""
    if autocast_state.active:
        return autocast_call(var, None, **locals())
    dim, unbiased = _var_args(dim, unbiased, correction)
    input = _float_input(input, "var")
    dims = dims_tuple(dim, input.ndim)
    count = _reduced_count(input.shape, dims)
    divisor = builtins.max(0.0, count - _correction(correction, unbiased))
    if divisor and input._data.dtype in (np.float32, np.float64) and input.numel():
        return _out(Var.apply(input, dims=dims, keepdim=keepdim, divisor=divisor), out)
    centered = input - input.mean(dim=dims, keepdim=True)
    squared = (centered * centered.conj()).real if input.dtype.is_complex else \
        centered * centered
    total = squared.sum(dim=dims, keepdim=keepdim)
    if divisor:
        return _out(total / divisor, out)
    warnings.warn("var(): degrees of freedom is <= 0. Correction should be strictly less than "
                  "the reduction factor (input numel divided by output numel).", UserWarning,
                  stacklevel=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(total / 0.0, out)


@tensor_method
@reports_as("StdBackward0")
def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None):
    """Standard deviation: ``sqrt(var)``."""
    if autocast_state.active:
        return autocast_call(std, None, **locals())
    return _out(var(input, dim, unbiased, keepdim, correction=correction).sqrt(), out)


@reports_as("VarMeanBackward0")
def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """(var, mean) over ``dim``."""
    if autocast_state.active:
        return autocast_call(var_mean, None, **locals())
    dim, unbiased = _var_args(dim, unbiased, correction)
    result = var(input, dim, unbiased, keepdim, correction=correction)
    return result, _float_input(input, "var_mean").mean(dim=dim, keepdim=keepdim)


@reports_as("StdMeanBackward0")
def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """(std, mean) over ``dim``."""
    if autocast_state.active:
        return autocast_call(std_mean, None, **locals())
    variance, average = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return variance.sqrt(), average
