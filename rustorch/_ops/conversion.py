"""dtype and device conversions: ``to``, ``float()``, ``cuda()``, ``type_as`` ..."""
from __future__ import annotations

from .. import _backend
from .. import dtypes as _dtypes
from ..layout import preserve_format
from ..autograd.function import Primitive
from ..errors import ArgumentTypeError, DTypeError
from ..tensor import Tensor, tensor_method
from .elementwise import cast_tensor

__all__ = ["to"]


class ToDevice(Primitive):
    def forward(self, xp, a, target=None):
        self.source = _backend.device_of(a)
        return _backend.to_device(a, target)

    def backward(self, grad):
        return grad.to(self.source)


def _parse_to_arguments(args, kwargs):
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)  # read by ``to`` itself
    if kwargs:
        raise ArgumentTypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    flags = []  # positional non_blocking, copy (as in ``to(device, dtype, non_blocking, copy)``)
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, bool):
            flags.append(arg)
        elif isinstance(arg, _dtypes.dtype) or arg in (float, int, bool, complex):
            dtype = arg
        elif isinstance(arg, (str, _backend.device, int)):
            device = arg
        elif str(arg).startswith("torch."):
            dtype = arg
        elif type(arg).__name__ == "device":
            device = arg
    if len(flags) > 1:
        copy = flags[1]
    return device, dtype, copy


@tensor_method
def to(self, *args, **kwargs):
    """Convert dtype and/or device: ``to(dtype)``, ``to(device)``, ``to(other)``."""
    device, dtype, copy = _parse_to_arguments(args, dict(kwargs))
    result = self
    if device is not None:
        target = _backend.to_device_object(device)
        if target != result.device and not (target.type == result.device.type == "cuda"
                                             and target.index is None):
            result = ToDevice.apply(result, target=target)
    if dtype is not None:
        result = cast_tensor(result, _dtypes.to_dtype(dtype), copy=copy and result is self)
    if copy and result is self:
        result = result.clone()
    return _in_memory_format(result, kwargs.get("memory_format"))


def _in_memory_format(tensor, memory_format):
    """``tensor`` laid out in ``memory_format`` (``preserve_format`` and None: as it is)."""
    if memory_format is None or memory_format is preserve_format:
        return tensor
    return tensor.contiguous(memory_format=memory_format)


def _cast_method(name, dtype):
    def method(self, memory_format=None):
        return _in_memory_format(cast_tensor(self, dtype), memory_format)
    method.__name__ = name
    method.__doc__ = f"``self.to({dtype})``"
    tensor_method(method, name=name)


for _name, _dtype in (("float", _dtypes.float32), ("double", _dtypes.float64),
                      ("half", _dtypes.float16), ("bfloat16", _dtypes.bfloat16),
                      ("long", _dtypes.int64), ("int", _dtypes.int32),
                      ("short", _dtypes.int16), ("char", _dtypes.int8),
                      ("byte", _dtypes.uint8), ("bool", _dtypes.bool),
                      ("cfloat", _dtypes.complex64), ("cdouble", _dtypes.complex128)):
    _cast_method(_name, _dtype)


@tensor_method
def cpu(self, memory_format=None):
    return to(self, "cpu")


@tensor_method
def cuda(self, device=None, non_blocking: bool = False, memory_format=None):
    if device is None:
        device = "cuda"
    elif isinstance(device, int):
        device = f"cuda:{device}"
    return to(self, device)


@tensor_method
def type_as(self, other):
    return cast_tensor(self, other.dtype)


class Conj(Primitive):
    def forward(self, xp, a):
        return xp.conj(a)

    def backward(self, grad):
        return grad.conj()


@tensor_method
def conj(self):
    return Conj.apply(self) if self.dtype.is_complex else self


class Real(Primitive):
    def forward(self, xp, a):
        return xp.real(a).copy()

    def backward(self, grad):
        return grad + 0j * grad


class Imag(Primitive):
    def forward(self, xp, a):
        return xp.imag(a).copy()

    def backward(self, grad):
        return grad * 1j


def _real(self):
    return Real.apply(self) if self.dtype.is_complex else self


def _imag(self):
    if not self.dtype.is_complex:
        raise DTypeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(self)


Tensor.real = property(_real)
Tensor.imag = property(_imag)
