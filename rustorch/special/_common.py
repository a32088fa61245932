"""Helpers shared by the ``torch.special`` modules: argument checks with PyTorch's errors, the
scipy (``cupyx.scipy.special`` on CUDA) dispatch, and the unary-op factory."""
from __future__ import annotations

import numpy as np

from .._ops.elementwise import _maybe_out
from .._ops.math_common import (as_float_tensor, float_operands, not_implemented,
                                require_tensor, special_module)
from ..autograd.function import Primitive
from ..errors import ArgumentTypeError, NotSupportedError
from ..tensor import Tensor

__all__ = ["call_special", "check_kernel", "float_input", "float_pair",
           "derivative_not_implemented", "unary_special"]

_LOW_PRECISION = ("float16", "bfloat16")


def call_special(xp, function_name: str, *arrays, output: int | None = None, dtype=None):
    """``special.<function_name>(*arrays)`` in ``dtype`` (default: the first array's dtype).

    Half types compute in float32 (scipy has no float16/bfloat16 kernels); ``output`` picks
    one result of a multi-output function (``airy``). CUDA arrays use ``cupyx.scipy.special``;
    where it lacks the function (the orthogonal polynomials, ``airy``, ``spherical_jn``), scipy
    computes it on a host copy and the result goes back to the device.
    """
    module = special_module(xp)
    function = getattr(module, function_name, None)
    if function is None:
        if not any(hasattr(array, "__cuda_array_interface__") for array in arrays):
            raise NotSupportedError(f"{module.__name__} has no '{function_name}', which this "
                                    f"torch.special function needs")
        host = [array.get() if hasattr(array, "__cuda_array_interface__") else array
                for array in arrays]
        return xp.asarray(call_special(np, function_name, *host, output=output, dtype=dtype))
    dtype = arrays[0].dtype if dtype is None else dtype
    arrays = [array.astype(np.float32) if array.dtype.name in _LOW_PRECISION else array
              for array in arrays]
    result = function(*arrays)  # Primitive.apply keeps numpy quiet
    if output is not None:
        result = result[output]
    return xp.asarray(result).astype(dtype, copy=False)


def check_kernel(name: str, tensor: Tensor, half: bool) -> None:
    """PyTorch's NotImplementedError for dtypes the ``name`` kernel lacks: complex always,
    float16/bfloat16 unless ``half``."""
    dtype = tensor.dtype
    if dtype.is_complex or (not half and dtype.name in _LOW_PRECISION):
        raise not_implemented(f"{name}_{tensor.device.type}", dtype)


def float_input(name: str, input, half: bool) -> Tensor:
    """``input`` checked as a tensor, integers and bools promoted to the default float dtype."""
    require_tensor(f"special_{name}", "input", 1, input)
    result = as_float_tensor(input)
    check_kernel(name, result, half)
    return result


def float_pair(name: str, input, other, *, kernel: str | None = None, half: bool = True,
               scalars: bool = True, integer_ok: bool = True) -> tuple[Tensor, Tensor]:
    """Both operands promoted as PyTorch's binary special functions do.

    ``scalars``: either operand may be a Python number (not both); otherwise both must be
    tensors. ``integer_ok=False``: an integral result type raises NotImplementedError instead
    of computing in the default float dtype.
    """
    if scalars:
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise ArgumentTypeError(
                f"special_{name}() received an invalid combination of arguments - got "
                f"({type(input).__name__}, {type(other).__name__}), but expected at least one "
                f"Tensor")
    else:
        require_tensor(f"special_{name}", "input", 1, input)
        require_tensor(f"special_{name}", "other", 2, other)
    kernel = kernel or name
    like = input if isinstance(input, Tensor) else other
    a, b = float_operands(f"{kernel}_{like.device.type}", input, other, integer_ok=integer_ok)
    check_kernel(kernel, a, half)
    return a, b


def derivative_not_implemented(what: str) -> NotSupportedError:
    """PyTorch's error for an input whose derivative it does not implement (a
    NotImplementedError, so also a RuntimeError)."""
    return NotSupportedError(f"the derivative for '{what}' is not implemented.")


def unary_special(name: str, compute, derivative=None, *, half: bool = False,
                  saves_output: bool = False, doc: str = ""):
    """A public unary ``torch.special`` function backed by one Primitive.

    ``compute(xp, array)`` is the forward on arrays; ``derivative(node, x, grad)`` the input
    gradient in Tensor ops (``node.output`` is the result). Without a derivative the op is not
    differentiable: its output never requires grad, as in PyTorch. ``half``: float16/bfloat16
    inputs are accepted (computed in float32) rather than refused.
    """
    if isinstance(compute, str):
        scipy_name = compute

        def compute(xp, array):
            return call_special(xp, scipy_name, array)

    def forward(self, xp, array):
        return compute(xp, array)

    def backward(self, grad):
        return derivative(self, self.saved[0], grad)

    # PyTorch's node names: SpecialErfcxBackward0, SpecialI0EBackward0 ...
    node_class = type("Special" + name.title().replace("_", ""), (Primitive,), {
        "forward": forward, "backward": backward,
        "saves": (0,) if derivative is not None else (),
        "saves_output": saves_output, "differentiable": derivative is not None,
    })

    def function(input: Tensor, *, out: Tensor | None = None) -> Tensor:
        return _maybe_out(node_class.apply(float_input(name, input, half)), out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc or f"Elementwise ``torch.special.{name}``."
    function.primitive = node_class
    return function
