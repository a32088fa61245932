"""Higher-level autograd: ``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``vhp``, ``hvp``.

Same signatures and return structures as ``torch.autograd.functional``: a Tensor where the
inputs (or outputs) were given as a Tensor, a tuple where they were a tuple. Everything is built
on reverse mode: ``jvp`` uses the double-vjp trick, ``J v = d/du (u^T J) v``.

>>> x = rustorch.tensor([1.0, 2.0])
>>> jacobian(lambda t: t ** 2, x)
tensor([[2., 0.],
        [0., 4.]])
"""
from __future__ import annotations

from typing import Callable

from ..errors import ArgumentError, ArgumentTypeError, AutogradError, NotSupportedError

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _tensor_class():
    from ..tensor import Tensor
    return Tensor


def _as_tuple(value, argument: str, function: str) -> tuple:
    """(was_tuple, tuple_of_tensors), checking that every element is a Tensor."""
    Tensor = _tensor_class()
    was_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if was_tuple else (value,)
    for index, item in enumerate(values):
        if not isinstance(item, Tensor):
            if was_tuple:
                raise ArgumentTypeError(
                    f"The {argument} given to {function} must be either a Tensor or a tuple of "
                    f"Tensors but the value at index {index} has type {type(item)}.")
            raise ArgumentTypeError(
                f"The {argument} given to {function} must be either a Tensor or a tuple of "
                f"Tensors but the given {argument} has type {type(item)}.")
    return was_tuple, values


def _untuple(values: tuple, was_tuple: bool):
    return values if was_tuple else values[0]


def _untuple_nested(values: tuple, was_tuple: tuple):
    """Collapse a tuple (outputs) of tuples (inputs) per ``was_tuple = (outputs, inputs)``."""
    outputs_tuple, inputs_tuple = was_tuple
    if not inputs_tuple:
        values = tuple(row[0] for row in values)
    return values if outputs_tuple else values[0]


def _prepare_inputs(inputs: tuple, create_graph: bool) -> tuple:
    """Fresh graph roots; with ``create_graph`` they stay connected to the caller's graph."""
    prepared = []
    for value in inputs:
        if create_graph and value.requires_grad:
            prepared.append(value.view_as(value))
        else:
            prepared.append(value.detach().requires_grad_(True))
    return tuple(prepared)


def _finish(values: tuple, create_graph: bool) -> tuple:
    if create_graph:
        return values
    return tuple(value.detach() if isinstance(value, _tensor_class()) else value
                 for value in values)


def _zeros_like(tensor):
    Tensor = _tensor_class()
    return Tensor._make(tensor._xp().zeros(tensor._data.shape, tensor._data.dtype))


def _check_v(v: tuple, other: tuple, what: str) -> None:
    if len(v) != len(other):
        raise AutogradError(f"v is a tuple of invalid length: should be {len(other)} but got "
                            f"{len(v)}.")
    for index, (vector, reference) in enumerate(zip(v, other)):
        if tuple(vector.shape) != tuple(reference.shape):
            raise AutogradError(f"Entry {index} in v has invalid size: should be "
                                f"{tuple(reference.shape)} but got {tuple(vector.shape)}.")


def _default_v(values: tuple, what: str, function: str) -> tuple:
    if len(values) != 1 or values[0].numel() != 1:
        raise AutogradError(f"The vector v can only be None if the {what} to the user-provided "
                            f"function is a single Tensor with a single element.")
    return (_ones_like(values[0]),)


def _ones_like(tensor):
    Tensor = _tensor_class()
    return Tensor._make(tensor._xp().ones(tensor._data.shape, tensor._data.dtype))


def _grad(outputs: tuple, inputs: tuple, grad_outputs, create_graph: bool,
          strict: bool = False, what: str = "output") -> tuple:
    """``autograd.grad`` that tolerates outputs without a graph and fills zeros for unused
    inputs (or raises in strict mode)."""
    from . import grad as autograd_grad
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if pairs:
        grads = autograd_grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs],
                              retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        grads = (None,) * len(inputs)
    result = []
    for index, (gradient, value) in enumerate(zip(grads, inputs)):
        if gradient is None:
            if strict:
                raise AutogradError(f"The {what} of the user-provided function is independent "
                                    f"of input {index}. This is not allowed in strict mode.")
            gradient = _zeros_like(value)
        result.append(gradient)
    return tuple(result)


def _call(func: Callable, inputs: tuple, function: str) -> tuple:
    outputs = func(*inputs)
    return _as_tuple(outputs, "outputs of the user-provided function", function)


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _prepare_inputs(inputs, create_graph)
    outputs_tuple, outputs = _call(func, inputs, "vjp")
    if v is None:
        v = _default_v(outputs, "outputs", "vjp")
    else:
        _, v = _as_tuple(v, "v", "vjp")
        _check_v(v, outputs, "outputs")
    grads = _grad(outputs, inputs, v, create_graph, strict)
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(grads, create_graph), inputs_tuple))


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product at ``inputs`` (double-vjp trick)."""
    from . import grad as autograd_grad
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _prepare_inputs(inputs, create_graph)
    if v is None:
        v = _default_v(inputs, "input", "jvp")
    else:
        _, v = _as_tuple(v, "v", "jvp")
        _check_v(v, inputs, "inputs")
    outputs_tuple, outputs = _call(func, inputs, "jvp")
    # u^T J as a function of a dummy cotangent u; differentiating it against v gives J v
    dummies = tuple(_zeros_like(o).requires_grad_(True) for o in outputs)
    grads = _grad(outputs, inputs, dummies, create_graph=True, strict=strict)
    pairs = [(g, w) for g, w in zip(grads, v) if g.requires_grad]
    if pairs:
        products = autograd_grad([g for g, _ in pairs], list(dummies), [w for _, w in pairs],
                                 create_graph=create_graph, allow_unused=True)
    else:
        products = (None,) * len(dummies)
    products = tuple(p if p is not None else _zeros_like(o)
                     for p, o in zip(products, outputs))
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(products, create_graph), outputs_tuple))


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: ``J[i][j]`` has shape
    ``outputs[i].shape + inputs[j].shape``; tuples collapse where a Tensor was given.

    Computed row by row in reverse mode (``vectorize`` changes nothing but speed in PyTorch,
    so it is accepted and the rows are still computed one at a time).
    """
    from ..tensor import Tensor
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ArgumentError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         'Hint: If your function has more outputs than inputs, "forward-mode" '
                         'tends to be more performant. Otherwise, prefer to use '
                         '"reverse-mode".')
    if strategy == "forward-mode" and not vectorize:
        raise NotSupportedError("torch.autograd.functional.jacobian: `strategy=\"forward-mode\"` "
                                "is only implemented together with `vectorize=True`.")
    if strategy == "forward-mode" and create_graph:
        raise NotSupportedError("torch.autograd.functional.jacobian: `create_graph=True` and "
                                "`strategy=\"forward-mode\"` are not supported together (yet). "
                                "Please either set `create_graph=False` or `strategy=\"reverse-"
                                "mode\"`.")
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare_inputs(inputs, create_graph)
    outputs_tuple, outputs = _call(func, inputs, "jacobian")
    from .._ops.movement import stack
    rows_per_output = []
    for out_index, output in enumerate(outputs):
        flat = output.reshape(-1)
        per_input = [[] for _ in inputs]
        for element in range(flat.numel()):
            xp = output._xp()
            one_hot = xp.zeros(flat.numel(), dtype=output._data.dtype)
            one_hot[element] = 1
            grad_output = Tensor._make(one_hot.reshape(output._data.shape))
            grads = _grad((output,), inputs, (grad_output,), create_graph, strict,
                          what=f"output {out_index}")
            for in_index, gradient in enumerate(grads):
                per_input[in_index].append(gradient)
        blocks = []
        for in_index, value in enumerate(inputs):
            shape = tuple(output.shape) + tuple(value.shape)
            if per_input[in_index]:
                block = stack(per_input[in_index]).reshape(shape)
            else:
                block = Tensor._make(value._xp().zeros(shape, value._data.dtype))
            blocks.append(block if create_graph else block.detach())
        rows_per_output.append(tuple(blocks))
    return _untuple_nested(tuple(rows_per_output), (outputs_tuple, inputs_tuple))


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar function: ``H[i][j]`` has shape
    ``inputs[i].shape + inputs[j].shape`` (a Tensor for a single Tensor input)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*values):
        outputs_tuple, outputs = _call(func, values, "hessian")
        _check_scalar(outputs, outputs_tuple, "hessian")
        return _grad(outputs, values, None, create_graph=True, strict=strict)

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return result if inputs_tuple else result[0][0]


def _check_scalar(outputs: tuple, was_tuple: bool, function: str) -> None:
    if len(outputs) != 1:
        raise AutogradError(f"The function given to {function} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise AutogradError(f"The Tensor returned by the function given to {function} should "
                            f"contain a single element")


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)`` for a scalar ``func``."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)`` for a scalar ``func`` (equal to vhp for twice-differentiable
    functions, whose Hessian is symmetric)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph: bool, strict: bool, function: str):
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", function)
    inputs = _prepare_inputs(inputs, create_graph)
    if v is None:
        v = _default_v(inputs, "input", function)
    else:
        _, v = _as_tuple(v, "v", function)
        _check_v(v, inputs, "inputs")
    outputs_tuple, outputs = _call(func, inputs, function)
    _check_scalar(outputs, outputs_tuple, function)
    grads = _grad(outputs, inputs, None, create_graph=True, strict=strict)
    products = _grad(grads, inputs, v, create_graph, strict,
                     what="gradient of the output")
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(products, create_graph), inputs_tuple))
