"""Scans along one dim: cumsum, cumprod, cummax/cummin, logcumsumexp, and diff."""
from __future__ import annotations

import numpy as np

from .. import _parallel
from .. import dtypes as _dtypes
from ..autograd.function import Primitive, reports_as
from ..errors import ArgumentError, ShapeError
from ..return_types import namedtuple_result
from ..tensor import Tensor, tensor_method, wrap_dim
from ._results import accepts_out
from .reduce import _out, out_dtype
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff"]


def _where(condition, a, b):
    from .elementwise import where
    return where(condition, a, b)


def accumulate(xp, ufunc_name: str, data, axis: int):
    """``xp.<ufunc>.accumulate(data, axis)`` for an associative ufunc. NumPy has it natively;
    elsewhere (CuPy lacks most ``ufunc.accumulate``) a vectorized log-step (Hillis-Steele)
    scan: after the step with shift s, each element combines the 2s elements ending at it."""
    function = getattr(xp, ufunc_name)
    if xp is np or xp is _parallel.numpy:  # the threaded numpy hands accumulate to numpy
        return function.accumulate(data, axis=axis)
    result = xp.moveaxis(data, axis, -1).copy()
    length = result.shape[-1]
    shift = 1
    while shift < length:
        result[..., shift:] = function(result[..., shift:], result[..., :-shift].copy())
        shift *= 2
    return xp.moveaxis(result, -1, axis)


def flip_dim(tensor: Tensor, dim: int) -> Tensor:
    """``tensor`` reversed along ``dim`` (differentiable, through advanced indexing)."""
    xp = tensor._xp()
    reverse = Tensor._make(xp.arange(tensor.shape[dim] - 1, -1, -1, dtype=np.int64))
    return tensor[(slice(None),) * dim + (reverse,)]


def reverse_cumsum(tensor: Tensor, dim: int) -> Tensor:
    """``out[i] = sum_{j >= i} x[j]`` along ``dim``."""
    return tensor.sum(dim=dim, keepdim=True) - CumSum.apply(tensor, dim=dim) + tensor


def _scan_dtype(input: Tensor, dtype):
    if dtype is not None:
        return input.to(_dtypes.to_dtype(dtype))
    if input._data.dtype.kind in "biu":
        return input.to(_dtypes.int64)
    return input


class CumSum(Primitive):
    def forward(self, xp, a, dim=0):
        self.dim = dim
        return xp.cumsum(a, axis=dim) if a.ndim else a.copy()

    def backward(self, grad):
        if grad.ndim == 0:
            return grad
        return reverse_cumsum(grad, self.dim)


class CumProd(Primitive):
    saves = (0,)
    saves_output = True

    def forward(self, xp, a, dim=0):
        self.dim = dim
        return xp.cumprod(a, axis=dim) if a.ndim else a.copy()

    def backward(self, grad):
        (x,) = self.saved
        if x.ndim == 0:
            return grad
        dim = self.dim
        is_zero = x == 0
        if not bool(is_zero._data.any()):
            return reverse_cumsum(grad * self.output, dim) / x
        # With zeros, ``output / x`` breaks down; use grad_i = sum_{j >= i} g_j *
        # prod_{k <= j, k != i} x_k, built from an (n, n) table per slice (only on this path).
        moved = x.movedim(dim, -1)
        g = grad.movedim(dim, -1)
        length = moved.shape[-1]
        xp = x._xp()
        eye = Tensor._make(xp.eye(length, dtype=bool))
        rows = moved.unsqueeze(-2).expand(*moved.shape[:-1], length, length)
        table = CumProd.apply(_where(eye, x.new_ones(()), rows), dim=moved.ndim)
        upper = Tensor._make(xp.triu(xp.ones((length, length), dtype=x._data.dtype)))
        result = (table * upper * g.unsqueeze(-2)).sum(-1)
        return result.movedim(-1, dim)


@tensor_method
def cumsum(input, dim: int, *, dtype=None, out=None):
    """Cumulative sum along ``dim``; integers accumulate as int64."""
    if autocast_state.active:
        return autocast_call(cumsum, "cumsum", **locals())
    input = _scan_dtype(input, out_dtype(dtype, out))
    return _out(CumSum.apply(input, dim=wrap_dim(dim, input.ndim)), out, "cumsum")


@tensor_method
def cumprod(input, dim: int, *, dtype=None, out=None):
    """Cumulative product along ``dim``; the gradient is exact with zeros in the input."""
    if autocast_state.active:
        return autocast_call(cumprod, "cumprod", **locals())
    input = _scan_dtype(input, out_dtype(dtype, out))
    return _out(CumProd.apply(input, dim=wrap_dim(dim, input.ndim)), out, "cumprod")


def _cumulative_extreme(input, dim, take_max: bool):
    name = "cummax" if take_max else "cummin"
    xp = input._xp()
    if input.ndim == 0:
        return namedtuple_result(name, input.clone(), Tensor._make(xp.zeros((), np.int64)))
    axis = wrap_dim(dim, input.ndim)
    data = input._data
    if data.size == 0:
        return namedtuple_result(name, input.clone(),
                                 Tensor._make(xp.zeros(data.shape, np.int64)))
    ufunc_name = "maximum" if take_max else "minimum"
    running = accumulate(xp, ufunc_name, data, axis)
    shape = [1] * data.ndim
    shape[axis] = data.shape[axis]
    positions = xp.arange(data.shape[axis]).reshape(shape)
    # the latest position holding the running extreme (NaN, once seen, stays the extreme)
    hit = data == running
    if data.dtype.kind == "f":
        hit = hit | xp.isnan(data)
        seen_nan = accumulate(xp, "logical_or", xp.isnan(data), axis)
        hit = hit & ~(seen_nan & ~xp.isnan(data))
    index = accumulate(xp, "maximum", xp.where(hit, positions, 0), axis)
    index_tensor = Tensor._make(index.astype(np.int64))
    return namedtuple_result(name, input.gather(axis, index_tensor), index_tensor)


@tensor_method
@accepts_out(exact_dtype=True)
@reports_as("CummaxBackward0")
def cummax(input, dim: int, *, out=None):
    """Running maximum along ``dim`` and the index where it was reached."""
    return _cumulative_extreme(input, dim, True)


@tensor_method
@accepts_out(exact_dtype=True)
@reports_as("CumminBackward0")
def cummin(input, dim: int, *, out=None):
    """Running minimum along ``dim`` and the index where it was reached."""
    return _cumulative_extreme(input, dim, False)


class LogCumSumExp(Primitive):
    saves = (0,)
    saves_output = True

    def forward(self, xp, a, dim=0):
        self.dim = dim
        if a.ndim == 0:
            return a.copy()
        return accumulate(xp, "logaddexp", a, dim)

    def backward(self, grad):
        (x,) = self.saved
        if x.ndim == 0:
            return grad
        dim = self.dim
        output = self.output
        # grad_i = sum_{j >= i} g_j exp(x_i - out_j), done in log space for stability by
        # splitting g into its positive and negative parts
        minus_inf = x.new_full((), -np.inf)
        positive = _where(grad > 0, grad, x.new_ones(())).log()
        negative = _where(grad < 0, -grad, x.new_ones(())).log()
        log_positive = _where(grad > 0, positive - output, minus_inf)
        log_negative = _where(grad < 0, negative - output, minus_inf)

        def reverse_lcse(tensor):
            return flip_dim(LogCumSumExp.apply(flip_dim(tensor, dim), dim=dim), dim)

        return (reverse_lcse(log_positive) + x).exp() - (reverse_lcse(log_negative) + x).exp()


@tensor_method
@reports_as("LogcumsumexpBackward0")
def logcumsumexp(input, dim: int, *, out=None):
    """``log(cumsum(exp(x)))`` along ``dim``, computed stably."""
    if not input.dtype.is_floating_point:
        input = input.to(_dtypes.get_default_dtype())
    return _out(LogCumSumExp.apply(input, dim=wrap_dim(dim, input.ndim)), out, "logcumsumexp")


@tensor_method
@accepts_out
def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None, *, out=None):
    """The n-th forward difference ``x[i + 1] - x[i]`` along ``dim``."""
    from .movement import cat
    if input.ndim == 0:
        raise ShapeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise ArgumentError(f"order must be non-negative but got {n}")
    dim = wrap_dim(dim, input.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    if len(parts) > 1:
        parts = [_expand_for_diff(t, input, dim) for t in parts]
        input = cat(parts, dim=dim)
    for _ in range(n):
        length = input.shape[dim]
        if length == 0:
            break
        later = input.narrow(dim, 1, length - 1)
        earlier = input.narrow(dim, 0, length - 1)
        input = later ^ earlier if input.dtype is _dtypes.bool else later - earlier
    return input


def _expand_for_diff(tensor, input, dim):
    if not isinstance(tensor, Tensor):
        from ._helpers import to_tensor
        tensor = to_tensor(tensor, like=input, dtype=input.dtype)
    if tensor.ndim == 0:
        shape = list(input.shape)
        shape[dim] = 1
        return tensor.expand(*shape)
    return tensor
