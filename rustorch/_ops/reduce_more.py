"""More reductions: prod, argmax/argmin, all/any, logsumexp, norms, nan-reductions, median/mode.
Scans live in ``scan.py``, sorting/selection in ``sort_select.py``, var/std in ``variance.py``
and cov/corrcoef/trapezoid in ``statistics.py``; they are re-exported from here so
``rustorch`` picks them up through this module's ``__all__``.
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import dtypes as _dtypes
from ..autograd.function import Primitive, named_as, reports_as
from ..errors import ArgumentError, DTypeError, NotSupportedError, ShapeError, TensorIndexError
from ..return_types import namedtuple_result
from ..tensor import Tensor, tensor_method, wrap_dim
from ._helpers import dims_tuple
from ._results import accepts_out
from .math_common import not_implemented, type_name
from .reduce import _out, expand_reduced, extreme_and_index, out_dtype
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["prod", "argmax", "argmin", "all", "any",
           "logsumexp", "norm", "count_nonzero", "aminmax", "nansum", "nanmean", "median",
           "nanmedian", "mode", "vector_norm_impl"]


def _reduced_count(shape, dims) -> int:
    axes = range(len(shape)) if dims is None else dims
    return int(np.prod([shape[d] for d in axes])) if shape else 1


def _float_input(input: Tensor, op: str) -> Tensor:
    if input.dtype.is_floating_point or input.dtype.is_complex:
        return input
    raise DTypeError(f"{op}(): input dtype should be either floating point or complex dtypes. "
                     f"Got {input.dtype.name.capitalize()} instead.")


# ----------------------------------------------------------------- prod
class Prod(Primitive):
    saves = (0,)
    saves_output = True

    def forward(self, xp, a, dims=None, keepdim=False, dtype=None):
        self.dims, self.keepdim = dims, keepdim
        return xp.prod(a, axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(self, grad):
        (x,) = self.saved
        grad = expand_reduced(grad, x.shape, self.dims, self.keepdim)
        output = expand_reduced(self.output, x.shape, self.dims, self.keepdim)
        is_zero = x == 0
        if not bool(is_zero._data.any()):
            return grad * output / x
        # A zero makes ``output / x`` useless: use the product of the other elements,
        # exclusive cumulative products from both ends (exact, and differentiable again)
        if self.dims is None:
            return grad * _product_of_others(x.reshape(-1), 0).reshape(x.shape)
        return grad * _product_of_others(x, self.dims[0])


def _product_of_others(x: Tensor, dim: int) -> Tensor:
    """``out[i] = prod_{j != i} x[j]`` along ``dim`` without dividing."""
    from .movement import cat
    from .scan import flip_dim

    def exclusive_cumprod(tensor):
        length = tensor.shape[dim]
        shape = list(tensor.shape)
        shape[dim] = 1
        head = tensor.new_ones(shape)
        return cat([head, tensor.cumprod(dim).narrow(dim, 0, length - 1)], dim=dim)
    return exclusive_cumprod(x) * flip_dim(exclusive_cumprod(flip_dim(x, dim)), dim)


def _where(condition, a, b):
    from .elementwise import where
    return where(condition, a, b)


@tensor_method
def prod(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    """Product of elements over ``dim`` (one dim, or all); integers multiply as int64."""
    if autocast_state.active:
        return autocast_call(prod, "prod", **locals())
    dtype = out_dtype(dtype, out)
    if dtype is not None:
        input = input.to(_dtypes.to_dtype(dtype))
    elif input._data.dtype.kind in "biu":
        input = input.to(_dtypes.int64)
    dims = None if dim is None else (wrap_dim(dim, input.ndim),)
    if dims is not None and input.ndim == 0:
        dims = None
    result = Prod.apply(input, dims=dims, keepdim=keepdim)
    if dim is not None:  # PyTorch's prod.dim_int overload
        named_as(result, "ProdBackward1", input)
    if input.dtype is _dtypes.bool:  # a bool product is whether every element is set
        result = result.to(_dtypes.bool)
    return _out(result, out, "prod")


# ----------------------------------------------------------------- argmax / all / any
def _arg_extreme(input, dim, keepdim, take_max: bool):
    data = input._data
    xp = input._xp()
    name = "argmax" if take_max else "argmin"
    if dim is None:
        if data.size == 0:
            raise TensorIndexError(f"{name}(): Expected reduction dim to be specified for "
                                   f"input.numel() == 0.")
        flat = data.reshape(-1)
        index = _nan_aware_arg(xp, flat, 0, take_max)
        result = xp.asarray(index, dtype=np.int64)
        if keepdim:
            result = result.reshape((1,) * data.ndim)
        return Tensor._make(result)
    axis = wrap_dim(dim, input.ndim)
    if data.ndim == 0:
        return Tensor._make(xp.zeros((), np.int64))
    if data.shape[axis] == 0:
        raise TensorIndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    index = xp.asarray(_nan_aware_arg(xp, data, axis, take_max)).astype(np.int64)
    if keepdim:
        index = xp.expand_dims(index, axis)
    return Tensor._make(index)


def _nan_aware_arg(xp, data, axis, take_max):
    """Index of the extreme along ``axis`` (NaN wins, the first occurrence counts)."""
    return extreme_and_index(xp, data, axis, take_max)[1].squeeze(axis)


@tensor_method
def argmax(input, dim=None, keepdim: bool = False, *, out=None):
    """Index of the largest value (flat index when ``dim`` is None)."""
    return _out(_arg_extreme(input, dim, keepdim, True), out, "argmax")


@tensor_method
def argmin(input, dim=None, keepdim: bool = False, *, out=None):
    """Index of the smallest value (flat index when ``dim`` is None)."""
    return _out(_arg_extreme(input, dim, keepdim, False), out, "argmin")


def _logical_reduce(input, dim, keepdim, function_name):
    xp = input._xp()
    dims = dims_tuple(dim, input.ndim) if dim is not None and dim != () else None
    if input.ndim == 0:
        dims = None
    result = getattr(xp, function_name)(input._data.astype(bool, copy=False), axis=dims,
                                        keepdims=keepdim)
    result = xp.asarray(result)
    if input._data.dtype == np.uint8:  # PyTorch keeps uint8 for all/any of uint8
        result = result.astype(np.uint8)
    return Tensor._make(result)


@tensor_method
def all(input, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001
    """Whether every element (over ``dim``) is true."""
    return _out(_logical_reduce(input, dim, keepdim, "all"), out, "all")


@tensor_method
def any(input, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001
    """Whether any element (over ``dim``) is true."""
    return _out(_logical_reduce(input, dim, keepdim, "any"), out, "any")


@tensor_method
def count_nonzero(input, dim=None) -> Tensor:
    """Number of non-zero elements over ``dim``."""
    xp = input._xp()
    dims = dims_tuple(dim, input.ndim)
    result = xp.count_nonzero(input._data, axis=dims)
    return Tensor._make(xp.asarray(result, dtype=np.int64))


@tensor_method
@accepts_out(exact_dtype=True)
def aminmax(input, *, dim=None, keepdim: bool = False, out=None):
    """(min, max) over ``dim`` (or all elements)."""
    if dim is None:
        low, high = input.amin(), input.amax()
        if keepdim:
            shape = (1,) * input.ndim
            low, high = low.reshape(shape), high.reshape(shape)
    else:
        low, high = input.amin(dim, keepdim), input.amax(dim, keepdim)
    return namedtuple_result("aminmax", low, high, fields=("min", "max"))


# ----------------------------------------------------------------- logsumexp
@tensor_method
@reports_as("LogsumexpBackward0")
def logsumexp(input, dim=(), keepdim: bool = False, *, out=None):
    """``log(sum(exp(x)))`` over ``dim``, computed stably by shifting by the max."""
    if autocast_state.active:
        return autocast_call(logsumexp, "logsumexp", **locals())
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        input = input.to(_dtypes.get_default_dtype())
    dims = dims_tuple(dim, input.ndim) if dim is not None and dim != () else None
    if input.numel() == 0:
        return _out(input.exp().sum(dim=dims, keepdim=keepdim).log(), out)
    with _no_grad():
        shift = input.amax(dim=dims, keepdim=True) if dims is not None else input.amax()
        # an infinite max would give inf - inf = nan; shift by zero there instead
        shift = _where(shift.abs() == math.inf, shift.new_zeros(()), shift)
    total = (input - shift).exp().sum(dim=dims, keepdim=True) if dims is not None else \
        (input - shift).exp().sum()
    result = total.log() + shift
    if not keepdim:
        result = result.reshape([s for d, s in enumerate(input.shape)
                                 if dims is not None and d not in dims]) \
            if dims is not None else result.reshape(())
    return _out(result, out)


def _no_grad():
    from ..autograd.grad_mode import no_grad
    return no_grad()


# ----------------------------------------------------------------- vector norm
class VectorNorm(Primitive):
    """``(sum |x|^p)^(1/p)`` over ``dims``; p may be inf, -inf or 0."""

    saves = (0,)
    saves_output = True

    def forward(self, xp, a, ord=2.0, dims=None, keepdim=False):
        self.ord, self.dims, self.keepdim = ord, dims, keepdim
        magnitude = xp.abs(a)
        if ord == math.inf:
            return xp.max(magnitude, axis=dims, keepdims=keepdim)
        if ord == -math.inf:
            return xp.min(magnitude, axis=dims, keepdims=keepdim)
        if ord == 0:
            return xp.sum(magnitude != 0, axis=dims, keepdims=keepdim).astype(magnitude.dtype)
        if ord == 1:
            return xp.sum(magnitude, axis=dims, keepdims=keepdim)
        if ord == 2:
            return xp.sqrt(xp.sum(magnitude * magnitude, axis=dims, keepdims=keepdim))
        total = xp.sum(magnitude ** ord, axis=dims, keepdims=keepdim)
        return total ** (1.0 / ord)

    def backward(self, grad):
        (x,) = self.saved
        p = self.ord
        grad = expand_reduced(grad, x.shape, self.dims, self.keepdim)
        norm = expand_reduced(self.output, x.shape, self.dims, self.keepdim)
        zero = x.new_zeros(()).real if x.dtype.is_complex else x.new_zeros(())
        if p == 0:
            return grad * zero * x.abs()
        if p == 1:
            return grad * x.sgn()
        if p in (math.inf, -math.inf):
            mask = (x.abs() == norm).to(norm.dtype)
            count = mask.sum(dim=self.dims, keepdim=True) if self.dims is not None else \
                mask.sum()
            return grad * x.sgn() * mask / count
        safe_norm = _where(norm == 0, norm.new_ones(()), norm)
        if p == 2:
            scaled = x / safe_norm
        else:
            magnitude = x.abs()
            scaled = x.sgn() * magnitude ** (p - 1) / safe_norm ** (p - 1)
            if p < 1:
                scaled = _where(magnitude == 0, zero, scaled)
        return _where(norm == 0, zero, grad) * scaled


def _reduced_shape(shape, dims, keepdim):
    axes = range(len(shape)) if dims is None else dims
    return tuple(1 if d in axes else s for d, s in enumerate(shape) if keepdim or d not in axes)


def vector_norm_impl(input: Tensor, ord=2, dim=None, keepdim: bool = False, *,
                     dtype=None, op: str = "linalg.vector_norm") -> Tensor:
    """The vector p-norm shared by ``torch.norm`` and ``torch.linalg.vector_norm``."""
    if isinstance(ord, str):
        raise ArgumentError(f"{op}: ord must be a number, got {ord!r}")
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise DTypeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                         f"{input.dtype.name.capitalize()}")
    if dtype is not None:
        input = input.to(_dtypes.to_dtype(dtype))
    dims = dims_tuple(dim, input.ndim) if dim is not None else None
    if input.ndim == 0:
        dims = None
    ord = float(ord)
    reduced = range(input.ndim) if dims is None else dims
    if (ord < 0 or ord == math.inf) and builtins.any(input.shape[d] == 0 for d in reduced):
        raise ShapeError(f"{op} cannot compute the {ord:g} norm on the empty dims of a tensor of "
                         f"shape {list(input.shape)}: the reduction has no identity; pick "
                         f"non-empty dims")
    return VectorNorm.apply(input, ord=ord, dims=dims, keepdim=keepdim)


@tensor_method
def norm(input, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None):
    """``torch.norm``: a vector p-norm over ``dim`` ('fro' is the 2-norm); 'nuc' is the
    nuclear norm of the matrices over ``dim``."""
    if autocast_state.active:
        return autocast_call(norm, "norm", **locals())
    if p == "nuc":
        from ..linalg import matrix_norm
        return _out(matrix_norm(input, "nuc", dim if dim is not None else (-2, -1), keepdim,
                                dtype=dtype), out)
    if p == "fro" or p is None:
        p = 2
    elif isinstance(p, str):
        raise NotSupportedError(f"norm(): p={p!r} is not supported; use 'fro', 'nuc' or a number")
    if isinstance(dim, int):
        dim = (dim,)
    return _out(vector_norm_impl(input, p, dim, keepdim, dtype=dtype, op="norm"), out, "norm")


# ----------------------------------------------------------------- nan reductions
def _check_nansum_types(input: Tensor, dtype, out) -> None:
    """PyTorch's NaN-skipping sum has no complex kernel: complex inputs are refused, and so is
    a floating-point sum asked to run (``dtype``) or land (``out``) in a complex type."""
    device = input.device.type
    if input.dtype.is_complex:
        raise DTypeError(f"nansum on {device.upper()} does not support complex inputs; take "
                         f"nansum of the real and imaginary parts (input.real, input.imag)")
    if not input.dtype.is_floating_point:
        return
    for target in (_dtypes.to_dtype(dtype) if dtype is not None else None,
                   out.dtype if isinstance(out, Tensor) else None):
        if target is not None and target.is_complex:
            raise not_implemented(f"nansum_{device}", target)


@tensor_method
@reports_as("NansumBackward0")
def nansum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    if autocast_state.active:
        return autocast_call(nansum, None, **locals())
    _check_nansum_types(input, dtype, out)
    if input.dtype.is_floating_point:
        input = _where(input != input, input.new_zeros(()), input)
    return _out(input.sum(dim=dim, keepdim=keepdim, dtype=dtype), out)


@tensor_method
def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    """Mean of the non-NaN elements."""
    if autocast_state.active:
        return autocast_call(nanmean, None, **locals())
    _check_nansum_types(input, dtype, out)
    if not input.dtype.is_floating_point and dtype is None:
        raise DTypeError(f"nanmean(): expected input to have floating point or complex dtype "
                         f"but got {type_name(input.dtype)}")
    if dtype is not None:
        input = input.to(_dtypes.to_dtype(dtype))
    valid = (input == input).to(input.dtype)
    return _out(nansum(input, dim, keepdim) / valid.sum(dim=dim, keepdim=keepdim), out)


# ----------------------------------------------------------------- median / mode
def _select_along(input: Tensor, index_array, dim: int, keepdim: bool, name: str):
    """(values, indices) picking ``index_array`` (keepdim shape) along ``dim``; the values
    come from ``gather`` so gradients flow to the chosen elements."""
    index = Tensor._make(index_array.astype(np.int64, copy=False))
    values = input.gather(dim, index)
    if not keepdim:
        values, index = values.squeeze(dim), index.squeeze(dim)
    return namedtuple_result(name, values, index)


def _median(input, dim, keepdim, ignore_nan: bool):
    name = "nanmedian" if ignore_nan else "median"
    xp = input._xp()
    data = input._data
    if dim is None:
        if input.numel() == 0:
            return input.new_full((), math.nan)
        flat = data.reshape(-1)
        order = xp.argsort(flat, kind="stable")
        nan_count = int(xp.isnan(flat).sum()) if flat.dtype.kind == "f" else 0
        valid = flat.size - nan_count
        if nan_count and not ignore_nan:
            position = valid  # the first NaN
        else:
            position = max(valid - 1, 0) // 2
        value = input.reshape(-1)[int(order[position])]
        # PyTorch spreads the gradient evenly over every element equal to the median
        if not input.requires_grad:
            return value.clone()
        with _no_grad():
            mask = (input == value) if value == value else (input != input)
            weight = mask.to(input.dtype) / mask.sum()
        return _where(mask, input, input.new_zeros(())).mul(weight).sum()
    if input.ndim == 0:
        return namedtuple_result(name, input.clone(), Tensor._make(xp.zeros((), np.int64)))
    axis = wrap_dim(dim, input.ndim)
    if data.shape[axis] == 0:
        raise TensorIndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    order = xp.argsort(data, axis=axis, kind="stable")
    if data.dtype.kind == "f":
        nan_count = xp.isnan(data).sum(axis=axis, keepdims=True)
    else:
        nan_count = xp.zeros(_reduced_shape(data.shape, (axis,), True), np.int64)
    valid = data.shape[axis] - nan_count
    if ignore_nan:
        position = xp.maximum(valid - 1, 0) // 2
    else:
        position = xp.where(nan_count > 0, valid, (valid - 1) // 2)
    index = xp.take_along_axis(order, position.astype(np.int64), axis=axis)
    return _select_along(input, index, axis, keepdim, name)


@tensor_method
@accepts_out(exact_dtype=True)
def median(input, dim=None, keepdim: bool = False, *, out=None):
    """The lower median (NaN when a NaN is present); with ``dim``, (values, indices)."""
    return named_as(_median(input, dim, keepdim, ignore_nan=False),
                    "MedianBackward0" if dim is None else "MedianBackward1", input)


@tensor_method
@accepts_out(exact_dtype=True)
def nanmedian(input, dim=None, keepdim: bool = False, *, out=None):
    """The lower median of the non-NaN values; with ``dim``, (values, indices)."""
    return named_as(_median(input, dim, keepdim, ignore_nan=True),
                    "NanmedianBackward0" if dim is None else "NanmedianBackward1", input)


@tensor_method
@accepts_out(exact_dtype=True)
def mode(input, dim: int = -1, keepdim: bool = False, *, out=None):
    """The most frequent value along ``dim`` (the smallest among ties) and its last index."""
    xp = input._xp()
    if input.ndim == 0:
        return namedtuple_result("mode", input.clone(), Tensor._make(xp.zeros((), np.int64)))
    axis = wrap_dim(dim, input.ndim)
    data = xp.moveaxis(input._data, axis, -1)
    length = data.shape[-1]
    order = xp.argsort(data, axis=-1, kind="stable")
    ordered = xp.take_along_axis(data, order, axis=-1)
    # run lengths of equal values in the sorted rows, counted with a cumulative trick
    starts = xp.ones(ordered.shape, bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    positions = xp.arange(length)
    from .scan import accumulate
    run_start = accumulate(xp, "maximum", xp.where(starts, positions, 0), -1)
    run_length = positions - run_start + 1
    best_end = xp.argmax(run_length, axis=-1)[..., None]  # first maximal run: smallest value
    # PyTorch reports the largest index holding the mode value
    best_value = xp.take_along_axis(ordered, best_end, axis=-1)
    candidates = xp.where(data == best_value, positions, -1)
    index = candidates.max(axis=-1, keepdims=True)
    index = xp.moveaxis(index, -1, axis)
    return _select_along(input, index, axis, keepdim, "mode")


from .scan import *  # noqa: E402,F401,F403
from .scan import __all__ as _scan_all  # noqa: E402
from .sort_select import *  # noqa: E402,F401,F403
from .sort_select import __all__ as _sort_all  # noqa: E402
from .statistics import *  # noqa: E402,F401,F403
from .statistics import __all__ as _statistics_all  # noqa: E402
from .variance import *  # noqa: E402,F401,F403
from .variance import __all__ as _variance_all  # noqa: E402

__all__ = __all__ + _scan_all + _sort_all + _statistics_all + _variance_all
