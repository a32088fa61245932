"""``scatter_reduce`` (sum, prod, mean, amax, amin into positions along a dim, with or
without the input's own values) and the ``select_scatter``/``slice_scatter`` family."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from ..autograd.function import Primitive
from ..errors import (ArgumentError, DTypeError, IndexRangeError, NotSupportedError,
                      ShapeError, TensorIndexError)
from ..tensor import Tensor, tensor_method, wrap_dim
from .elementwise import where
from .indexing import Gather, ScatterAdd, _along_axis_key, dim_key as _dim_key, take_along_dim
from .shape_more import diagonal_scatter  # noqa: F401 (one of the *_scatter family)
from .slice_sums import ufunc_at
from .strided import ViewScatter

__all__ = ["scatter_reduce", "select_scatter", "slice_scatter"]


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


class ScatterReduceOp(Primitive):
    """``a`` with ``source`` reduced into the positions ``index`` names along ``dim``."""

    saves = (0, 2)
    saves_output = True

    def forward(self, xp, a, index, source, dim=0, reduce="sum", include_self=True):
        self.dim, self.index, self.reduce, self.include_self = dim, index, reduce, include_self
        if source.shape != index.shape:
            source = source[tuple(slice(0, s) for s in index.shape)]
        key = _along_axis_key(xp, index, dim)
        result = a.copy()
        if not include_self:
            identity = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
            if identity is None:
                identity = _extreme(xp, a.dtype, reduce == "amax")
            result[key] = identity
        if reduce in ("sum", "mean"):
            ufunc_at(xp, "add", result, key, source)
        elif reduce == "prod":
            ufunc_at(xp, "multiply", result, key, source)
        elif reduce == "amax":
            ufunc_at(xp, "maximum", result, key, source)
        else:
            ufunc_at(xp, "minimum", result, key, source)
        if reduce == "mean":
            counts = xp.ones(a.shape, dtype=np.int64) if include_self else \
                xp.zeros(a.shape, dtype=np.int64)
            ufunc_at(xp, "add", counts, key, 1)
            counts = xp.maximum(counts, 1)
            self.counts = counts
            if result.dtype.kind in "iub":
                result = xp.floor_divide(result, counts).astype(a.dtype)
            else:
                result = (result / counts).astype(a.dtype)
        return result

    def backward(self, grad):
        input, source = self.saved
        index = Tensor._make(self.index)
        dim = self.dim
        scattered = Tensor._make(_scattered_mask(grad._xp(), self.index, dim, grad.shape))
        grad_input = grad_source = None
        if self.reduce == "sum":
            grad_input = grad if self.include_self else grad.masked_fill(scattered, 0)
            grad_source = Gather.apply(grad, index, dim=dim)
        elif self.reduce == "mean":
            scaled = grad / Tensor._make(self.counts).to(grad.dtype)
            grad_input = scaled if self.include_self else scaled.masked_fill(scattered, 0)
            grad_source = Gather.apply(scaled, index, dim=dim)
        elif self.reduce == "prod":
            grad_input, grad_source = self._prod_backward(grad, input, _trim(source, index),
                                                          index, scattered)
        else:
            output = self.output
            source = _trim(source, index)
            gathered_output = Gather.apply(output, index, dim=dim)
            source_hits = (source == gathered_output).to(grad.dtype)
            # without include_self, input only survives (unchanged) where nothing scattered
            input_hits = (input == output).to(grad.dtype) if self.include_self else \
                scattered.logical_not().to(grad.dtype)
            counts = ScatterAdd.apply(input_hits, index, source_hits, dim=dim)
            share = grad / where(counts == 0, 1.0, counts)
            grad_input = share * input_hits
            grad_source = Gather.apply(share, index, dim=dim) * source_hits
        return grad_input, None, grad_source


    def _prod_backward(self, grad, input, source, index, scattered):
        """d(prod)/d(x_k) is the product of the other factors: the product of the non-zero
        factors when x_k is the only zero (or there is none), else 0; no division by zero."""
        dim, include_self = self.dim, self.include_self
        zero_source = (source == 0).to(grad.dtype)
        nonzero_source = where(source == 0, 1, source)
        if include_self:
            zero_input = (input == 0).to(grad.dtype)
            base = where(input == 0, 1, input)
        else:
            zero_input = input.new_zeros(input.shape).to(grad.dtype)
            base = input.new_ones(input.shape)
        zeros = ScatterAdd.apply(zero_input, index, zero_source, dim=dim)
        nonzero_product = ScatterReduceOp.apply(base, index, nonzero_source, dim=dim,
                                                reduce="prod", include_self=True)
        grad_input = grad.masked_fill(scattered, 0)
        if include_self:
            others = where(zeros - zero_input == 0, nonzero_product / base, 0)
            grad_input = grad * others
        gathered_zeros = Gather.apply(zeros, index, dim=dim)
        others = where(gathered_zeros - zero_source == 0,
                       Gather.apply(nonzero_product, index, dim=dim) / nonzero_source, 0)
        return grad_input, Gather.apply(grad, index, dim=dim) * others


def _trim(source: Tensor, index: Tensor) -> Tensor:
    if tuple(source.shape) == tuple(index.shape):
        return source
    return source[tuple(slice(0, s) for s in index.shape)]


def _scattered_mask(xp, index, dim, shape):
    mask = xp.zeros(shape, dtype=bool)
    mask[_along_axis_key(xp, index, dim)] = True
    return mask


def _extreme(xp, numpy_dtype, lowest: bool):
    if numpy_dtype.kind == "f" or numpy_dtype == _dtypes.bfloat16.numpy:
        return -np.inf if lowest else np.inf
    if numpy_dtype.kind == "b":
        return not lowest
    info = np.iinfo(numpy_dtype)
    return info.min if lowest else info.max


@tensor_method
def scatter_reduce(input, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True):
    """Reduce ``src`` into ``input`` at ``index`` along ``dim`` with sum/prod/mean/amax/amin."""
    if reduce not in _REDUCTIONS:
        raise NotSupportedError(f"scatter_reduce(): reduce argument must be one of "
                                f"{list(_REDUCTIONS)}, got {reduce!r}")
    if index.dtype is not _dtypes.int64:
        raise DTypeError(f"scatter_reduce(): Expected dtype int64 for index, got {index.dtype}")
    if src.dtype is not input.dtype:
        raise DTypeError(f"scatter_reduce(): Expected self.dtype to be equal to src.dtype "
                         f"({input.dtype} vs {src.dtype})")
    dim = wrap_dim(dim, input.ndim)
    if index.ndim != input.ndim and index.numel():
        raise ShapeError("Index tensor must have the same number of dimensions as self tensor")
    if index.numel() and (int(index._data.max()) >= input.shape[dim]
                          or int(index._data.min()) < 0):
        raise IndexRangeError(f"scatter_reduce(): index out of bounds for dimension {dim} with "
                               f"size {input.shape[dim]}")
    return ScatterReduceOp.apply(input, index, src, dim=dim, reduce=reduce,
                                 include_self=include_self)


@tensor_method
def scatter_reduce_(input, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                    include_self: bool = True):
    return input._inplace(lambda target: scatter_reduce(
        target, dim, index, src, reduce, include_self=include_self), src)


# ----------------------------------------------------------------- *_scatter
def _view_scatter(input, src, key, op):
    expected = input.detach()[key].shape
    if tuple(src.shape) != tuple(expected):
        raise ShapeError(f"{op}: expected src to have a size equal to the slice of self. src "
                         f"size = {list(src.shape)}, slice size = {list(expected)}")
    key = key + (Ellipsis,)  # a full integer key must still give a (0-d) view
    return ViewScatter.apply(input, src.to(input.dtype), view=lambda xp, array: array[key])


@tensor_method
def select_scatter(input, src: Tensor, dim: int, index: int):
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if not -size <= index < size:
        raise TensorIndexError(f"select(): index {index} out of range for tensor of size "
                               f"{list(input.shape)} at dimension {dim}")
    return _view_scatter(input, src, _dim_key(dim, int(index)), "select_scatter")


@tensor_method
def slice_scatter(input, src: Tensor, dim: int = 0, start=None, end=None, step: int = 1):
    """A copy of ``input`` with ``input[..., start:end:step, ...]`` (along dim) set to ``src``."""
    dim = wrap_dim(dim, input.ndim)
    if step <= 0:
        raise ArgumentError("slice step must be positive")
    return _view_scatter(input, src, _dim_key(dim, slice(start, end, step)), "slice_scatter")


tensor_method(diagonal_scatter)
tensor_method(take_along_dim)
