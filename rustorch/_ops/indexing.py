"""Indexing primitives: ``__getitem__``/``__setitem__``, gather and scatter."""
from __future__ import annotations

import warnings

import numpy as np

from ..errors import (ArgumentError, DeviceError, DTypeError, NotSupportedError, ShapeError,
                      TensorIndexError)
from .. import _backend
from .. import dtypes as _dtypes
from ..autograd.function import Primitive, named_as
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, tensor_method, wrap_dim
from .slice_sums import add_slices, single_axis_index, ufunc_at
from ..amp._dispatch import autocast_call, autocast_state
from ._results import accepts_out

__all__ = ["gather", "scatter", "scatter_add", "index_put", "convert_key", "take_along_dim"]


def _convert_item(item):
    if isinstance(item, Tensor):
        data = item._data
        if data.dtype.kind == "f":
            raise TensorIndexError("tensors used as indices must be long, int, byte or bool "
                                   "tensors")
        if data.dtype == np.uint8:
            warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                          "dtype torch.bool instead.", UserWarning, stacklevel=4)
            data = data.astype(bool)
        return data
    if isinstance(item, (list, tuple)) and any(isinstance(v, Tensor) for v in item):
        parts = [_convert_item(v) for v in item]
        device_part = next((p for p in parts if hasattr(p, "__cuda_array_interface__")), None)
        if device_part is None:
            return np.asarray(parts)
        xp = _backend.array_module(device_part)  # CuPy: no implicit host conversion
        return xp.stack([xp.asarray(p) for p in parts])
    if isinstance(item, np.ndarray) and item.dtype == np.uint8:
        return item.astype(bool)
    return item


def convert_key(key):
    """A key numpy can index with, and whether it selects a view (basic indexing only)."""
    if isinstance(key, tuple):
        converted = tuple(_convert_item(item) for item in key)
    else:
        converted = _convert_item(key)
    items = converted if isinstance(converted, tuple) else (converted,)
    basic = all(item is None or item is Ellipsis or isinstance(item, (int, slice, np.integer))
                and not isinstance(item, bool) for item in items)
    if not basic and not isinstance(key, tuple) and isinstance(key, list):
        converted = np.asarray(converted)
    return converted, basic


def _index_error(error, shape):
    message = str(error)
    if "out of bounds" in message:
        return TensorIndexError(f"index out of range: {message} (tensor of shape {list(shape)})")
    return TensorIndexError(f"invalid index for a tensor of shape {list(shape)}: {message}")


def _axes_taken(item) -> int:
    """How many axes of the indexed array a key item consumes."""
    if item is None or item is Ellipsis:
        return 0
    if getattr(item, "dtype", None) is not None and item.dtype.kind == "b":
        return item.ndim  # a mask covers as many axes as it has
    return 1


def device_key(array, key):
    """``key`` ready to index ``array``. For a CUDA array: index arrays from the CPU moved to
    the device (PyTorch takes CPU index tensors for CUDA tensors), and an IndexError for
    integer positions outside their axis (CuPy wraps them around where numpy raises), with
    one device-to-host check per integer array. A CPU array refuses CUDA index arrays, as
    PyTorch does."""
    if isinstance(array, np.ndarray):
        if _backend._cupy is not None:
            for item in key if isinstance(key, tuple) else (key,):
                if hasattr(item, "__cuda_array_interface__"):
                    raise DeviceError(f"indices should be either on cpu or on the same device "
                                      f"as the indexed tensor (cpu); got indices on "
                                      f"{_backend.device_of(item)}: move them with .cpu()")
        return key
    xp = _backend.array_module(array)
    if isinstance(key, tuple):
        key = tuple(xp.asarray(item) if type(item) is np.ndarray else item for item in key)
    elif type(key) is np.ndarray:
        key = xp.asarray(key)
    _check_positions(array, key)
    return key


def _check_positions(array, key) -> None:
    items = key if isinstance(key, tuple) else (key,)
    axis = 0
    for item in items:
        if item is Ellipsis:
            axis += array.ndim - sum(_axes_taken(other) for other in items)
            continue
        if getattr(item, "dtype", None) is not None and item.dtype.kind in "iu" and \
                item.size and axis < array.ndim:
            size = array.shape[axis]
            low, high = int(item.min()), int(item.max())
            if low < -size or high >= size:
                raise TensorIndexError(f"index out of range: index {high if high >= size else low}"
                                       f" is out of bounds for axis {axis} with size {size} "
                                       f"(tensor of shape {list(array.shape)})")
        axis += _axes_taken(item)


class GetItem(Primitive):
    def forward(self, xp, a, key=None, basic=True):
        if not basic:
            key = device_key(a, key)
        self.key, self.input_shape, self.basic = key, a.shape, basic
        try:
            return a[key]
        except IndexError as error:
            raise _index_error(error, a.shape) from None

    def backward(self, grad):
        return IndexAdd.apply(grad, key=self.key, shape=self.input_shape, basic=self.basic)

    def name(self) -> str:
        """PyTorch's node for the last view its indexing applies, left to right: Select
        (an integer), Slice (a slice that is not the whole dim), Unsqueeze (None); Alias when
        none applies; Index for advanced indexing."""
        if "_torch_name" in self.__dict__:
            return self.__dict__["_torch_name"]
        if not self.basic:
            return "IndexBackward0"
        items = self.key if isinstance(self.key, tuple) else (self.key,)
        consumed = sum(1 for item in items if item is not None and item is not Ellipsis)
        last, dim = "Alias", 0
        for item in items:
            if item is None:
                last = "Unsqueeze"
            elif item is Ellipsis:
                dim += len(self.input_shape) - consumed
            elif isinstance(item, slice):
                size = self.input_shape[dim]
                if item.indices(size) != (0, size, 1):
                    last = "Slice"
                dim += 1
            else:
                last, dim = "Select", dim + 1
        return f"{last}Backward0"


class IndexAdd(Primitive):
    """``zeros(shape)`` with ``grad`` added at ``key``: the adjoint of GetItem."""

    def forward(self, xp, grad, key=None, shape=(), basic=True):
        self.key, self.basic = key, basic
        result = xp.zeros(shape, dtype=grad.dtype)
        if basic:
            result[key] = grad
            return result
        along_axis = single_axis_index(key)
        if along_axis is not None and grad.ndim == len(shape):
            add_slices(xp, result, along_axis[0], along_axis[1], grad)
        else:
            ufunc_at(xp, "add", result, key, grad)
        return result

    def backward(self, grad):
        return GetItem.apply(grad, key=self.key, basic=self.basic)


def _ints_first(key):
    """PyTorch applies integer indices as selects before advanced indexing (numpy treats
    them as advanced, which moves the result dims): (select key, rest), or None."""
    if not isinstance(key, tuple):
        return None
    is_int = [isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))
              for k in key]
    advanced = [not (i or k is None or k is Ellipsis or isinstance(k, slice))
                for i, k in zip(is_int, key)]
    if not any(is_int) or not any(advanced) or any(isinstance(k, bool) for k in key):
        return None
    first, rest = [], []
    for item, integer, fancy in zip(key, is_int, advanced):
        if integer:
            first.append(item)
        elif fancy:
            array = item._data if isinstance(item, Tensor) else np.asarray(item)
            mask = array.dtype == bool or array.dtype == np.uint8
            first.extend([slice(None)] * (array.ndim if mask else 1))
            rest.append(item)
        else:
            first.append(item)
            rest.append(Ellipsis if item is Ellipsis else slice(None))
    return tuple(first), tuple(rest)


_SEQUENCE_KEY_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated, as in PyTorch; "
    "use x[tuple(seq)] instead of x[seq]. PyTorch will later read it as a tensor index, "
    "x[torch.tensor(seq)], which gives an error or a different result")


def sequence_as_tuple(key):
    """PyTorch's (and old NumPy's) rule for a list key: fewer than 32 items, one of them a
    tensor, a sequence, a slice, Ellipsis or None, indexes like the tuple of its items (with a
    deprecation warning); any other list is one index array."""
    if len(key) >= 32:
        return key
    for item in key:
        if item is None or item is Ellipsis or isinstance(
                item, (Tensor, list, tuple, range, str, slice, np.ndarray)):
            warnings.warn(_SEQUENCE_KEY_WARNING, UserWarning, stacklevel=3)
            return tuple(key)
    return key


def _getitem(self, key):
    if type(key) is list:
        key = sequence_as_tuple(key)
    split = _ints_first(key)
    if split is not None:
        return _getitem(_getitem(self, split[0]), split[1])
    converted, basic = convert_key(key)
    if basic:  # a trailing Ellipsis keeps a full integer index a 0-d view, not a scalar copy
        items = converted if isinstance(converted, tuple) else (converted,)
        if not any(item is Ellipsis for item in items):
            converted = items + (Ellipsis,)
    result = GetItem.apply(self, key=converted, basic=basic)
    if isinstance(key, slice):  # PyTorch slices even for a bare ``x[:]``
        named_as(result, "SliceBackward0")
    if basic:
        return self._make_view(result, lambda base: base[key])
    return result


class IndexPut(Primitive):
    def forward(self, xp, a, value, key=None, accumulate=False):
        key = device_key(a, key)
        self.key, self.accumulate = key, accumulate
        result = a.copy()
        if accumulate:
            along_axis = single_axis_index(key)
            if along_axis is not None and getattr(value, "ndim", 0) == result.ndim and \
                    value.shape[along_axis[0]] == along_axis[1].shape[0]:
                add_slices(xp, result, along_axis[0], along_axis[1],
                           value.astype(result.dtype, copy=False))
            else:
                ufunc_at(xp, "add", result, key, value)
        else:
            result[key] = value
        return result

    def backward(self, grad):
        grad_input = grad
        if not self.accumulate and self.needs_input_grad(0):
            grad_input = IndexPut.apply(grad, 0, key=self.key)
        grad_value = GetItem.apply(grad, key=self.key, basic=False) \
            if self.needs_input_grad(1) else None
        return grad_input, grad_value


def _value_for(self: Tensor, value):
    if isinstance(value, Tensor):
        if value._data.dtype != self._data.dtype:
            value = value.to(self.dtype)
        return value
    xp = self._xp()
    if isinstance(value, (list, tuple)):
        return Tensor._make(xp.asarray(value, dtype=self._data.dtype))
    return value


def _setitem(self, key, value):
    if type(key) is list:
        key = sequence_as_tuple(key)
    split = _ints_first(key)
    if split is not None:
        return _setitem(_getitem(self, split[0]), split[1], value)
    converted, _basic = convert_key(key)
    value = _value_for(self, value)
    self._check_inplace()
    recording = grad_state.enabled and (
        self.requires_grad or isinstance(value, Tensor) and value.requires_grad)
    if not recording:
        data = value._data if isinstance(value, Tensor) else value
        converted = device_key(self._data, converted)
        try:
            self._data[converted] = data
        except IndexError as error:
            raise _index_error(error, self.shape) from None
        except ValueError as error:
            raise ShapeError(f"shape mismatch: value tensor of shape {list(np.shape(data))} "
                             f"cannot be broadcast to indexing result: {error}") from None
        self._bump_version()
        return
    self._inplace(lambda target: IndexPut.apply(target, value, key=converted), value)


def index_put(input, indices, values, accumulate: bool = False):
    if autocast_state.active:
        return autocast_call(index_put, "index_put", **locals())
    key = tuple(_convert_item(i) for i in indices)
    return IndexPut.apply(input, _value_for(input, values), key=key, accumulate=accumulate)


Tensor.__getitem__ = _getitem
Tensor.__setitem__ = _setitem
tensor_method(index_put)


@tensor_method
def index_put_(input, indices, values, accumulate: bool = False):
    key = tuple(_convert_item(i) for i in indices)
    value = _value_for(input, values)
    return input._inplace(
        lambda target: IndexPut.apply(target, value, key=key, accumulate=accumulate), value)


# ----------------------------------------------------------------- gather / scatter
def _check_index(index: Tensor, op: str):
    # PyTorch takes int32 indices too, and any integer dtype for an empty index
    if index.dtype is not _dtypes.int64 and index.dtype is not _dtypes.int32 and not (
            index.numel() == 0 and index._data.dtype.kind in "iu"):
        raise DTypeError(f"{op}(): Expected dtype int64 for index, got {index.dtype}")


def dim_key(dim: int, index):
    """The key addressing ``index`` (an int, slice or index array) along ``dim``."""
    return (slice(None),) * dim + (index,)


def _along_axis_key(xp, index, dim):
    """An advanced-indexing key selecting ``index`` along ``dim`` (for np.add.at)."""
    grids = [xp.asarray(grid) for grid in np.indices(index.shape, sparse=True)]  # CuPy: no sparse=
    grids[dim] = index
    return tuple(grids)


class Gather(Primitive):
    def forward(self, xp, a, index, dim=0):
        self.dim, self.input_shape, self.index = dim, a.shape, index
        if index.ndim != a.ndim:
            raise ShapeError(f"gather(): Index tensor must have the same number of dimensions "
                             f"as input tensor (index {index.ndim}-D, input {a.ndim}-D)")
        for axis in range(a.ndim):
            if axis != dim and index.shape[axis] > a.shape[axis]:
                raise ShapeError(f"gather(): Size does not match at dimension {axis} expected "
                                 f"index {list(index.shape)} to be smaller than self "
                                 f"{list(a.shape)} apart from dimension {dim}")
        if index.size and (index.min() < -a.shape[dim] or index.max() >= a.shape[dim]):
            raise TensorIndexError(f"gather(): index {int(index.max())} is out of bounds for "
                                   f"dimension {dim} with size {a.shape[dim]}")
        if index.shape != a.shape:
            a = a[tuple(slice(0, s) if axis != dim else slice(None)
                        for axis, s in enumerate(index.shape))]
        return xp.take_along_axis(a, index, axis=dim)

    def backward(self, grad):
        index = Tensor._make(self.index)
        return ScatterAdd.apply(grad.new_zeros(self.input_shape), index, grad, dim=self.dim), None


class ScatterAdd(Primitive):
    def forward(self, xp, a, index, source, dim=0):
        self.dim, self.index = dim, index
        result = a.copy()
        if index.size:
            if not hasattr(source, "shape") or source.shape != index.shape:
                source = xp.broadcast_to(source, index.shape) if not hasattr(source, "shape") \
                    else source[tuple(slice(0, s) for s in index.shape)]
            ufunc_at(xp, "add", result, _along_axis_key(xp, index, dim), source)
        return result

    def backward(self, grad):
        index = Tensor._make(self.index)
        grad_source = Gather.apply(grad, index, dim=self.dim) \
            if self.needs_input_grad(2) else None
        return grad, None, grad_source


class Scatter(Primitive):
    def forward(self, xp, a, index, source, dim=0, reduce=None):
        self.dim, self.index = dim, index
        result = a.copy()
        if index.size:
            if hasattr(source, "shape") and source.shape != index.shape:
                source = source[tuple(slice(0, s) for s in index.shape)]
            key = _along_axis_key(xp, index, dim)
            if reduce is None:
                result[key] = source
            elif reduce == "add":
                ufunc_at(xp, "add", result, key, source)
            elif reduce == "multiply":
                ufunc_at(xp, "multiply", result, key, source)
            else:
                raise ArgumentError(f"scatter(): reduce argument must be either add or "
                                    f"multiply, got {reduce!r}")
        self.reduce = reduce
        return result

    def backward(self, grad):
        if self.reduce is not None:
            raise NotSupportedError("the derivative of scatter with reduce is not "
                                      "implemented; use scatter_add or scatter_reduce")
        index = Tensor._make(self.index)
        grad_input = Scatter.apply(grad, index, 0.0, dim=self.dim) \
            if self.needs_input_grad(0) else None
        grad_source = Gather.apply(grad, index, dim=self.dim) \
            if self.needs_input_grad(2) else None
        return grad_input, None, grad_source


@tensor_method
@accepts_out(exact_dtype=True)
def gather(input, dim: int, index: Tensor, *, sparse_grad: bool = False, out=None):
    """Pick values along ``dim`` at ``index`` (``out[i][j] = input[index[i][j]][j]`` for dim 0)."""
    _check_index(index, "gather")
    if input.ndim == 0 or index.ndim == 0:  # PyTorch treats 0-d operands as 1-element vectors
        result = gather(_vector(input), dim, _vector(index))
        return result.reshape(()) if index.ndim == 0 else result
    if index.numel() == 0 and index.ndim != input.ndim:  # allowed when there is nothing to pick
        return input.reshape(-1)[:0].reshape(index.shape)
    return Gather.apply(input, index, dim=wrap_dim(dim, input.ndim))


def _vector(value):
    return value.reshape(1) if isinstance(value, Tensor) and value.ndim == 0 else value


def _source(input, src, value):
    source = src if src is not None else value
    if isinstance(source, Tensor):
        if source.dtype is not input.dtype:
            raise DTypeError(f"scatter(): Expected self.dtype to be equal to src.dtype "
                             f"({input.dtype} vs {source.dtype})")
        return source
    return source


@tensor_method
@accepts_out(exact_dtype=True)
def scatter(input, dim: int, index: Tensor, src=None, *, value=None, reduce=None, out=None):
    _check_index(index, "scatter")
    if input.ndim == 0:
        return scatter(input.reshape(1), dim, _vector(index), _vector(src), value=value,
                       reduce=reduce).reshape(())
    return Scatter.apply(input, index, _source(input, src, value),
                         dim=wrap_dim(dim, input.ndim), reduce=reduce)


@tensor_method
def scatter_(input, dim: int, index: Tensor, src=None, *, value=None, reduce=None):
    _check_index(index, "scatter_")
    source = _source(input, src, value)
    return input._inplace(lambda target: Scatter.apply(
        target, index, source, dim=wrap_dim(dim, input.ndim), reduce=reduce), source)


@tensor_method
@accepts_out(exact_dtype=True)
def scatter_add(input, dim: int, index: Tensor, src: Tensor, *, out=None):
    if autocast_state.active:
        return autocast_call(scatter_add, "scatter_add", **locals())
    _check_index(index, "scatter_add")
    if input.ndim == 0:
        return scatter_add(input.reshape(1), dim, _vector(index), _vector(src)).reshape(())
    return ScatterAdd.apply(input, index, _source(input, src, None),
                            dim=wrap_dim(dim, input.ndim))


@tensor_method
def scatter_add_(input, dim: int, index: Tensor, src: Tensor):
    _check_index(index, "scatter_add_")
    source = _source(input, src, None)
    return input._inplace(lambda target: ScatterAdd.apply(
        target, index, source, dim=wrap_dim(dim, input.ndim)), source)


@accepts_out(exact_dtype=True)
def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with ``input`` and ``indices`` broadcast against each other outside ``dim``."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    dim = wrap_dim(dim, input.ndim)
    if indices.ndim != input.ndim:
        raise ShapeError(f"torch.take_along_dim(): input and indices should have the same "
                         f"number of dimensions, but got {input.ndim} dimensions for input, "
                         f"and {indices.ndim} dimensions for indices")
    from .movement import broadcast_shapes
    outer = list(broadcast_shapes(input.shape[:dim] + (1,) + input.shape[dim + 1:],
                                  indices.shape[:dim] + (1,) + indices.shape[dim + 1:]))
    input_shape, index_shape = list(outer), list(outer)
    input_shape[dim], index_shape[dim] = input.shape[dim], indices.shape[dim]
    return gather(input.expand(input_shape), dim, indices.expand(index_shape))
