"""Anomaly detection: forward tracebacks on graph nodes, NaN checks on backward outputs."""
from __future__ import annotations

import functools
import warnings

from .grad_mode import grad_state, set_anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]


class detect_anomaly:
    """While active, each node records the traceback of the forward call that created it, and
    a backward function that returns NaN raises a RuntimeError naming the node.

    >>> with rustorch.autograd.detect_anomaly():
    ...     loss.backward()
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._previous = (grad_state.anomaly, grad_state.anomaly_check_nan)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self) -> "detect_anomaly":
        self._previous = (grad_state.anomaly, grad_state.anomaly_check_nan)
        set_anomaly(True, self.check_nan)
        return self

    def __exit__(self, *exc_info) -> None:
        set_anomaly(*self._previous)

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return function(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Switch anomaly detection on or off now; used as a context manager it restores on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._previous = (grad_state.anomaly, grad_state.anomaly_check_nan)
        set_anomaly(mode, check_nan)

    def __enter__(self) -> "set_detect_anomaly":
        return self

    def __exit__(self, *exc_info) -> None:
        set_anomaly(*self._previous)


def is_anomaly_enabled() -> bool:
    return grad_state.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return grad_state.anomaly_check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """``torch.set_anomaly_enabled``: switch anomaly detection (every thread) without a
    warning or a context."""
    set_anomaly(enabled, check_nan)
