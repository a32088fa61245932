"""In-place variants (``add_``, ``mul_``, ``zero_``, ``copy_`` ...) and Python operators.

Without a graph to record, the common in-place ops write straight into the tensor's memory
(``out=``), which is what optimizers rely on. With one, they go through ``Tensor._inplace``.
"""
from __future__ import annotations

import numpy as np

from .. import _quiet
from .. import dtypes as _dtypes
from ..autograd.function import named_as
from ..autograd.grad_mode import grad_state
from ..errors import DTypeError
from ..tensor import _TORCH_TYPE_NAMES, Tensor, tensor_method
from . import elementwise as ew
from . import linalg_core as _linalg_core
from .scalar_values import scalar_for

__all__ = ["inplace_method"]


def _plain(other):
    return other._data if isinstance(other, Tensor) else other


def _needs_graph(self, *others) -> bool:
    return grad_state.enabled and (self.requires_grad or any(
        isinstance(o, Tensor) and o.requires_grad for o in others))


def _cast_error(self, other) -> DTypeError:
    result = _dtypes.result_type(self, other)
    return DTypeError(f"result type {_TORCH_TYPE_NAMES.get(result.name, result.name)} can't be "
                      f"cast to the desired output type "
                      f"{_TORCH_TYPE_NAMES.get(self.dtype.name, self.dtype.name)}")


def _fast_binary(self, ufunc, other) -> bool:
    """Apply ``self = ufunc(self, other)`` in memory; False when the fast path doesn't apply."""
    if _needs_graph(self, other) or not _dtypes.can_cast(
            _dtypes.result_type(self, other), self.dtype):
        return False
    data = self._data
    other_data = _plain(other)
    if data.dtype.itemsize == 2 and data.dtype in ew._HALF_TYPES and \
            ufunc in (np.multiply, np.true_divide) and ew._single_point(other_data):
        return False  # by a number: in float32 (Mul/Div), as PyTorch's half-type kernels
    if isinstance(other_data, np.ndarray) and other_data.dtype != data.dtype:
        other_data = other_data.astype(data.dtype)
    try:
        ufunc(data, other_data, out=data, casting="unsafe")
    except ValueError:
        return False
    self._bump_version()
    return True


def inplace_method(name: str, function, ufunc=None):
    """Define ``Tensor.<name>_`` from the out-of-place ``function``."""
    def method(self, other, *args, **kwargs):
        if ufunc is not None and not args and not kwargs:
            self._check_inplace()
            if _fast_binary(self, ufunc, other):
                return self
        if not _dtypes.can_cast(_dtypes.result_type(self, other), self.dtype):
            raise _cast_error(self, other)
        return self._inplace(lambda target: function(target, other, *args, **kwargs), other)
    method.__name__ = name + "_"
    method.__doc__ = f"In-place ``{name}``."
    tensor_method(method, name=name + "_")
    return method


inplace_method("add", ew.add)
inplace_method("sub", ew.sub)
inplace_method("mul", ew.mul, np.multiply)
inplace_method("div", ew.div)
inplace_method("pow", ew.pow, np.power)
inplace_method("maximum", ew.maximum)
inplace_method("minimum", ew.minimum)
Tensor.subtract_ = Tensor.sub_
Tensor.multiply_ = Tensor.mul_
Tensor.divide_ = Tensor.div_
Tensor.true_divide_ = Tensor.div_


@tensor_method(name="add_")
def add_(self, other, *, alpha=1):
    self._check_inplace()
    if alpha == 1:
        if _fast_binary(self, np.add, other):
            return self
    elif not _needs_graph(self, other) and isinstance(other, Tensor) and self.dtype is \
            other.dtype and self.dtype.is_floating_point:
        self._data += other._data * alpha  # optimizer steps: one temporary at most
        self._bump_version()
        return self
    if not _dtypes.can_cast(_dtypes.result_type(self, other), self.dtype):
        raise _cast_error(self, other)
    return self._inplace(lambda target: ew.add(target, other, alpha=alpha), other)


@tensor_method(name="sub_")
def sub_(self, other, *, alpha=1):
    self._check_inplace()
    if alpha == 1 and self.dtype is not _dtypes.bool and _fast_binary(self, np.subtract, other):
        return self
    return add_(self, other, alpha=-alpha)


@tensor_method(name="div_")
def div_(self, other, *, rounding_mode=None):
    self._check_inplace()
    if rounding_mode is None and self.dtype.is_floating_point and _fast_binary(
            self, np.true_divide, other):
        return self
    result_dtype = _dtypes.result_type(self, other) if rounding_mode else _dtypes.promote_types(
        _dtypes.result_type(self, other), _dtypes.get_default_dtype())
    if not _dtypes.can_cast(result_dtype, self.dtype):
        raise DTypeError(f"result type {_TORCH_TYPE_NAMES.get(result_dtype.name)} can't be cast "
                         f"to the desired output type "
                         f"{_TORCH_TYPE_NAMES.get(self.dtype.name, self.dtype.name)}")
    return self._inplace(lambda target: ew.div(target, other, rounding_mode=rounding_mode),
                         other)


def _unary_inplace(name):
    function = getattr(ew, name, None) or getattr(Tensor, name)

    def method(self, *args, **kwargs):
        return self._inplace(lambda target: function(target, *args, **kwargs))
    method.__name__ = name + "_"
    tensor_method(method, name=name + "_")


for _name in ("neg", "exp", "log", "sqrt", "rsqrt", "abs", "sign", "relu", "sigmoid", "tanh",
              "reciprocal", "square", "clamp", "clamp_min", "clamp_max", "negative"):
    _unary_inplace(_name)
Tensor.clip_ = Tensor.clamp_


@tensor_method(name="zero_")
def zero_(self):
    return fill_(self, 0)


@tensor_method(name="fill_")
def fill_(self, value):
    self._check_inplace()
    if _needs_graph(self, value):
        # where(True, value, target): the old values get a zero gradient (and stay in the graph)
        return self._inplace(lambda target: ew.where(
            target.new_ones((), dtype=_dtypes.bool),
            value.to(target.dtype) if isinstance(value, Tensor) else target.new_full((), value),
            target), value)
    value = value._data if isinstance(value, Tensor) else scalar_for(value, self.dtype, "fill_")
    quiet = _quiet.enter()  # a value rounding to inf in a half type: no numpy warning
    try:
        self._data[...] = value
    finally:
        _quiet.leave(quiet)
    self._bump_version()
    return self


@tensor_method(name="copy_")
def copy_(self, src, non_blocking: bool = False):
    """Copy ``src`` (broadcast, cast, moved across devices) into this tensor's memory."""
    self._check_inplace()
    if not isinstance(src, Tensor):
        from ._helpers import to_tensor
        src = to_tensor(src, like=self)
    if _needs_graph(self, src):
        return self._inplace(lambda target: ew.where(
            target.new_ones((), dtype=_dtypes.bool), src.to(self.device).to(self.dtype),
            target), src)
    data = src._data
    if src.device != self.device:
        data = src.to(self.device)._data
    if data.dtype != self._data.dtype:
        with np.errstate(invalid="ignore", over="ignore"):
            data = data.astype(self._data.dtype)
    self._write(data)
    self._bump_version()
    return self


# ----------------------------------------------------------------- operators
def _reflected(function):
    def method(self, other):
        return function(other, self)
    return method


_OPERAND_TYPES = (Tensor, int, float, bool, complex, np.generic)


def _operator_or_not_implemented(function):
    def method(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            if isinstance(other, np.ndarray):
                other = Tensor._make(other)
            else:
                return NotImplemented
        return function(self, other)
    return method


Tensor.__add__ = _operator_or_not_implemented(ew.add)
Tensor.__radd__ = _operator_or_not_implemented(_reflected(ew.add))
Tensor.__sub__ = _operator_or_not_implemented(ew.sub)


def _reflected_subtraction(self, other):
    """``other - self``: PyTorch's ``rsub`` (its node RsubBackward1 for a number)."""
    result = ew.sub(other, self)
    return result if isinstance(other, Tensor) else named_as(result, "RsubBackward1", self)


Tensor.__rsub__ = _operator_or_not_implemented(_reflected_subtraction)
Tensor.__mul__ = _operator_or_not_implemented(ew.mul)
Tensor.__rmul__ = _operator_or_not_implemented(ew.mul)  # PyTorch: mul(self, other)


def _reflected_division(self, other):
    """``other / self``: PyTorch's ``self.reciprocal() * other`` for a number ``other`` (its
    rounding, not a true division's), true division for tensors."""
    if isinstance(other, Tensor):
        return ew.div(other, self)
    return ew.mul(ew.reciprocal(self), other)


Tensor.__truediv__ = _operator_or_not_implemented(ew.div)
Tensor.__rtruediv__ = _operator_or_not_implemented(_reflected_division)
Tensor.__pow__ = _operator_or_not_implemented(ew.pow)
Tensor.__rpow__ = _operator_or_not_implemented(_reflected(ew.pow))
Tensor.__neg__ = ew.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = ew.abs
Tensor.__eq__ = _operator_or_not_implemented(ew.eq)
Tensor.__ne__ = _operator_or_not_implemented(ew.ne)
Tensor.__lt__ = _operator_or_not_implemented(ew.lt)
Tensor.__le__ = _operator_or_not_implemented(ew.le)
Tensor.__gt__ = _operator_or_not_implemented(ew.gt)
Tensor.__ge__ = _operator_or_not_implemented(ew.ge)
Tensor.__iadd__ = lambda self, other: add_(self, other)
Tensor.__isub__ = lambda self, other: sub_(self, other)
Tensor.__imul__ = lambda self, other: Tensor.mul_(self, other)
Tensor.__itruediv__ = lambda self, other: div_(self, other)


def _matmul(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return _linalg_core.matmul(self, other)


Tensor.__matmul__ = _matmul
Tensor.__rmatmul__ = lambda self, other: _matmul(other, self) if isinstance(
    other, Tensor) else NotImplemented
