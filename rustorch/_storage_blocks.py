"""The memory block a tensor's array views, and an array's place in it: what PyTorch calls the
storage, found without one. NumPy: the array at the root of the ``.base`` chain; CuPy: the
allocation every view of it shares.

Used where views must keep sharing memory through a copy: ``save`` writes one storage per
block, and ``copy.deepcopy`` copies each block once (as PyTorch's deepcopy copies each storage
once), so ``deepcopy([a, a[2:]])`` returns a tensor and a view of it.
"""
from __future__ import annotations

import numpy as np

from . import _backend

__all__ = ["pointer", "numpy_root", "memory_block", "place_in_block", "deepcopy_array",
           "block_bytes"]


def pointer(array) -> int:
    """The address of the array's first element."""
    if isinstance(array, np.ndarray):
        return int(array.__array_interface__["data"][0])
    return int(array.data.ptr)


def numpy_root(array: np.ndarray) -> np.ndarray:
    """The array at the root of ``array``'s ``.base`` chain (through as_strided's wrappers)."""
    root, current = array, array.base
    while current is not None and hasattr(current, "__array_interface__"):
        if isinstance(current, np.ndarray):
            root = current
        current = getattr(current, "base", None)
    return root


def _flat_host_bytes(root: np.ndarray):
    def host() -> np.ndarray:
        flat = root if root.flags.c_contiguous else root.T
        return flat.reshape(-1).view(np.uint8)
    return host


def memory_block(array):
    """``(owner, pointer, nbytes, location, host)`` of the memory ``array`` views, ``host``
    giving its bytes as a flat uint8 NumPy array; None when the block is not one contiguous
    range."""
    if isinstance(array, np.ndarray):
        root = numpy_root(array)
        if not (root.flags.c_contiguous or root.flags.f_contiguous):
            return None
        return root, pointer(root), root.nbytes, "cpu", _flat_host_bytes(root)
    memory = array.data.mem  # the cupy allocation every view of it shares
    cupy = _backend.cupy_module()

    def host() -> np.ndarray:
        whole = cupy.cuda.MemoryPointer(memory, 0)
        return cupy.ndarray((memory.size,), dtype=cupy.uint8, memptr=whole).get()
    return memory, int(memory.ptr), int(memory.size), f"cuda:{array.device.id}", host


def block_bytes(array):
    """The whole memory block ``array`` views, as a flat uint8 array on the same device (a
    view of it; a copy only for the rare NumPy root that is not one contiguous range)."""
    if isinstance(array, np.ndarray):
        root = numpy_root(array)
        if root.flags.c_contiguous or root.flags.f_contiguous:
            return _flat_host_bytes(root)()
        return np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    cupy = _backend.cupy_module()
    memory = array.data.mem
    return cupy.ndarray((memory.size,), dtype=cupy.uint8,
                        memptr=cupy.cuda.MemoryPointer(memory, 0))


def place_in_block(array, start: int, nbytes: int):
    """``(offset, strides)`` in elements of ``array`` inside the block at address ``start``,
    or None when PyTorch's storage model cannot express it (negative or unaligned strides,
    outside the block)."""
    itemsize = array.itemsize
    offset = pointer(array) - start
    if array.size == 0 or offset < 0 or offset % itemsize:
        return None
    strides, extent = [], offset + itemsize
    contiguous = 1
    for size, stride in reversed(list(zip(array.shape, array.strides))):
        if size == 1:
            strides.append(contiguous)
        elif stride < 0 or stride % itemsize:
            return None
        else:
            strides.append(stride // itemsize)
            extent += (size - 1) * stride
        contiguous *= size
    if extent > nbytes:
        return None
    return offset // itemsize, tuple(reversed(strides))


def deepcopy_array(array, memo: dict):
    """A copy of ``array`` for ``copy.deepcopy``: arrays viewing a block already copied under
    ``memo`` view that copy at the same place (on the CPU or the GPU), so views keep sharing
    one copied storage as in PyTorch."""
    block = memory_block(array)
    place = None if block is None else place_in_block(array, block[1], block[2])
    if place is None:
        return array.copy()
    owner = block[0]
    key = ("rustorch storage", id(owner))
    entry = memo.get(key)
    if entry is None:  # the owner stays in the memo, so its id is not reused meanwhile
        entry = memo[key] = (owner, block_bytes(array).copy())
    offset, strides = place
    itemsize = array.itemsize
    strides = tuple(stride * itemsize for stride in strides)
    if isinstance(array, np.ndarray):
        return np.ndarray(array.shape, array.dtype, buffer=entry[1], offset=offset * itemsize,
                          strides=strides)
    return _backend.cupy_module().ndarray(array.shape, array.dtype,
                                          memptr=entry[1].data + offset * itemsize,
                                          strides=strides)
