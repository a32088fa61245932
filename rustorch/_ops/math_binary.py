"""Binary math: ``atan2``, ``hypot``, ``logaddexp``, ``copysign``, ``fmod``/``remainder`` (and
``%``, ``//``), ``lerp``, ``float_power``, ``ldexp``, ``nextafter``, ``heaviside``."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from ..autograd.function import Primitive, named_as
from ..errors import DTypeError
from ..tensor import Tensor, tensor_method
from ._helpers import array_result_type, cast, to_tensor
from .elementwise import _binary, _maybe_out, div, pow, where
from .inplace import _operator_or_not_implemented, _reflected, inplace_method
from .math_common import (IntegerDivisionByZeroError, conj, float_operands, is_inexact,
                          not_implemented, type_name)
from .math_unary import exp2
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "copysign", "nextafter",
           "ldexp", "float_power", "fmod", "remainder", "floor_divide", "lerp", "heaviside",
           "fmax", "fmin", "gcd", "lcm"]


# ----------------------------------------------------------------- float-valued
class Atan2(Primitive):
    saves = (0, 1)

    def forward(self, xp, a, b):
        return xp.arctan2(a, b)

    def backward(self, grad):
        a, b = self.saved
        squared = a * a + b * b
        # the origin has no defined direction; PyTorch gives it a zero gradient
        scale = where(squared == 0, 0.0, grad / where(squared == 0, 1.0, squared))
        return (scale * b if self.needs_input_grad(0) else None,
                -scale * a if self.needs_input_grad(1) else None)


@tensor_method
def atan2(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right
    quadrant."""
    if autocast_state.active:
        return autocast_call(atan2, "atan2", **locals())
    return _maybe_out(Atan2.apply(*float_operands("atan2", input, other)), out)


arctan2 = atan2
tensor_method(atan2, name="arctan2")


class Hypot(Primitive):
    saves = (0, 1)
    saves_output = True

    def forward(self, xp, a, b):
        return xp.hypot(a, b)

    def backward(self, grad):
        a, b = self.saved
        scale = grad / self.output
        return (scale * a if self.needs_input_grad(0) else None,
                scale * b if self.needs_input_grad(1) else None)


@tensor_method
def hypot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``sqrt(input**2 + other**2)`` without intermediate overflow."""
    return _maybe_out(Hypot.apply(*float_operands("hypot_cpu", input, other, False)), out)


class LogAddExp(Primitive):
    saves = (0, 1)

    def forward(self, xp, a, b, base2=False):
        self.base2 = base2
        with np.errstate(invalid="ignore"):
            return xp.logaddexp2(a, b) if base2 else xp.logaddexp(a, b)

    def backward(self, grad):
        a, b = self.saved
        power = exp2 if self.base2 else Tensor.exp
        return (grad / (1 + power(b - a)) if self.needs_input_grad(0) else None,
                grad / (1 + power(a - b)) if self.needs_input_grad(1) else None)


@tensor_method
def logaddexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``log(exp(input) + exp(other))``, computed without overflow."""
    a, b = float_operands("logaddexp_cpu", input, other, False)
    return _maybe_out(LogAddExp.apply(a, b), out)


@tensor_method
def logaddexp2(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``log2(2**input + 2**other)``, computed without overflow."""
    a, b = float_operands("logaddexp2_cpu", input, other, False)
    return _maybe_out(LogAddExp.apply(a, b, base2=True), out)


class Copysign(Primitive):
    saves = (0,)
    saves_output = True

    def forward(self, xp, a, b):
        return xp.copysign(a, b)

    def backward(self, grad):
        (a,) = self.saved
        ratio = where(a == 0, 0.0, self.output / where(a == 0, 1.0, a))
        # the sign source gets a zero (not a missing) gradient, as in PyTorch
        return (grad * ratio if self.needs_input_grad(0) else None,
                grad * 0 if self.needs_input_grad(1) else None)


@tensor_method
def copysign(input: Tensor, other, *, out=None) -> Tensor:
    """``|input|`` with the sign (bit) of ``other``; integer inputs give floats."""
    return _maybe_out(Copysign.apply(*float_operands("copysign", input, other)), out)


class NextAfter(Primitive):
    def forward(self, xp, a, b):
        return xp.nextafter(a, b)

    def backward(self, grad):
        # a one-ulp step: PyTorch passes the gradient through to input, zero to other
        return (grad if self.needs_input_grad(0) else None,
                grad * 0 if self.needs_input_grad(1) else None)


@tensor_method
def nextafter(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The next representable value after ``input`` towards ``other``."""
    return _maybe_out(NextAfter.apply(*float_operands("nextafter_cpu", input, other, False)),
                      out)


@tensor_method
def ldexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``input * 2**other``."""
    a, b = float_operands("ldexp", input, other)
    return _maybe_out(a * exp2(b), out)


@tensor_method
def float_power(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent`` computed in double precision (complex128 for complex inputs)."""
    operands = [v for v in (input, exponent) if isinstance(v, Tensor)]
    complex_input = any(v.dtype.is_complex for v in operands) or any(
        isinstance(v, complex) for v in (input, exponent))
    target = _dtypes.complex128 if complex_input else _dtypes.float64
    input, exponent = (v.to(target) if isinstance(v, Tensor) else
                       (complex(v) if complex_input else float(v)) for v in (input, exponent))
    return _maybe_out(pow(input, exponent), out, "float_power")


# ----------------------------------------------------------------- modulo and friends
class Fmod(Primitive):
    saves = (0, 1)
    ufunc = "fmod"

    def forward(self, xp, a, b, dtype=None):
        a, b = cast(a, dtype), cast(b, dtype)
        if array_result_type(a, b).kind in "iu" and bool((xp.asarray(b) == 0).any()):
            raise IntegerDivisionByZeroError("ZeroDivisionError")
        with np.errstate(all="ignore"):
            return getattr(xp, self.ufunc)(a, b)

    def backward(self, grad):
        a, b = self.saved
        grad_b = None
        if self.needs_input_grad(1):
            mode = "trunc" if self.ufunc == "fmod" else "floor"
            grad_b = -grad * div(a, b, rounding_mode=mode)
        return grad if self.needs_input_grad(0) else None, grad_b


class Remainder(Fmod):
    ufunc = "remainder"


def _modulo(cls, kernel: str, input, other):
    dtype = _dtypes.result_type(input, other)
    if dtype is _dtypes.bool:
        raise not_implemented(kernel, dtype)
    if dtype.is_complex:
        raise DTypeError(f"{cls.ufunc} does not support complex inputs ({type_name(dtype)})")
    return _binary(cls, input, other)


@tensor_method
def fmod(input: Tensor, other, *, out=None) -> Tensor:
    """C's ``fmod``: the remainder of truncated division (sign of the dividend)."""
    return _maybe_out(_modulo(Fmod, "fmod_cpu", input, other), out)


@tensor_method
def remainder(input, other, *, out=None) -> Tensor:
    """Python's ``%``: the remainder of floor division (sign of the divisor)."""
    return _maybe_out(_modulo(Remainder, "remainder_cpu", input, other), out)


@tensor_method
def floor_divide(input, other, *, out=None) -> Tensor:
    """Python's ``//``: ``floor(input / other)`` (gradients are zero)."""
    if _dtypes.result_type(input, other) is _dtypes.bool:
        raise not_implemented("div_floor_cpu", _dtypes.bool)
    return div(input, other, rounding_mode="floor", out=out)


# ----------------------------------------------------------------- lerp and heaviside
class Lerp(Primitive):
    saves = (0, 1, 2)

    def forward(self, xp, start, end, weight):
        difference = end - start
        # PyTorch's two-sided formula: exact at weight 0 and at weight 1
        return xp.where(xp.abs(weight) < 0.5, start + weight * difference,
                        end - difference * (1 - weight)).astype(start.dtype, copy=False)

    def backward(self, grad):
        start, end, weight = self.saved
        return (grad * conj(1 - weight) if self.needs_input_grad(0) else None,
                grad * conj(weight) if self.needs_input_grad(1) else None,
                grad * conj(end - start) if self.needs_input_grad(2) else None)


@tensor_method
def lerp(input: Tensor, end: Tensor, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``; ``weight`` is a number or a tensor."""
    if not is_inexact(input.dtype):
        raise not_implemented("lerp_kernel_scalar", input.dtype)
    for name, value in (("end", end), ("weight", weight)):
        if isinstance(value, Tensor) and value.dtype is not input.dtype:
            raise DTypeError(f"expected dtype {type_name(input.dtype)} for `{name}` but got "
                             f"dtype {type_name(value.dtype)}")
    overload = "LerpBackward1" if isinstance(weight, Tensor) else "LerpBackward0"
    if not isinstance(weight, Tensor):
        weight = to_tensor(weight, like=input, dtype=input.dtype)
    return _maybe_out(named_as(Lerp.apply(input, end, weight), overload), out)


class Heaviside(Primitive):
    differentiable = False

    def forward(self, xp, a, values):
        return xp.where(a == 0, values, a > 0).astype(a.dtype, copy=False)


@tensor_method
def heaviside(input: Tensor, values: Tensor, *, out=None) -> Tensor:
    """The step function: 0 for negative, ``values`` at zero, 1 for positive ``input``."""
    if not isinstance(values, Tensor):
        values = to_tensor(values, like=input, dtype=input.dtype)
    if input.dtype.is_complex or values.dtype.is_complex:
        raise DTypeError("heaviside is not yet implemented for complex tensors.")
    if input.dtype is not values.dtype:
        raise DTypeError("heaviside is not yet implemented for tensors with different dtypes.")
    return _maybe_out(Heaviside.apply(input, values), out, "heaviside")


# ----------------------------------------------------------------- NaN-ignoring extrema
class Fmax(Primitive):
    saves = (0, 1)
    take_max = True

    def forward(self, xp, a, b, dtype=None):
        a, b = cast(a, dtype), cast(b, dtype)
        return xp.fmax(a, b) if self.take_max else xp.fmin(a, b)

    def backward(self, grad):
        a, b = self.saved
        # PyTorch: ties and a NaN ``other`` send the whole gradient to ``input``
        input_wins = ((a >= b) if self.take_max else (a <= b)) | b.isnan()
        return (where(input_wins, grad, 0.0) if self.needs_input_grad(0) else None,
                where(input_wins, 0.0, grad) if self.needs_input_grad(1) else None)


class Fmin(Fmax):
    take_max = False


def _extremum(cls, name: str, input, other):
    if any(isinstance(v, Tensor) and v.dtype.is_complex for v in (input, other)):
        raise DTypeError(f"{name} not implemented for complex tensors.")
    return _binary(cls, input, other)


@tensor_method
def fmax(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    return _maybe_out(_extremum(Fmax, "fmax", input, other), out)


@tensor_method
def fmin(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Elementwise minimum that ignores NaN (NaN only where both are NaN)."""
    return _maybe_out(_extremum(Fmin, "fmin", input, other), out)


# ----------------------------------------------------------------- integer number theory
class Gcd(Primitive):
    differentiable = False
    ufunc = "gcd"

    def forward(self, xp, a, b, dtype=None):
        return getattr(xp, self.ufunc)(cast(a, dtype), cast(b, dtype))


class Lcm(Gcd):
    ufunc = "lcm"


def _number_theory(cls, kernel: str, input, other):
    dtype = _dtypes.result_type(input, other)
    if is_inexact(dtype) or dtype is _dtypes.bool:
        raise not_implemented(kernel, dtype)
    return _binary(cls, input, other)


@tensor_method
def gcd(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Greatest common divisor of integer tensors (non-negative)."""
    return _maybe_out(_number_theory(Gcd, "gcd_cpu", input, other), out)


@tensor_method
def lcm(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Least common multiple of integer tensors (non-negative)."""
    return _maybe_out(_number_theory(Lcm, "lcm_cpu", input, other), out)


# ----------------------------------------------------------------- in place and operators
for _name in ("atan2", "arctan2", "hypot", "copysign", "nextafter", "ldexp", "fmod",
              "remainder", "floor_divide", "lerp", "heaviside", "gcd", "lcm"):
    inplace_method(_name, globals()[_name])


@tensor_method(name="float_power_")
def _float_power_inplace(self: Tensor, exponent) -> Tensor:
    required = _dtypes.complex128 if self.dtype.is_complex or (
        isinstance(exponent, Tensor) and exponent.dtype.is_complex) else _dtypes.float64
    if self.dtype is not required:
        raise DTypeError(f"the base given to float_power_ has dtype {type_name(self.dtype)} but "
                         f"the operation's result requires dtype {type_name(required)}")
    return self._inplace(lambda target: float_power(target, exponent), exponent)


Tensor.__mod__ = _operator_or_not_implemented(remainder)
Tensor.__rmod__ = _operator_or_not_implemented(_reflected(remainder))
Tensor.__floordiv__ = _operator_or_not_implemented(floor_divide)
Tensor.__rfloordiv__ = _operator_or_not_implemented(_reflected(floor_divide))
Tensor.__imod__ = lambda self, other: Tensor.remainder_(self, other)
Tensor.__ifloordiv__ = lambda self, other: Tensor.floor_divide_(self, other)
