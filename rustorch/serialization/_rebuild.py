"""Loading side: storages read from the archive, ``map_location``, and the rustorch versions of
torch's rebuild functions that the pickle calls."""
from __future__ import annotations

import sys

import numpy as np

from .. import _backend
from .. import dtypes as _dtypes
from ..errors import DeviceError, NotSupportedError, SerializationError
from ..layout import sparse_coo, sparse_csr, strided
from ..nn.parameter import Parameter
from ..tensor import Tensor
from ._errors import CorruptFileError, UnpicklingError

__all__ = ["LoadedStorage", "TypedStorage", "StorageType", "StorageLoader", "restore_function",
           "rebuild_tensor", "rebuild_tensor_v2", "rebuild_tensor_v3", "rebuild_parameter",
           "rebuild_parameter_with_state", "rebuild_from_type_v2", "get_layout"]


class LoadedStorage:
    """The bytes of one saved storage, as handed to a ``map_location`` callable (torch hands
    an ``UntypedStorage``): ``device``, ``nbytes()``, ``cpu()``, ``cuda(index)``, ``to(device)``.
    Return it (moved or not) from the callable, or None for the default placement."""

    __slots__ = ("array",)

    def __init__(self, array) -> None:
        self.array = array  # a flat uint8 numpy or cupy array

    @property
    def device(self) -> _backend.device:
        return _backend.device_of(self.array)

    @property
    def is_cuda(self) -> bool:
        return not isinstance(self.array, np.ndarray)

    def nbytes(self) -> int:
        return int(self.array.nbytes)

    size = nbytes
    __len__ = nbytes

    def to(self, device=None, non_blocking: bool = False) -> "LoadedStorage":
        target = _backend.to_device_object(device)
        return LoadedStorage(_backend.to_device(self.array, target))

    def cpu(self) -> "LoadedStorage":
        return self.to("cpu")

    def cuda(self, device=None, non_blocking: bool = False) -> "LoadedStorage":
        index = device.index if isinstance(device, _backend.device) else device
        return self.to(_backend.device("cuda", index))

    def __repr__(self) -> str:
        return f"LoadedStorage(nbytes={self.nbytes()}, device='{self.device}')"


class TypedStorage:
    """A loaded storage seen with one dtype, as torch's persistent load returns it."""

    __slots__ = ("storage", "dtype")

    def __init__(self, storage: LoadedStorage, dtype: _dtypes.dtype) -> None:
        self.storage, self.dtype = storage, dtype


class StorageType:
    """What a storage class global (``torch.FloatStorage``) unpickles to: its dtype."""

    __slots__ = ("dtype", "name")

    def __init__(self, name: str, dtype: _dtypes.dtype) -> None:
        self.name, self.dtype = name, dtype

    def __repr__(self) -> str:
        return f"torch.{self.name}"


def _cuda_unavailable(location: str) -> DeviceError:
    return DeviceError(f"Attempting to deserialize object on a CUDA device ({location}) but "
                       f"CUDA is not available (no CuPy or no GPU). If you are running on a "
                       f"CPU-only machine, please use rustorch.load with "
                       f"map_location=rustorch.device('cpu') to map your storages to the CPU.")


def default_restore_location(storage: LoadedStorage, location: str) -> LoadedStorage:
    """Place a storage on the device its location tag names ('cpu', 'cuda', 'cuda:1')."""
    kind, _, index = location.partition(":")
    if kind == "cpu" and not index:
        return storage.cpu()
    if kind == "cuda" and (not index or index.isdigit()):
        if not _backend.cuda_available():
            raise _cuda_unavailable(location)
        return storage.cuda(int(index) if index else None)
    if kind == "meta":
        raise NotSupportedError("map_location='meta': rustorch has no meta tensors")
    raise SerializationError(f"don't know how to restore data location of a storage (tagged "
                             f"with {location}); pass map_location='cpu' or a function")


def restore_function(map_location):
    """torch's ``_get_restore_location``: ``(storage, location) -> storage`` for a
    map_location of None, a dict of location tags, a device (string or object), or a
    callable ``(storage, location)`` that may return None for the default."""
    if map_location is None:
        return default_restore_location
    if isinstance(map_location, dict):
        def restore(storage, location):
            target = map_location.get(location, location)
            return default_restore_location(storage, str(target))
        return restore
    if isinstance(map_location, bytes):
        map_location = map_location.decode("ascii")
    if isinstance(map_location, str) or not callable(map_location):  # a device object
        target = str(map_location)
        return lambda storage, location: default_restore_location(storage, target)

    def restore_with(storage, location):
        result = map_location(storage, location)
        if result is None:
            return default_restore_location(storage, location)
        if not isinstance(result, LoadedStorage):
            raise SerializationError(f"map_location must return the storage it was given "
                                     f"(moved or not) or None, got {type(result).__name__}")
        return result
    return restore_with


def _byteswap(array: np.ndarray, dtype: _dtypes.dtype) -> None:
    width = dtype.itemsize // (2 if dtype.is_complex else 1)
    if width > 1:
        array.view(f"u{width}").byteswap(inplace=True)


class StorageLoader:
    """Reads each storage once, swaps its bytes when the file's byte order differs, places it
    with ``restore`` and keeps it, so tensors saved as views share memory again."""

    def __init__(self, archive, restore, byteorder: str, mmap_path: str | None) -> None:
        self.archive, self.restore = archive, restore
        self.byteorder, self.mmap_path = byteorder, mmap_path
        self.loaded: dict[str, LoadedStorage] = {}

    def load(self, key: str, dtype: _dtypes.dtype, numel: int, location: str) -> TypedStorage:
        storage = self.loaded.get(key)
        if storage is None:
            name, nbytes = f"data/{key}", int(numel) * dtype.itemsize
            if self.mmap_path is not None:
                array = self.archive.map_storage(self.mmap_path, name, nbytes)
            else:
                array = self.archive.read_storage(name, nbytes)
            if self.byteorder != sys.byteorder:
                _byteswap(array, dtype)
            storage = self.restore(LoadedStorage(array), location)
            self.loaded[key] = storage
        return TypedStorage(storage, dtype)


def _array_in_storage(storage: TypedStorage, offset, size, stride, dtype: _dtypes.dtype):
    array = storage.storage.array
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    offset, itemsize = int(offset), dtype.itemsize
    xp = _backend.array_module(array)
    if any(n == 0 for n in size):
        if xp is np:
            return np.empty(size, dtype=dtype.numpy)
        with array.device:
            return xp.empty(size, dtype=dtype.numpy)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if len(size) != len(stride) or offset < 0 or min(stride, default=0) < 0 or \
            (last + 1) * itemsize > array.nbytes:
        raise CorruptFileError(f"a tensor of size {list(size)}, stride {list(stride)} and "
                               f"offset {offset} does not fit its storage of {array.nbytes} bytes")
    byte_strides = tuple(s * itemsize for s in stride)
    if xp is np:
        return np.ndarray(size, dtype=dtype.numpy, buffer=array, offset=offset * itemsize,
                          strides=byte_strides)
    return xp.ndarray(size, dtype=dtype.numpy, memptr=array.data + offset * itemsize,
                      strides=byte_strides)


def _check_storage(storage) -> TypedStorage:
    if not isinstance(storage, TypedStorage):
        raise UnpicklingError(f"expected a storage as the first argument of a tensor rebuild, "
                              f"got {type(storage).__name__}")
    return storage


def rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                      dtype, metadata=None) -> Tensor:
    """torch._utils._rebuild_tensor_v3: a view of ``storage`` (offsets in elements)."""
    if not isinstance(dtype, _dtypes.dtype):
        raise UnpicklingError(f"expected a dtype for a tensor rebuild, got {type(dtype).__name__}")
    array = _array_in_storage(_check_storage(storage), storage_offset, size, stride, dtype)
    if metadata and metadata.get("conj"):  # torch's lazy conjugate bit: materialize it
        array = array.conj()
    if metadata and metadata.get("neg"):
        array = -array
    tensor = Tensor._make(array)
    tensor.requires_grad = bool(requires_grad)
    return tensor


def rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                      metadata=None) -> Tensor:
    """torch._utils._rebuild_tensor_v2"""
    return rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad,
                             backward_hooks, _check_storage(storage).dtype, metadata)


def rebuild_tensor(storage, storage_offset, size, stride) -> Tensor:
    """torch._utils._rebuild_tensor (older files)"""
    return rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)


def _set_state(obj, state) -> None:
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    for name, value in (state or {}).items():
        setattr(obj, name, value)
    for name, value in (slots or {}).items():
        setattr(obj, name, value)


def rebuild_parameter(data, requires_grad, backward_hooks) -> Parameter:
    """torch._utils._rebuild_parameter"""
    if not isinstance(data, Tensor):
        raise UnpicklingError(f"_rebuild_parameter expects a tensor, got {type(data).__name__}")
    return Parameter(data, bool(requires_grad))


def rebuild_parameter_with_state(data, requires_grad, backward_hooks, state) -> Parameter:
    """torch._utils._rebuild_parameter_with_state"""
    parameter = rebuild_parameter(data, requires_grad, backward_hooks)
    _set_state(parameter, state)
    return parameter


def rebuild_from_type_v2(function, new_type, arguments, state):
    """torch._tensor._rebuild_from_type_v2: a tensor subclass, or a tensor with attributes."""
    result = function(*arguments)
    if isinstance(new_type, type) and type(result) is not new_type:
        if issubclass(new_type, Parameter) and isinstance(result, Tensor):
            result = new_type(result, result.requires_grad)
        elif issubclass(new_type, Tensor) and isinstance(result, Tensor):
            result.__class__ = new_type
        else:
            raise UnpicklingError(f"cannot rebuild a {new_type.__name__} from "
                                  f"{type(result).__name__}")
    _set_state(result, state)
    return result


_LAYOUTS = {"torch.strided": strided, "torch.sparse_coo": sparse_coo,
            "torch.sparse_csr": sparse_csr}


def get_layout(name: str):
    """torch.serialization._get_layout"""
    try:
        return _LAYOUTS[name]
    except KeyError:
        raise NotSupportedError(f"layout {name} is not supported by rustorch") from None
