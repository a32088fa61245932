"""Helpers shared by the math op modules (``math_unary``, ``math_special``, ``math_binary``,
``math_logical``): dtype checks with PyTorch's errors, float promotion, scipy dispatch.
"""
from __future__ import annotations

import importlib

import numpy as np

from .. import _backend, _parallel
from .. import dtypes as _dtypes
from ..errors import DTypeError, DTypeNotImplementedError, IntegerDivisionByZeroError  # noqa: F401
from ..tensor import _TORCH_TYPE_NAMES, Tensor, tensor_method
from ._helpers import to_tensor

__all__ = []


def type_name(dtype: _dtypes.dtype) -> str:
    """PyTorch's C++ scalar-type name (``Float``, ``Long`` ...) used in its error messages."""
    return _TORCH_TYPE_NAMES.get(dtype.name, dtype.name)


def not_implemented(kernel: str, dtype: _dtypes.dtype) -> DTypeNotImplementedError:
    return DTypeNotImplementedError(f'"{kernel}" not implemented for \'{type_name(dtype)}\'')


def is_inexact(dtype: _dtypes.dtype) -> bool:
    return dtype.is_floating_point or dtype.is_complex


def is_integral(dtype: _dtypes.dtype, include_bool: bool = True) -> bool:
    return not is_inexact(dtype) and (include_bool or dtype is not _dtypes.bool)


def as_float_tensor(input: Tensor) -> Tensor:
    """``input`` itself when floating or complex, else cast to the default float dtype."""
    if is_inexact(input.dtype):
        return input
    return input.to(_dtypes.get_default_dtype())


def like_of(a, b) -> Tensor:
    return a if isinstance(a, Tensor) else b


def promoted_tensors(a, b, dtype: _dtypes.dtype) -> tuple[Tensor, Tensor]:
    """Both operands as tensors of ``dtype`` (Python scalars become 0-d tensors)."""
    like = like_of(a, b)
    a = to_tensor(a, like=like, dtype=None if isinstance(a, Tensor) else dtype)
    b = to_tensor(b, like=like, dtype=None if isinstance(b, Tensor) else dtype)
    return a.to(dtype), b.to(dtype)


def float_operands(kernel: str, a, b, integer_ok: bool = True) -> tuple[Tensor, Tensor]:
    """Promote two operands (PyTorch rules) and turn an integral result into the default float.

    ``integer_ok=False`` raises PyTorch's NotImplementedError when promotion gives an integer
    or bool dtype (``hypot``, ``logaddexp`` have no integer kernels).
    """
    result = _dtypes.result_type(a, b)
    if not is_inexact(result):
        if not integer_ok:
            raise not_implemented(kernel, result)
        result = _dtypes.get_default_dtype()
    return promoted_tensors(a, b, result)


def require_tensor(name: str, argument: str, position: int, value) -> None:
    """PyTorch's TypeError for functions whose operands must be tensors."""
    if not isinstance(value, Tensor):
        from ..errors import ArgumentTypeError
        raise ArgumentTypeError(f"{name}(): argument '{argument}' (position {position}) must be "
                                f"Tensor, not {type(value).__name__}")


_LOW_PRECISION = (np.dtype(np.float16), _dtypes.bfloat16.numpy)


def special_module(xp):
    """``scipy.special`` for numpy arrays, ``cupyx.scipy.special`` for cupy arrays."""
    if xp is np or xp is _parallel.numpy or _backend.cupy_module() is None:
        return importlib.import_module("scipy.special")
    return importlib.import_module("cupyx.scipy.special")


def special_call(xp, function_name: str, a, *leading):
    """``special.<function_name>(*leading, a)`` in ``a``'s dtype; half types compute in float32
    (scipy has no float16/bfloat16 kernels)."""
    function = getattr(special_module(xp), function_name)
    source_dtype = a.dtype
    if source_dtype in _LOW_PRECISION:
        a = a.astype(np.float32)
    with np.errstate(all="ignore"):
        result = function(*leading, a)
    return result.astype(source_dtype, copy=False)


def conj(value):
    """Complex conjugate of a tensor (a no-op for real ones): PyTorch's complex gradients are
    ``grad * conj(f'(z))``."""
    if isinstance(value, Tensor) and value.dtype.is_complex:
        return value.conj()
    return value


def define_unary_inplace(name: str, function) -> None:
    """``Tensor.<name>_``: ``function`` applied in place through ``Tensor._inplace`` (which
    checks leaves, bumps versions and refuses results that can't be cast back)."""
    def method(self, *args, **kwargs):
        return self._inplace(lambda target: function(target, *args, **kwargs))
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place ``{name}``."
    tensor_method(method, name=name + "_")
