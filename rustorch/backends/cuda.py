"""``torch.backends.cuda``: cuBLAS matmul flags and the scaled-dot-product-attention kernel
switches. rustorch records them; its CuPy matmuls and attention do not change with them.

    >>> import rustorch as torch
    >>> torch.backends.cuda.matmul.allow_tf32 = True
    >>> torch.get_float32_matmul_precision()
    'high'
    >>> torch.set_float32_matmul_precision("highest")
"""
from __future__ import annotations

import importlib.util
from typing import Any

from .. import _switches
from ..errors import ArgumentTypeError
from ._precision import check_fp32_precision

__all__ = ["matmul", "is_built", "enable_flash_sdp", "flash_sdp_enabled",
           "enable_mem_efficient_sdp", "mem_efficient_sdp_enabled", "enable_math_sdp",
           "math_sdp_enabled", "enable_cudnn_sdp", "cudnn_sdp_enabled"]


def is_built() -> bool:
    """Whether rustorch can use CUDA on a machine with a GPU, that is whether CuPy is
    installed. PyTorch answers for its binary instead: False for a CPU-only build even where
    CuPy is installed, True for a CUDA build."""
    return importlib.util.find_spec("cupy") is not None


def _parse_reduction(value: Any, name: str) -> bool:
    """A bool, or PyTorch's ``(allow_reduced_precision, allow_splitk)`` tuple of bools."""
    items = value if isinstance(value, (list, tuple)) else [value]
    if not isinstance(value, (bool, list, tuple)):
        raise ArgumentTypeError(f"{name} expects a bool or a tuple/list of bools, "
                                f"but got {type(value)!r}")
    if not 1 <= len(items) <= 2:
        raise ArgumentTypeError(f"{name} expects one or two boolean arguments")
    for item in items:
        if not isinstance(item, bool):
            raise ArgumentTypeError(f"{name} expects a bool, but got {type(item)!r}")
    return items[0]


class _CublasSettings:
    """``torch.backends.cuda.matmul``: ``allow_tf32`` is ``get_float32_matmul_precision() !=
    "highest"``, as in PyTorch, and setting one updates the other."""

    _REDUCTIONS = ("allow_fp16_reduced_precision_reduction",
                   "allow_bf16_reduced_precision_reduction")

    def __init__(self) -> None:
        object.__setattr__(self, "_reduced", dict.fromkeys(self._REDUCTIONS, True))

    def __getattr__(self, name: str) -> Any:
        if name == "allow_tf32":
            return _switches.get_float32_matmul_precision() != "highest"
        if name == "fp32_precision":
            return _switches._matmul_fp32_precision
        if name in self._REDUCTIONS:
            return self._reduced[name]
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "allow_tf32":
            _switches._require_bool(value, "set_allow_tf32_cublas")
            if not value:
                _switches.set_float32_matmul_precision("highest")
            elif _switches.get_float32_matmul_precision() == "highest":
                _switches.set_float32_matmul_precision("high")
        elif name == "fp32_precision":
            check_fp32_precision(value, "matmul")
            _switches._set_matmul_fp32_precision(value)
        elif name in self._REDUCTIONS:
            self._reduced[name] = _parse_reduction(value, name)
        else:
            raise AttributeError("Unknown attribute " + name)


matmul = _CublasSettings()

_sdp_enabled = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def _enable_sdp(kernel: str, enabled: bool) -> None:
    _switches._require_bool(enabled, f"set_sdp_use_{kernel}")
    _sdp_enabled[kernel] = enabled


def enable_flash_sdp(enabled: bool) -> None:
    """Record whether flash attention may be used (rustorch's attention has one kernel)."""
    _enable_sdp("flash", enabled)


def flash_sdp_enabled() -> bool:
    return _sdp_enabled["flash"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Record whether memory-efficient attention may be used."""
    _enable_sdp("mem_efficient", enabled)


def mem_efficient_sdp_enabled() -> bool:
    return _sdp_enabled["mem_efficient"]


def enable_math_sdp(enabled: bool) -> None:
    """Record whether the plain math attention may be used."""
    _enable_sdp("math", enabled)


def math_sdp_enabled() -> bool:
    return _sdp_enabled["math"]


def enable_cudnn_sdp(enabled: bool) -> None:
    """Record whether cuDNN attention may be used."""
    _enable_sdp("cudnn", enabled)


def cudnn_sdp_enabled() -> bool:
    return _sdp_enabled["cudnn"]
