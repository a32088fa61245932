"""The legacy tensor types: ``torch.FloatTensor``, ``torch.LongTensor`` ... and their
``torch.cuda`` twins, as PyTorch still offers them.

Each is an object (of type ``tensortype``, like PyTorch's) that builds tensors of its dtype on
its device (``torch.FloatTensor(2, 3)``, ``torch.LongTensor([1, 2])``), answers ``isinstance``
for tensors of that dtype and device, and names a target for ``Tensor.type(...)`` and
``set_default_tensor_type``. They are not subclasses of Tensor, as in PyTorch.
"""
from __future__ import annotations

from . import dtypes as _dtypes
from .errors import ArgumentTypeError, ArgumentValueError, DTypeError

__all__ = ["TENSOR_TYPE_NAMES", "tensortype", "legacy_types", "set_default_tensor_type"]

TENSOR_TYPE_NAMES = {"FloatTensor": "float32", "DoubleTensor": "float64",
                     "HalfTensor": "float16", "BFloat16Tensor": "bfloat16",
                     "ByteTensor": "uint8", "CharTensor": "int8", "ShortTensor": "int16",
                     "IntTensor": "int32", "LongTensor": "int64", "BoolTensor": "bool"}


class tensortype:  # noqa: N801 - PyTorch's name for the type of torch.FloatTensor
    """A legacy tensor type: a dtype on a device type."""

    def __init__(self, name: str, dtype, is_cuda: bool) -> None:
        self.__name__ = name
        self.__qualname__ = name
        self.__module__ = "torch.cuda" if is_cuda else "torch"
        self.dtype = dtype
        self.is_cuda = is_cuda
        self.is_sparse = False

    def __repr__(self) -> str:
        return f"<class '{self.__module__}.{self.__name__}'>"

    def __instancecheck__(self, instance) -> bool:
        from .tensor import Tensor
        return isinstance(instance, Tensor) and instance.dtype is self.dtype and \
            instance.is_cuda == self.is_cuda

    def __call__(self, *args, device=None):
        """``FloatTensor(2, 3)`` (uninitialized), ``FloatTensor([1, 2])`` (data),
        ``FloatTensor(size)``, or a tensor of this exact type (returned as it is)."""
        from .creation import legacy_tensor_constructor
        from .tensor import Tensor
        if len(args) == 1 and isinstance(args[0], Tensor) and not isinstance(args[0], self):
            raise DTypeError(f"{self.__name__}(): expected a tensor of dtype {self.dtype} on "
                             f"{'cuda' if self.is_cuda else 'cpu'}, got dtype "
                             f"{args[0].dtype} on {args[0].device}; convert it with "
                             f".type({self.__module__}.{self.__name__})")
        if device is None:
            device = "cuda" if self.is_cuda else "cpu"
        return legacy_tensor_constructor(Tensor, args, device=device, dtype=self.dtype)


def legacy_types(is_cuda: bool) -> dict:
    """{name: tensortype} for the CPU (``torch.*``) or CUDA (``torch.cuda.*``) types."""
    return {name: tensortype(name, getattr(_dtypes, dtype), is_cuda)
            for name, dtype in TENSOR_TYPE_NAMES.items()}


def resolve(value):
    """A tensortype for a tensortype or a type name such as ``'torch.cuda.FloatTensor'``."""
    if isinstance(value, tensortype):
        return value
    if isinstance(value, str):
        is_cuda = value.startswith("torch.cuda.")
        name = value.rsplit(".", 1)[-1]
        if name in TENSOR_TYPE_NAMES and value in (f"torch.{name}", f"torch.cuda.{name}"):
            return tensortype(name, getattr(_dtypes, TENSOR_TYPE_NAMES[name]), is_cuda)
    raise ArgumentValueError(f"invalid type: {value!r} (expected a tensor type such as "
                             f"torch.FloatTensor or 'torch.cuda.DoubleTensor')")


def set_default_tensor_type(t) -> None:
    """Deprecated, as in PyTorch: set the default dtype (floating types only) and, for a
    ``torch.cuda`` type, make CUDA the default device."""
    import warnings
    from ._backend import set_default_device
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    target = resolve(t)
    if not target.dtype.is_floating_point:
        raise ArgumentTypeError("only floating-point types are supported as the default type")
    _dtypes.set_default_dtype(target.dtype)
    set_default_device("cuda" if target.is_cuda else None)
