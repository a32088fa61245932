"""``cupy.cuda.memory`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the
tests when RUSTORCH_FAKE_CUDA=1): allocations are NumPy buffers; pools only count bytes."""
from __future__ import annotations

import numpy

from . import runtime

_ROUND = 512  # CuPy's pool rounds every allocation up to 512 bytes


class OutOfMemoryError(MemoryError):
    pass


class BaseMemory:
    """One allocation: the root NumPy array holding the bytes (``ptr``, ``size``, ``device_id``)."""

    def __init__(self, root: numpy.ndarray, ptr: int, size: int, device_id: int) -> None:
        self._root = root
        self.ptr = int(ptr)
        self.size = int(size)
        self.device_id = int(device_id)

    @property
    def device(self):
        from . import Device
        return Device(self.device_id)

    def __int__(self) -> int:
        return self.ptr


class Memory(BaseMemory):
    pass


class MemoryPointer:
    """A pointer into a :class:`BaseMemory` (``ptr = mem.ptr + offset``)."""

    def __init__(self, mem: BaseMemory, offset: int) -> None:
        if not isinstance(mem, BaseMemory):
            raise TypeError(f"Argument 'mem' has incorrect type (expected "
                            f"cupy.cuda.memory.BaseMemory, got {type(mem).__name__})")
        self.mem = mem
        self.ptr = mem.ptr + int(offset)
        self.device_id = mem.device_id

    @property
    def device(self):
        return self.mem.device

    def __int__(self) -> int:
        return self.ptr

    def __add__(self, offset: int) -> "MemoryPointer":
        return MemoryPointer(self.mem, self.ptr - self.mem.ptr + int(offset))

    __radd__ = __add__

    def __sub__(self, offset: int) -> "MemoryPointer":
        return self + (-int(offset))

    def __repr__(self) -> str:
        return f"<MemoryPointer 0x{self.ptr:x} device={self.device_id} mem={self.mem!r}>"


def _rounded(nbytes: int) -> int:
    return -(-nbytes // _ROUND) * _ROUND


class MemoryPool:
    """Counts the bytes of live fake-device arrays (no caching: ``free_bytes`` is 0)."""

    def __init__(self, allocator=None) -> None:
        self._limit = 0

    def used_bytes(self) -> int:
        from .._core import live_allocations
        device = runtime.getDevice()
        return sum(_rounded(n) for dev, n in live_allocations() if dev == device)

    def total_bytes(self) -> int:
        return self.used_bytes()

    def free_bytes(self) -> int:
        return 0

    def n_free_blocks(self) -> int:
        return 0

    def free_all_blocks(self, stream=None) -> None:
        pass

    def free_all_free(self) -> None:
        pass

    def set_limit(self, size=None, fraction=None) -> None:
        self._limit = int(size or 0)

    def get_limit(self) -> int:
        return self._limit


class PinnedMemoryPool:
    def __init__(self, allocator=None) -> None:
        pass

    def free_all_blocks(self) -> None:
        pass

    def n_free_blocks(self) -> int:
        return 0

    def used_bytes(self) -> int:
        return 0

    def total_bytes(self) -> int:
        return 0


class PinnedMemoryPointer:
    """Host memory: a NumPy uint8 buffer exposing the buffer protocol as CuPy's does."""

    def __init__(self, size: int) -> None:
        self._buffer = numpy.empty(int(size), dtype=numpy.uint8)
        self.ptr = int(self._buffer.__array_interface__["data"][0])

    def size(self) -> int:
        return self._buffer.size

    def __buffer__(self, flags):
        return memoryview(self._buffer)

    def __int__(self) -> int:
        return self.ptr


def alloc(size: int) -> MemoryPointer:
    from .._core import empty_owner
    array = empty_owner((int(size),), numpy.uint8)
    return array.data


def alloc_pinned_memory(size: int) -> PinnedMemoryPointer:
    return PinnedMemoryPointer(size)
