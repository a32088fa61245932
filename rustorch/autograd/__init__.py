"""Reverse-mode automatic differentiation: ``backward``, ``grad``, ``Function``, grad modes."""
from __future__ import annotations

from .function import Function, FunctionCtx, Node, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .engine import run_backward

__all__ = ["Function", "FunctionCtx", "Node", "once_differentiable", "backward", "grad",
           "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "set_detect_anomaly", "detect_anomaly"]


def _as_list(value):
    if value is None:
        return None
    from ..tensor import Tensor
    if isinstance(value, Tensor):
        return [value]
    return list(value)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """Accumulate gradients of ``tensors`` into the leaves (``.grad``)."""
    tensors = _as_list(tensors)
    grads = _as_list(grad_tensors if grad_tensors is not None else grad_variables)
    if grads is None:
        grads = [None] * len(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(tensors, grads, retain_graph, create_graph, inputs=_as_list(inputs),
                 accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated)."""
    single_input = not isinstance(inputs, (list, tuple))
    outputs = _as_list(outputs)
    inputs_list = _as_list(inputs)
    grads = _as_list(grad_outputs)
    if grads is None:
        grads = [None] * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    results = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs_list,
                           allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        results = [r if r is not None else i.new_zeros(i.shape) for r, i in
                   zip(results, inputs_list)]
    del single_input
    return tuple(results)


class detect_anomaly:
    """Record forward tracebacks and check gradients for NaN while active."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self):
        from .grad_mode import grad_state
        self._previous = (grad_state.anomaly, grad_state.anomaly_check_nan)
        grad_state.anomaly, grad_state.anomaly_check_nan = True, self.check_nan
        return self

    def __exit__(self, *exc_info) -> None:
        from .grad_mode import grad_state
        grad_state.anomaly, grad_state.anomaly_check_nan = self._previous


def set_detect_anomaly(mode: bool, check_nan: bool = True) -> None:
    from .grad_mode import grad_state
    grad_state.anomaly, grad_state.anomaly_check_nan = bool(mode), check_nan


def is_anomaly_enabled() -> bool:
    from .grad_mode import grad_state
    return grad_state.anomaly
