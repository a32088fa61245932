"""Core reductions: sum, mean, amax/amin, max/min with indices. More in ``reduce_more.py``."""
from __future__ import annotations

import numpy as np

from .. import _parallel
from .. import dtypes as _dtypes
from ..autograd.function import Primitive, named_as, reports_as
from ..errors import ArgumentError, ShapeError, TensorIndexError
from ..tensor import Tensor, tensor_method
from ._helpers import dims_tuple, float_result_dtype
from ..amp._dispatch import autocast_call, autocast_state
from ._results import write_out

__all__ = ["sum", "mean", "amax", "amin", "max", "min", "expand_reduced"]


def expand_reduced(grad: Tensor, input_shape, dims, keepdim: bool) -> Tensor:
    """Bring a reduced gradient back to ``input_shape`` (unsqueeze the dims, then expand)."""
    if dims is None:
        dims = tuple(range(len(input_shape)))
    if not keepdim and dims:
        shape = list(input_shape)
        for dim in dims:
            shape[dim] = 1
        grad = grad.reshape(shape)
    return grad.expand(input_shape)


class Sum(Primitive):
    def forward(self, xp, a, dims=None, keepdim=False, dtype=None):
        self.input_shape, self.dims, self.keepdim = a.shape, dims, keepdim
        return xp.sum(a, axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(self, grad):
        return expand_reduced(grad, self.input_shape, self.dims, self.keepdim)

    def backward_arrays(self, grad):
        return (_expand_reduced_array(grad, self.input_shape, self.dims, self.keepdim),)


def _expand_reduced_array(grad, input_shape, dims, keepdim: bool):
    """``expand_reduced`` on arrays: a read-only broadcast view, as ``expand`` gives."""
    if not keepdim and grad.ndim != len(input_shape):
        shape = list(input_shape)
        for dim in (range(len(input_shape)) if dims is None else dims):
            shape[dim] = 1
        grad = grad.reshape(shape)
    return _parallel.module_for(grad).broadcast_to(grad, input_shape)


class Mean(Primitive):
    def forward(self, xp, a, dims=None, keepdim=False, dtype=None):
        self.input_shape, self.dims, self.keepdim = a.shape, dims, keepdim
        axes = range(a.ndim) if dims is None else dims
        self.count = int(np.prod([a.shape[d] for d in axes])) if a.ndim else 1
        return xp.mean(a, axis=dims, keepdims=keepdim, dtype=dtype)  # of nothing: nan

    def backward(self, grad):
        return expand_reduced(grad, self.input_shape, self.dims, self.keepdim) / self.count


def _integer_sum_dtype(tensor: Tensor):
    kind = tensor._data.dtype.kind
    return np.int64 if kind in "biu" else None


@tensor_method
def sum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):  # noqa: A001
    """Sum over ``dim`` (all dims when None); integers and bools sum as int64, as in PyTorch."""
    if autocast_state.active:
        return autocast_call(sum, "sum", **locals())
    dtype = out_dtype(dtype, out)
    dims = dims_tuple(dim, input.ndim)
    numpy_dtype = _dtypes.to_dtype(dtype).numpy if dtype is not None else \
        _integer_sum_dtype(input)
    if numpy_dtype is not None and input.dtype.is_floating_point:
        input = input.to(_dtypes.from_numpy_dtype(numpy_dtype))
        if numpy_dtype != np.bool_:  # a bool sum stays bool (any element set)
            numpy_dtype = None
    result = Sum.apply(input, dims=dims, keepdim=keepdim, dtype=numpy_dtype)
    if dim is not None:  # PyTorch's sum.dim_IntList overload
        named_as(result, "SumBackward1", input)
    return _out(result, out, "sum")


@tensor_method
def mean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    """Arithmetic mean over ``dim``; integer inputs need an explicit floating ``dtype``."""
    if dtype is not None:
        input = input.to(_dtypes.to_dtype(dtype))
    elif float_result_dtype(input) is not None:
        raise ArgumentError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype.name.capitalize()}")
    dims = dims_tuple(dim, input.ndim)
    result = Mean.apply(input, dims=dims, keepdim=keepdim)
    if dim is not None:  # PyTorch's mean.dim overload
        named_as(result, "MeanBackward1", input)
    return _out(result, out)


class Amax(Primitive):
    saves = (0,)
    saves_output = True

    def forward(self, xp, a, dims=None, keepdim=False, take_max=True):
        # only a reduction over an empty dim has no value (other empty dims are fine)
        name = "amax" if take_max else "amin"
        if a.size == 0 and dims is None:
            raise ShapeError(f"{name}(): Expected reduction dim to be specified for "
                             f"input.numel() == 0. Specify the reduction dim with the 'dim' "
                             f"argument.")
        empty = [d for d in dims or () if a.shape[d] == 0]
        if empty:
            raise TensorIndexError(f"{name}(): Expected reduction dim {empty[0]} to have "
                                   f"non-zero size.")
        self.dims, self.keepdim = dims, keepdim
        function = xp.max if take_max else xp.min
        return function(a, axis=dims, keepdims=keepdim)

    def backward(self, grad):
        (x,) = self.saved
        output = expand_reduced(self.output, x.shape, self.dims, self.keepdim)
        mask = (x == output).to(grad.dtype)
        count = mask.sum(dim=self.dims, keepdim=True) if self.dims is not None else mask.sum()
        expanded = expand_reduced(grad, x.shape, self.dims, self.keepdim)
        return expanded * mask / count


@tensor_method
def amax(input, dim=(), keepdim: bool = False, *, out=None):
    dims = dims_tuple(dim, input.ndim) if dim != () else None
    return _out(Amax.apply(input, dims=dims, keepdim=keepdim, take_max=True), out, "amax")


@tensor_method
@reports_as("AminBackward0")
def amin(input, dim=(), keepdim: bool = False, *, out=None):
    dims = dims_tuple(dim, input.ndim) if dim != () else None
    return _out(Amax.apply(input, dims=dims, keepdim=keepdim, take_max=False), out, "amin")


class MaxWithIndices(Primitive):
    multi_output = True
    differentiable_outputs = (0,)

    def forward(self, xp, a, dim=0, keepdim=False, take_max=True):
        if a.shape and a.shape[dim] == 0:
            raise TensorIndexErrorLazy(dim)
        values, indices = extreme_and_index(xp, a, dim, take_max)
        self.dim, self.keepdim, self.input_shape = dim, keepdim, a.shape
        self.indices = indices
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return values, indices

    def backward(self, grad, _grad_indices=None):
        if not self.keepdim:
            grad = grad.unsqueeze(self.dim)
        index = Tensor._make(self.indices.astype(np.int64, copy=False))
        zeros = grad.new_zeros(self.input_shape)
        return zeros.scatter(self.dim, index, grad)


def extreme_and_index(xp, a, axis: int, take_max: bool):
    """(max or min, int64 index of its first occurrence) along ``axis``, both keepdims.

    NaN counts as the extreme (the first NaN wins), as in PyTorch. On the CPU the work runs in
    blocks along a kept axis, on several threads for large arrays: along a contiguous axis
    numpy's arg-reduction is used directly; along another axis (where numpy's would copy the
    whole array to make it contiguous) the extreme comes first and the index is the first
    position equal to it.
    """
    if a.dtype == np.bool_:
        a = a.view(np.uint8)
        values, indices = extreme_and_index(xp, a, axis, take_max)
        return values.view(np.bool_), indices
    if xp is not np and xp is not _parallel.numpy:  # cupy: reductions are fast on any axis
        indices = (xp.argmax if take_max else xp.argmin)(a, axis=axis, keepdims=True)
        return xp.take_along_axis(a, indices, axis=axis), indices.astype(np.int64, copy=False)
    arg, extreme = (np.argmax, np.max) if take_max else (np.argmin, np.min)
    innermost = a.strides[axis] == a.itemsize or a.shape[axis] == 1 or a.ndim == 1

    def compute(block, values, indices):
        if innermost:
            np.copyto(indices, arg(block, axis=axis, keepdims=True))
            np.copyto(values, np.take_along_axis(block, indices, axis=axis))
            return
        extreme(block, axis=axis, keepdims=True, out=values)
        matches = block == values
        if values.dtype.kind in "fc" and np.isnan(values).any():
            matches |= np.isnan(block)
        np.copyto(indices, np.argmax(matches, axis=axis, keepdims=True))

    return _parallel.reduce_kept(a, (axis,), compute, [a.dtype, np.int64],
                                 block_elements=_BLOCK_ELEMENTS)


_BLOCK_ELEMENTS = 1 << 18  # bounds the comparison mask (and numpy's copies) per block


def TensorIndexErrorLazy(dim):  # noqa: N802 - builds the error PyTorch raises here
    from ..errors import TensorIndexError
    return TensorIndexError(f"max(): Expected reduction dim {dim} to have non-zero size.")


def _max_or_min(input, dim, keepdim, other, take_max: bool, out=None):
    from .elementwise import maximum, minimum
    from ..return_types import namedtuple_result
    if isinstance(dim, Tensor) and other is None:
        other, dim = dim, None
    if other is not None:
        return (maximum if take_max else minimum)(input, other)
    if dim is None:
        if input.numel() == 0:
            raise ShapeError(f"{'max' if take_max else 'min'}(): Expected reduction dim to be "
                                f"specified for input.numel() == 0. Specify the reduction dim "
                                f"with the 'dim' argument.")
        return Amax.apply(input, dims=None, keepdim=False, take_max=take_max)
    if input.ndim == 0:
        values, indices = input.clone(), Tensor._make(np.zeros((), np.int64))
    else:
        values, indices = MaxWithIndices.apply(input, dim=input._wrap_dim(dim),
                                               keepdim=keepdim, take_max=take_max)
    return namedtuple_result("max" if take_max else "min", values, indices)


def _extreme_out(result, out, name):
    """(values, indices) want out tensors of their exact dtypes; the whole-tensor and the
    elementwise forms take any dtype the result casts to."""
    return write_out(result, out, name if isinstance(result, tuple) else None)


@tensor_method
def max(input, dim=None, keepdim: bool = False, *, other=None, out=None):  # noqa: A001
    """Largest value; with ``dim``, a (values, indices) pair; with a tensor, ``maximum``."""
    result = _max_or_min(input, dim, keepdim, other, True)
    if dim is None and other is None:  # PyTorch's whole-tensor max overload
        named_as(result, "MaxBackward1", input)
    return _extreme_out(result, out, "max")


@tensor_method
def min(input, dim=None, keepdim: bool = False, *, other=None, out=None):  # noqa: A001
    result = _max_or_min(input, dim, keepdim, other, False)
    if dim is None and other is None:  # PyTorch's whole-tensor min overload
        named_as(result, "MinBackward1", input)
    return _extreme_out(result, out, "min")


def _out(result: Tensor, out, exact_dtype: str | None = None):
    if out is None:
        return result
    from .elementwise import _maybe_out
    return _maybe_out(result, out, exact_dtype)


def out_dtype(dtype, out):
    """``dtype`` for a reduction: with none given, ``out``'s (PyTorch computes sum, prod and
    the cumulative ones in the out tensor's dtype)."""
    return out.dtype if dtype is None and isinstance(out, Tensor) else dtype

