"""DLPack exchange: ``from_dlpack`` (zero-copy import from numpy, cupy, torch, jax ...) and
``to_dlpack``; ``Tensor.__dlpack__`` is the export side."""
from __future__ import annotations

import ctypes

import numpy as np

from ..errors import ArgumentTypeError, DeviceError, DTypeError, RusTorchError
from .. import _backend

__all__ = ["from_dlpack", "to_dlpack"]


class DLPackError(RusTorchError, BufferError):
    """A tensor that can't be exported through DLPack (PyTorch raises BufferError)."""

_CPU, _CUDA, _CUDA_HOST, _ROCM = 1, 2, 3, 10


class _Capsule:
    """Wraps a bare (legacy) DLPack capsule so array libraries can consume it."""

    def __init__(self, capsule, device: tuple) -> None:
        self._capsule = capsule
        self._device = device

    def __dlpack__(self, stream=None, **kwargs):
        return self._capsule

    def __dlpack_device__(self) -> tuple:
        return self._device


def _capsule_device(capsule) -> tuple:
    """(device type, device id) of a bare DLPack capsule, read from its DLTensor: the
    ``dltensor`` capsule points at a DLManagedTensor (the DLTensor first), the
    ``dltensor_versioned`` one at a DLManagedTensorVersioned (the DLTensor after a version,
    two pointers and the flags); a DLTensor holds the data pointer, then the device. An object
    that is not a real capsule is taken to be host memory."""
    api = ctypes.pythonapi
    api.PyCapsule_IsValid.restype, api.PyCapsule_GetPointer.restype = ctypes.c_int, \
        ctypes.c_void_p
    api.PyCapsule_IsValid.argtypes = api.PyCapsule_GetPointer.argtypes = \
        [ctypes.py_object, ctypes.c_char_p]
    for name, offset in ((b"dltensor", 0), (b"dltensor_versioned", 32)):
        if api.PyCapsule_IsValid(capsule, name):
            address = api.PyCapsule_GetPointer(capsule, name) + offset + ctypes.sizeof(
                ctypes.c_void_p)
            device = (ctypes.c_int32 * 2).from_address(address)
            return int(device[0]), int(device[1])
    return _CPU, 0


def from_dlpack(ext_tensor):
    """A Tensor sharing memory with ``ext_tensor`` (an object with ``__dlpack__``, or a DLPack
    capsule from a CPU array).

    >>> import numpy as np
    >>> array = np.arange(3.0)
    >>> rustorch.from_dlpack(array)
    tensor([0., 1., 2.], dtype=torch.float64)
    """
    from ..tensor import Tensor
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if not hasattr(ext_tensor, "__dlpack__"):
        if type(ext_tensor).__name__ != "PyCapsule":
            raise ArgumentTypeError(f"from_dlpack: expected an object with __dlpack__ or a DLPack "
                            f"capsule, got {type(ext_tensor).__name__}")
        ext_tensor = _Capsule(ext_tensor, _capsule_device(ext_tensor))
    device_type, _device_id = ext_tensor.__dlpack_device__()
    try:
        if device_type in (_CPU, _CUDA_HOST):
            array = np.from_dlpack(ext_tensor)
        elif device_type in (_CUDA, _ROCM):
            cupy = _backend.cupy_module()
            if cupy is None:
                raise DeviceError("from_dlpack: the tensor lives on a GPU but CuPy is not "
                                  "installed; install rustorch[cuda12] (or [cuda13])")
            array = cupy.from_dlpack(ext_tensor)
        else:
            raise DeviceError(f"from_dlpack: unsupported DLPack device type {device_type}")
    except DeviceError:
        raise
    except (BufferError, RuntimeError, TypeError) as error:
        raise DTypeError(f"from_dlpack: the array can't be imported ({error}); bfloat16 and "
                         f"other types numpy lacks must be converted first") from None
    return Tensor._make(array)


def to_dlpack(tensor):
    """A DLPack capsule for ``tensor`` (prefer passing the Tensor itself to the consumer)."""
    return tensor.__dlpack__()
