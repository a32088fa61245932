"""Predicates (``isnan`` ...), ``nan_to_num``, closeness (``isclose``, ``allclose``, ``equal``),
logical and bitwise ops with their Python operators (``& | ^ ~ << >>``)."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from ..autograd.function import Primitive
from ..errors import DTypeError
from ..tensor import Tensor, tensor_method
from ._helpers import cast, to_tensor
from .elementwise import _binary, _maybe_out, eq, logical_not
from .inplace import _operator_or_not_implemented, _reflected, inplace_method
from .math_common import (DTypeNotImplementedError, define_unary_inplace, is_inexact,
                          not_implemented, type_name)

__all__ = ["isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "nan_to_num",
           "isclose", "allclose", "equal", "logical_and", "logical_or", "logical_xor",
           "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift"]


# ----------------------------------------------------------------- predicates
def _predicate(name: str, forward, doc: str):
    primitive = type(name.capitalize(), (Primitive,), {
        "differentiable": False,
        "forward": lambda self, xp, a: forward(xp, a)})

    def function(input: Tensor, *, out=None) -> Tensor:
        return _maybe_out(primitive.apply(input), out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    tensor_method(function)
    return function


def _inexact_or_false(test):
    """``test`` for floating/complex arrays; integers and bools are never NaN or infinite."""
    def forward(xp, a):
        if a.dtype.kind in "biu":
            return xp.zeros(a.shape, dtype=bool)
        return test(xp, a)
    return forward


isnan = _predicate("isnan", _inexact_or_false(lambda xp, a: xp.isnan(a)),
                   "True where ``input`` is NaN.")
isinf = _predicate("isinf", _inexact_or_false(lambda xp, a: xp.isinf(a)),
                   "True where ``input`` is +inf or -inf.")
isfinite = _predicate("isfinite", lambda xp, a: xp.ones(a.shape, dtype=bool) if
                      a.dtype.kind in "biu" else xp.isfinite(a),
                      "True where ``input`` is neither NaN nor infinite.")
_isposinf = _predicate("isposinf", _inexact_or_false(lambda xp, a: a == np.inf),
                       "True where ``input`` is +inf.")
_isneginf = _predicate("isneginf", _inexact_or_false(lambda xp, a: a == -np.inf),
                       "True where ``input`` is -inf.")
_isreal = _predicate("isreal", lambda xp, a: a.imag == 0 if a.dtype.kind == "c" else
                     xp.ones(a.shape, dtype=bool),
                     "True where ``input`` has no imaginary part.")
isreal = _isreal


@tensor_method
def isposinf(input: Tensor, *, out=None) -> Tensor:
    """True where ``input`` is +inf."""
    if input.dtype.is_complex:
        raise DTypeError("isposinf does not support complex inputs.")
    return _isposinf(input, out=out)


@tensor_method
def isneginf(input: Tensor, *, out=None) -> Tensor:
    """True where ``input`` is -inf."""
    if input.dtype.is_complex:
        raise DTypeError("isneginf does not support complex inputs.")
    return _isneginf(input, out=out)


class NanToNum(Primitive):
    saves = (0,)

    def forward(self, xp, a, nan=0.0, posinf=None, neginf=None):
        if a.dtype.kind == "c":
            return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)
        info = _dtypes.finfo(_dtypes.from_numpy_dtype(a.dtype))
        posinf = info.max if posinf is None else posinf
        neginf = info.min if neginf is None else neginf
        with np.errstate(over="ignore"):
            replaced = xp.where(a == np.inf, xp.asarray(posinf).astype(a.dtype), a)
            replaced = xp.where(a == -np.inf, xp.asarray(neginf).astype(a.dtype), replaced)
            return xp.where(xp.isnan(a), xp.asarray(nan).astype(a.dtype), replaced)

    def backward(self, grad):
        (x,) = self.saved
        return grad * isfinite(x)


@tensor_method
def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None, *, out=None) -> Tensor:
    """Replace NaN with ``nan``, +inf/-inf with ``posinf``/``neginf`` (default: the dtype's
    largest/smallest finite value)."""
    if not is_inexact(input.dtype):
        return _maybe_out(input.clone(), out, "nan_to_num")
    return _maybe_out(NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf), out,
                      "nan_to_num")


define_unary_inplace("nan_to_num", nan_to_num)


# ----------------------------------------------------------------- closeness
class IsClose(Primitive):
    differentiable = False

    def forward(self, xp, a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
        close = a == b
        inexact = a.dtype.kind in "fc" or a.dtype == _dtypes.bfloat16.numpy
        if equal_nan and inexact:
            close = close | (xp.isnan(a) & xp.isnan(b))
        if rtol == 0 and atol == 0:
            return close
        if not inexact:  # integer and bool errors are measured in floating point
            a, b = a.astype(np.float64), b.astype(np.float64)
        with np.errstate(all="ignore"):
            allowed = atol + xp.abs(rtol * b)
            actual = xp.abs(a - b)
            return close | (xp.isfinite(actual) & (actual <= allowed))


@tensor_method
def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise (same dtypes required)."""
    if not isinstance(other, Tensor):
        other = to_tensor(other, like=input, dtype=input.dtype)
    if input.dtype is not other.dtype:
        raise DTypeError(f"{type_name(input.dtype)} did not match {type_name(other.dtype)}")
    if rtol < 0:
        raise DTypeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise DTypeError(f"atol must be greater than or equal to zero, but got {atol}")
    return IsClose.apply(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


@tensor_method
def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether ``isclose`` holds for every (broadcast) element."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


@tensor_method
def equal(input: Tensor, other: Tensor) -> bool:
    """True when both have the same shape and equal values (NaN is never equal)."""
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool(eq(input, other).all())


# ----------------------------------------------------------------- logical
def _logical(name: str, ufunc: str):
    primitive = type(name.title().replace("_", ""), (Primitive,), {
        "differentiable": False,
        "forward": lambda self, xp, a, b: getattr(xp, ufunc)(a, b)})

    def function(input: Tensor, other: Tensor, *, out=None) -> Tensor:
        like = input if isinstance(input, Tensor) else other
        input, other = to_tensor(input, like=like), to_tensor(other, like=like)
        return _maybe_out(primitive.apply(input, other), out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise ``{name}`` of the truth values, giving a bool tensor."
    tensor_method(function)
    define_unary_inplace(name, function)  # the result is cast back to the input's dtype
    return function


logical_and = _logical("logical_and", "logical_and")
logical_or = _logical("logical_or", "logical_or")
logical_xor = _logical("logical_xor", "logical_xor")


# ----------------------------------------------------------------- bitwise
class Bitwise(Primitive):
    differentiable = False
    ufunc = "bitwise_and"

    def forward(self, xp, a, b, dtype=None):
        return getattr(xp, self.ufunc)(cast(a, dtype), cast(b, dtype))


class Shift(Primitive):
    differentiable = False
    left = True

    def forward(self, xp, a, b, dtype=None):
        a, b = cast(a, dtype), cast(b, dtype)
        # a Python int operand takes the tensor's dtype (never widens it)
        a = xp.asarray(a) if hasattr(a, "dtype") else xp.asarray(a).astype(b.dtype)
        b = xp.asarray(b) if hasattr(b, "dtype") else xp.asarray(b).astype(a.dtype)
        bits = a.dtype.itemsize * 8
        # C shifts by a negative amount or past the width are undefined; PyTorch gives 0
        # (or -1 for right shifts of negative numbers)
        in_range = (b >= 0) & (b < bits)
        amount = xp.where(in_range, b, xp.zeros((), b.dtype))
        if self.left:
            return xp.where(in_range, xp.left_shift(a, amount), xp.zeros((), a.dtype))
        overflow = xp.where(a < 0, xp.asarray(-1).astype(a.dtype), xp.zeros((), a.dtype))
        return xp.where(in_range, xp.right_shift(a, amount), overflow)


def _bitwise_function(name: str, kernel: str, base, allow_bool: bool = True, **attributes):
    primitive = type(name.title().replace("_", ""), (base,), attributes)

    def function(input, other, *, out=None) -> Tensor:
        dtype = _dtypes.result_type(input, other)
        if is_inexact(dtype) or (dtype is _dtypes.bool and not allow_bool):
            raise not_implemented(kernel, dtype)
        return _maybe_out(_binary(primitive, input, other), out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    tensor_method(function)
    inplace_method(name, function)
    return function


bitwise_and = _bitwise_function("bitwise_and", "bitwise_and_cpu", Bitwise, ufunc="bitwise_and")
bitwise_or = _bitwise_function("bitwise_or", "bitwise_or_cpu", Bitwise, ufunc="bitwise_or")
bitwise_xor = _bitwise_function("bitwise_xor", "bitwise_xor_cpu", Bitwise, ufunc="bitwise_xor")
bitwise_left_shift = _bitwise_function("bitwise_left_shift", "lshift_cpu", Shift,
                                       allow_bool=False, left=True)
bitwise_right_shift = _bitwise_function("bitwise_right_shift", "rshift_cpu", Shift,
                                        allow_bool=False, left=False)


class BitwiseNot(Primitive):
    differentiable = False

    def forward(self, xp, a):
        return xp.invert(a)


@tensor_method
def bitwise_not(input: Tensor, *, out=None) -> Tensor:
    """``~input``: bit inversion of integers, logical negation of bools."""
    if is_inexact(input.dtype):
        raise not_implemented("bitwise_not_cpu", input.dtype)
    if input.dtype is _dtypes.bool:
        return logical_not(input, out=out)
    return _maybe_out(BitwiseNot.apply(input), out)


define_unary_inplace("bitwise_not", bitwise_not)


def _invert(self: Tensor) -> Tensor:
    if is_inexact(self.dtype):
        raise DTypeNotImplementedError("~ (operator.invert) is only implemented on integer and "
                                       "Boolean-type tensors")
    return bitwise_not(self)


Tensor.__invert__ = _invert
for _operator, _function in (("and", bitwise_and), ("or", bitwise_or), ("xor", bitwise_xor),
                             ("lshift", bitwise_left_shift), ("rshift", bitwise_right_shift)):
    setattr(Tensor, f"__{_operator}__", _operator_or_not_implemented(_function))
    setattr(Tensor, f"__r{_operator}__", _operator_or_not_implemented(_reflected(_function)))
    setattr(Tensor, f"__i{_operator}__", getattr(Tensor, _function.__name__ + "_"))
