"""Sorting and selection: sort, argsort, msort, topk, kthvalue, quantile, searchsorted,
bucketize, unique, unique_consecutive.

Indices are computed on raw arrays; values are then picked with ``gather`` so gradients flow
back to the selected elements (as PyTorch's ``value_selecting_reduction_backward`` does).
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd.function import reports_as
from ..errors import ArgumentError, DTypeError, NotSupportedError, ShapeError
from ..errors import ArgumentValueError as InvalidArgumentError
from ..return_types import namedtuple_result
from ..tensor import Tensor, tensor_method, wrap_dim
from ._results import accepts_out
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "quantile", "nanquantile",
           "searchsorted", "bucketize", "unique", "unique_consecutive"]


def _sort_indices(xp, data, axis: int, descending: bool):
    """Stable sorting permutation along ``axis``; NaN sorts as the largest value."""
    if data.dtype == np.bool_:
        data = data.astype(np.uint8)
    if not descending:
        return xp.argsort(data, axis=axis, kind="stable")
    # descending and stable: sort the reversed array ascending, then reverse the permutation
    length = data.shape[axis]
    reversed_data = xp.flip(data, axis=axis)
    order = xp.argsort(reversed_data, axis=axis, kind="stable")
    return length - 1 - xp.flip(order, axis=axis)


@tensor_method
@accepts_out(exact_dtype=True)
@reports_as("SortBackward0")
def sort(input, dim: int = -1, descending: bool = False, stable: bool = False, *, out=None):
    """Sorted values along ``dim`` and the permutation (stable; NaN counts as largest)."""
    if isinstance(dim, bool):  # sort(x, stable=..., dim=..., descending=...) positional form
        raise ArgumentError("sort(): dim must be an int")
    xp = input._xp()
    if input.ndim == 0:
        return namedtuple_result("sort", input.clone(), Tensor._make(xp.zeros((), np.int64)))
    axis = wrap_dim(dim, input.ndim)
    order = Tensor._make(_sort_indices(xp, input._data, axis, descending).astype(np.int64))
    return namedtuple_result("sort", input.gather(axis, order), order)


@tensor_method
def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The permutation that sorts ``input`` along ``dim``."""
    return sort(input, dim, descending, stable).indices


@tensor_method
@accepts_out(exact_dtype=True)
def msort(input, *, out=None) -> Tensor:
    """``sort(input, dim=0).values``."""
    return sort(input, 0).values


@tensor_method
@accepts_out(exact_dtype=True)
@reports_as("TopkBackward0")
def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,  # noqa: A002
         out=None):
    """The ``k`` largest (or smallest) elements along ``dim`` with their indices."""
    xp = input._xp()
    axis = wrap_dim(dim, input.ndim) if input.ndim else 0
    length = input.shape[axis] if input.ndim else 1
    if not 0 <= k <= length:
        raise InvalidArgumentError(f"topk(): selected index k out of range (k={k}, size {length})")
    if input.ndim == 0:
        return namedtuple_result("topk", input.clone(), Tensor._make(xp.zeros((), np.int64)))
    order = _sort_indices(xp, input._data, axis, descending=largest)
    index = Tensor._make(xp.take(order, xp.arange(k), axis=axis).astype(np.int64))
    return namedtuple_result("topk", input.gather(axis, index), index)


@tensor_method
@accepts_out(exact_dtype=True)
@reports_as("KthvalueBackward0")
def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index."""
    xp = input._xp()
    axis = wrap_dim(dim, input.ndim) if input.ndim else 0
    length = input.shape[axis] if input.ndim else 1
    if not 1 <= k <= length:
        raise InvalidArgumentError(f"kthvalue(): selected number k out of range for dimension "
                               f"{axis} (k={k}, size {length})")
    if input.ndim == 0:
        return namedtuple_result("kthvalue", input.clone(),
                                 Tensor._make(xp.zeros((), np.int64)))
    order = _sort_indices(xp, input._data, axis, descending=False)
    index = Tensor._make(xp.take(order, xp.arange(k - 1, k), axis=axis).astype(np.int64))
    values = input.gather(axis, index)
    if not keepdim:
        values, index = values.squeeze(axis), index.squeeze(axis)
    return namedtuple_result("kthvalue", values, index)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan: bool):
    name = "nanquantile" if ignore_nan else "quantile"
    if interpolation not in _INTERPOLATIONS:
        raise InvalidArgumentError(f"{name}() interpolation must be one of "
                                   f"{', '.join(_INTERPOLATIONS)}. Got '{interpolation}'")
    if not input.dtype.is_floating_point:
        raise DTypeError(f"{name}() input tensor must be either float or double dtype")
    xp = input._xp()
    scalar_q = isinstance(q, numbers.Number)
    q_array = xp.asarray(q._data if isinstance(q, Tensor) else q, dtype=input._data.dtype)
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise ShapeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise DTypeError(f"{name}() q tensor must be same dtype as the input tensor")
        scalar_q = q.ndim == 0
    if q_array.size and (bool((q_array < 0).any()) or bool((q_array > 1).any())):
        raise InvalidArgumentError(f"{name}() q values must be in the range [0, 1]")
    if input.numel() == 0:
        raise ShapeError(f"{name}() input tensor must be non-empty")
    q_flat = q_array.reshape(-1)
    original_ndim = input.ndim
    if dim is None:
        work, axis = input.reshape(-1), 0
    else:
        axis = wrap_dim(dim, max(input.ndim, 1))
        work = input if input.ndim else input.reshape(1)
    ordered = sort(work, axis).values.movedim(axis, -1)  # NaN sorts last
    data = ordered._data
    length = data.shape[-1]
    nan_count = xp.isnan(data).sum(axis=-1, keepdims=True)
    valid = length - nan_count if ignore_nan else xp.full_like(nan_count, length)
    position = q_flat * (valid - 1).astype(data.dtype)  # (..., len(q))
    # a NaN in the slice (quantile) picks the last sorted element, a NaN; an all-NaN slice
    # (nanquantile) picks the first: the result is NaN and its gradient goes there, as in
    # PyTorch
    position = xp.maximum(position, 0)
    if not ignore_nan:
        position = xp.where(nan_count > 0, float(length - 1), position)
    lower = xp.floor(position).astype(np.int64)
    upper = xp.ceil(position).astype(np.int64)
    if interpolation == "lower":
        upper = lower
    elif interpolation == "higher":
        lower = upper
    elif interpolation == "nearest":
        lower = upper = xp.round(position).astype(np.int64)  # half to even, as PyTorch
    low = ordered.gather(-1, Tensor._make(lower))
    high = ordered.gather(-1, Tensor._make(upper))
    if interpolation == "linear":
        weight = Tensor._make((position - lower).astype(data.dtype))
        result = low + weight * (high - low)
    elif interpolation == "midpoint":
        result = low + 0.5 * (high - low)
    else:
        result = low
    # result: (...reduced batch..., len(q)); move q first, restore the reduced dim if asked
    result = result.movedim(-1, 0)
    if keepdim:
        if dim is None:
            result = result.reshape((result.shape[0],) + (1,) * original_ndim)
        elif original_ndim:
            result = result.unsqueeze(axis + 1)
    if scalar_q:
        result = result.squeeze(0)
    return result


@tensor_method
@accepts_out(exact_dtype=True)
def quantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
             out=None):
    """The ``q``-th quantiles along ``dim`` (NaN if a slice holds NaN)."""
    if autocast_state.active:
        return autocast_call(quantile, "quantile", **locals())
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


@tensor_method
@accepts_out(exact_dtype=True)
def nanquantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
                out=None):
    """``quantile`` ignoring NaN values."""
    if autocast_state.active:
        return autocast_call(nanquantile, "nanquantile", **locals())
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


@accepts_out(exact_dtype=True)
def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False,
                 side=None, sorter=None, out=None) -> Tensor:
    """Indices where ``input`` would be inserted into the sorted last dim of
    ``sorted_sequence`` to keep it sorted."""
    if side is not None:
        if side not in ("left", "right"):
            raise InvalidArgumentError(f"torch.searchsorted(): side can only be 'left' or "
                                       f"'right' but got {side}")
        if right and side == "left":
            raise InvalidArgumentError("torch.searchsorted(): side and right can't be set to "
                                       "opposites, got side of left while right was True")
        right = side == "right"
    xp = sorted_sequence._xp()
    sequence = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    values = xp.asarray(input._data if not scalar else input)
    if sorter is not None:
        sequence = xp.take_along_axis(sequence, sorter._data, axis=-1)
    if sequence.ndim == 1:
        result = xp.searchsorted(sequence, values, side="right" if right else "left")
    else:
        if sequence.shape[:-1] != values.shape[:-1]:
            raise ShapeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or "
                             f"the first N-1 dimensions of boundaries tensor and input value "
                             f"tensor must match, but we got boundaries tensor "
                             f"{list(sequence.shape)} and input value tensor "
                             f"{list(values.shape)}")
        # batched: count the boundaries below each value (vectorized over rows)
        compare = xp.less_equal if right else xp.less
        result = compare(sequence[..., None, :], values[..., :, None]).sum(axis=-1)
    dtype = np.int32 if out_int32 else np.int64
    return Tensor._make(xp.asarray(result, dtype=dtype))


@accepts_out(exact_dtype=True)
def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False,
              out=None) -> Tensor:
    """Index of the bucket of each value of ``input`` in the 1-D ``boundaries``."""
    if boundaries.ndim != 1:
        raise ShapeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim("
                         f"{boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


tensor_method(lambda input, boundaries, **kwargs: bucketize(input, boundaries, **kwargs),
              name="bucketize")


@tensor_method
def unique(input, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim=None):
    """Unique elements (always sorted, as PyTorch on CPU), with inverse indices / counts."""
    xp = input._xp()
    data = input._data
    if dim is None:
        values, inverse, counts = xp.unique(data.reshape(-1), return_inverse=True,
                                            return_counts=True)
        inverse = inverse.reshape(data.shape)
    else:
        axis = wrap_dim(dim, input.ndim)
        if data.shape[axis] == 0 and data.size == 0 and data.ndim > 1:
            raise NotSupportedError("unique(dim=...) of an empty tensor is not supported")
        values, inverse, counts = xp.unique(data, return_inverse=True, return_counts=True,
                                            axis=axis)
        inverse = inverse.reshape(-1)
    result = [Tensor._make(values)]
    if return_inverse:
        result.append(Tensor._make(inverse.astype(np.int64)))
    if return_counts:
        result.append(Tensor._make(counts.astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


@tensor_method
def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False,
                       dim=None):
    """Collapse runs of equal consecutive elements (or slices along ``dim``)."""
    xp = input._xp()
    data = input._data
    if dim is None:
        work, axis = data.reshape(-1), 0
    else:
        axis = wrap_dim(dim, input.ndim)
        work = xp.moveaxis(data, axis, 0).reshape(data.shape[axis], -1)
    length = work.shape[0]
    changed = xp.ones(length, bool)
    if length > 1:
        difference = work[1:] != work[:-1]
        changed[1:] = difference if difference.ndim == 1 else difference.any(axis=1)
    starts = xp.nonzero(changed)[0]
    values = xp.take(data.reshape(-1) if dim is None else data, starts, axis=axis)
    result = [Tensor._make(values)]
    if return_inverse:
        inverse = xp.cumsum(changed) - 1
        if dim is None:
            inverse = inverse.reshape(data.shape)
        result.append(Tensor._make(inverse.astype(np.int64)))
    if return_counts:
        counts = xp.diff(xp.append(starts, length))
        result.append(Tensor._make(counts.astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)
