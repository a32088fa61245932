"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``."""
from __future__ import annotations

import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "grad_state"]


class _GradState(threading.local):
    """The switches ``Primitive.apply`` reads on every op, as PyTorch scopes them: grad mode
    and inference mode per thread (a new thread starts with grad enabled, whatever the thread
    that started it does), anomaly detection for the whole process.

    The class attributes are each thread's defaults; the anomaly switches stay class
    attributes, written only through ``set_anomaly``.
    """

    enabled = True
    inference = False
    # grad mode switched on inside inference mode: reported by is_grad_enabled, but nothing
    # is recorded there (``enabled`` stays False), as in PyTorch
    inference_grad = False
    anomaly = False
    anomaly_check_nan = True


grad_state = _GradState()


def set_anomaly(mode: bool, check_nan: bool) -> None:
    """Switch anomaly detection for every thread."""
    _GradState.anomaly, _GradState.anomaly_check_nan = bool(mode), bool(check_nan)


def is_grad_enabled() -> bool:
    return grad_state.enabled or grad_state.inference_grad


def _set_grad_mode(mode: bool) -> None:
    if grad_state.inference:
        grad_state.inference_grad = mode
    else:
        grad_state.enabled = mode


def is_inference_mode_enabled() -> bool:
    return grad_state.inference


def _snapshot() -> tuple:
    return grad_state.enabled, grad_state.inference, grad_state.inference_grad


def _restore(state: tuple) -> None:
    grad_state.enabled, grad_state.inference, grad_state.inference_grad = state


class _ModeContext:
    """A context manager that is also a decorator (with or without parentheses)."""

    def __new__(cls, *args, **kwargs):
        # ``@no_grad`` without parentheses: the class is called with the function itself
        if cls is not set_grad_enabled and len(args) == 1 and callable(args[0]) and not kwargs:
            return cls()(args[0])
        return super().__new__(cls)

    def _set(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        self._previous = _snapshot()
        self._set()
        return self

    def __exit__(self, *exc_info) -> None:
        _restore(self._previous)

    def clone(self):
        return type(self)()

    def __call__(self, function):
        if inspect.isgeneratorfunction(function):
            @functools.wraps(function)
            def generator_wrapper(*args, **kwargs):
                generator = function(*args, **kwargs)
                with self.clone():
                    response = generator.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        generator.close()
                        raise
                    with self.clone():
                        try:
                            response = generator.send(request)
                        except StopIteration as stop:
                            return stop.value
            return generator_wrapper

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with self.clone():
                return function(*args, **kwargs)
        return wrapper


class no_grad(_ModeContext):
    """Operations inside record no graph; outputs don't require grad."""

    def _set(self) -> None:
        grad_state.enabled = False
        grad_state.inference_grad = False


class enable_grad(_ModeContext):
    """Turn graph recording back on inside ``no_grad`` (not inside ``inference_mode``)."""

    def _set(self) -> None:
        _set_grad_mode(True)


class set_grad_enabled(_ModeContext):
    """``set_grad_enabled(False)`` switches at once; as a context manager it restores on exit."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._previous = _snapshot()
        _set_grad_mode(self.mode)

    def _set(self) -> None:
        _set_grad_mode(self.mode)

    def __enter__(self):
        self._set()
        return self

    def __call__(self, function):
        # used as a decorator, the switch made by __init__ must not leak out
        _restore(self._previous)
        return super().__call__(function)

    def clone(self):
        current = _snapshot()
        clone = set_grad_enabled(self.mode)
        clone._previous = self._previous
        _restore(current)
        return clone


class inference_mode(_ModeContext):
    """Like ``no_grad``, the fastest mode: no graph and no version bookkeeping needed."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def _set(self) -> None:
        grad_state.inference = self.mode
        grad_state.inference_grad = False
        grad_state.enabled = not self.mode  # inference_mode(False) turns grad mode on

    def clone(self):
        return inference_mode(self.mode)
