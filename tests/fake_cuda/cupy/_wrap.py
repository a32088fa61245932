"""Wrapping and unwrapping for the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the
tests when RUSTORCH_FAKE_CUDA=1).

Every fake device array holds a NumPy array. Views keep CuPy's identities: ``b = a[1:]`` has
``b.base is a`` (the owning array, as CuPy collapses chains), and all views of one allocation
share one ``Memory`` object (``array.data.mem``). NumPy results are mapped back to their owner
through the root of their ``.base`` chain.
"""
from __future__ import annotations

import weakref

import numpy

from .cuda import runtime
from .cuda.memory import Memory

SUPPORTED_CHARS = "?bhilqBHILQefdFD"  # CuPy's dtypes: bool, ints, uints, float16/32/64, complex
SCALAR_TYPES = frozenset({int, float, bool, complex}
                         | {numpy.dtype(c).type for c in SUPPORTED_CHARS})

_OWNERS: "weakref.WeakValueDictionary[int, object]" = weakref.WeakValueDictionary()
_MEMORIES: "weakref.WeakValueDictionary[int, Memory]" = weakref.WeakValueDictionary()


def unsupported_type(value) -> TypeError:
    return TypeError(f"Unsupported type {type(value)}")


def is_supported_dtype(dtype) -> bool:
    return numpy.dtype(dtype).char in SUPPORTED_CHARS


def check_kernel_dtype(dtype) -> None:
    """CuPy's kernels only know its own dtypes (no bfloat16, no object, no longdouble)."""
    if not is_supported_dtype(dtype):
        raise TypeError(f"Unsupported dtype: {numpy.dtype(dtype)}")


class _Interface:
    """Exports ``__array_interface__`` and keeps ``base`` (a NumPy array) alive."""

    def __init__(self, interface: dict, base) -> None:
        self.__array_interface__ = interface
        self.base = base


def root_of(array: numpy.ndarray) -> numpy.ndarray:
    """The NumPy array at the end of ``array``'s ``.base`` chain (through interface holders)."""
    while True:
        base = array.base
        while base is not None and not isinstance(base, numpy.ndarray):
            base = getattr(base, "base", None)
        if base is None:
            return array
        array = base


def memory_for(root: numpy.ndarray, device_id: int) -> Memory:
    """The one ``Memory`` of an allocation (shared by every view of it)."""
    memory = _MEMORIES.get(id(root))
    if memory is None or memory._root is not root:
        pointer = int(root.__array_interface__["data"][0])
        low, high = (numpy.lib.array_utils.byte_bounds(root) if root.size
                     else (pointer, pointer))
        memory = Memory(root, low, high - low, device_id)
        _MEMORIES[id(root)] = memory
    return memory


def live_allocations():
    """``(device_id, nbytes)`` of every live owning fake array."""
    for owner in list(_OWNERS.values()):
        yield owner._device_id, owner._array.nbytes


def _writable(array: numpy.ndarray) -> numpy.ndarray:
    """CuPy has no read-only arrays: make NumPy's read-only views (broadcast_to ...) writable."""
    root = root_of(array)
    if root is array:
        try:
            array.setflags(write=True)
            return array
        except ValueError:
            return array.copy()
    if not root.flags.writeable:
        return array
    interface = dict(array.__array_interface__)
    interface["data"] = (interface["data"][0], False)
    return numpy.asarray(_Interface(interface, array)).view(array.dtype)


def new_owner(array: numpy.ndarray, device_id: int | None = None):
    from ._core import ndarray
    owner = ndarray.__new__(ndarray)
    owner._array = array
    owner._base = None
    owner._device_id = runtime.getDevice() if device_id is None else device_id
    if root_of(array) is array:
        _OWNERS[id(array)] = owner
    return owner


def view_of(array: numpy.ndarray, owner):
    from ._core import ndarray
    view = ndarray.__new__(ndarray)
    view._array = array
    view._base = owner
    view._device_id = owner._device_id
    return view


def from_numpy_result(array: numpy.ndarray):
    """A fake device array for a NumPy result: a view of its owner when it shares memory."""
    if array.dtype.kind in "OUSMm":
        raise TypeError(f"Unsupported dtype {array.dtype} (CuPy arrays hold numbers only)")
    if not array.flags.writeable:
        array = _writable(array)
    root = root_of(array)
    if root is array:
        return new_owner(array)
    owner = _OWNERS.get(id(root))
    if owner is None or owner._array is not root:
        owner = new_owner(root)
    return view_of(array, owner)


def wrap(value, inputs=()):
    """NumPy results -> fake device arrays (recursively through tuples and lists); an input
    array returned as is (``out=``, ``asarray``) keeps its wrapper. Scalars become 0-d arrays."""
    from ._core import ndarray
    if isinstance(value, numpy.ndarray):
        for candidate in inputs:
            if candidate._array is value:
                return candidate
        return from_numpy_result(value)
    if isinstance(value, numpy.generic):
        return from_numpy_result(numpy.asarray(value))
    if isinstance(value, ndarray):
        return value
    if isinstance(value, tuple):  # named tuples (SVDResult ...) become plain tuples, as CuPy's
        return tuple(wrap(item, inputs) for item in value)
    if isinstance(value, list):
        return [wrap(item, inputs) for item in value]
    return value


def unwrap(value, host_ok: bool = False):
    """Fake device arrays -> their NumPy arrays (recursively through lists and tuples). A NumPy
    array raises TypeError as in CuPy, unless ``host_ok`` (functions that accept host data)."""
    from ._core import ndarray
    if isinstance(value, ndarray):
        return value._array
    if isinstance(value, numpy.ndarray):
        if host_ok:
            return value
        raise unsupported_type(value)
    if type(value) in (list, tuple):
        return type(value)(unwrap(item, host_ok) for item in value)
    return value


def device_arrays(args, kwargs=None) -> list:
    """Every fake device array among ``args`` / ``kwargs`` (through lists and tuples)."""
    from ._core import ndarray
    found, stack = [], list(args) + list((kwargs or {}).values())
    while stack:
        item = stack.pop()
        if isinstance(item, ndarray):
            found.append(item)
        elif type(item) in (list, tuple):
            stack.extend(item)
    return found


# ----------------------------------------------------------------- indexing
def _is_int_array(item) -> bool:
    return isinstance(item, numpy.ndarray) and item.dtype.kind in "iu" and item.ndim > 0


def convert_index(key, shape: tuple):
    """A NumPy index for ``key``: fake arrays unwrapped, lists and NumPy arrays accepted (CuPy
    converts them), integer-array indices wrapped around modulo the axis (CuPy does not raise
    for out-of-bounds integer arrays), and an Ellipsis appended to all-basic keys so that an
    integer index gives a 0-d view, as in CuPy."""
    items = list(key) if isinstance(key, tuple) else [key]
    items = [numpy.asarray(unwrap(item, host_ok=True)) if isinstance(item, list)
             else unwrap(item, host_ok=True) for item in items]
    advanced = any(isinstance(item, numpy.ndarray) and item.ndim > 0 for item in items)
    consumed = sum(item.ndim if isinstance(item, numpy.ndarray) and item.dtype == bool else
                   0 if item is None or item is Ellipsis else 1 for item in items)
    axis = 0
    for position, item in enumerate(items):
        if item is Ellipsis:
            axis += len(shape) - consumed
        elif item is None:
            continue
        elif isinstance(item, numpy.ndarray) and item.dtype == bool:
            axis += item.ndim
        else:
            if _is_int_array(item) and axis < len(shape) and shape[axis] > 0:
                items[position] = numpy.mod(item, shape[axis])
            axis += 1
    if not advanced and not any(item is Ellipsis for item in items):
        items.append(Ellipsis)
    return tuple(items)
