"""``torch.storage``: ``UntypedStorage``, the bytes a tensor views, as ``Tensor.untyped_storage()``
returns it. rustorch keeps no storage objects: a storage is made on request over the memory block
the tensor's array views (``_storage_blocks``), so it shares memory with the tensor and with every
view of the same block; writing to it writes to them.
"""
from __future__ import annotations

import numpy as np

from . import _backend, _switches
from ._storage_blocks import block_bytes, pointer
from .errors import ArgumentTypeError, NotSupportedError, ShapeError, TensorIndexError

__all__ = ["UntypedStorage", "TypedStorage"]


class UntypedStorage:
    """Bytes on a device: ``nbytes()``, ``data_ptr()``, ``tolist()``, indexing by byte,
    ``clone()``, ``fill_``, ``copy_``, ``cpu()``/``cuda()``/``to()``."""

    __slots__ = ("_bytes",)

    def __init__(self, size: int = 0, *, device=None) -> None:
        target = _backend.to_device_object(_backend.default_device(device))
        self._bytes = _backend.to_device(np.zeros(int(size), dtype=np.uint8), target)

    @classmethod
    def _over(cls, array) -> "UntypedStorage":
        """The storage ``array`` (numpy or cupy) views."""
        storage = object.__new__(cls)
        storage._bytes = block_bytes(array)
        return storage

    @classmethod
    def _of_bytes(cls, flat) -> "UntypedStorage":
        storage = object.__new__(cls)
        storage._bytes = flat
        return storage

    # ------------------------------------------------------------------ facts
    def nbytes(self) -> int:
        return int(self._bytes.size)

    size = nbytes
    __len__ = nbytes

    def element_size(self) -> int:
        return 1

    def data_ptr(self) -> int:
        return pointer(self._bytes)

    @property
    def device(self) -> _backend.device:
        return _backend.device_of(self._bytes)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_sparse_csr(self) -> bool:
        return False

    def get_device(self) -> int:
        return -1 if not self.is_cuda else self.device.index

    def is_shared(self) -> bool:
        return False

    def is_pinned(self, device="cuda") -> bool:
        return False

    def resizable(self) -> bool:
        return False

    def resize_(self, size: int):
        raise NotSupportedError(f"UntypedStorage.resize_({size}): rustorch storages view the "
                                "memory of their tensors and can't be resized; make a new "
                                "tensor of the size you need instead")

    # ------------------------------------------------------------------ contents
    def tolist(self) -> list:
        return self._host().tolist()

    def _host(self) -> np.ndarray:
        return self._bytes if isinstance(self._bytes, np.ndarray) else self._bytes.get()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return UntypedStorage._of_bytes(self._bytes[index])
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise ArgumentTypeError(f"UntypedStorage indices must be integers or slices, not "
                                    f"{type(index).__name__}")
        return int(self._bytes[_checked_index(index, self.nbytes())])

    def __setitem__(self, index, value) -> None:
        if not isinstance(index, slice):
            index = _checked_index(index, self.nbytes())
        if isinstance(value, (int, np.integer)):  # bytes wrap around, as in torch
            value = int(value) % 256
        self._bytes[index] = value

    def fill_(self, value) -> "UntypedStorage":
        self._bytes[...] = int(value) % 256
        return self

    def copy_(self, source: "UntypedStorage", non_blocking: bool = False) -> "UntypedStorage":
        if source.nbytes() != self.nbytes():
            raise ShapeError(f"UntypedStorage.copy_: size mismatch, {self.nbytes()} "
                                    f"bytes here and {source.nbytes()} in the source")
        self._bytes[...] = _backend.to_device(source._bytes, self.device)
        return self

    def clone(self) -> "UntypedStorage":
        return UntypedStorage._of_bytes(self._bytes.copy())

    def to(self, device=None, non_blocking: bool = False) -> "UntypedStorage":
        target = _backend.to_device_object(device)
        if target == self.device:
            return self
        return UntypedStorage._of_bytes(_backend.to_device(self._bytes, target))

    def cpu(self) -> "UntypedStorage":
        return self.to("cpu")

    def cuda(self, device=None, non_blocking: bool = False) -> "UntypedStorage":
        return self.to(_backend.device("cuda", device if isinstance(device, int) else None))

    def untyped(self) -> "UntypedStorage":
        return self

    def __repr__(self) -> str:
        values = "\n".join(f" {value}" for value in self.tolist())
        header = f"[torch.storage.UntypedStorage(device={self.device}) of size {self.nbytes()}]"
        return f"{values}\n{header}" if values else header

    def __iter__(self):
        return iter(self.tolist())


def _checked_index(index: int, size: int) -> int:
    position = index + size if index < 0 else index
    if not 0 <= position < size:
        raise TensorIndexError(f"UntypedStorage index {index} is out of range for a storage of "
                         f"{size} bytes")
    return position


class TypedStorage:
    """The deprecated typed view of a storage (``Tensor.storage()``): the same bytes read as
    elements of ``dtype``; sizes and indices count elements. Writes go to the tensor."""

    __slots__ = ("_untyped_storage", "dtype")

    def __init__(self, untyped: UntypedStorage, dtype) -> None:
        self._untyped_storage = untyped
        self.dtype = dtype

    def _elements(self):
        flat = self._untyped_storage._bytes
        usable = flat.size - flat.size % self.dtype.itemsize
        return flat[:usable].view(self.dtype.numpy)

    def size(self) -> int:
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    __len__ = size

    def element_size(self) -> int:
        return self.dtype.itemsize

    def nbytes(self) -> int:
        return self._untyped_storage.nbytes()

    def data_ptr(self) -> int:
        return self._untyped_storage.data_ptr()

    @property
    def device(self) -> _backend.device:
        return self._untyped_storage.device

    @property
    def is_cuda(self) -> bool:
        return self._untyped_storage.is_cuda

    def untyped(self) -> UntypedStorage:
        return self._untyped_storage

    def tolist(self) -> list:
        elements = self._elements()
        host = elements if isinstance(elements, np.ndarray) else elements.get()
        if self.dtype.name == "bfloat16":
            host = host.astype(np.float32)
        return host.tolist()

    def __getitem__(self, index):
        if isinstance(index, slice):
            raise NotSupportedError("slices are only supported in UntypedStorage.__getitem__ "
                                    "(index the tensor, or storage.untyped(), instead)")
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise ArgumentTypeError(f"TypedStorage indices must be integers or slices, not "
                                    f"{type(index).__name__}")
        value = self._elements()[_checked_index(index, self.size())]
        return value.item() if hasattr(value, "item") else value

    def __setitem__(self, index, value) -> None:
        if not isinstance(index, slice):
            index = _checked_index(index, self.size())
        self._elements()[index] = value

    def fill_(self, value) -> "TypedStorage":
        self._elements()[...] = value
        return self

    def copy_(self, source: "TypedStorage", non_blocking: bool = False) -> "TypedStorage":
        if len(source) != len(self):
            raise ShapeError(f"TypedStorage.copy_: size mismatch, {len(self)} elements here "
                             f"and {len(source)} in the source")
        self._elements()[...] = _backend.to_device(source._elements(), self.device)
        return self

    def clone(self) -> "TypedStorage":
        return TypedStorage(self._untyped_storage.clone(), self.dtype)

    def to(self, device=None, non_blocking: bool = False) -> "TypedStorage":
        return TypedStorage(self._untyped_storage.to(device), self.dtype)

    def cpu(self) -> "TypedStorage":
        return self.to("cpu")

    def cuda(self, device=None, non_blocking: bool = False) -> "TypedStorage":
        return TypedStorage(self._untyped_storage.cuda(device), self.dtype)

    def __repr__(self) -> str:
        values = "\n".join(f" {value}" for value in self.tolist())
        header = (f"[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) of "
                  f"size {self.size()}]")
        return f"{values}\n{header}" if values else header

    def __iter__(self):
        return iter(self.tolist())


def tensor_storage(tensor) -> TypedStorage:
    """``Tensor.storage()``: the typed storage (deprecated in PyTorch, with its warning)."""
    import warnings
    warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                  "UntypedStorage will be the only storage class. This should only matter to "
                  "you if you are using storages directly.  To access UntypedStorage directly, "
                  "use tensor.untyped_storage() instead of tensor.storage()", UserWarning,
                  stacklevel=2)
    return TypedStorage(tensor.untyped_storage(), tensor.dtype)


_switches._storage_classes.add(UntypedStorage)
_switches._storage_classes.add(TypedStorage)
