"""Process-wide switches PyTorch scripts set: deterministic algorithms, float32 matmul
precision, and small helpers (typename, is_storage).

rustorch computes with NumPy and CuPy, whose kernels already give the same result on every
run, and its matmuls run at the precision of their dtype. So these switches only record the
state, so that scripts which set them and read them back behave as under PyTorch.

    >>> import rustorch as torch
    >>> torch.use_deterministic_algorithms(True)
    >>> torch.are_deterministic_algorithms_enabled()
    True
    >>> torch.use_deterministic_algorithms(False)
"""
from __future__ import annotations

import warnings
from typing import Any

from .errors import ArgumentTypeError, ArgumentValueError
from .tensor import Tensor

__all__ = ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "typename", "is_storage", "set_warn_always",
           "is_warn_always_enabled"]

_deterministic = False
_deterministic_warn_only = False
_warn_always = False
_PRECISIONS = ("highest", "high", "medium")
_float32_matmul_precision = "highest"
# torch.backends.cuda.matmul.fp32_precision: "none" until a precision switch is used; kept
# here because set_float32_matmul_precision updates it too (as in PyTorch)
_matmul_fp32_precision = "none"
_DEBUG_MODES = ("default", "warn", "error")
# classes whose instances are storages; a storage class adds itself here
# (rustorch.storage.UntypedStorage)
_storage_classes: set[type] = set()


def _require_bool(value: Any, setter: str) -> None:
    """PyTorch's bool-only setters raise RuntimeError for anything that is not a bool."""
    if not isinstance(value, bool):
        raise ArgumentValueError(f"{setter} expects a bool, but got {type(value).__name__}")


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record whether deterministic algorithms are required (``warn_only``: warn instead of
    raising). rustorch's kernels are deterministic already, so this only records the state."""
    global _deterministic, _deterministic_warn_only
    for name, value, where in (("mode", mode, " (position 1)"), ("warn_only", warn_only, "")):
        if not isinstance(value, bool):
            raise ArgumentTypeError(f"_set_deterministic_algorithms(): argument '{name}'{where} "
                                    f"must be bool, not {type(value).__name__}")
    _deterministic, _deterministic_warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in effect."""
    return _deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether ``use_deterministic_algorithms`` was last called with ``warn_only=True``."""
    return _deterministic_warn_only


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """``"default"``/0: off, ``"warn"``/1: deterministic with warn_only, ``"error"``/2:
    deterministic. Only records the state (rustorch is deterministic already)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise ArgumentValueError("invalid value of debug_mode, expected one of `default`, "
                                     f"`warn`, `error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif not isinstance(debug_mode, int):
        raise ArgumentTypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise ArgumentValueError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                                 f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """0 when deterministic algorithms are off, 1 when they only warn, 2 when they error."""
    if not _deterministic:
        return 0
    return 1 if _deterministic_warn_only else 2


def set_float32_matmul_precision(precision: str) -> None:
    """Record the float32 matmul precision: ``"highest"``, ``"high"`` or ``"medium"``; other
    strings warn and change nothing, as in PyTorch. rustorch's float32 matmuls always run in
    full float32 precision; ``backends.cuda.matmul.allow_tf32`` reads this setting."""
    global _float32_matmul_precision, _matmul_fp32_precision
    if not isinstance(precision, str):
        raise ArgumentValueError("set_float32_matmul_precision expects a str, but got "
                                 f"{type(precision).__name__}")
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _float32_matmul_precision = precision
    _matmul_fp32_precision = "ieee" if precision == "highest" else "tf32"


def get_float32_matmul_precision() -> str:
    """The precision last set by ``set_float32_matmul_precision`` (``"highest"`` at start)."""
    return _float32_matmul_precision


def _set_matmul_fp32_precision(value: str) -> None:
    """``backends.cuda.matmul.fp32_precision = value`` ("ieee", "tf32" or "none"): "tf32"
    allows reduced precision ("high" unless "medium" is set), the others give "highest".
    PyTorch refuses to read the legacy flags after some mixes of the two APIs; rustorch
    answers from this one state instead."""
    global _matmul_fp32_precision
    if value != "tf32":
        set_float32_matmul_precision("highest")
    elif _float32_matmul_precision == "highest":
        set_float32_matmul_precision("high")
    _matmul_fp32_precision = value


def typename(obj: Any, /) -> str:
    """The fully qualified name of ``obj``'s type; for tensors their legacy type name.

    >>> import rustorch as torch
    >>> torch.typename(torch.zeros(2)), torch.typename(torch.nn.Linear)
    ('torch.FloatTensor', 'rustorch.nn.modules.linear.Linear')
    """
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def is_storage(obj: Any, /) -> bool:
    """Whether ``obj`` is a storage object (an ``UntypedStorage``)."""
    return type(obj) in _storage_classes


def set_warn_always(b: bool, /) -> None:
    """Record whether warnings PyTorch shows once per process should show every time."""
    global _warn_always
    _require_bool(b, "setWarnOnlyOnce")
    _warn_always = b


def is_warn_always_enabled() -> bool:
    """The flag set by ``set_warn_always`` (False at start)."""
    return _warn_always
