"""``cupy.cuda.runtime`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the
tests when RUSTORCH_FAKE_CUDA=1): a device count (``FAKE_CUPY_DEVICES``, default 1), the current
device of this thread, and properties shaped like CUDA's ``cudaDeviceProp``."""
from __future__ import annotations

import os
import threading

is_hip = False
_is_hip_environment = False


class CUDARuntimeError(RuntimeError):
    """Raised as CuPy raises ``cupy_backends.cuda.api.runtime.CUDARuntimeError``."""


class _Current(threading.local):
    def __init__(self) -> None:
        self.device = 0


_CURRENT = _Current()


def getDeviceCount() -> int:  # noqa: N802 - CuPy's name
    return int(os.environ.get("FAKE_CUPY_DEVICES", "1"))


def _check(device: int) -> int:
    device = int(device)
    if not 0 <= device < getDeviceCount():
        raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
    return device


def getDevice() -> int:  # noqa: N802
    return _CURRENT.device


def setDevice(device: int) -> None:  # noqa: N802
    _CURRENT.device = _check(device)


def deviceSynchronize() -> None:  # noqa: N802
    pass


def runtimeGetVersion() -> int:  # noqa: N802
    return 12040


def driverGetVersion() -> int:  # noqa: N802
    return 12040


def memGetInfo() -> tuple:  # noqa: N802
    return (70 * 2**30, 80 * 2**30)


def getDeviceProperties(device: int) -> dict:  # noqa: N802
    _check(device)
    return {
        "name": b"Fake CUDA Device (NumPy)", "totalGlobalMem": 80 * 2**30,
        "sharedMemPerBlock": 49152, "regsPerBlock": 65536, "warpSize": 32,
        "maxThreadsPerBlock": 1024, "maxThreadsDim": (1024, 1024, 64),
        "maxGridSize": (2147483647, 65535, 65535), "clockRate": 1755000,
        "totalConstMem": 65536, "major": 9, "minor": 0, "multiProcessorCount": 132,
        "l2CacheSize": 52428800, "maxThreadsPerMultiProcessor": 2048,
        "pciBusID": device, "pciDeviceID": 0, "pciDomainID": 0, "integrated": 0,
        "uuid": bytes(16), "computeMode": 0, "ECCEnabled": 1, "memoryClockRate": 2619000,
        "memoryBusWidth": 5120, "isMultiGpuBoard": 0,
    }


def deviceCanAccessPeer(device: int, peer: int) -> int:  # noqa: N802
    return 1
