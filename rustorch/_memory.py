"""Keep freed tensor memory in the process for reuse (glibc's malloc, Linux).

Every op returns a new NumPy array, and a training step frees and allocates the same large
buffers again and again. glibc serves requests above its mmap threshold (128 KiB at first,
adapting up to 32 MiB) with fresh ``mmap`` regions and returns them to the kernel on ``free``;
the next step then pays a page fault and the kernel's zeroing for every page it touches again
(measured on the 2-core development VM: ~1,000-3,000 faults and 8-14 ms of system time per step
of the elementwise and CNN benchmarks). PyTorch's own allocator keeps such buffers.

``retain_freed_memory`` raises the mmap threshold to its 32 MiB maximum and the heap trim
threshold to 256 MiB, so buffers up to 32 MiB are reused from the heap and at most 256 MiB of
free heap stays mapped. Peak memory is unchanged; memory freed at the end of a big job returns
to the kernel later (or when the heap top frees more than the trim threshold).

It runs once, on import. It leaves malloc alone when the C library is not glibc, when
``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` are set (the user chose), or when
``RUSTORCH_KEEP_MALLOC=1``.
"""
from __future__ import annotations

import os
import platform

__all__ = ["retain_freed_memory", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

MMAP_THRESHOLD = 32 * 1024 * 1024   # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 256 * 1024 * 1024

_M_TRIM_THRESHOLD = -1  # mallopt parameter numbers from glibc's malloc.h
_M_MMAP_THRESHOLD = -3

tuned = False


def retain_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds (see the module docstring); True if it did."""
    global tuned
    if tuned:
        return True
    if os.environ.get("RUSTORCH_KEEP_MALLOC") == "1" or any(
            name in os.environ for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")):
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        import ctypes
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    tuned = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return tuned
