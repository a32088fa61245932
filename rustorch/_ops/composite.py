"""Composite ops built from existing primitives: addcmul/addcdiv, renorm, histc, bincount,
isin, vander, ravel/unravel_index, conj/resolve_conj/resolve_neg, view_as_real/
view_as_complex, is_nonzero.

The differentiable ones (addcmul, addcdiv, renorm, gradient, vander) are written with Tensor
ops, so autograd (double backward included) comes for free; the counting ones work on arrays.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import dtypes as _dtypes
from ..autograd.function import Primitive, reports_as
from ..errors import (ArgumentError, ArgumentTypeError, ArgumentValueError, DTypeError,
                      IntegerDivisionByZeroError, NotSupportedError, ShapeError)
from ..tensor import Tensor, tensor_method, wrap_dim
from ._helpers import cast, is_scalar
from .elementwise import _maybe_out, where
from .math_common import is_inexact, not_implemented, require_tensor, type_name
from .movement import cat, reshape
from .reduce_more import vector_norm_impl
from .scalar_values import scalar_for
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["addcmul", "addcdiv", "renorm", "histc", "bincount", "isin", "gradient", "vander",
           "ravel", "unravel_index", "conj", "resolve_conj", "resolve_neg", "is_conj", "is_neg",
           "view_as_real", "view_as_complex", "is_nonzero"]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


# ----------------------------------------------------------------- addcmul / addcdiv
def _pointwise_operands(op: str, input, tensor1, tensor2):
    """The three operands cast to their common dtype (PyTorch's result_type; ``value`` takes
    no part in it)."""
    for position, (name, operand) in enumerate(
            (("input", input), ("tensor1", tensor1), ("tensor2", tensor2)), 1):
        require_tensor(op, name, position, operand)
    dtype = _dtypes.result_type(input, tensor1, tensor2)
    return dtype, input.to(dtype), tensor1.to(dtype), tensor2.to(dtype)


def _checked_value(op: str, value, dtype: _dtypes.dtype):
    """``value`` converted to the compute type of ``dtype``, refusing values that overflow it
    (integers truncate a float ``value``, as PyTorch does)."""
    if isinstance(value, Tensor) and value.ndim == 0:
        value = value.item()
    if not is_scalar(value):
        raise ArgumentTypeError(f"{op}(): argument 'value' must be Number, not "
                                f"{type(value).__name__}")
    return scalar_for(value, dtype, f"{op}()")


def _pointwise(op: str, input, tensor1, tensor2, value, out) -> Tensor:
    dtype, input, tensor1, tensor2 = _pointwise_operands(op, input, tensor1, tensor2)
    if dtype is _dtypes.bool:
        raise not_implemented(f"{op}_cpu_out", dtype)
    value = _checked_value(op, value, dtype)
    term = tensor1 * tensor2 if op == "addcmul" else tensor1 / tensor2
    # multiply even by 0 so that NaN and inf in the term propagate, as in PyTorch
    return _maybe_out(input + (term if value == 1 else term * value), out)


@tensor_method
@reports_as("AddcmulBackward0")
def addcmul(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2``, broadcasting, with PyTorch's type promotion.

    >>> rustorch.addcmul(rustorch.ones(2), rustorch.tensor([1., 2.]), rustorch.tensor(3.))
    tensor([4., 7.])
    """
    if autocast_state.active:
        return autocast_call(addcmul, "addcmul", **locals())
    return _pointwise("addcmul", input, tensor1, tensor2, value, out)


@tensor_method
@reports_as("AddcdivBackward0")
def addcdiv(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2`` (true division; integer quotients are refused).

    >>> rustorch.addcdiv(rustorch.ones(2), rustorch.tensor([1., 2.]), rustorch.tensor(4.))
    tensor([1.2500, 1.5000])
    """
    if autocast_state.active:
        return autocast_call(addcdiv, "addcdiv", **locals())
    for position, (name, operand) in enumerate((("tensor1", tensor1), ("tensor2", tensor2)), 2):
        require_tensor("addcdiv", name, position, operand)
    if not is_inexact(tensor1.dtype) and not is_inexact(tensor2.dtype):
        raise DTypeError(
            f"addcdiv(): integer division is no longer supported (tensor1 is "
            f"{type_name(tensor1.dtype)}, tensor2 is {type_name(tensor2.dtype)}); cast either "
            f"to a floating dtype for true division, or use (input + value * torch.trunc("
            f"tensor1 / tensor2)).to(input.dtype) for the historic truncating behaviour")
    return _pointwise("addcdiv", input, tensor1, tensor2, value, out)


# ----------------------------------------------------------------- renorm
@tensor_method
def renorm(input, p, dim: int, maxnorm, *, out=None) -> Tensor:
    """Each slice ``input.select(dim, i)`` rescaled so that its ``p``-norm is at most
    ``maxnorm``: ``x * maxnorm / (||x||_p + 1e-7)`` where the norm exceeds ``maxnorm``."""
    if autocast_state.active:
        return autocast_call(renorm, "renorm", **locals())
    require_tensor("renorm", "input", 1, input)
    p, maxnorm = float(p), float(maxnorm)
    if not p > 0 or maxnorm < 0:
        raise ArgumentValueError(f"renorm: expected a positive p (non-positive norms are not "
                                 f"supported) and maxnorm >= 0, but got p={p:g}, "
                                 f"maxnorm={maxnorm:g}")
    if input.ndim < 2:
        raise ShapeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                         f"dimensions; unsqueeze it first")
    dim = wrap_dim(dim, input.ndim)
    others = tuple(d for d in range(input.ndim) if d != dim)
    norm = vector_norm_impl(input, p, others, keepdim=True, op="renorm")
    scale = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return _maybe_out(input * scale, out, "renorm")


def _inplace_method(function) -> None:
    """``Tensor.<name>_``: ``function`` written back through ``Tensor._inplace`` (which checks
    leaves, casts, broadcast shapes and records the graph for every tensor argument)."""
    def method(input: Tensor, *args, **kwargs) -> Tensor:
        return input._inplace(lambda target: function(target, *args, **kwargs), *args)
    method.__name__ = method.__qualname__ = function.__name__ + "_"
    method.__doc__ = f"In-place ``{function.__name__}``."
    tensor_method(method)


for _function in (addcmul, addcdiv, renorm):
    _inplace_method(_function)


# ----------------------------------------------------------------- histc / bincount / isin
class Histogram(Primitive):
    """Counts of ``a`` in ``bins`` equal bins over ``[low, high]`` (the last bin is closed);
    bins come from linear interpolation in ``a``'s dtype, so edge values land as in PyTorch."""

    differentiable = False

    def forward(self, xp, a, bins=100, low=0.0, high=1.0):
        values = a.reshape(-1)
        scalar = values.dtype.type
        left, right = scalar(low), scalar(high)
        kept = values[(values >= left) & (values <= right)]  # NaN compares False: ignored
        position = ((kept - left) * scalar(bins) / (right - left)).astype(np.int64)
        position = xp.minimum(position, bins - 1)
        return xp.bincount(position, minlength=bins).astype(a.dtype)


@tensor_method
def histc(input, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:  # noqa: A002
    """Histogram of ``input`` with ``bins`` equal-width bins between ``min`` and ``max``
    (both 0, or equal: the data's own range); values outside are ignored."""
    require_tensor("histc", "input", 1, input)
    if not _is_int(bins):
        raise ArgumentTypeError(f"histc(): argument 'bins' must be int, not "
                                f"{type(bins).__name__}")
    if not input.dtype.is_floating_point:
        raise not_implemented("histogram_cpu", input.dtype)
    if bins <= 0:
        raise ArgumentValueError(f"histc(): bins must be > 0, but got {bins}")
    low, high = float(min), float(max)
    if low == high and input.numel():
        low, high = float(input._data.min()), float(input._data.max())
    if low == high:
        low, high = low - 1, high + 1
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ArgumentValueError(f"histc(): the range [{low:g}, {high:g}] must be finite with "
                                 f"max larger than min; pass finite min < max (or remove "
                                 f"NaN/inf from the input)")
    return _maybe_out(Histogram.apply(input, bins=int(bins), low=low, high=high), out, "histc")


class BinCount(Primitive):
    def forward(self, xp, a, weights=None, minlength=0):
        if weights is None:
            return xp.bincount(a, minlength=minlength)
        dtype = weights.dtype if weights.dtype == np.float32 else np.float64
        weights = weights.real if weights.dtype.kind == "c" else weights
        result = xp.bincount(a, weights=weights.astype(np.float64), minlength=minlength)
        return result.astype(dtype, copy=False)

    def backward(self, grad):
        raise NotSupportedError("derivative for bincount is not implemented (as in PyTorch); "
                                "use index_add for a differentiable weighted count")


@tensor_method
def bincount(input, weights=None, minlength: int = 0) -> Tensor:
    """Count of each value in a 1-D tensor of non-negative integers; with ``weights``, the sum
    of the weights of each value (float32 weights give float32, all others float64)."""
    require_tensor("bincount", "input", 1, input)
    if weights is not None:
        require_tensor("bincount", "weights", 2, weights)
    if not _is_int(minlength):
        raise ArgumentTypeError(f"bincount(): argument 'minlength' must be int, not "
                                f"{type(minlength).__name__}")
    if is_inexact(input.dtype) or input.dtype is _dtypes.bool:
        raise not_implemented("bincount_cpu", input.dtype)
    if minlength < 0:
        raise ArgumentValueError(f"bincount(): minlength should be >= 0, got {minlength}")
    data = input._data
    if input.ndim != 1 or (data.size and int(data.min()) < 0):
        raise ShapeError(f"bincount only supports 1-d non-negative integral inputs (got shape "
                         f"{list(input.shape)}); flatten the input or drop negative values")
    if data.size == 0:  # PyTorch returns int64 zeros here, even with weights
        return Tensor._make(input._xp().zeros(int(minlength), dtype=np.int64))
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != input.shape[0]):
        raise ShapeError(f"bincount(): weights should be 1-d and have the same length as input "
                         f"(input {list(input.shape)}, weights {list(weights.shape)})")
    return BinCount.apply(input, weights, minlength=int(minlength))


class IsIn(Primitive):
    differentiable = False

    def forward(self, xp, elements, test_elements, dtype=None, assume_unique=False,
                invert=False):
        elements, test_elements = cast(elements, dtype), cast(test_elements, dtype)
        return xp.isin(elements, test_elements, assume_unique=assume_unique, invert=invert)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False,
         out=None) -> Tensor:
    """Whether each of ``elements`` is in ``test_elements`` (either may be a number), compared
    in their promoted dtype."""
    operands = (elements, test_elements)
    tensors = [isinstance(operand, Tensor) for operand in operands]
    if not any(tensors) or not all(tensors[i] or is_scalar(operands[i]) for i in (0, 1)):
        raise ArgumentTypeError(f"isin(): expected a Tensor and a Tensor or Number, got "
                                f"{type(elements).__name__} and {type(test_elements).__name__}")
    for operand in operands:
        dtype = operand.dtype if isinstance(operand, Tensor) else _dtypes.scalar_dtype(operand)
        if dtype is _dtypes.bool or dtype.is_complex:
            raise DTypeError(f"Unsupported input type encountered for isin(): "
                             f"{type_name(dtype)}; cast to an integer or floating dtype")
    common = _dtypes.result_type(elements, test_elements)
    compute = np.dtype(np.float32) if common is _dtypes.bfloat16 else common.numpy
    return _maybe_out(IsIn.apply(elements, test_elements, dtype=compute,
                                 assume_unique=bool(assume_unique), invert=bool(invert)), out,
                      "isin")


# ----------------------------------------------------------------- vander / ravel / unravel
def vander(x, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of 1-D ``x``: columns ``x**(N-1), ..., x**0`` (reversed when
    ``increasing``); integer and bool inputs give int64.

    >>> rustorch.vander(rustorch.tensor([1, 2, 3]), N=3)
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]])
    """
    require_tensor("vander", "x", 1, x)
    if x.ndim != 1:
        raise ShapeError(f"vander(): x must be a one-dimensional tensor, got {x.ndim}-D")
    count = x.shape[0] if N is None else int(N)
    if count < 0:
        raise ArgumentValueError(f"vander(): N must be non-negative, got {count}.")
    if not is_inexact(x.dtype):
        x = x.to(_dtypes.int64)
    column = x.unsqueeze(1)
    if count == 0:
        return column.narrow(1, 0, 0)
    # running products (as PyTorch) keep the gradient exact where x is zero
    factors = cat([x.new_ones((x.shape[0], 1)), column.expand(x.shape[0], count - 1)], 1)
    powers = factors.cumprod(1)
    return powers if increasing else powers.flip(1)


@tensor_method
def ravel(input) -> Tensor:
    """``input`` flattened to 1-D: a view when its memory allows, else a contiguous copy."""
    require_tensor("ravel", "input", 1, input)
    return reshape(input, (-1,))


def _shape_sizes(shape) -> tuple:
    shape = (shape,) if _is_int(shape) else shape
    if not isinstance(shape, (tuple, list)) or not all(_is_int(size) for size in shape):
        raise ArgumentTypeError(f"unravel_index(): expected 'shape' to be an int or a sequence "
                                f"of ints, but got {shape!r}")
    sizes = tuple(int(size) for size in shape)
    if any(size < 0 for size in sizes):
        raise ArgumentError(f"unravel_index(): 'shape' cannot have negative values, but got "
                            f"{sizes}")
    return sizes


def unravel_index(indices, shape) -> tuple:
    """The coordinates in a tensor of ``shape`` of the flat ``indices`` (one int64 tensor per
    dim). As in PyTorch, indices wrap around: negative ones count from the end."""
    if not isinstance(indices, Tensor) or is_inexact(indices.dtype) or \
            indices.dtype is _dtypes.bool:
        got = indices.dtype if isinstance(indices, Tensor) else type(indices).__name__
        raise ArgumentTypeError(f"unravel_index(): expected 'indices' to be an integer "
                                f"Tensor, but got {got}")
    sizes = _shape_sizes(shape)
    if 0 in sizes and indices.numel():
        raise IntegerDivisionByZeroError(f"unravel_index(): shape {sizes} has no elements, so "
                                         f"no index fits in it (ZeroDivisionError)")
    xp = indices._xp()
    remaining = indices._data.astype(np.int64)
    coordinates = []
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero size meets no indices
        for size in reversed(sizes):  # one vectorized step per dim
            coordinates.append(xp.asarray(xp.mod(remaining, size)))
            remaining = xp.floor_divide(remaining, size)
    return tuple(Tensor._make(coordinate) for coordinate in reversed(coordinates))


# ----------------------------------------------------------------- conj / neg bits
def conj(input) -> Tensor:
    """The complex conjugate (``input`` itself for real dtypes). rustorch conjugates eagerly,
    so the result never carries a lazy conjugate bit."""
    require_tensor("conj", "input", 1, input)
    return input.conj()


def _lazy_bit_op(name: str, returns_input: bool):
    """``resolve_conj``/``resolve_neg`` (``input`` itself) and ``is_conj``/``is_neg`` (False):
    rustorch conjugates and negates eagerly, so no tensor carries a lazy bit."""
    def function(input):
        require_tensor(name, "input", 1, input)
        return input if returns_input else False
    function.__name__ = function.__qualname__ = name
    function.__doc__ = "``input`` itself" if returns_input else "Always False"
    function.__doc__ += " (rustorch has no lazy conjugate/negative bits)."
    return tensor_method(function)


resolve_conj = _lazy_bit_op("resolve_conj", True)
resolve_neg = _lazy_bit_op("resolve_neg", True)
is_conj = _lazy_bit_op("is_conj", False)
is_neg = _lazy_bit_op("is_neg", False)


# ----------------------------------------------------------------- complex views
class ViewAsReal(Primitive):
    def forward(self, xp, a):
        # a trailing axis of size 1 can always be reinterpreted, whatever the other strides
        return a[..., None].view(a.real.dtype)

    def backward(self, grad):
        return view_as_complex(grad.contiguous())


class ViewAsComplex(Primitive):
    def forward(self, xp, a):
        return a.view(_COMPLEX_OF[a.dtype])[..., 0]

    def backward(self, grad):
        return view_as_real(grad)


_COMPLEX_OF = {np.dtype(np.float32): np.dtype(np.complex64),
               np.dtype(np.float64): np.dtype(np.complex128)}


def view_as_real(input) -> Tensor:
    """A real view of a complex tensor, with a trailing dim of size 2 (real, imaginary); it
    shares memory with ``input``."""
    require_tensor("view_as_real", "input", 1, input)
    if not input.dtype.is_complex:
        raise DTypeError(f"view_as_real is only supported for complex tensors, got "
                         f"{input.dtype}; use torch.stack([x, torch.zeros_like(x)], -1)")
    return input._make_view(ViewAsReal.apply(input), view_as_real)


def view_as_complex(input) -> Tensor:
    """A complex view of a float32/float64 tensor whose last dim (size 2, stride 1) holds the
    real and imaginary parts; it shares memory with ``input``."""
    if autocast_state.active:
        return autocast_call(view_as_complex, "view_as_complex", **locals())
    require_tensor("view_as_complex", "input", 1, input)
    if input.dtype is _dtypes.float16:
        raise NotSupportedError("view_as_complex: rustorch has no complex32 dtype; cast the "
                                "input to float32 first")
    if input._data.dtype not in _COMPLEX_OF:
        raise DTypeError(f"view_as_complex is only supported for half, float and double "
                         f"tensors, but got a tensor of scalar type: {type_name(input.dtype)}")
    if input.ndim == 0:
        raise ShapeError("view_as_complex: Input tensor must have one or more dimensions")
    if input.shape[-1] != 2:
        raise ShapeError(f"view_as_complex: Tensor must have a last dimension of size 2, got "
                         f"shape {list(input.shape)}")
    strides = input.stride()
    if strides[-1] != 1 or any(stride % 2 for stride in strides[:-1]) or \
            input.storage_offset() % 2:
        raise ShapeError(f"view_as_complex: Tensor must have a last dimension with stride 1, "
                         f"even strides elsewhere and an even storage_offset (got strides "
                         f"{strides}); call .contiguous() first")
    return input._make_view(ViewAsComplex.apply(input), view_as_complex)


# ----------------------------------------------------------------- is_nonzero
@tensor_method
def is_nonzero(input) -> bool:
    """Whether a single-element tensor is nonzero (NaN counts as nonzero)."""
    require_tensor("is_nonzero", "input", 1, input)
    count = input.numel()
    if count != 1:
        amount = "no values" if count == 0 else "more than one value"
        raise ShapeError(f"is_nonzero(): Boolean value of Tensor with {amount} is ambiguous; "
                         f"pass a tensor with exactly one element (use .any() or .all())")
    return bool(input._data.reshape(-1)[0] != 0)


from .gradient import gradient  # noqa: E402,F401 (torch.gradient)
