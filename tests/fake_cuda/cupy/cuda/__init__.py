"""``cupy.cuda`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the tests when
RUSTORCH_FAKE_CUDA=1): devices, streams, events and memory, imitating CuPy 13's Python API.
Everything runs synchronously on the CPU; events record ``time.perf_counter``."""
from __future__ import annotations

import threading
import time

from . import memory, runtime
from .memory import (BaseMemory, Memory, MemoryPointer, MemoryPool, PinnedMemoryPool,  # noqa: F401
                     OutOfMemoryError, PinnedMemoryPointer, alloc, alloc_pinned_memory)

__all__ = ["Device", "Stream", "Event", "get_current_stream", "get_elapsed_time", "runtime",
           "memory", "MemoryPointer", "Memory", "alloc", "alloc_pinned_memory", "is_available"]


def is_available() -> bool:
    return runtime.getDeviceCount() > 0


def get_device_id() -> int:
    return runtime.getDevice()


class Device:
    """``with Device(1):`` makes device 1 current in the block; ``Device()`` is the current."""

    def __init__(self, device=None) -> None:
        if device is None:
            device = runtime.getDevice()
        self.id = int(device)
        self._previous: list[int] = []

    def __int__(self) -> int:
        return self.id

    def __index__(self) -> int:
        return self.id

    def __enter__(self) -> "Device":
        self._previous.append(runtime.getDevice())
        runtime.setDevice(self.id)
        return self

    def __exit__(self, *exc_info) -> None:
        runtime.setDevice(self._previous.pop())

    def use(self) -> None:
        runtime.setDevice(self.id)

    def synchronize(self) -> None:
        runtime._check(self.id)

    @property
    def compute_capability(self) -> str:
        properties = runtime.getDeviceProperties(self.id)
        return f"{properties['major']}{properties['minor']}"

    @property
    def mem_info(self) -> tuple:
        return runtime.memGetInfo()

    def __eq__(self, other) -> bool:
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<CUDA Device {self.id}>"


class _StreamStack(threading.local):
    def __init__(self) -> None:
        self.stack: list = []


_STREAMS = _StreamStack()
_next_pointer = [0x7F0000001000]


class _BaseStream:
    def __init__(self, ptr: int, device_id: int) -> None:
        self.ptr = ptr
        self.device_id = device_id

    def __eq__(self, other) -> bool:
        return isinstance(other, _BaseStream) and self.ptr == other.ptr

    def __hash__(self) -> int:
        return hash(self.ptr)

    def __enter__(self):
        _STREAMS.stack.append(self)
        return self

    def __exit__(self, *exc_info) -> None:
        _STREAMS.stack.pop()

    def use(self):
        _STREAMS.stack[:] = [self]
        return self

    @property
    def done(self) -> bool:
        return True

    def synchronize(self) -> None:
        pass

    def record(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event

    def wait_event(self, event) -> None:
        if not isinstance(event, Event):
            raise TypeError(f"expected a cupy.cuda.Event, got {type(event).__name__}")

    def add_callback(self, callback, arg) -> None:
        callback(self, 0, arg)

    def launch_host_func(self, callback, arg) -> None:
        callback(arg)

    def __repr__(self) -> str:
        return f"<Stream {self.ptr} (device {self.device_id})>"


class Stream(_BaseStream):
    """CuPy 13's signature: ``Stream(null=False, non_blocking=False, ptds=False)``."""

    null = None
    ptds = None

    def __init__(self, null: bool = False, non_blocking: bool = False, ptds: bool = False) -> None:
        if null:
            super().__init__(0, -1)
        elif ptds:
            super().__init__(2, -1)
        else:
            _next_pointer[0] += 0x100
            super().__init__(_next_pointer[0], runtime.getDevice())


Stream.null = Stream(null=True)
Stream.ptds = Stream(ptds=True)


class ExternalStream(_BaseStream):
    def __init__(self, ptr: int, device_id: int = -1) -> None:
        super().__init__(int(ptr), device_id)


def get_current_stream(device_id: int = -1):
    return _STREAMS.stack[-1] if _STREAMS.stack else Stream.null


class Event:
    """``Event(block=False, disable_timing=False, interprocess=False)``, timed on the host."""

    def __init__(self, block: bool = False, disable_timing: bool = False,
                 interprocess: bool = False) -> None:
        if interprocess and not disable_timing:
            raise ValueError("Timing must be disabled for interprocess events")
        self.block, self.disable_timing = block, disable_timing
        self._time: float | None = None
        _next_pointer[0] += 0x100
        self.ptr = _next_pointer[0]

    @property
    def done(self) -> bool:
        return True

    def record(self, stream=None) -> None:
        if stream is not None and not isinstance(stream, _BaseStream):
            raise TypeError(f"expected a cupy.cuda.Stream, got {type(stream).__name__}")
        self._time = time.perf_counter()

    def synchronize(self) -> None:
        pass


def get_elapsed_time(start_event: Event, end_event: Event) -> float:
    """Milliseconds between two recorded, timing-enabled events (CUDA's rules)."""
    for event in (start_event, end_event):
        if event.disable_timing:
            raise runtime.CUDARuntimeError("cudaErrorInvalidResourceHandle: invalid resource "
                                           "handle")
        if event._time is None:
            raise runtime.CUDARuntimeError("cudaErrorInvalidResourceHandle: invalid resource "
                                           "handle (event not recorded)")
    return (end_event._time - start_event._time) * 1000.0


_MEMORY_POOL = MemoryPool()
_PINNED_POOL = PinnedMemoryPool()
