"""The public ``torch.autograd.Function`` API: ``Function`` with ``forward``/``backward`` (and
``setup_context``), the ``ctx`` object, and ``once_differentiable``."""
from __future__ import annotations

import traceback

import numpy as np

from .. import _backend
from ..errors import AutogradError
from . import function as _function  # its Tensor is bound once rustorch.tensor exists
from .function import Node, _zeros_like_meta, gradient_edge
from .grad_mode import grad_state
from .inference import saved_versions

__all__ = ["Function", "FunctionCtx", "BackwardFunction", "once_differentiable"]




class FunctionCtx:
    """What ``forward``/``backward`` of a user ``Function`` receive as ``ctx``."""

    def save_for_backward(self, *tensors) -> None:
        self.to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        self.saved_for_forward = tensors

    def mark_dirty(self, *tensors) -> None:
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class BackwardFunction(FunctionCtx, Node):
    """The graph node (and ``ctx``) of one call of a user ``Function``."""

    _forward_cls = None
    materialize_grads = True
    to_save = ()
    dirty_tensors = ()
    non_differentiable = ()

    def name(self) -> str:
        return f"{self._forward_cls.__name__}Backward"

    @property
    def saved_tensors(self) -> tuple:
        self._check_saved()
        return self.saved if self.saved is not None else ()

    @property
    def saved_variables(self) -> tuple:
        return self.saved_tensors

    def release(self) -> None:
        if self.saved:  # nothing saved: a second backward is fine, as in PyTorch
            self._released = True
        self.saved = None

    def run_backward(self, grads: tuple) -> tuple:
        self._check_saved()
        if self.materialize_grads:
            grads = tuple(
                grad if grad is not None else _function.Tensor._make(_zeros_like_meta(meta))
                for grad, meta in zip(grads, self._output_meta))
        result = self._forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        expected = len(self.next_edges)
        if len(result) > expected and all(r is None for r in result[expected:]):
            result = result[:expected]
        if len(result) != expected:
            raise AutogradError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {expected}, got {len(result)})")
        return result


class _FunctionMeta(type):
    def __init__(cls, name, bases, namespace) -> None:
        super().__init__(name, bases, namespace)
        cls._backward_cls = type(f"{name}Backward", (BackwardFunction,), {"_forward_cls": cls})


class Function(metaclass=_FunctionMeta):
    """A user-defined differentiable function, used exactly like PyTorch's.

    >>> class Square(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    """

    generate_vmap_rule = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .grad_mode import no_grad
        ctx = cls._backward_cls()
        tensor_args = [a if isinstance(a, _function.Tensor) else None for a in args]
        requires_grad = grad_state.enabled and any(
            t is not None and t.requires_grad for t in tensor_args)
        ctx.needs_input_grad = tuple(t is not None and t.requires_grad for t in tensor_args)
        uses_setup_context = cls.setup_context is not Function.setup_context
        with no_grad():
            if uses_setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        output_tuple = (outputs,) if single else outputs
        if not requires_grad:
            return outputs
        ctx.next_edges = tuple(gradient_edge(t) if t is not None and t.requires_grad else None
                               for t in tensor_args)
        non_differentiable = {id(t) for t in ctx.non_differentiable}
        dirty = {id(t) for t in ctx.dirty_tensors}
        wrapped = []
        meta = []
        for index, value in enumerate(output_tuple):
            if not isinstance(value, _function.Tensor):
                wrapped.append(value)
                meta.append(((), np.float32, np))
                continue
            meta.append((value._data.shape, value._data.dtype,
                         _backend.array_module(value._data)))
            if id(value) in non_differentiable:
                value.requires_grad = False
                wrapped.append(value)
                continue
            if id(value) in dirty:
                if value.requires_grad and value.grad_fn is None:
                    raise AutogradError("a leaf Variable that requires grad has been used in an "
                                        "in-place operation.")
                target = value  # forward already bumped its version when writing in place
            elif any(value is t for t in tensor_args) or value.grad_fn is not None \
                    or value.requires_grad:
                target = value._shallow_alias()  # an input returned as is becomes a new output
            else:
                target = value
            target.requires_grad = True
            target.grad_fn = ctx
            target._output_nr = index
            wrapped.append(target)
        ctx._output_meta = tuple(meta)
        ctx.n_outputs = len(output_tuple)
        if grad_state.anomaly:
            ctx._trace = traceback.format_stack()[:-1]
        to_save = ctx.to_save
        ctx.saved = tuple(to_save)
        ctx._saved_versions = tuple(saved_versions(to_save))
        return wrapped[0] if single else tuple(wrapped)


def once_differentiable(backward):
    """Marks a backward that is not itself differentiable (runs it under no_grad)."""
    import functools

    from .grad_mode import no_grad

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            return backward(ctx, *grads)
    return wrapper
