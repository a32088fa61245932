"""More indexing ops: ``index_select``/``index_add``/``index_copy``/``index_fill``, masked ops,
``take``, ``put``, ``nonzero``; ``scatter_reduce`` and the ``*_scatter`` family are in
``scatter_reduce.py`` (re-exported here).

The ``index_*`` ops address whole slices along ``dim`` through an advanced-indexing key
``(slice(None),) * dim + (index,)``, so numpy's ``add.at`` and assignment do the work.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from .._backend import check_same_device
from ..autograd.function import Primitive, reports_as
from ..errors import (ArgumentError, ArgumentTypeError, DTypeError, IndexRangeError, ShapeError,
                      TensorIndexError)
from ..tensor import Tensor, tensor_method, wrap_dim
from .elementwise import where
from .indexing import dim_key as _dim_key
from .movement import broadcast_shapes, reshape
from .shape_more import diagonal_scatter
from .slice_sums import add_slices, ufunc_at
from ..amp._dispatch import autocast_call, autocast_state
from ._results import accepts_out

__all__ = ["put", "index_select", "index_add", "index_copy", "index_fill", "masked_fill",
           "masked_select", "masked_scatter", "take", "nonzero", "argwhere", "scatter_reduce",
           "select_scatter", "slice_scatter", "diagonal_scatter"]


def _index_argument(index: Tensor, op: str, size: int, negative: bool = False,
                    error=IndexRangeError) -> Tensor:
    """A flat index vector for ``op``; like PyTorch, negative entries are allowed only where
    ``negative`` and out-of-range ones raise ``error`` (RuntimeError or IndexError by op)."""
    if not isinstance(index, Tensor):
        raise ArgumentTypeError(f"{op}(): index must be a Tensor, got {type(index).__name__}")
    if index.dtype not in (_dtypes.int64, _dtypes.int32):
        raise DTypeError(f"{op}(): Expected dtype int32/int64 for index, got {index.dtype}")
    if index.ndim > 1:
        raise TensorIndexError(f"{op}(): Index is supposed to be a vector, but got dim: "
                               f"{index.ndim} with size: {list(index.shape)}")
    data = index._data.reshape(-1)
    if data.size:
        low, high = int(data.min()), int(data.max())
        if high >= size or low < (-size if negative else 0):
            bad = high if high >= size else low
            raise error(f"{op}(): index {bad} is out of bounds for dimension with size {size}")
    return Tensor._make(data)


def _scalar_view(input: Tensor) -> Tensor:
    """0-d tensors index like 1-element vectors in the ``index_*`` ops."""
    return reshape(input, (1,)) if input.ndim == 0 else input


# ----------------------------------------------------------------- index_* family
class IndexSelect(Primitive):
    def forward(self, xp, a, index, dim=0):
        self.dim, self.index, self.input_shape = dim, index, a.shape
        return xp.take(a, index, axis=dim)

    def backward(self, grad):
        zeros = grad.new_zeros(self.input_shape)
        return IndexAddOp.apply(zeros, Tensor._make(self.index), grad, dim=self.dim), None


class IndexAddOp(Primitive):
    """``a`` with ``alpha * source`` slices added at ``index`` along ``dim`` (repeats add up)."""

    def forward(self, xp, a, index, source, dim=0, alpha=1):
        self.dim, self.index, self.alpha = dim, index, alpha
        result = a.copy()
        values = source if alpha == 1 else source * alpha
        add_slices(xp, result, dim, index, values.astype(a.dtype, copy=False))
        return result

    def backward(self, grad):
        grad_source = None
        if self.needs_input_grad(2):
            grad_source = IndexSelect.apply(grad, Tensor._make(self.index), dim=self.dim)
            if self.alpha != 1:
                grad_source = grad_source * self.alpha
        return grad, None, grad_source


class IndexFillOp(Primitive):
    """``a`` with the slices at ``index`` along ``dim`` set to ``value`` (a number or 0-d)."""

    def forward(self, xp, a, index, value, dim=0):
        self.dim, self.index = dim, index
        result = a.copy()
        result[_dim_key(dim, index)] = value
        return result

    def backward(self, grad):
        index = Tensor._make(self.index)
        grad_input = IndexFillOp.apply(grad, index, 0, dim=self.dim) \
            if self.needs_input_grad(0) else None
        grad_value = self.value_gradient(grad, index) if self.needs_input_grad(2) else None
        return grad_input, None, grad_value

    def value_gradient(self, grad, index):
        # one value lands in every selected slice (repeated indices count once)
        unique = Tensor._make(grad._xp().unique(self.index))
        return IndexSelect.apply(grad, unique, dim=self.dim).sum()


class IndexCopyOp(IndexFillOp):
    """``a`` with the slices at ``index`` along ``dim`` replaced by those of ``source``."""

    def value_gradient(self, grad, index):
        return IndexSelect.apply(grad, index, dim=self.dim)


def _check_source(input, source, dim, index, op):
    expected = list(_scalar_view(input).shape)
    expected[dim] = index.shape[0]
    source_shape = list(source.shape) if source.ndim else [1]
    if source_shape != expected:
        raise ShapeError(f"{op}(): source/destination slices must have the same shape: source "
                         f"shape {list(source.shape)}, expected {expected} (index of length "
                         f"{index.shape[0]} along dim {dim} of self {list(input.shape)})")
    if source.dtype is not input.dtype:
        raise DTypeError(f"{op}(): self ({input.dtype}) and source ({source.dtype}) must have "
                         f"the same scalar type")


@tensor_method
@accepts_out(exact_dtype=True)
def index_select(input, dim: int, index: Tensor, *, out=None):
    """Slices of ``input`` along ``dim`` at the positions in 1-D ``index``."""
    dim = wrap_dim(dim, input.ndim)
    if isinstance(index, Tensor):
        check_same_device("index_select", input, index=index)
    vector = _scalar_view(input)
    index = _index_argument(index, "index_select", vector.shape[dim])
    result = IndexSelect.apply(vector, index, dim=dim)
    return reshape(result, ()) if input.ndim == 0 else result


def _index_update(op, input, dim, index, source, error=IndexRangeError):
    dim = wrap_dim(dim, input.ndim)
    vector = _scalar_view(input)
    index = _index_argument(index, op.__name__, vector.shape[dim], error=error)
    _check_source(input, source, dim, index, op.__name__)
    source = reshape(source, tuple(vector.shape[:dim]) + (index.shape[0],)
                     + tuple(vector.shape[dim + 1:]))
    return dim, vector, index, source


def _restore(result, input):
    return reshape(result, ()) if input.ndim == 0 else result


@tensor_method
@accepts_out(exact_dtype=True)
def index_add(input, dim: int, index: Tensor, source: Tensor, *, alpha=1, out=None):
    """``input`` with ``alpha * source`` added at ``index`` along ``dim``."""
    dim, vector, index, source = _index_update(index_add, input, dim, index, source)
    return _restore(IndexAddOp.apply(vector, index, source, dim=dim, alpha=alpha), input)


@tensor_method
@accepts_out(exact_dtype=True)
def index_copy(input, dim: int, index: Tensor, source: Tensor, *, out=None):
    """``input`` with the slices at ``index`` along ``dim`` replaced by ``source``."""
    if autocast_state.active:
        return autocast_call(index_copy, "index_copy", **locals())
    dim, vector, index, source = _index_update(index_copy, input, dim, index, source,
                                               error=TensorIndexError)
    return _restore(IndexCopyOp.apply(vector, index, source, dim=dim), input)


@tensor_method
def index_fill(input, dim: int, index: Tensor, value):
    """``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    dim = wrap_dim(dim, input.ndim)
    vector = _scalar_view(input)
    index = _index_argument(index, "index_fill", vector.shape[dim], negative=True,
                            error=TensorIndexError)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ShapeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                             f"tensor with {value.ndim} dimension(s).")
        value = value.to(input.dtype)
    return _restore(IndexFillOp.apply(vector, index, value, dim=dim), input)


@tensor_method
def index_add_(input, dim: int, index: Tensor, source: Tensor, *, alpha=1):
    return input._inplace(lambda target: index_add(target, dim, index, source, alpha=alpha),
                          source)


@tensor_method
def index_copy_(input, dim: int, index: Tensor, source: Tensor):
    return input._inplace(lambda target: index_copy(target, dim, index, source), source)


@tensor_method
def index_fill_(input, dim: int, index: Tensor, value):
    return input._inplace(lambda target: index_fill(target, dim, index, value), value)


# ----------------------------------------------------------------- masked ops
def _check_mask(mask, op):
    if not isinstance(mask, Tensor):
        raise ArgumentError(f"{op}: mask must be a Tensor, got {type(mask).__name__}")
    if mask.dtype is not _dtypes.bool:
        if mask.dtype is _dtypes.uint8:
            return mask.to(_dtypes.bool)
        raise DTypeError(f"{op}: expected BoolTensor for mask, got {mask.dtype}")
    return mask


@tensor_method
@reports_as("MaskedFillBackward0")
def masked_fill(input, mask: Tensor, value):
    """``input`` with ``value`` where ``mask`` is True (mask broadcasts)."""
    mask = _check_mask(mask, "masked_fill")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ShapeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                             f"tensor with {value.ndim} dimension(s).")
        value = value.to(input.dtype)
    else:  # PyTorch casts the scalar to input's dtype (2.5 fills an int tensor with 2)
        value = Tensor._make(input._xp().asarray(value).astype(input._data.dtype))
    return where(mask, value, input)


def _masked_inplace(input: Tensor, mask: Tensor, other, function, op: str) -> Tensor:
    """``input = function(input, mask, other)`` in place; the mask must fit ``input``'s shape."""
    mask = _check_mask(mask, op)
    if tuple(broadcast_shapes(input.shape, mask.shape)) != tuple(input.shape):
        raise ShapeError(f"{op}: mask of shape {list(mask.shape)} is not broadcastable to self "
                         f"of shape {list(input.shape)}")
    return input._inplace(lambda target: function(target, mask, other), other)


@tensor_method
def masked_fill_(input, mask: Tensor, value):
    return _masked_inplace(input, mask, value, masked_fill, "masked_fill_")


@tensor_method
@accepts_out(exact_dtype=True)
@reports_as("MaskedSelectBackward0")
def masked_select(input, mask: Tensor, *, out=None):
    """The 1-D tensor of ``input``'s elements where ``mask`` is True (both broadcast)."""
    mask = _check_mask(mask, "masked_select")
    shape = tuple(broadcast_shapes(input.shape, mask.shape))
    return input.expand(shape)[mask.expand(shape)]


class MaskedScatterOp(Primitive):
    def forward(self, xp, a, mask, source):
        self.mask, self.source_shape = mask, source.shape
        count = int(mask.sum())
        if count > source.size:
            raise ShapeError(f"masked_scatter: expected source to have at least {count} "
                             f"elements (the number of True mask values), got {source.size}")
        result = a.copy()
        result[mask] = source.reshape(-1)[:count]
        return result

    def backward(self, grad):
        mask = Tensor._make(self.mask)
        grad_input = grad.masked_fill(mask, 0) if self.needs_input_grad(0) else None
        grad_source = None
        if self.needs_input_grad(2):
            selected = grad[mask]
            size = int(np.prod(self.source_shape))
            padding = selected.new_zeros((size - selected.shape[0],))
            from .movement import cat
            grad_source = reshape(cat([selected, padding]), self.source_shape)
        return grad_input, None, grad_source


@tensor_method
def masked_scatter(input, mask: Tensor, source: Tensor):
    """``input`` with ``mask``'s True positions filled, in order, from ``source``'s elements."""
    mask = _check_mask(mask, "masked_scatter")
    if source.dtype is not input.dtype:
        raise DTypeError(f"masked_scatter: expected self and source to have same dtypes but got "
                         f"{input.dtype} and {source.dtype}")
    shape = tuple(broadcast_shapes(input.shape, mask.shape))
    if shape != tuple(input.shape):
        input = input.expand(shape)
    return MaskedScatterOp.apply(input, mask.expand(shape), source)


@tensor_method
def masked_scatter_(input, mask: Tensor, source: Tensor):
    return _masked_inplace(input, mask, source, masked_scatter, "masked_scatter_")


# ----------------------------------------------------------------- take, nonzero
@tensor_method
@accepts_out(exact_dtype=True)
def take(input, index: Tensor, *, out=None):
    """Elements of the flattened ``input`` at ``index`` (result has ``index``'s shape)."""
    if index.dtype is not _dtypes.int64:
        raise DTypeError(f"take(): Expected a long tensor for index, but got {index.dtype}")
    check_same_device("take", input, index=index)
    size = input.numel()
    data = index._data
    if data.size and (int(data.min()) < -size or int(data.max()) >= size):
        bad = int(data.max()) if int(data.max()) >= size else int(data.min())
        raise TensorIndexError(f"out of range: tried to access index {bad} on a tensor of "
                               f"{size} elements.")
    return reshape(input, (-1,))[index]


class PutOp(Primitive):
    """``a`` with ``source`` written (or added) at flat positions ``index``."""

    def forward(self, xp, a, index, source, accumulate=False):
        self.index, self.accumulate, self.shape = index, accumulate, a.shape
        result = a.copy()
        flat = result.reshape(-1)
        values = source.reshape(-1) if hasattr(source, "reshape") else source
        if accumulate:
            ufunc_at(xp, "add", flat, index.reshape(-1), values)
        else:
            flat[index.reshape(-1)] = values
        return result

    def backward(self, grad):
        index = Tensor._make(self.index)
        grad_input = grad_source = None
        if self.needs_input_grad(0):
            grad_input = grad if self.accumulate else PutOp.apply(grad, index, 0)
        if self.needs_input_grad(2):
            grad_source = take(grad, index)
        return grad_input, None, grad_source


@tensor_method
def put(input, index: Tensor, source: Tensor, accumulate: bool = False):
    """``input`` with ``source`` at the flat positions ``index`` (added when ``accumulate``)."""
    if index.dtype is not _dtypes.int64:
        raise DTypeError(f"put_(): Expected a long tensor for index, but got {index.dtype}")
    if index.numel() != source.numel():
        raise TensorIndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, index.numel() = "
                         f"{index.numel()}")
    if source.dtype is not input.dtype:
        raise DTypeError(f"put_(): self and source expected to have the same dtype, but got "
                         f"self.dtype = {input.dtype} and source.dtype = {source.dtype}")
    size = input.numel()
    data = index._data
    if data.size and (int(data.min()) < -size or int(data.max()) >= size):
        bad = int(data.max()) if int(data.max()) >= size else int(data.min())
        raise TensorIndexError(f"out of range: tried to access index {bad} on a tensor of "
                               f"{size} elements.")
    return PutOp.apply(input, index, source, accumulate=accumulate)


@tensor_method
def put_(input, index: Tensor, source: Tensor, accumulate: bool = False):
    return input._inplace(lambda target: put(target, index, source, accumulate), source)


@tensor_method
@accepts_out(exact_dtype=True)
def nonzero(input, *, out=None, as_tuple: bool = False):
    """Indices of the non-zero elements: an (N, ndim) int64 tensor, or one 1-D tensor per dim."""
    xp = input._xp()
    data = input._data
    if as_tuple:
        if data.ndim == 0:
            data = data.reshape(1)
        return tuple(Tensor._make(index.astype(np.int64, copy=False))
                     for index in xp.nonzero(data))
    return Tensor._make(xp.argwhere(data).astype(np.int64, copy=False))


@tensor_method
def argwhere(input):
    return nonzero(input)


from .scatter_reduce import (scatter_reduce, select_scatter,  # noqa: E402,F401
                             slice_scatter)
