"""``Parameter`` (a Tensor a Module registers as learnable) and ``Buffer`` (a registered state)."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


def _empty_data():
    from .. import dtypes as _dtypes
    return np.empty((0,), dtype=_dtypes.get_default_dtype().numpy)


class Parameter(Tensor):
    """A Tensor that is registered as a parameter when assigned to a ``Module`` attribute.

    It shares memory with ``data``; ``requires_grad`` defaults to True.

    >>> weight = Parameter(rustorch.zeros(2, 3))
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        array = _empty_data() if data is None else data._data
        instance = object.__new__(cls)
        instance._init_from(array, False)
        if data is not None:
            instance._version_counter = data._version_counter  # same memory, same version
        if requires_grad:
            instance.requires_grad_(True)
        return instance

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._make(self._data.copy()), self.requires_grad)
        if self.grad is not None:
            result.grad = self.grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        data = self._data if self.is_cpu else self._data.get()
        return (_rebuild_parameter, (np.array(data), self.requires_grad, str(self.device),
                                     type(self)))


def _rebuild_parameter(array, requires_grad, device_name, cls=Parameter):
    data = Tensor._make(array)
    if device_name != "cpu":
        data = data.to(device_name)
    return cls(data, requires_grad)


class _BufferMeta(type):
    # ``isinstance(t, Buffer)`` is true for tensors marked by ``Buffer(...)``, as in PyTorch
    def __instancecheck__(cls, instance) -> bool:
        if cls is Buffer:
            return isinstance(instance, Tensor) and \
                bool(getattr(instance, "_is_buffer", False))
        return super().__instancecheck__(instance)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor as a buffer: assigning ``Buffer(t)`` to a Module attribute registers it.

    Returns a tensor sharing ``data``'s memory, flagged with ``persistent``.
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = Tensor._make(_empty_data())
        tensor = data.detach()
        tensor.requires_grad = data.requires_grad and data.grad_fn is None
        tensor.__dict__["_is_buffer"] = True
        tensor.__dict__["persistent"] = persistent
        return tensor


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (lazy modules); ``materialize`` gives it one."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        instance = Parameter.__new__(cls, None, requires_grad)
        instance.__dict__["_lazy_dtype"] = dtype
        instance.__dict__["_lazy_device"] = device
        return instance

    def __init__(self, *args, **kwargs) -> None:
        pass

    def materialize(self, shape, device=None, dtype=None) -> None:
        from .. import creation
        dtype = dtype or self.__dict__.get("_lazy_dtype")
        device = device or self.__dict__.get("_lazy_device")
        data = creation.empty(*shape, dtype=dtype, device=device)
        self._data = data._data
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (lazy modules); ``materialize`` gives it one."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None,
                persistent: bool = True):
        instance = object.__new__(cls)
        instance._init_from(_empty_data(), False)
        instance.__dict__["_lazy_dtype"] = dtype
        instance.__dict__["_lazy_device"] = device
        instance.__dict__["persistent"] = persistent
        if requires_grad:
            instance.requires_grad_(True)
        return instance

    def __init__(self, *args, **kwargs) -> None:
        pass

    materialize = UninitializedParameter.materialize

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"
