"""CUDA device management, as ``torch.cuda``, on top of CuPy.

Without CuPy or an NVIDIA GPU, ``is_available()`` is False, the counters are 0, seeding and
``empty_cache`` do nothing (as in a CPU-only PyTorch) and everything that needs a GPU raises
``rustorch.DeviceError`` saying how to install CuPy. CuPy is reached only through
``rustorch._backend.cupy_module()``.

    >>> import rustorch as torch
    >>> device = "cuda" if torch.cuda.is_available() else "cpu"
"""
from __future__ import annotations

from typing import Any

from .. import _backend
from ..errors import ArgumentError

__all__ = ["is_available", "device_count", "current_device", "set_device", "synchronize",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed",
           "get_device_name", "get_device_capability", "get_device_properties",
           "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "reset_peak_memory_stats", "empty_cache", "is_initialized",
           "init", "device", "device_of", "Stream", "Event", "current_stream", "default_stream",
           "stream", "is_bf16_supported", "get_rng_state", "set_rng_state", "get_rng_state_all",
           "set_rng_state_all"]

_peak_allocated: dict[int, int] = {}  # CuPy's pool keeps no peak; remember the largest seen
_peak_reserved: dict[int, int] = {}


def _cupy(what: str):
    """The cupy module, or a DeviceError naming ``what`` and how to get CUDA support."""
    return _backend.cuda_module_or_raise(f"torch.cuda.{what}")


def _index(device_like: Any = None) -> int:
    """A CUDA device index from an int, a string, a ``device`` or None (the current one)."""
    if device_like is None:
        return current_device()
    if isinstance(device_like, int) and not isinstance(device_like, bool):
        return device_like
    target = _backend.to_device_object(device_like)
    if target.type != "cuda":
        raise ArgumentError(f"Expected a cuda device, but got: {target}")
    return current_device() if target.index is None else target.index


def is_available() -> bool:
    """Whether CuPy is installed and at least one GPU is visible."""
    return _backend.cuda_available()


def is_initialized() -> bool:
    return is_available()


def init() -> None:
    _cupy("init()")


def device_count() -> int:
    cupy = _backend.cupy_module()
    return 0 if cupy is None else int(cupy.cuda.runtime.getDeviceCount())


def current_device() -> int:
    return int(_cupy("current_device()").cuda.runtime.getDevice())


def set_device(device: Any) -> None:
    """Make ``device`` the current one; a negative index does nothing (PyTorch's rule)."""
    if isinstance(device, int) and device < 0:
        return
    cupy = _cupy("set_device()")
    cupy.cuda.Device(_index(device)).use()


def synchronize(device: Any = None) -> None:
    """Wait for all work queued on ``device`` (the current one by default) to finish."""
    cupy = _cupy("synchronize()")
    with cupy.cuda.Device(_index(device)):
        cupy.cuda.runtime.deviceSynchronize()


# ----------------------------------------------------------------- random numbers
def manual_seed(seed: int) -> None:
    """Seed the CUDA generator; a no-op without CUDA, like PyTorch.

    rustorch draws CUDA samples from the CPU generator and moves them to the device, so with
    CUDA this seeds that shared generator.
    """
    if is_available():
        from .. import random
        random.manual_seed(seed)


manual_seed_all = manual_seed


def seed() -> None:
    if is_available():
        from .. import random
        random.seed()


seed_all = seed


def initial_seed() -> int:
    _cupy("initial_seed()")
    from .. import random
    return random.initial_seed()


def get_rng_state(device: Any = "cuda"):
    """The CUDA generator's state as a CPU uint8 tensor: rustorch's CUDA samples come from the
    CPU generator, so it is that generator's state (restorable with ``set_rng_state``)."""
    _cupy("get_rng_state()")
    from .. import random
    return random.get_rng_state()


def set_rng_state(new_state, device: Any = "cuda") -> None:
    _cupy("set_rng_state()")
    from .. import random
    random.set_rng_state(new_state)


def get_rng_state_all() -> list:
    """One state per CUDA device (the shared generator's, see ``get_rng_state``)."""
    return [get_rng_state(index) for index in range(device_count())]


def set_rng_state_all(new_states) -> None:
    for state in new_states:
        set_rng_state(state)


# ----------------------------------------------------------------- device properties
def get_device_properties(device: Any = None) -> dict[str, Any]:
    """The CUDA runtime's property dict for ``device`` (names decoded to str)."""
    cupy = _cupy("get_device_properties()")
    properties = dict(cupy.cuda.runtime.getDeviceProperties(_index(device)))
    if isinstance(properties.get("name"), bytes):
        properties["name"] = properties["name"].decode()
    return properties


def get_device_name(device: Any = None) -> str:
    return get_device_properties(device)["name"]


def get_device_capability(device: Any = None) -> tuple[int, int]:
    properties = get_device_properties(device)
    return int(properties["major"]), int(properties["minor"])


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: CuPy, which holds rustorch's CUDA tensors, has no bfloat16 arrays."""
    return False


# ----------------------------------------------------------------- memory
def _pool_bytes(device: Any, kind: str) -> int:
    cupy = _backend.cupy_module()
    if cupy is None:
        return 0
    with cupy.cuda.Device(_index(device)):
        pool = cupy.get_default_memory_pool()
        return int(pool.used_bytes() if kind == "used" else pool.total_bytes())


def _tracked_pool_bytes(device: Any, kind: str, peaks: dict) -> int:
    """The pool's current bytes, also recorded as a peak (CuPy keeps none)."""
    value = _pool_bytes(device, kind)
    if value:
        key = _index(device)
        peaks[key] = max(peaks.get(key, 0), value)
    return value


def memory_allocated(device: Any = None) -> int:
    """Bytes held by tensors on ``device`` (CuPy's memory pool); 0 without CUDA."""
    return _tracked_pool_bytes(device, "used", _peak_allocated)


def max_memory_allocated(device: Any = None) -> int:
    """The largest ``memory_allocated`` seen since the last reset (CuPy keeps no peak, so
    this is the largest value observed by rustorch's queries)."""
    current = memory_allocated(device)
    return _peak_allocated.get(_index(device), 0) if current else 0


def memory_reserved(device: Any = None) -> int:
    """Bytes reserved by CuPy's memory pool (allocated or cached); 0 without CUDA."""
    return _tracked_pool_bytes(device, "total", _peak_reserved)


def max_memory_reserved(device: Any = None) -> int:
    current = memory_reserved(device)
    return _peak_reserved.get(_index(device), 0) if current else 0


def reset_peak_memory_stats(device: Any = None) -> None:
    if is_available():
        _peak_allocated.pop(_index(device), None)
        _peak_reserved.pop(_index(device), None)


def empty_cache() -> None:
    """Return cached, unused blocks of CuPy's memory pools to the driver; no-op without CUDA."""
    cupy = _backend.cupy_module()
    if cupy is not None:
        cupy.get_default_memory_pool().free_all_blocks()
        cupy.get_default_pinned_memory_pool().free_all_blocks()


# ----------------------------------------------------------------- device context
class device:
    """Context manager that makes ``device`` current inside the block.

    ``None`` or a negative index changes nothing (and needs no GPU), as in PyTorch.
    """

    def __init__(self, device: Any) -> None:
        self.index = -1 if device is None else (
            device if isinstance(device, int) else _backend.to_device_object(device).index)
        if self.index is None:
            self.index = 0
        self.previous = -1

    def __enter__(self):
        if self.index < 0:
            return self
        self.previous = current_device()
        set_device(self.index)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.previous >= 0:
            set_device(self.previous)


class device_of(device):
    """Context manager making the device of ``tensor`` current (no-op for CPU tensors)."""

    def __init__(self, tensor) -> None:
        super().__init__(tensor.get_device() if tensor.is_cuda else -1)


# ----------------------------------------------------------------- streams and events
class Stream:
    """A CUDA stream (wraps ``cupy.cuda.Stream``); needs CUDA."""

    def __init__(self, device: Any = None, priority: int = 0, **kwargs) -> None:
        cupy = _cupy("Stream")
        with cupy.cuda.Device(_index(device)):
            try:
                self._stream = cupy.cuda.Stream(non_blocking=True, priority=priority)
            except TypeError:  # CuPy before 14 takes no priority
                self._stream = cupy.cuda.Stream(non_blocking=True)

    @classmethod
    def _wrap(cls, cupy_stream) -> "Stream":
        stream = cls.__new__(cls)
        stream._stream = cupy_stream
        return stream

    def synchronize(self) -> None:
        self._stream.synchronize()

    def query(self) -> bool:
        return bool(self._stream.done)

    def wait_event(self, event: "Event") -> None:
        self._stream.wait_event(event._event)

    def wait_stream(self, stream: "Stream") -> None:
        self.wait_event(stream.record_event())

    def record_event(self, event: "Event | None" = None) -> "Event":
        event = Event() if event is None else event
        event.record(self)
        return event

    @property
    def cuda_stream(self) -> int:
        return int(self._stream.ptr)

    def __enter__(self):
        self._stream.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stream.__exit__(*exc_info)

    def __eq__(self, other) -> bool:
        return isinstance(other, Stream) and self.cuda_stream == other.cuda_stream

    def __hash__(self) -> int:
        return hash(self.cuda_stream)


class Event:
    """A CUDA event (wraps ``cupy.cuda.Event``); needs CUDA."""

    def __init__(self, enable_timing: bool = False, blocking: bool = False,
                 interprocess: bool = False) -> None:
        cupy = _cupy("Event")
        self._event = cupy.cuda.Event(block=blocking, disable_timing=not enable_timing,
                                      interprocess=interprocess)

    def record(self, stream: Stream | None = None) -> None:
        self._event.record(None if stream is None else stream._stream)

    def wait(self, stream: Stream | None = None) -> None:
        (stream or current_stream()).wait_event(self)

    def query(self) -> bool:
        return bool(self._event.done)

    def synchronize(self) -> None:
        self._event.synchronize()

    def elapsed_time(self, end_event: "Event") -> float:
        """Milliseconds between this event and ``end_event``."""
        return float(_cupy("Event.elapsed_time").cuda.get_elapsed_time(self._event,
                                                                        end_event._event))


def current_stream(device: Any = None) -> Stream:
    cupy = _cupy("current_stream()")
    with cupy.cuda.Device(_index(device)):
        return Stream._wrap(cupy.cuda.get_current_stream())


def default_stream(device: Any = None) -> Stream:
    cupy = _cupy("default_stream()")
    with cupy.cuda.Device(_index(device)):
        return Stream._wrap(cupy.cuda.Stream.null)


def stream(stream: Stream | None):
    """Context manager running the block on ``stream`` (None: no change)."""
    import contextlib
    return contextlib.nullcontext() if stream is None else stream


def _add_legacy_types() -> None:
    from .._legacy_types import legacy_types
    globals().update(legacy_types(is_cuda=True))  # torch.cuda.FloatTensor ...


_add_legacy_types()
