"""The Python protocol of Tensor: conversions to numbers, lists and arrays, DLPack, printing,
copying and pickling (a mixin of ``rustorch.tensor.Tensor``)."""
from __future__ import annotations

import copy

import numpy as np

from . import dtypes as _dtypes
from ._storage_blocks import deepcopy_array
from .errors import ArgumentTypeError, AutogradError, ShapeError

__all__ = ["TensorProtocol"]

_new = object.__new__


class TensorProtocol:
    """``len``/``iter``/``bool``/``float``/``int``/``index``, ``item``, ``tolist``, ``numpy``,
    ``__array__``, DLPack, ``repr``/``format``, copy, deepcopy and pickle."""

    __slots__ = ()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise ArgumentTypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise ArgumentTypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ShapeError(f"Boolean value of Tensor with more than one value is ambiguous "
                             f"(shape {list(self.shape)}); use .any() or .all()")
        return bool(self._data.reshape(()).item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self.dtype.is_complex or self._data.size != 1:
            raise ArgumentTypeError("only integer tensors of a single element can be converted "
                                    "to an index")
        return int(self.item())

    def item(self):
        if self._data.size != 1:
            raise ShapeError(f"a Tensor with {self._data.size} elements cannot be converted "
                             f"to Scalar")
        value = self._data.reshape(()).item() if self.is_cpu else self._data.get().item()
        if self._data.dtype == _dtypes.bfloat16.numpy:
            return float(value)
        return value

    def tolist(self):
        data = self._data if self.is_cpu else self._data.get()
        if data.dtype == _dtypes.bfloat16.numpy:
            data = data.astype(np.float32)
        return data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if not self.is_cpu:
            if not force:
                raise _device_error("numpy()", self)
            return self._data.get()
        if self.requires_grad and not force:
            raise AutogradError("Can't call numpy() on Tensor that requires grad. Use "
                                "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()  # as PyTorch: no implicit copy off a GPU, nor past a graph
        if dtype is not None:
            return array.astype(dtype, copy=False)
        return array

    def __dlpack__(self, *args, **kwargs):
        if self.requires_grad:
            from .utils.dlpack import DLPackError
            raise DLPackError("Can't export tensors that require gradient, use "
                              "tensor.detach()")
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise ArgumentTypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __copy__(self):
        """A shallow copy shares memory (as in PyTorch)."""
        result = _new(type(self))
        result._init_from(self._data, self.requires_grad)
        result._version_counter = self._version_counter
        result.__dict__.update(self.__dict__)
        return result

    def __reduce_ex__(self, protocol):
        data = self._data if self.is_cpu else self._data.get()
        return (_rebuild_tensor, (np.array(data), self.requires_grad, str(self.device)))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise AutogradError("Only Tensors created explicitly by the user (graph leaves) "
                                "support the deepcopy protocol at the moment. If you were "
                                "attempting to deepcopy a module, this may be because of a "
                                "torch.nn.utils.weight_norm usage, see "
                                "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        result = _new(type(self))
        result._init_from(deepcopy_array(self._data, memo), self.requires_grad)
        if self.grad is not None:
            result.grad = self.grad.__deepcopy__(memo)
        for key, value in self.__dict__.items():
            result.__dict__[key] = copy.deepcopy(value, memo)
        memo[id(self)] = result
        return result


def _device_error(what: str, tensor) -> ArgumentTypeError:
    return ArgumentTypeError(f"{what}: can't convert {tensor.device} device type tensor to "
                             f"numpy. Use Tensor.cpu() to copy the tensor to host memory first.")


def _rebuild_tensor(array, requires_grad, device_name):
    from .tensor import Tensor
    tensor = Tensor._make(array)
    if device_name != "cpu":
        tensor = tensor.to(device_name)
    tensor.requires_grad = requires_grad
    return tensor
