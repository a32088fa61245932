"""Reverse-mode automatic differentiation: ``backward``, ``grad``, ``Function``, grad modes,
``gradcheck``, anomaly detection and (in ``rustorch.autograd.functional``) jacobian/hessian."""
from __future__ import annotations

from ..errors import ArgumentError, ArgumentTypeError, AutogradError, NotSupportedError
from .anomaly import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                      set_detect_anomaly)
from .engine import run_backward
from .function import Function, FunctionCtx, Node, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: F811 (function wins)
from . import functional  # noqa: E402,F401

__all__ = ["Function", "FunctionCtx", "Node", "once_differentiable", "backward", "grad",
           "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "set_detect_anomaly", "detect_anomaly",
           "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "gradcheck", "gradgradcheck",
           "GradcheckError", "functional", "Variable"]


def _as_list(value, what: str = "tensors"):
    if value is None:
        return None
    from ..tensor import Tensor
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ArgumentTypeError(f"{what} must be a Tensor or a sequence of Tensors, got "
                    f"{type(value).__name__}")


def _grads_for(outputs, grad_outputs, what: str) -> list:
    grads = _as_list(grad_outputs, what)
    if grads is None:
        return [None] * len(outputs)
    if len(grads) != len(outputs):
        raise AutogradError(f"{what} should be a sequence of length {len(outputs)} (one per "
                            f"output), but got a sequence of length {len(grads)}")
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the graph's leaves (or only
    of ``inputs``), as ``sum(t * g for t, g in zip(tensors, grad_tensors))`` differentiated."""
    tensors = _as_list(tensors)
    grads = _grads_for(tensors, grad_tensors if grad_tensors is not None else grad_variables,
                       "grad_tensors")
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_list(inputs, "inputs")
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (``.grad`` is
    left untouched). Unreachable inputs give None with ``allow_unused=True`` (zeros with
    ``materialize_grads=True``)."""
    if is_grads_batched:
        raise NotSupportedError("autograd.grad: is_grads_batched=True is not supported (no vmap "
                                "in rustorch); loop over the batch of grad_outputs instead")
    if materialize_grads and allow_unused is False:
        raise ArgumentError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    outputs = _as_list(outputs, "outputs")
    inputs_list = _as_list(inputs, "inputs")
    grads = _grads_for(outputs, grad_outputs, "grad_outputs")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    results = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs_list,
                           allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        results = [value if value is not None else _zeros_like(tensor)
                   for value, tensor in zip(results, inputs_list)]
    return tuple(results)


def _zeros_like(tensor):
    from ..tensor import Tensor
    return Tensor._make(tensor._xp().zeros(tensor._data.shape, tensor._data.dtype))


def Variable(data, requires_grad: bool = False, volatile: bool = False):  # noqa: N802
    """Deprecated PyTorch wrapper: returns ``data`` itself (a Tensor), as PyTorch does now."""
    if requires_grad:
        data.requires_grad_(True)
    return data
