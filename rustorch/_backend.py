"""Devices and array backends: NumPy on the CPU, CuPy on CUDA. The only module importing cupy."""
from __future__ import annotations

import numpy as np

from .errors import ArgumentError, DeviceError

__all__ = ["device", "cupy_module", "cuda_available", "array_module", "device_of",
           "to_device", "CPU"]

_INSTALL_HINT = ("install CuPy for your CUDA version: pip install 'rustorch[cuda12]' or "
                 "'rustorch[cuda13]', on a machine with an NVIDIA GPU")
_cupy = None
_cupy_checked = False


def cupy_module():
    """The cupy module, or None when CuPy or a GPU is missing."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy  # noqa: PLC0415 - optional dependency

            if cupy.cuda.runtime.getDeviceCount() > 0:
                _cupy = cupy
        except Exception:  # no cupy, no driver, or no device
            _cupy = None
    return _cupy


def cuda_available() -> bool:
    return cupy_module() is not None


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cuda', 0)``, ``device('cuda:1')``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type
        text = str(type)
        if ":" in text:
            if index is not None:
                raise ArgumentError(f"device: type {text!r} already names an index; "
                                    f"don't pass index={index} too")
            text, _, number = text.partition(":")
            if not number.isdigit():
                raise ArgumentError(f"Invalid device string: '{type}'")
            index = int(number)
        if text not in ("cpu", "cuda", "meta"):
            raise ArgumentError(f"Expected one of cpu, cuda, meta device type at start of "
                                f"device string: {text}")
        self.type, self.index = text, index

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def to_device_object(value) -> device:
    if value is None:
        return CPU
    if isinstance(value, device):
        return value
    text = str(value)  # also accepts a real torch.device
    if text.startswith("device(type="):
        text = value.type if value.index is None else f"{value.type}:{value.index}"
    return device(text)


def array_module(array):
    """numpy or cupy, whichever holds ``array``."""
    if type(array) is np.ndarray or isinstance(array, (np.ndarray, np.generic)):
        return np
    cp = cupy_module()
    if cp is not None and isinstance(array, cp.ndarray):
        return cp
    return np


def device_of(array) -> device:
    if isinstance(array, np.ndarray):
        return CPU
    return device("cuda", int(array.device.id))


def cuda_module_or_raise(what: str):
    cp = cupy_module()
    if cp is None:
        raise DeviceError(f"{what}: CUDA is not available (no CuPy or no GPU); {_INSTALL_HINT}")
    return cp


def to_device(array, target: device):
    """Copy ``array`` to ``target`` (no copy when it is already there)."""
    if target.type == "cpu":
        if isinstance(array, np.ndarray):
            return array
        return array.get()
    if target.type == "cuda":
        cp = cuda_module_or_raise(f"moving a tensor to {target}")
        index = 0 if target.index is None else target.index
        if index >= cp.cuda.runtime.getDeviceCount():
            raise DeviceError(f"moving a tensor to {target}: only "
                              f"{cp.cuda.runtime.getDeviceCount()} CUDA device(s) are visible")
        if isinstance(array, cp.ndarray) and array.device.id == index:
            return array
        with cp.cuda.Device(index):
            return cp.asarray(array)
    raise DeviceError(f"moving a tensor to {target}: unsupported device type {target.type!r}")
