"""``torch.backends.cudnn``: the cuDNN flags training scripts set (``benchmark``,
``deterministic``, ``allow_tf32``) and the ``flags`` context manager.

rustorch records the flags and reads them back as PyTorch does (a non-bool raises
RuntimeError); its CuPy kernels do not autotune, so ``benchmark`` changes no result.

    >>> import rustorch as torch
    >>> with torch.backends.cudnn.flags(enabled=True, deterministic=True):
    ...     torch.backends.cudnn.deterministic
    True
"""
from __future__ import annotations

import sys
import types
from contextlib import contextmanager
from typing import Any, Iterator

from .. import _backend
from .._switches import _require_bool
from ._precision import FP32Precision, check_fp32_precision

# the flags (enabled, benchmark, ...) are properties of the module, read at each access
__all__ = ["is_available", "version", "flags", "set_flags", "conv", "rnn"]

_settings: dict[str, Any] = {"enabled": True, "benchmark": False, "deterministic": False,
                             "allow_tf32": True, "fp32_precision": "none",
                             "depthwise_kernel": "auto", "benchmark_limit": None}
conv = FP32Precision("conv")
rnn = FP32Precision("rnn")


def _cudnn_library():
    """CuPy's cuDNN bindings when CuPy, a GPU and cuDNN are all usable, else None."""
    cupy = _backend.cupy_module()
    if cupy is None:
        return None
    try:
        library = getattr(cupy.cuda, "cudnn", None)
        if library is None or not getattr(library, "available", True):
            return None
        library.getVersion()
        return library
    except Exception:  # cuDNN missing, or CuPy's bindings cannot load it
        return None


def is_available() -> bool:
    """Whether cuDNN is usable through CuPy; False without CuPy or a GPU."""
    return _cudnn_library() is not None


def version() -> int | None:
    """cuDNN's version number (e.g. 90100), or None when cuDNN is not available."""
    library = _cudnn_library()
    return None if library is None else int(library.getVersion())


def set_flags(_enabled=None, _benchmark=None, _benchmark_limit=None, _deterministic=None,
              _allow_tf32=None, _fp32_precision="none", _depthwise_kernel=None) -> tuple:
    """Set the flags given (None leaves one as it is) and return the previous ones, in
    PyTorch's order, for ``set_flags(*previous)``."""
    module = sys.modules[__name__]
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32",
             "fp32_precision", "depthwise_kernel")
    previous = tuple(getattr(module, name) for name in names)
    values = (_enabled, _benchmark, _benchmark_limit, _deterministic, _allow_tf32,
              _fp32_precision, _depthwise_kernel)
    for name, value in zip(names, values):
        # as in PyTorch, the benchmark limit is only set where cuDNN is available
        if value is not None and (name != "benchmark_limit" or is_available()):
            setattr(module, name, value)
    return previous


@contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
          allow_tf32=True, fp32_precision="none", depthwise_kernel="auto") -> Iterator[None]:
    """Set the cuDNN flags for the ``with`` block, then restore the previous values.
    The defaults are PyTorch's (``enabled=False`` included); None leaves a flag as it is."""
    previous = set_flags(enabled, benchmark, benchmark_limit, deterministic, allow_tf32,
                         fp32_precision, depthwise_kernel)
    try:
        yield
    finally:
        set_flags(*previous)


def _bool_flag(name: str, setter: str) -> property:
    def read(module) -> bool:
        return _settings[name]

    def write(module, value: bool) -> None:
        _require_bool(value, setter)
        _settings[name] = value
    return property(read, write)


class _CudnnModule(types.ModuleType):
    """This module, with its flags as properties so that setting one checks its type."""

    enabled = _bool_flag("enabled", "set_enabled_cudnn")
    benchmark = _bool_flag("benchmark", "set_benchmark_cudnn")
    deterministic = _bool_flag("deterministic", "set_deterministic_cudnn")
    allow_tf32 = _bool_flag("allow_tf32", "set_allow_tf32_cudnn")

    @property
    def benchmark_limit(self) -> int | None:
        """10 where cuDNN is available (PyTorch's default), None elsewhere, until set."""
        limit = _settings["benchmark_limit"]
        if limit is None and is_available():
            return 10
        return limit

    @benchmark_limit.setter
    def benchmark_limit(self, value: int | None) -> None:
        _settings["benchmark_limit"] = value

    @property
    def fp32_precision(self) -> str:
        return _settings["fp32_precision"]

    @fp32_precision.setter
    def fp32_precision(self, value: str) -> None:
        check_fp32_precision(value, "all")
        _settings["fp32_precision"] = value

    @property
    def depthwise_kernel(self) -> str:
        return _settings["depthwise_kernel"]

    @depthwise_kernel.setter
    def depthwise_kernel(self, value: str) -> None:
        _settings["depthwise_kernel"] = value


sys.modules[__name__].__class__ = _CudnnModule
