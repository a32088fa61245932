"""Devices and array backends: NumPy on the CPU, CuPy on CUDA. The only module importing cupy."""
from __future__ import annotations

import threading

import numpy as np

from .errors import ArgumentError, DeviceError, NotSupportedError

__all__ = ["device", "cupy_module", "cuda_available", "array_module", "device_of",
           "to_device", "CPU", "set_default_device", "get_default_device", "default_device"]

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

    def __enter__(self) -> "device":
        """``with torch.device('cuda'):`` makes factory functions default to this device."""
        _DEFAULT.stack.append(_DEFAULT.device)
        _DEFAULT.device = None if self.type == "cpu" else self
        return self

    def __exit__(self, *exc_info) -> None:
        _DEFAULT.device = _DEFAULT.stack.pop()


CPU = device("cpu")


class _DefaultDevice(threading.local):
    """The device factory functions use when given none: per thread, as PyTorch's device mode
    (``None`` stands for the CPU, so the common case costs one attribute read)."""

    def __init__(self) -> None:
        self.device: device | None = None
        self.stack: list = []


_DEFAULT = _DefaultDevice()


def default_device(value):
    """``value`` when a device was given, else the default device (``None`` for the CPU)."""
    return _DEFAULT.device if value is None else value


def set_default_device(value) -> None:
    """Make ``value`` the device that factory functions (``zeros``, ``tensor``, ``rand``,
    ``arange`` ...) use when called without ``device=``, in this thread; ``None`` restores the
    CPU. Tensors made from others (``*_like``, ``new_*``, ``from_numpy``) are not affected."""
    target = None if value is None else to_device_object(value)
    _DEFAULT.device = None if target is None or target.type == "cpu" else target


def get_default_device() -> device:
    """The default device of factory functions; a CUDA default carries the current index."""
    target = _DEFAULT.device
    if target is None:
        return CPU
    if target.type == "cuda" and target.index is None:
        cp = cupy_module()
        return device("cuda", int(cp.cuda.runtime.getDevice()) if cp is not None else 0)
    return target


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


def check_same_device(op: str, reference, **arguments) -> None:
    """PyTorch's error when a tensor argument of ``op`` (None skipped) is not on the device of
    ``reference``. For ops that read several tensors' arrays themselves; ``Primitive.apply``
    checks its own operands."""
    expected = device_of(reference._data)
    for name, value in arguments.items():
        if value is not None and type(value._data) is not type(reference._data):
            found = device_of(value._data)
            if found != expected:
                raise DeviceError(
                    f"Expected all tensors to be on the same device, but found at least two "
                    f"devices, {expected} and {found}! (when checking argument {name} of "
                    f"{op}; move it with .to({str(expected)!r}))")


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
        if array.dtype.name == "bfloat16":
            raise NotSupportedError(f"moving a bfloat16 tensor to {target}: CuPy has no "
                                    f"bfloat16 arrays; use float16 or float32 on CUDA")
        with cp.cuda.Device(index):
            return cp.asarray(array)
    raise DeviceError(f"moving a tensor to {target}: unsupported device type {target.type!r}")
