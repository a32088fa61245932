"""``tensor.grad = value``: PyTorch's checks on an assigned gradient (type, dtype, device,
size), so a bad assignment raises instead of corrupting what optimizers read later."""
from __future__ import annotations

from . import _backend
from .errors import ArgumentTypeError, DeviceError, DTypeError, ShapeError

# the element type names PyTorch's message prints (C++ type names)
_ELEMENT_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                  "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
                  "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                  "bool": "bool", "complex64": "c10::complex<float>",
                  "complex128": "c10::complex<double>"}


def check_assigned_grad(tensor, value) -> None:
    from .tensor import _TORCH_TYPE_NAMES, Tensor
    if not isinstance(value, Tensor):
        raise ArgumentTypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
    dtype, grad_dtype = value._data.dtype.name, tensor._data.dtype.name
    if dtype != grad_dtype:
        raise DTypeError(
            f"attempting to assign a gradient with dtype '{_ELEMENT_NAMES.get(dtype, dtype)}' "
            f"to a tensor with grad_dtype '{_TORCH_TYPE_NAMES.get(grad_dtype, grad_dtype)}'. "
            f"The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype); "
            f"cast it with .to({grad_dtype})")
    if type(value._data) is not type(tensor._data):
        device, expected = _backend.device_of(value._data), _backend.device_of(tensor._data)
        if device != expected:
            kind = ("device type", device.type, expected.type) if device.type != expected.type \
                else ("device with index", device.index, expected.index)
            raise DeviceError(
                f"attempting to assign a gradient located on {kind[0]} '{kind[1]}' to a tensor "
                f"located on {kind[0]} '{kind[2]}'. Please ensure that the gradient and the "
                f"tensor are on the same device")
    if value._data.shape != tensor._data.shape:
        raise ShapeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a "
                         f"tensor of size '{list(tensor.shape)}'. Please ensure that the "
                         f"gradient and the tensor are the same size")
