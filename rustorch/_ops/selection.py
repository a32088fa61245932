"""Selection and comparison primitives: ``where``, ``maximum``/``minimum``, ``clamp``, the
comparison family and ``logical_not`` (re-exported by ``elementwise``)."""
from __future__ import annotations


from .. import dtypes as _dtypes
from ..autograd.function import Primitive, named_as
from ..errors import ArgumentValueError, DTypeError
from ..tensor import Tensor, tensor_method
from ._helpers import array_result_type, cast, promote_operands, to_tensor
from .elementwise import _binary, _is_inexact, _maybe_out
from .scalar_bounds import clamp_array

__all__ = ["where", "maximum", "minimum", "clamp", "clip", "eq", "ne", "lt", "le", "gt", "ge",
           "greater", "greater_equal", "less", "less_equal", "not_equal", "logical_not"]


# ----------------------------------------------------------------- selection
class Where(Primitive):
    saves = (0,)

    def forward(self, xp, condition, a, b, dtype=None):
        return xp.where(condition, cast(a, dtype), cast(b, dtype))

    def backward(self, grad):
        (condition,) = self.saved
        zero = grad.new_zeros(())
        return (None,
                where(condition, grad, zero) if self.needs_input_grad(1) else None,
                where(condition, zero, grad) if self.needs_input_grad(2) else None)


def where(condition, input=None, other=None, *, out=None):
    """Pick ``input`` where ``condition`` else ``other``; one argument gives ``nonzero``."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = to_tensor(condition)
    if condition.dtype is not _dtypes.bool:
        if condition.dtype is _dtypes.uint8:
            condition = condition.to(_dtypes.bool)
        else:
            raise DTypeError(f"where expected condition to be a boolean tensor, but got a "
                             f"tensor with dtype {_dtypes_name(condition.dtype)}")
    dtype = promote_operands(input, other)
    like = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else \
        condition
    if dtype is None and not isinstance(input, Tensor) and not isinstance(other, Tensor):
        dtype = _dtypes.result_type(input, other).numpy
    if not isinstance(input, Tensor):  # a Python scalar takes the tensor's dtype (PyTorch)
        input = to_tensor(input, like=like, dtype=_dtypes.from_numpy_dtype(dtype)
                          if dtype is not None else other.dtype
                          if isinstance(other, Tensor) else None)
    if not isinstance(other, Tensor):
        other = to_tensor(other, like=like, dtype=_dtypes.from_numpy_dtype(dtype)
                          if dtype is not None else input.dtype)
    return _maybe_out(Where.apply(condition, input, other, dtype=dtype), out, "where")


@tensor_method(name="where")
def _where_method(input, condition, other):
    """``input.where(condition, other)``: the method form takes ``self`` as the first branch."""
    return where(condition, input, other)


def _dtypes_name(dtype) -> str:
    from ..tensor import _TORCH_TYPE_NAMES
    return _TORCH_TYPE_NAMES.get(dtype.name, dtype.name)


class Maximum(Primitive):
    saves = (0, 1)

    def forward(self, xp, a, b, dtype=None, take_max=True):
        a, b = cast(a, dtype), cast(b, dtype)
        return xp.maximum(a, b) if take_max else xp.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved
        # ties split the gradient evenly and NaNs (which propagate) get all of it, as PyTorch
        shared = where(a == b, grad * 0.5, grad)
        if self.__dict__.get("take_max", True):
            return where(a < b, 0.0, shared), where(a > b, 0.0, shared)
        return where(a > b, 0.0, shared), where(a < b, 0.0, shared)


class Minimum(Maximum):
    def forward(self, xp, a, b, dtype=None, take_max=False):
        self.take_max = False
        return super().forward(xp, a, b, dtype, take_max=False)


@tensor_method
def maximum(input, other, *, out=None):
    _refuse_complex("maximum", input, other)
    return _maybe_out(_binary(Maximum, input, other), out)


def _refuse_complex(name, *operands):
    if any(isinstance(v, Tensor) and v.dtype.is_complex or isinstance(v, complex)
           for v in operands):
        raise DTypeError(f"{name} not implemented for complex tensors.")


@tensor_method
def minimum(input, other, *, out=None):
    _refuse_complex("minimum", input, other)
    return _maybe_out(_binary(Minimum, input, other), out)


class Clamp(Primitive):
    saves = (0,)

    def forward(self, xp, a, low=None, high=None):
        self.low, self.high = low, high
        return clamp_array(xp, a, low, high)

    def backward(self, grad):
        (x,) = self.saved
        inside = None
        if self.low is not None:
            inside = x >= self.low
        if self.high is not None:
            upper = x <= self.high
            inside = upper if inside is None else inside & upper
        return grad if inside is None else where(inside, grad, 0.0)


@tensor_method
def clamp(input, min=None, max=None, *, out=None):  # noqa: A002
    """Limit values to ``[min, max]``; the bounds may be numbers or tensors."""
    if min is None and max is None:
        raise ArgumentValueError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = input
        if min is not None:
            result = maximum(result, min)
        if max is not None:
            result = minimum(result, max)
        return _maybe_out(named_as(result, "ClampBackward0", input), out)  # clamp.Tensor
    if (isinstance(min, float) or isinstance(max, float)) and not _is_inexact(input):
        input = input.to(_dtypes.get_default_dtype())
    return _maybe_out(Clamp.apply(input, low=min, high=max), out, "clamp")


clip = clamp
tensor_method(clamp, name="clip")


@tensor_method
def clamp_min(input, min):  # noqa: A002
    return clamp(input, min=min)


@tensor_method
def clamp_max(input, max):  # noqa: A002
    return clamp(input, max=max)


# ----------------------------------------------------------------- comparisons
def _comparison(name, ufunc_name):
    class Compare(Primitive):
        differentiable = False

        def forward(self, xp, a, b, dtype=None):
            a, b = cast(a, dtype), cast(b, dtype)
            if ordered and array_result_type(a, b).kind == "c":  # complex numbers have no order
                from .math_common import not_implemented
                raise not_implemented(f"{name}_cpu", _dtypes.from_numpy_dtype(
                    array_result_type(a, b)))
            return getattr(xp, ufunc_name)(a, b)

    ordered = name in ("lt", "le", "gt", "ge")
    Compare.__name__ = name.capitalize()

    def function(input, other, *, out=None):
        return _maybe_out(_binary(Compare, input, other), out)

    function.__name__ = name
    function.__doc__ = f"Elementwise ``{name}`` comparison, returning a bool tensor."
    tensor_method(function)
    return function


eq = _comparison("eq", "equal")
ne = _comparison("ne", "not_equal")
lt = _comparison("lt", "less")
le = _comparison("le", "less_equal")
gt = _comparison("gt", "greater")
ge = _comparison("ge", "greater_equal")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
for _alias, _target in (("greater", gt), ("greater_equal", ge), ("less", lt),
                        ("less_equal", le), ("not_equal", ne)):
    tensor_method(_target, name=_alias)


class LogicalNot(Primitive):
    differentiable = False

    def forward(self, xp, a):
        return xp.logical_not(a)


@tensor_method
def logical_not(input, *, out=None):
    return _maybe_out(LogicalNot.apply(input), out)
