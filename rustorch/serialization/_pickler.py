"""Writing ``data.pkl`` as ``torch.save`` writes it, naming torch's globals without torch.

How the torch names get into the pickle: ``TorchPickler`` subclasses the pure-Python
``pickle._Pickler``, whose ``save`` consults ``reducer_override`` and then a per-type
``dispatch`` table. Tensors, ``Size``, ``device`` and layouts reduce (in
``reducer_override``) to calls of ``TorchName`` markers such as
``TorchName("torch._utils", "_rebuild_tensor_v2")``; dtypes, memory formats and the markers are
written by a ``dispatch`` entry that emits the ``GLOBAL module\\nname\\n`` opcode itself
(``STACK_GLOBAL`` from protocol 4) and memoizes it. The C pickler cannot do this: it insists on
importing every global it writes, and rustorch never imports torch. Storages go out through
``persistent_id`` as torch's ``('storage', <storage type>, key, location, numel)`` tuples.

Tensors are grouped by the memory they view, one storage per block (numpy: the array at the root
of the ``.base`` chain; cupy: the allocation), so views keep sharing memory after loading.
A view that torch's storage model cannot express (negative or unaligned strides) is saved as a
contiguous copy of its own.
"""
from __future__ import annotations

import pickle
from collections import OrderedDict

import numpy as np

from .. import _backend
from .._storage_blocks import memory_block as _memory_block
from .._storage_blocks import place_in_block as _place_in_block
from .. import dtypes as _dtypes
from ..errors import SerializationError
from ..layout import layout, memory_format
from ..nn.parameter import Parameter
from .._tensor_metadata import contiguous_strides as _contiguous_strides
from ..tensor import Size, Tensor

__all__ = ["TorchName", "TorchPickler", "StorageTable", "STORAGE_NAMES", "UNTYPED_DTYPES"]

#: rustorch dtype name -> torch's typed storage class name (``torch.FloatStorage``)
STORAGE_NAMES = {
    "float64": "DoubleStorage", "float32": "FloatStorage", "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage",
    "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
    "complex128": "ComplexDoubleStorage", "complex64": "ComplexFloatStorage",
    "qint8": "QInt8Storage", "quint8": "QUInt8Storage", "qint32": "QInt32Storage",
}
#: dtypes torch saves with ``_rebuild_tensor_v3`` over an ``UntypedStorage``
UNTYPED_DTYPES = frozenset({"uint16", "uint32", "uint64"})


class TorchName:
    """A global of torch's namespace (``torch._utils._rebuild_tensor_v2``), written into the
    pickle by its name."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"

    def __call__(self, *args):  # pickle's save_reduce insists on a callable
        raise SerializationError(f"{self!r} is torch's; it is only named in pickles")


REBUILD_TENSOR_V2 = TorchName("torch._utils", "_rebuild_tensor_v2")
REBUILD_TENSOR_V3 = TorchName("torch._utils", "_rebuild_tensor_v3")
REBUILD_PARAMETER = TorchName("torch._utils", "_rebuild_parameter")
REBUILD_FROM_TYPE_V2 = TorchName("torch._tensor", "_rebuild_from_type_v2")
TORCH_SIZE = TorchName("torch", "Size")
TORCH_DEVICE = TorchName("torch", "device")
GET_LAYOUT = TorchName("torch.serialization", "_get_layout")
UNTYPED_STORAGE = TorchName("torch.storage", "UntypedStorage")
_STORAGE_TYPES = {name: TorchName("torch", storage) for name, storage in STORAGE_NAMES.items()}
_STORAGE = "storage"


class StorageRecord:
    """One storage to write: the memory block (kept alive), its dtype and location."""

    __slots__ = ("key", "owner", "pointer", "nbytes", "dtype", "location", "host")

    def __init__(self, key, owner, pointer, nbytes, dtype, location, host) -> None:
        self.key, self.owner, self.pointer, self.nbytes = key, owner, pointer, nbytes
        self.dtype, self.location, self.host = dtype, location, host

    @property
    def numel(self) -> int:
        return self.nbytes // self.dtype.itemsize

    def host_bytes(self) -> np.ndarray:
        """The storage's bytes in host memory, as a flat uint8 array."""
        data = self.host()
        return data[:self.numel * self.dtype.itemsize]


class StorageReference:
    """What a tensor's rebuild call names as its storage; ``persistent_id`` turns it into
    torch's storage tuple."""

    __slots__ = ("persistent",)

    def __init__(self, record: StorageRecord) -> None:
        untyped = record.dtype.name in UNTYPED_DTYPES
        storage_type = UNTYPED_STORAGE if untyped else _STORAGE_TYPES[record.dtype.name]
        numel = record.numel * record.dtype.itemsize if untyped else record.numel  # untyped: bytes
        self.persistent = (_STORAGE, storage_type, record.key, record.location, numel)


class StorageTable:
    """The storages of one ``save``, keyed in order of first use as torch keys them."""

    def __init__(self) -> None:
        self.records: dict[int, StorageRecord] = {}

    def reference(self, array, dtype: _dtypes.dtype):
        """``(StorageReference, offset, strides)`` for a tensor's array."""
        block = _memory_block(array)
        place = None if block is None else _place_in_block(array, block[1], block[2])
        if place is None:  # a contiguous copy of its own (it owns its memory: its own block)
            xp = np if isinstance(array, np.ndarray) else _backend.cupy_module()
            array = xp.array(array, copy=True, order="C")
            block = _memory_block(array)
            place = (0, _contiguous_strides(array.shape))
        owner, pointer, nbytes, location, host = block
        record = self.records.get(id(owner))
        if record is None:
            record = StorageRecord(str(len(self.records)), owner, pointer, nbytes, dtype,
                                   location, host)
            self.records[id(owner)] = record
        elif record.dtype is not dtype:
            raise SerializationError("Cannot save multiple tensors or storages that view the "
                                     f"same data as different types ({record.dtype} and "
                                     f"{dtype}); clone() one of them before saving")
        return StorageReference(record), place[0], place[1]


class TorchPickler(pickle._Pickler):
    """The pickler of ``rustorch.save``: see the module docstring."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol: int, storages: StorageTable) -> None:
        super().__init__(file, protocol)
        self.storages = storages

    def persistent_id(self, obj):
        if type(obj) is StorageReference:
            return obj.persistent
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        kind = type(obj)
        if kind is Size:
            return TORCH_SIZE, (tuple(obj),)
        if kind is _backend.device:
            return TORCH_DEVICE, ((obj.type,) if obj.index is None else (obj.type, obj.index))
        if kind is layout:
            return GET_LAYOUT, (f"torch.{obj.name}",)
        return NotImplemented

    def _reduce_tensor(self, tensor: Tensor):
        dtype = tensor.dtype
        storage, offset, strides = self.storages.reference(tensor._data, dtype)
        requires_grad = bool(tensor.requires_grad)
        shape = tuple(int(size) for size in tensor._data.shape)
        kind = type(tensor)
        if kind is Parameter:  # torch pickles a parameter's data as a plain tensor inside
            data = Tensor._make(tensor._data)
            return REBUILD_PARAMETER, (data, requires_grad, OrderedDict())
        if dtype.name in UNTYPED_DTYPES:
            rebuild = REBUILD_TENSOR_V3
            arguments = (storage, offset, shape, strides, requires_grad, OrderedDict(), dtype)
        else:
            rebuild = REBUILD_TENSOR_V2
            arguments = (storage, offset, shape, strides, requires_grad, OrderedDict())
        if kind is Tensor:
            return rebuild, arguments
        return REBUILD_FROM_TYPE_V2, (rebuild, kind, arguments, {})

    def _save_global_name(self, module: str, name: str, obj) -> None:
        if self.proto >= 4:
            self.save(module)
            self.save(name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + module.encode("utf-8") + b"\n" + name.encode("utf-8")
                       + b"\n")
        self.memoize(obj)

    def _save_torch_name(self, obj: TorchName) -> None:
        self._save_global_name(obj.module, obj.name, obj)

    def _save_torch_attribute(self, obj) -> None:  # torch.float32, torch.channels_last
        self._save_global_name("torch", obj.name, obj)

    dispatch[TorchName] = _save_torch_name
    dispatch[_dtypes.dtype] = _save_torch_attribute
    dispatch[memory_format] = _save_torch_attribute
