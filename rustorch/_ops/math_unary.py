"""Unary math: trigonometric and hyperbolic functions, the exp/log family, rounding, signs.

Integer and bool inputs of the floating functions compute in the default float dtype, as
``torch.sin(int_tensor)`` does; rounding keeps integer dtypes and rejects bool.
"""
from __future__ import annotations

import math


from .. import dtypes as _dtypes
from ..autograd.function import Primitive
from ..errors import DTypeError
from ..tensor import Tensor, tensor_method
from . import elementwise
from .elementwise import _maybe_out, unary_primitive, where
from .math_common import conj, define_unary_inplace, not_implemented

__all__ = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
           "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "deg2rad",
           "rad2deg", "exp2", "expm1", "log2", "log10", "log1p", "floor", "ceil", "round",
           "trunc", "fix", "frac", "signbit", "positive", "angle"]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _float_unary(name: str, forward, derivative, **options):
    # domain errors give NaN/inf silently, as in PyTorch (Primitive.apply keeps numpy quiet)
    return unary_primitive(name, forward, derivative, integer_to_float=True, **options)


# ----------------------------------------------------------------- trigonometric
sin = _float_unary("sin", lambda xp, a: xp.sin(a), lambda node, x, g: g * conj(cos(x)))
cos = _float_unary("cos", lambda xp, a: xp.cos(a), lambda node, x, g: -g * conj(sin(x)))
tan = _float_unary("tan", lambda xp, a: xp.tan(a),
                   lambda node, x, g: g * conj(1 + node.output * node.output),
                   saves_input=False, saves_output=True)
asin = _float_unary("asin", lambda xp, a: xp.arcsin(a),
                    lambda node, x, g: g * conj((1 - x * x).rsqrt()))
acos = _float_unary("acos", lambda xp, a: xp.arccos(a),
                    lambda node, x, g: -g * conj((1 - x * x).rsqrt()))
atan = _float_unary("atan", lambda xp, a: xp.arctan(a),
                    lambda node, x, g: g / conj(1 + x * x))

# ----------------------------------------------------------------- hyperbolic
sinh = _float_unary("sinh", lambda xp, a: xp.sinh(a), lambda node, x, g: g * conj(cosh(x)))
cosh = _float_unary("cosh", lambda xp, a: xp.cosh(a), lambda node, x, g: g * conj(sinh(x)))
asinh = _float_unary("asinh", lambda xp, a: xp.arcsinh(a),
                     lambda node, x, g: g * conj((x * x + 1).rsqrt()))
# (x - 1)^(-1/2) (x + 1)^(-1/2): for complex x, the branch of acosh itself (not (x² - 1)^(-1/2))
acosh = _float_unary("acosh", lambda xp, a: xp.arccosh(a),
                     lambda node, x, g: g * conj((x - 1).rsqrt() * (x + 1).rsqrt()))
atanh = _float_unary("atanh", lambda xp, a: xp.arctanh(a),
                     lambda node, x, g: g / conj(1 - x * x))

arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
for _alias, _target in (("arcsin", asin), ("arccos", acos), ("arctan", atan),
                        ("arcsinh", asinh), ("arccosh", acosh), ("arctanh", atanh)):
    tensor_method(_target, name=_alias)

def _scaled(xp, array, factor: float):
    """``array * factor`` as PyTorch's multiplication by a Python number (``Mul``'s rule:
    half types in float32, one rounding)."""
    if array.dtype in elementwise._HALF_TYPES:
        return elementwise._in_single(xp, xp.multiply, array, factor, array.dtype)
    return array * xp.asarray(factor, array.dtype)


deg2rad = _float_unary("deg2rad", lambda xp, a: _scaled(xp, a, math.pi / 180),
                       lambda node, x, g: g * (math.pi / 180), saves_input=False)
rad2deg = _float_unary("rad2deg", lambda xp, a: _scaled(xp, a, 180 / math.pi),
                       lambda node, x, g: g * (180 / math.pi), saves_input=False)

# ----------------------------------------------------------------- exp / log
exp2 = _float_unary("exp2", lambda xp, a: xp.exp2(a),
                    lambda node, x, g: g * conj(node.output) * _LN2,
                    saves_input=False, saves_output=True)
expm1 = _float_unary("expm1", lambda xp, a: xp.expm1(a),
                     lambda node, x, g: g * conj(node.output + 1),
                     saves_input=False, saves_output=True)
log2 = _float_unary("log2", lambda xp, a: xp.log2(a), lambda node, x, g: g / (conj(x) * _LN2))
log10 = _float_unary("log10", lambda xp, a: xp.log10(a),
                     lambda node, x, g: g / (conj(x) * _LN10))
log1p = _float_unary("log1p", lambda xp, a: xp.log1p(a), lambda node, x, g: g / conj(x + 1))


# ----------------------------------------------------------------- rounding
def _zero_derivative(node, x, grad):
    return grad * 0


def _rounding(name: str, forward):
    primitive_function = unary_primitive(name, forward, _zero_derivative, saves_input=False)
    primitive = primitive_function.primitive

    def function(input: Tensor, *, out=None) -> Tensor:
        if input.dtype is _dtypes.bool:
            raise not_implemented(f"{name}_vml_cpu", input.dtype)
        if input.dtype.is_complex:
            raise DTypeError(f"{name} is not supported for complex inputs")
        if not input.dtype.is_floating_point:  # integers are already whole numbers
            return _maybe_out(input.clone(), out, name)
        return _maybe_out(primitive.apply(input), out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise ``{name}``; integer tensors are returned unchanged (copied)."
    tensor_method(function)
    return function


floor = _rounding("floor", lambda xp, a: xp.floor(a))
ceil = _rounding("ceil", lambda xp, a: xp.ceil(a))
trunc = _rounding("trunc", lambda xp, a: xp.trunc(a))
fix = trunc
tensor_method(trunc, name="fix")
_round_half_even = _rounding("round", lambda xp, a: xp.rint(a))


class RoundDecimals(Primitive):
    def forward(self, xp, a, decimals=0):
        # numpy's round scales by 10**decimals and rounds half to even, as PyTorch does
        return xp.round(a, decimals).astype(a.dtype, copy=False)

    def backward(self, grad):
        return grad * 0


@tensor_method(name="round")
def round(input: Tensor, *, decimals: int = 0, out=None) -> Tensor:  # noqa: A001
    """Round half to even; ``decimals`` rounds to that many decimal places (negative: tens,
    hundreds ...)."""
    if decimals == 0:
        return _round_half_even(input, out=out)
    if not input.dtype.is_floating_point:
        raise not_implemented("round_cpu", input.dtype)
    return _maybe_out(RoundDecimals.apply(input, decimals=int(decimals)), out, "round")


class Frac(Primitive):
    def forward(self, xp, a):
        return a - xp.trunc(a)

    def backward(self, grad):
        return grad


@tensor_method
def frac(input: Tensor, *, out=None) -> Tensor:
    """``input - trunc(input)``: the fractional part, with the sign of ``input``."""
    if not input.dtype.is_floating_point:
        raise not_implemented("frac_cpu", input.dtype)
    return _maybe_out(Frac.apply(input), out, "frac")


# ----------------------------------------------------------------- signs
class SignBit(Primitive):
    differentiable = False

    def forward(self, xp, a):
        if a.dtype.kind in "b":
            return xp.zeros(a.shape, dtype=bool)
        return xp.signbit(a)


@tensor_method
def signbit(input: Tensor, *, out=None) -> Tensor:
    """True where the sign bit is set (negative numbers and ``-0.0``)."""
    if input.dtype.is_complex:
        raise DTypeError("signbit is not implemented for complex tensors.")
    return _maybe_out(SignBit.apply(input), out, "signbit")


@tensor_method
def positive(input: Tensor) -> Tensor:
    """``+input``: returns ``input`` itself (bool tensors are rejected, as in PyTorch)."""
    if input.dtype is _dtypes.bool:
        raise DTypeError("The `+` operator, on a bool tensor is not supported.")
    return input


class Angle(Primitive):
    saves = (0,)

    def forward(self, xp, a):
        if a.dtype.kind == "c":
            return xp.angle(a)
        # pi for negative numbers, 0 otherwise, NaN kept
        return xp.where(a < 0, a.dtype.type(math.pi), xp.where(a != a, a, a.dtype.type(0)))

    def backward(self, grad):
        (z,) = self.saved
        if not z.dtype.is_complex:
            return grad * 0
        # d angle: grad * z / |z|^2 * i, zero at the origin (PyTorch's angle_backward)
        squared = z.abs() ** 2
        value = grad * z / where(squared == 0, 1.0, squared) * 1j
        return where(z == 0, 0.0, value)


@tensor_method
def angle(input: Tensor, *, out=None) -> Tensor:
    """The argument of complex numbers (pi for negative reals, 0 otherwise)."""
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        input = input.to(_dtypes.get_default_dtype())
    return _maybe_out(Angle.apply(input), out)


# method aliases PyTorch has for core ops
tensor_method(elementwise.neg, name="negative")
tensor_method(elementwise.abs, name="absolute")
define_unary_inplace("absolute", elementwise.abs)

for _name in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
              "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
              "deg2rad", "rad2deg", "exp2", "expm1", "log2", "log10", "log1p", "floor", "ceil",
              "round", "trunc", "fix", "frac"):
    define_unary_inplace(_name, globals()[_name])
