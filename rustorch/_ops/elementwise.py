"""Core elementwise primitives: arithmetic, the unary-op factory, casting. Selection (where,
maximum/minimum, clamp) and comparisons live in ``selection.py`` and are re-exported here.

More math (trig, special functions, rounding, bitwise ...) lives in ``math.py`` and uses the
``unary_primitive`` factory defined here.
"""
from __future__ import annotations

import operator

import numpy as np

from .. import _backend, _parallel
from .. import dtypes as _dtypes
from ..autograd.function import Primitive, named_as, reports_as
from ..errors import (ArgumentTypeError, ArgumentValueError, AutogradError, DeviceError, DTypeError,
                      NotSupportedError)
from ..tensor import Tensor, tensor_method
from .scalar_bounds import clamp_array
from ._helpers import (array_result_type, cast, float_result_dtype, is_scalar,
                       promote_operands, to_tensor)
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
           "negative", "pow", "exp", "log", "sqrt", "rsqrt", "abs", "absolute", "sign", "relu",
           "sigmoid", "tanh", "square", "reciprocal", "rsub", "unary_primitive"]


# ----------------------------------------------------------------- binary arithmetic
class Add(Primitive):
    def forward(self, xp, a, b, dtype=None):
        if dtype is None:
            return a + b if xp is np else xp.add(a, b)
        return xp.add(cast(a, dtype), cast(b, dtype))

    def backward(self, grad):
        return grad, grad


class Sub(Primitive):
    def forward(self, xp, a, b, dtype=None):
        if dtype is None:
            return a - b if xp is np else xp.subtract(a, b)
        return xp.subtract(cast(a, dtype), cast(b, dtype))

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad(1) else None)


_HALF_TYPES = (np.dtype(np.float16), _dtypes.bfloat16.numpy)


def _single_point(value) -> bool:
    """A Python/numpy number or a one-element array (PyTorch's ``is_scalar`` operand)."""
    return not hasattr(value, "size") or value.size == 1


def _half_result(a, b, dtype):
    """The half type (float16/bfloat16) of a product or quotient, or None: ``dtype``, else
    the array operand's (the first one's unless it is a number or 0-d)."""
    if dtype is None:
        dtype = a.dtype if getattr(a, "ndim", 0) else getattr(b, "dtype", None)
    return dtype if dtype is not None and dtype in _HALF_TYPES else None


def _in_single(xp, operation, a, b, half):
    """PyTorch's half-type kernels with a one-element operand: the product/quotient of the
    float32 values (the element's own value, not rounded to the half type first) in float32,
    rounded once to ``half``."""
    single = np.float32
    return operation(cast(a, single), cast(b, single)).astype(half)


class Mul(Primitive):
    saves = (0, 1)

    def select_saved(self, inputs) -> list:
        # each gradient needs only the other factor: don't pin (and version-check) the rest
        a, b = inputs
        return [a if self.needs_input_grad(1) else None, b if self.needs_input_grad(0) else None]

    def forward(self, xp, a, b, dtype=None):
        if _single_point(b) or not hasattr(a, "ndim"):  # a number times a half tensor
            half = _half_result(a, b, dtype)
            if half is not None:
                return _in_single(xp, xp.multiply, a, b, half)
        if dtype is None:
            return a * b if xp is np else xp.multiply(a, b)
        return xp.multiply(cast(a, dtype), cast(b, dtype))

    def backward(self, grad):
        a, b = self.saved
        return (grad * _conj(b) if self.needs_input_grad(0) else None,
                grad * _conj(a) if self.needs_input_grad(1) else None)

    def backward_arrays(self, grad):
        # the gradient is real (run_backward checks), so both operands are: no conjugates
        a, b = (value._data if isinstance(value, Tensor) else value for value in self.saved)
        xp = _parallel.module_for(grad)
        return (xp.multiply(grad, b) if self.needs_input_grad(0) else None,
                xp.multiply(grad, a) if self.needs_input_grad(1) else None)


class Div(Primitive):
    saves = (0, 1)

    def forward(self, xp, a, b, dtype=None):
        if _single_point(b):  # a half tensor divided by a number
            half = _half_result(a, b, dtype)
            if half is not None:
                return _in_single(xp, xp.true_divide, a, b, half)
        return xp.true_divide(cast(a, dtype), cast(b, dtype))  # x/0: inf or nan, quietly

    def backward(self, grad):
        a, b = self.saved
        grad_a = grad / _conj(b) if self.needs_input_grad(0) else None
        grad_b = -grad * _conj(a) / _conj(b * b) if self.needs_input_grad(1) else None
        return grad_a, grad_b


class Pow(Primitive):
    saves = (0, 1)
    saves_output = True

    def forward(self, xp, a, b, dtype=None):
        scalar_exponent = not hasattr(b, "shape") or isinstance(b, np.generic)
        a, b = cast(a, dtype), cast(b, dtype)
        if array_result_type(a, b).kind in "iu" and bool((xp.asarray(b) < 0).any()):
            if scalar_exponent:
                raise ArgumentValueError(
                    "pow: Integers to negative integer powers are not allowed.")
            # tensor exponents: integer 1/a**n truncates to 0 unless a is 1 or -1, as PyTorch
            b = xp.asarray(b)
            odd_sign = 1 - 2 * (b & 1)
            negative = xp.where(a == 1, 1, xp.where(a == -1, odd_sign, 0))
            return xp.where(b < 0, negative, xp.power(a, xp.maximum(b, 0))).astype(
                array_result_type(a, b), copy=False)
        return xp.power(a, b)

    def backward(self, grad):
        # complex: the conjugate of the holomorphic derivative, as PyTorch's pow_backward
        a, b = self.saved
        grad_a = grad_b = None
        if self.needs_input_grad(0):
            if is_scalar(b):
                grad_a = grad * (0.0 if b == 0 else _conj(b * a ** (b - 1)))
            else:
                grad_a = where(b == 0, 0.0, grad * _conj(b * a ** (b - 1)))
        if self.needs_input_grad(1):
            base = a if isinstance(a, Tensor) else to_tensor(a, like=b, dtype=b.dtype)
            grad_b = grad * _conj(self.output * where(base == 0, 0.0, log(base)))
            # 0 ** b has a zero derivative in b for real b >= 0
            real_nonnegative = (b.real >= 0) & (b.imag == 0) if b.dtype.is_complex else b >= 0
            grad_b = where((base == 0) & real_nonnegative, 0.0, grad_b)
        return grad_a, grad_b


def _conj(value):
    """The complex conjugate of a tensor or Python/numpy number (real values unchanged)."""
    if isinstance(value, Tensor):
        return value.conj() if value.dtype.is_complex else value
    if isinstance(value, (complex, np.complexfloating)):
        return value.conjugate()
    return value


def _binary(cls, a, b):
    # fast paths: the common cases need no promotion (same dtypes; a float scalar with a
    # floating tensor); everything else goes through PyTorch's result_type rules
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._data.dtype is b._data.dtype:
                return cls.apply(a, b)
        elif type(b) is float and a._data.dtype.kind == "f":
            return cls.apply(a, b)
    dtype = promote_operands(a, b)
    if not isinstance(a, Tensor):
        if dtype is None:
            return cls.apply(a, b)
        a = to_tensor(a, like=b)
    return cls.apply(a, b, dtype=dtype)


@tensor_method
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion."""
    if alpha != 1:
        other = mul(other, alpha)
    return _maybe_out(_binary(Add, input, other), out)


@tensor_method
def sub(input, other, *, alpha=1, out=None):
    if isinstance(input, Tensor) and input.dtype is _dtypes.bool or \
            isinstance(other, Tensor) and other.dtype is _dtypes.bool:
        raise DTypeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                         "If you are trying to invert a mask, use the `~` or `logical_not()` "
                         "operator instead.")
    if alpha != 1:
        other = mul(other, alpha)
    return _maybe_out(_binary(Sub, input, other), out)


@tensor_method
def rsub(input, other, *, alpha=1):
    return sub(other, input, alpha=alpha) if alpha == 1 else sub(other, mul(input, alpha))


@tensor_method
def mul(input, other, *, out=None):
    return _maybe_out(_binary(Mul, input, other), out)


@tensor_method
def div(input, other, *, rounding_mode=None, out=None):
    """True division; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient."""
    if rounding_mode is None:
        if isinstance(input, Tensor) and not _is_inexact(input) and not (
                isinstance(other, Tensor) and _is_inexact(other)) and not isinstance(
                other, (float, complex)):
            input = input.to(_dtypes.get_default_dtype())
        elif not isinstance(input, Tensor) and isinstance(other, Tensor) and \
                not _is_inexact(other) and not isinstance(input, (float, complex)):
            other = other.to(_dtypes.get_default_dtype())
        return _maybe_out(_binary(Div, input, other), out)
    if rounding_mode == "trunc":
        return _maybe_out(_rounded_div(input, other, "trunc"), out)
    if rounding_mode == "floor":
        return _maybe_out(_rounded_div(input, other, "floor"), out)
    raise ArgumentValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                             f"but found '{rounding_mode}'")


def _is_inexact(tensor: Tensor) -> bool:
    return tensor.dtype.is_floating_point or tensor.dtype.is_complex


class RoundedDiv(Primitive):
    """``trunc(a / b)`` or ``floor(a / b)``; the gradient of a rounded quotient is zero almost
    everywhere (integer results never need one)."""

    def forward(self, xp, a, b, mode="trunc", dtype=None):
        a, b = cast(a, dtype), cast(b, dtype)
        kind = array_result_type(a, b).kind
        if kind in "iu":
            if bool((xp.asarray(b) == 0).any()):
                from .math_common import IntegerDivisionByZeroError
                raise IntegerDivisionByZeroError("ZeroDivisionError")
            if mode == "floor":
                return xp.floor_divide(a, b)
            quotient = xp.floor_divide(a, b)
            remainder = a - quotient * b
            # a negative inexact quotient was floored; truncation rounds it up by one
            adjust = (remainder != 0) & (quotient < 0)
            return quotient + adjust.astype(quotient.dtype)
        if mode == "floor":  # Python's floor division (1 // 0.1 == 9), as PyTorch
            return xp.floor_divide(a, b)
        return xp.trunc(xp.true_divide(a, b))

    def backward(self, grad):
        zeros = grad.new_zeros(grad.shape)  # the engine sums it down to each input's shape
        return (zeros if self.needs_input_grad(0) else None,
                zeros if self.needs_input_grad(1) else None)


def _rounded_div(a, b, mode):
    dtype = promote_operands(a, b)
    if not isinstance(a, Tensor):
        a = to_tensor(a, like=b)
    return RoundedDiv.apply(a, b, mode=mode, dtype=dtype)


def check_exact_out_dtype(result: Tensor, out, op: str) -> None:
    """PyTorch's error when ``out`` (a Tensor) lacks the result's exact dtype."""
    if out.dtype is not result.dtype:
        raise DTypeError(f"{op}: Expected out tensor to have dtype {result.dtype.name}, but got "
                         f"{out.dtype.name} instead (make out= a {result.dtype.name} tensor)")


def _maybe_out(result: Tensor, out, exact_dtype: str | None = None):
    """Write ``result`` into ``out`` (resized to the result's shape) and return ``out``.

    ``out`` must be on the result's device and take the result's dtype by a safe cast; with
    ``exact_dtype`` (the op's name) it must have the result's dtype, as PyTorch's
    non-elementwise ops (products, decompositions, selections ...) want. Every check runs
    before ``out`` is touched.
    """
    if out is None:
        return result
    if result.requires_grad:  # an input requires grad and a graph is being recorded
        name = result.grad_fn.name() if result.grad_fn is not None else "this op"
        raise AutogradError(f"{name}: functions with out=... arguments don't support automatic "
                            f"differentiation, but one of the arguments requires grad (call it "
                            f"under torch.no_grad(), or drop out=)")
    if not isinstance(out, Tensor):
        raise ArgumentTypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if type(out._data) is not type(result._data) and \
            _backend.device_of(out._data) != _backend.device_of(result._data):
        raise DeviceError(f"Expected out tensor to have device "
                          f"{_backend.device_of(result._data)}, but got "
                          f"{_backend.device_of(out._data)} instead (make out= on the inputs' "
                          f"device)")
    if out.dtype is not result.dtype:
        if exact_dtype is not None:
            check_exact_out_dtype(result, out, exact_dtype)
        out._check_cast_from(result.dtype)
    out._check_inplace()
    # keep the ``out`` object; it takes the result's shape if it differs
    if tuple(out.shape) != tuple(result.shape):
        out._data = out._xp().empty(result._data.shape, out._data.dtype)
    out._write(result._data, result.dtype)
    out._bump_version()
    return out


subtract = sub
multiply = mul
divide = div


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


# ----------------------------------------------------------------- unary factory
def unary_primitive(name: str, forward, derivative=None, *, saves_input=True,
                    saves_output=False, integer_to_float=False, differentiable=True,
                    output_derivative=None, exact_out=False):
    """Build a unary op: ``forward(xp, array)``; ``derivative(node, x, grad) -> grad_x``.

    Returns the public function (also attached as a Tensor method). ``integer_to_float`` makes
    integer inputs compute in the default float dtype (``exp``, ``sqrt`` ...).
    ``output_derivative(xp, output, grad)``, on arrays, is the same derivative in terms of
    the saved output, used when no graph is being built. ``exact_out``: ``out=`` must have the
    result's dtype (PyTorch's ``abs``, ``neg``, ``sign`` ...).
    """
    exact_name = name if exact_out else None
    def primitive_forward(self, xp, a):
        return forward(xp, a)

    def primitive_backward(self, grad):
        x = self.saved[0] if self.saved else None
        return derivative(self, x, grad)

    def primitive_backward_arrays(self, grad):
        return (output_derivative(_parallel.module_for(grad), self.output_array(), grad),)

    primitive = type(name.capitalize(), (Primitive,), {
        "forward": primitive_forward, "backward": primitive_backward,
        "saves": (0,) if saves_input else (), "saves_output": saves_output,
        "differentiable": differentiable and derivative is not None,
        "backward_arrays": primitive_backward_arrays if output_derivative else None,
    })

    def function(input, *, out=None):
        if autocast_state.active:
            return autocast_call(function, name, input, out=out)
        if integer_to_float:
            target = float_result_dtype(input)
            if target is not None:
                input = input.to(_dtypes.from_numpy_dtype(target))
        return _maybe_out(primitive.apply(input), out, exact_name)

    function.__name__ = name
    function.__qualname__ = name
    function.__doc__ = f"Elementwise ``{name}``, as ``torch.{name}``."
    function.primitive = primitive
    tensor_method(function)
    return function


neg = unary_primitive("neg", lambda xp, a: xp.negative(a), lambda node, x, g: -g,
                      saves_input=False, exact_out=True)
negative = neg
exp = unary_primitive("exp", lambda xp, a: xp.exp(a), lambda node, x, g: g * node.output,
                      saves_input=False, saves_output=True, integer_to_float=True,
                      output_derivative=lambda xp, out, g: xp.multiply(g, out))
log = unary_primitive("log", lambda xp, a: xp.log(a), lambda node, x, g: g / x,
                      integer_to_float=True)
sqrt = unary_primitive("sqrt", lambda xp, a: xp.sqrt(a),
                       lambda node, x, g: g / (2 * node.output), saves_input=False,
                       saves_output=True, integer_to_float=True)
rsqrt = unary_primitive("rsqrt", lambda xp, a: 1 / xp.sqrt(a),
                        lambda node, x, g: -0.5 * g * node.output ** 3, saves_input=False,
                        saves_output=True, integer_to_float=True)
abs = unary_primitive("abs", lambda xp, a: xp.abs(a), lambda node, x, g: g * x.sgn(),  # noqa: A001
                      exact_out=True)
absolute = abs
sign = unary_primitive("sign", lambda xp, a: xp.sign(xp.where(a != a, 0, a)).astype(
                       a.dtype, copy=False), lambda node, x, g: g * 0,  # sign(NaN) = 0
                       saves_input=False, exact_out=True)
# relu passes the gradient where PyTorch's ``not (output <= 0)`` holds, NaN included; an
# output is positive, zero or NaN, so that is ``output != 0``, one comparison
relu = unary_primitive("relu", lambda xp, a: clamp_array(xp, a, low=0),
                       lambda node, x, g: g * node.output.ne(0), saves_input=False,
                       saves_output=True,
                       output_derivative=lambda xp, out, g: xp.multiply(g, xp.not_equal(out, 0)))
tanh = unary_primitive("tanh", lambda xp, a: xp.tanh(a),
                       lambda node, x, g: _tanh_derivative(node.output, g),
                       saves_input=False, saves_output=True, integer_to_float=True,
                       output_derivative=lambda xp, out, g: _tanh_derivative(
                           out, g, xp.multiply, xp.subtract))
square = None  # defined below as a composition
reciprocal = unary_primitive("reciprocal", lambda xp, a: xp.reciprocal(a),
                             lambda node, x, g: -g * _conj(node.output * node.output),
                             saves_input=False, saves_output=True, integer_to_float=True)


def _tanh_derivative(output, grad, multiply=operator.mul, subtract=operator.sub):
    """``grad * (1 - output^2)``, on Tensors (the operators) or arrays (xp's ufuncs)."""
    return multiply(grad, subtract(1, multiply(output, output)))


def _sigmoid_derivative(output, grad, multiply=operator.mul, subtract=operator.sub):
    """``grad * output * (1 - output)``."""
    return multiply(multiply(grad, output), subtract(1, output))


def sigmoid_into(xp, a, out):
    """``out = sigmoid(a)`` by PyTorch's formula 1 / (1 + exp(-x)), in place on ``out`` (which
    may be ``a``): exp(-x) overflowing to inf gives the limit 0 (floating-point exceptions are
    quiet), NaN stays NaN. Shared with the fused recurrent cells."""
    xp.negative(a, out=out)
    xp.exp(out, out=out)
    xp.add(out, 1, out=out)
    xp.reciprocal(out, out=out)
    return out


def _sigmoid_forward(xp, a):
    # out=: a 0-d result stays an array
    return sigmoid_into(xp, a, xp.empty_like(a)).astype(a.dtype, copy=False)


sigmoid = unary_primitive("sigmoid", _sigmoid_forward,
                          lambda node, x, g: _sigmoid_derivative(node.output, g),
                          saves_input=False, saves_output=True, integer_to_float=True,
                          output_derivative=lambda xp, out, g: _sigmoid_derivative(
                              out, g, xp.multiply, xp.subtract))


@tensor_method
@reports_as("PowBackward0")
def square(input, *, out=None):  # noqa: F811
    return _maybe_out(mul(input, input), out)


@tensor_method(name="pow")
def pow(input, exponent, *, out=None):  # noqa: A001
    """``input ** exponent`` (either may be a Python number)."""
    if autocast_state.active:
        return autocast_call(pow, "pow", **locals())
    result = _binary(Pow, input, exponent)
    if isinstance(exponent, Tensor):  # PyTorch's overloads: Tensor_Tensor 1, Scalar 2
        named_as(result, "PowBackward1" if isinstance(input, Tensor) else "PowBackward2")
    return _maybe_out(result, out)


@tensor_method
def sgn(input, *, out=None):
    if input.dtype.is_complex:
        magnitude = abs(input)
        result = where(magnitude == 0, 0, input / where(magnitude == 0, 1, magnitude))
    else:
        result = sign(input)
    return _maybe_out(result, out, "sgn")


# ----------------------------------------------------------------- casting and copies
class Cast(Primitive):
    def forward(self, xp, a, dtype=None):
        if xp is not np and np.dtype(dtype).name == "bfloat16":
            raise NotSupportedError(f"casting a {a.dtype} tensor on {_backend.device_of(a)} to "
                                    f"bfloat16: CuPy has no bfloat16 arrays; use float16 or "
                                    f"float32 on CUDA")
        return a.astype(dtype)

    def backward(self, grad):
        return grad  # the engine casts the gradient back to the input's dtype


class Clone(Primitive):
    def forward(self, xp, a, memory_format=None):
        if memory_format is None:
            return a.copy(order="K")  # preserve_format
        from .memory_format import copy_as
        return copy_as(xp, a, memory_format)

    def backward(self, grad):
        return grad


def cast_tensor(tensor: Tensor, dtype: "_dtypes.dtype", copy: bool = False) -> Tensor:
    if tensor._data.dtype == dtype.numpy and not copy:
        return tensor
    if dtype.is_floating_point or dtype.is_complex:
        if tensor.dtype.is_complex and not dtype.is_complex:
            import warnings
            warnings.warn("Casting complex values to real discards the imaginary part",
                          stacklevel=3)
            return Cast.apply(tensor.real, dtype=dtype.numpy)
        return Cast.apply(tensor, dtype=dtype.numpy)
    with np.errstate(invalid="ignore", over="ignore"):
        return Tensor._make(tensor._data.astype(dtype.numpy))


@tensor_method
def clone(input, *, memory_format=None):
    """A copy; ``memory_format`` defaults to ``preserve_format`` (the source's layout)."""
    if memory_format is not None:
        from .memory_format import memory_order
        memory_order(memory_format, input.ndim, "clone")  # checks the format and the rank
    return Clone.apply(input, memory_format=memory_format)


from .selection import *  # noqa: E402,F401,F403 - where/maximum/clamp/comparisons live there
from .selection import __all__ as _selection_all  # noqa: E402

__all__ = __all__ + _selection_all
