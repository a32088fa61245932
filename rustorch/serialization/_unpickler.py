"""Reading ``data.pkl``: torch's globals mapped to rustorch, and the ``weights_only`` allowlist.

``weights_only=True`` uses the same unpickler with a restricted ``find_class``: only the globals
torch allows by default (mapped to their rustorch equivalents), rustorch's own versions of them,
and those added with ``add_safe_globals`` resolve; every call (REDUCE), object creation
(NEWOBJ, INST) and extension code (EXT*) goes through ``find_class``, so nothing else can run.
"""
from __future__ import annotations

import _compat_pickle
import codecs
import importlib
import pickle
import pickletools
from collections import Counter, OrderedDict
from functools import lru_cache

from .. import _backend
from .. import dtypes as _dtypes
from ..errors import ArgumentError, ArgumentTypeError, NotSupportedError
from ..layout import channels_last, channels_last_3d, contiguous_format, preserve_format
from ..nn.parameter import Parameter
from ..tensor import Size, Tensor
from . import _rebuild
from ._errors import UnpicklingError
from ._pickler import STORAGE_NAMES

__all__ = ["CheckpointUnpickler", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "remove_safe_globals", "unsafe_globals_in"]

BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_user_safe_globals: set = set()
# torch dtypes and objects rustorch has no equivalent of: named clearly when met
_TORCH_ONLY = {"complex32", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz",
               "float8_e8m0fnu", "float4_e2m1fn_x2", "quint4x2", "quint2x4", "bits8", "bits16",
               "bits1x8", "bits2x4", "bits4x2", "per_tensor_affine", "per_tensor_symmetric",
               "per_channel_affine", "per_channel_symmetric", "per_channel_affine_float_qparams",
               *(f"uint{bits}" for bits in range(1, 8)), *(f"int{bits}" for bits in range(1, 8))}
_UNSUPPORTED_REBUILDS = {"_rebuild_qtensor": "quantized tensors",
                         "_rebuild_sparse_tensor": "sparse tensors",
                         "_rebuild_nested_tensor": "nested tensors",
                         "_rebuild_meta_tensor_no_storage": "meta tensors",
                         "_rebuild_wrapper_subclass": "tensor wrapper subclasses",
                         "_rebuild_device_tensor_from_numpy": "tensors of other device types",
                         "_rebuild_device_tensor_from_cpu_tensor": "tensors of other device types"}


@lru_cache(maxsize=1)
def allowed_globals() -> dict:
    """Globals a ``weights_only`` load resolves: torch's default allowlist, mapped to rustorch."""
    table = {
        "collections.OrderedDict": OrderedDict, "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": Parameter, "torch.Size": Size, "torch.Tensor": Tensor,
        "torch.device": _backend.device, "torch.serialization._get_layout": _rebuild.get_layout,
        "_codecs.encode": codecs.encode, "builtins.bytearray": bytearray, "builtins.set": set,
        "builtins.complex": complex,
        "torch._utils._rebuild_tensor": _rebuild.rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild.rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild.rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild.rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild.rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild.rebuild_from_type_v2,
        # rustorch's own equivalents (what plain pickling of rustorch objects names)
        "rustorch.tensor.Size": Size, "rustorch._backend.device": _backend.device,
        "rustorch.dtypes._dtype_by_name": _dtypes._dtype_by_name,
        "rustorch.nn.parameter.Parameter": Parameter, "rustorch.tensor.Tensor": Tensor,
    }
    for dtype in _dtypes._ALL:
        table[f"torch.{dtype.name}"] = dtype
    for name, storage in STORAGE_NAMES.items():
        table[f"torch.{storage}"] = _rebuild.StorageType(storage, _dtypes._BY_NAME[name])
    untyped = _rebuild.StorageType("UntypedStorage", _dtypes.uint8)
    table["torch.storage.UntypedStorage"] = table["torch.UntypedStorage"] = untyped
    return table


_MEMORY_FORMATS = {f"torch.{value.name}": value for value in
                   (contiguous_format, channels_last, channels_last_3d, preserve_format)}


def add_safe_globals(safe_globals: list) -> None:
    """Allow these globals in ``weights_only`` loads: objects (found under
    ``f"{obj.__module__}.{obj.__qualname__}"``) or ``(obj, "module.name")`` pairs."""
    for entry in safe_globals:
        if isinstance(entry, tuple) and len(entry) != 2:
            raise ArgumentError(f"Expected tuple of length 2 (global, str of callable full "
                                f"path), but got tuple of length: {len(entry)}")
        if isinstance(entry, tuple) and not isinstance(entry[1], str):
            raise ArgumentTypeError(f"Expected second item in tuple to be str of callable full "
                                    f"path, but got: {type(entry[1])}")
    _user_safe_globals.update(safe_globals)


def get_safe_globals() -> list:
    """The globals added with ``add_safe_globals``."""
    return list(_user_safe_globals)


def clear_safe_globals() -> None:
    """Forget every global added with ``add_safe_globals``."""
    _user_safe_globals.clear()


def remove_safe_globals(safe_globals: list) -> None:
    """Take globals out of the ``add_safe_globals`` set again."""
    _user_safe_globals.difference_update(safe_globals)


def _user_globals() -> dict:
    table = {}
    for entry in _user_safe_globals:
        if isinstance(entry, tuple):
            table[entry[1]] = entry[0]
        else:
            table[f"{entry.__module__}.{entry.__qualname__}"] = entry
    return table


def _unpickling_names(module: str, name: str) -> tuple[str, str]:
    # protocol-2 pickles name Python 2's modules (``__builtin__.set``), as pickle maps them
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def _unsupported(module: str, name: str) -> str | None:
    if module == "torch" and name in _TORCH_ONLY:
        return f"torch.{name}"
    if module == "torch._utils" and name in _UNSUPPORTED_REBUILDS:
        return _UNSUPPORTED_REBUILDS[name]
    if module.split(".")[0] == "torch" and name.endswith("Storage"):
        return f"storage type {module}.{name}"
    return None


def _unsafe_message(full_name: str, file_name: str) -> str:
    return (f"Weights only load failed for {file_name}. This file can still be loaded, to do so "
            f"you have two options, do those steps only if you trust the source of the "
            f"checkpoint.\n\t(1) Re-running `rustorch.load` with `weights_only` set to `False` "
            f"will likely succeed, but it can result in arbitrary code execution. Do it only if "
            f"you got the file from a trusted source.\n\t(2) Alternatively, to load with "
            f"`weights_only=True` please check the recommended steps in the following error "
            f"message.\n\tWeightsUnpickler error: Unsupported global: GLOBAL {full_name} was "
            f"not an allowed global by default. Please use "
            f"`rustorch.serialization.add_safe_globals([{full_name}])` or the "
            f"`rustorch.serialization.safe_globals([{full_name}])` context manager to allowlist "
            f"this global if you trust this class/function.")


def _rustorch_equivalent(module: str, name: str):
    """``torch.nn.modules.linear.Linear`` -> ``rustorch.nn.modules.linear.Linear``."""
    try:
        target = importlib.import_module("rustorch" + module[len("torch"):])
        for part in name.split("."):
            target = getattr(target, part)
        return target
    except (ImportError, AttributeError):
        raise NotSupportedError(f"the checkpoint refers to {module}.{name}, which rustorch "
                                f"has no equivalent of") from None


def _ascii(value) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else value


class CheckpointUnpickler(pickle.Unpickler):
    """Unpickles ``data.pkl``: torch's globals resolve to rustorch, storages come from
    ``storages`` (a StorageLoader); ``weights_only`` restricts the globals."""

    def __init__(self, file, storages, weights_only: bool, file_name: str, **kwargs) -> None:
        super().__init__(file, **kwargs)
        self.storages, self.weights_only, self.file_name = storages, weights_only, file_name

    def find_class(self, module: str, name: str):
        module, name = _unpickling_names(module, name)
        full_name = f"{module}.{name}"
        if module in BLOCKED_MODULES and self.weights_only:
            raise UnpicklingError(f"{self.file_name}: Trying to load unsupported GLOBAL "
                                  f"{full_name} whose module {module} is blocked.")
        found = allowed_globals().get(full_name)
        if found is None and module.split(".")[0] == "torch" and name.endswith("Storage"):
            found = allowed_globals().get(f"torch.{name}")  # torch.cuda.FloatStorage too
        if found is None:
            found = _user_globals().get(full_name)
        if found is not None:
            return found
        reason = _unsupported(module, name)
        if reason is not None:
            raise NotSupportedError(f"{self.file_name}: the checkpoint holds {reason} "
                                    f"({full_name}), which rustorch does not support")
        if self.weights_only:
            raise UnpicklingError(_unsafe_message(full_name, self.file_name))
        if full_name in _MEMORY_FORMATS:
            return _MEMORY_FORMATS[full_name]
        if module == "torch" or module.startswith("torch."):
            return _rustorch_equivalent(module, name)
        return super().find_class(module, name)

    def persistent_load(self, saved_id):
        if type(saved_id) is not tuple or len(saved_id) != 5 or \
                _ascii(saved_id[0]) != "storage":
            raise UnpicklingError(f"{self.file_name}: only storages may be loaded by persistent "
                                  f"id, got {saved_id!r:.80}")
        storage_type, key, location, numel = saved_id[1:]
        if not isinstance(storage_type, _rebuild.StorageType) or not isinstance(numel, int):
            raise UnpicklingError(f"{self.file_name}: malformed storage reference "
                                  f"{saved_id!r:.80}")
        return self.storages.load(_ascii(key), storage_type.dtype, numel, _ascii(location))


def unsafe_globals_in(data: bytes) -> list[str]:
    """The globals of a pickle that a ``weights_only`` load would refuse (torch's
    ``get_unsafe_globals_in_checkpoint``, for ``data.pkl``'s bytes)."""
    found, strings = [], []
    for opcode, argument, _ in pickletools.genops(data):
        if opcode.name in ("GLOBAL", "INST"):
            found.append(argument.replace(" ", "."))
        elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
            found.append(f"{strings[-2]}.{strings[-1]}")
        if isinstance(argument, str) and "UNICODE" in opcode.name:
            strings.append(argument)
    allowed = set(allowed_globals()) | set(_user_globals())
    result = []
    for full_name in found:
        module, _, name = full_name.rpartition(".")
        module, name = _unpickling_names(module, name)
        if f"{module}.{name}" not in allowed and f"{module}.{name}" not in result:
            result.append(f"{module}.{name}")
    return result
