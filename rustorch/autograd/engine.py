"""The backward engine: topological execution of the graph, owned rules for every op.

Rules that live here once: summing a broadcast gradient back to the input's shape, casting it
to the input's dtype, accumulation into leaves, skipping inputs that need no gradient, running
backward under no-grad unless ``create_graph``, freeing saved tensors unless ``retain_graph``,
tensor/node hooks, ``retain_grad``, anomaly checks.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _parallel, _quiet
from ..errors import ArgumentTypeError, AutogradError, ShapeError
from . import function as _function
from .function import AccumulateGrad, gradient_edge
from .grad_mode import grad_state

__all__ = ["run_backward", "sum_to_shape"]


def sum_to_shape(grad, shape):
    """Reduce a broadcast gradient to ``shape`` (differentiable)."""
    grad_shape = grad.shape
    if tuple(grad_shape) == tuple(shape):
        return grad
    extra = len(grad_shape) - len(shape)
    if extra < 0:
        return grad.expand(shape)  # a 0-d/narrow grad for a wider input: broadcast it
    dims = list(range(extra))
    for index, size in enumerate(shape):
        if size == 1 and grad_shape[extra + index] != 1:
            dims.append(extra + index)
    if dims:
        grad = grad.sum(dim=tuple(dims), keepdim=True)
    if extra:
        grad = grad.reshape(shape)
    if tuple(grad.shape) != tuple(shape):
        raise ShapeError(f"backward: a gradient of shape {list(grad_shape)} can't be reduced to "
                         f"the input shape {list(shape)}")
    return grad


def _root_gradient(tensor, gradient, index: int):
    Tensor = _function.Tensor
    if gradient is None:
        if tensor.numel() != 1:
            raise AutogradError("grad can be implicitly created only for scalar outputs")
        if not tensor.dtype.is_floating_point and not tensor.dtype.is_complex:
            raise AutogradError(f"grad can be implicitly created only for real scalar outputs "
                                f"but got {tensor.dtype}")
        xp = tensor._xp()
        return Tensor._make(xp.ones(tensor._data.shape, tensor._data.dtype))
    if not isinstance(gradient, Tensor):
        gradient = Tensor._make(tensor._xp().asarray(gradient, dtype=tensor._data.dtype))
    if tuple(gradient.shape) != tuple(tensor.shape):
        raise ShapeError(f"Mismatch in shape: grad_output[{index}] has a shape of "
                         f"{tensor_size(gradient)} and output[{index}] has a shape of "
                         f"{tensor_size(tensor)}.")
    return gradient


def tensor_size(tensor) -> str:
    return f"torch.Size({list(tensor.shape)})"


def _add(left, right):
    if left is None:
        return right
    if right is None:
        return left
    return left + right


def _collect(root_nodes):
    """Dependency counts of every node reachable from the roots."""
    dependencies = {}
    seen = set()
    stack = list(root_nodes)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for edge in node.next_edges:
            if edge is not None:
                child = edge[0]
                dependencies[child] = dependencies.get(child, 0) + 1
                if child not in seen:
                    stack.append(child)
    return dependencies, seen


def _nodes_to_run(root_nodes, captures) -> set:
    """The nodes whose backward must run: those with a path to a captured node.

    One iterative post-order walk (children before parents), so deep graphs cost O(nodes).
    """
    reaches = {}
    stack = [(node, False) for node in root_nodes]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            reaches[node] = any(edge is not None and (edge[0] in captures or reaches[edge[0]])
                                for edge in node.next_edges)
            continue
        if node in reaches:
            continue
        reaches[node] = False  # visited; set to the real answer once its children are done
        stack.append((node, True))
        for edge in node.next_edges:
            if edge is not None and edge[0] not in reaches:
                stack.append((edge[0], False))
    return {node for node, flag in reaches.items() if flag}


def run_backward(tensors, grad_tensors, retain_graph: bool, create_graph: bool,
                 inputs=None, allow_unused: bool = True, accumulate: bool = True):
    """Backpropagate from ``tensors``; accumulate into leaves, or return grads of ``inputs``.

    With ``inputs``, only nodes leading to them run; ``accumulate`` then sums into the
    inputs' ``.grad`` (``backward(inputs=...)``) instead of returning the gradients (``grad``).
    """
    Tensor = _function.Tensor
    roots = []
    for index, (tensor, gradient) in enumerate(zip(tensors, grad_tensors)):
        if not tensor.requires_grad:
            raise AutogradError(f"element {index} of tensors does not require grad and does not "
                                f"have a grad_fn")
        roots.append((gradient_edge(tensor), _root_gradient(tensor, gradient, index)))

    captures = None
    if inputs is not None:
        if not inputs:
            raise AutogradError("'inputs' argument to backward() cannot be empty." if accumulate
                                else "grad requires non-empty inputs.")
        captures = {}
        for position, tensor in enumerate(inputs):
            if not isinstance(tensor, Tensor):
                raise AutogradError(f"grad: inputs[{position}] is a {type(tensor).__name__}, "
                                    f"not a Tensor")
            if not tensor.requires_grad:
                raise AutogradError(f"One of the differentiated Tensors does not require grad "
                                    f"(inputs[{position}])")
            node, output_nr = gradient_edge(tensor)[:2]
            captures.setdefault(node, []).append((output_nr, position))

    buffers = {}
    handed = set()  # ids of arrays already stored somewhere: copy before storing again
    for (node, output_nr, _shape, _dtype), gradient in roots:
        slots = buffers.get(node)
        if slots is None:
            slots = buffers[node] = [None] * node.n_outputs
        slots[output_nr] = _add(slots[output_nr], gradient)
        handed.add(id(gradient._data))

    root_nodes = list(buffers)
    dependencies, _nodes = _collect(root_nodes)
    runs = _nodes_to_run(root_nodes, captures) if captures is not None else None
    results = [None] * (len(inputs) if inputs is not None else 0)
    check_nan = grad_state.anomaly and grad_state.anomaly_check_nan

    ready = [node for node in root_nodes if dependencies.get(node, 0) == 0]
    previous_mode = grad_state.enabled
    grad_state.enabled = create_graph
    quiet = _quiet.enter()
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if node._pre_hooks:
                grads = _run_tensor_hooks(node, grads)
            if node._retain_grads:
                _retain(node, grads, handed, create_graph)
            if runs is not None:
                captured = captures.get(node)
                if captured is not None:
                    for output_nr, position in captured:
                        if accumulate:
                            if not _retained(node, output_nr, inputs[position]):
                                _accumulate(inputs[position], grads[output_nr], handed,
                                            create_graph)
                            if inputs[position].grad_fn is None:
                                _run_post_accumulate_hooks(inputs[position])
                        else:
                            results[position] = grads[output_nr]
                if node not in runs:
                    _release_children(node, buffers, dependencies, ready)
                    continue
            elif type(node) is AccumulateGrad:
                if accumulate:
                    _accumulate(node.variable, grads[0], handed, create_graph)
                    _run_post_accumulate_hooks(node.variable)
                continue
            if node._node_pre_hooks:
                for hook in node._node_pre_hooks:
                    replaced = hook(tuple(grads))
                    if replaced is not None:
                        grads = list(replaced)
            try:
                input_grads = node.run_backward(tuple(grads))
                if check_nan:
                    _check_nan(node, input_grads)
            except Exception as error:
                if grad_state.anomaly:
                    _report_anomaly(node, error)
                raise
            if node._node_hooks:
                for hook in node._node_hooks:
                    replaced = hook(tuple(input_grads), tuple(grads))
                    if replaced is not None:
                        input_grads = tuple(replaced)
            if not retain_graph:
                node.release()
            _propagate(node, input_grads, buffers, dependencies, ready)
    finally:
        grad_state.enabled = previous_mode
        _quiet.leave(quiet)
    if inputs is not None and not allow_unused:
        for position, value in enumerate(results):
            if value is None:
                raise AutogradError(
                    f"One of the differentiated Tensors (inputs[{position}]) appears to not have "
                    f"been used in the graph. Set allow_unused=True if this is the desired "
                    f"behavior.")
    return results


def _retained(node, output_nr: int, tensor) -> bool:
    """Whether ``retain_grad`` already accumulated this gradient into ``tensor.grad``."""
    retained = node._retain_grads
    return bool(retained) and output_nr in retained and retained[output_nr]() is tensor


def _check_nan(node, input_grads) -> None:
    for index, gradient in enumerate(input_grads):
        if gradient is not None and bool(gradient._xp().isnan(gradient._data).any()):
            raise AutogradError(f"Function '{node.name()}' returned nan values in its "
                                f"{index}th output.")


def _report_anomaly(node, error) -> None:
    """Point at the forward call that created the failing node (warning + exception note)."""
    if getattr(error, "_anomaly_noted", False):
        return
    error._anomaly_noted = True
    if node._trace is None:
        message = (f"Error detected in {node.name()}. No forward pass information available. "
                   f"Enable detect anomaly during forward pass for more information.")
    else:
        message = (f"Error detected in {node.name()}. Traceback of forward call that caused "
                   f"the error:\n" + "".join(node._trace))
    warnings.warn(message, UserWarning, stacklevel=3)
    error.add_note(message)


def _release_children(node, buffers, dependencies, ready) -> None:
    """``node`` is done without sending gradients: release its children (iteratively, so
    long gradient-less chains can't overflow the stack)."""
    pending = [node]
    while pending:
        for edge in pending.pop().next_edges:
            if edge is None:
                continue
            child = edge[0]
            count = dependencies[child] - 1
            dependencies[child] = count
            if count == 0:
                if child in buffers:
                    ready.append(child)
                else:
                    pending.append(child)


def _propagate(node, input_grads, buffers, dependencies, ready) -> None:
    edges = node.next_edges
    if len(input_grads) < len(edges):
        raise AutogradError(f"function {node.name()} returned an incorrect number of "
                            f"gradients (expected {len(edges)}, got {len(input_grads)})")
    for index, edge in enumerate(edges):
        if edge is None:
            continue
        child, output_nr, shape, dtype = edge
        gradient = input_grads[index]
        if gradient is not None:
            data = gradient._data
            if data.shape != shape:
                gradient = sum_to_shape(gradient, shape)
            if data.dtype is not dtype and gradient._data.dtype != dtype:
                gradient = gradient._cast_numpy_dtype(dtype)
            slots = buffers.get(child)
            if slots is None:
                slots = buffers[child] = [None] * child.n_outputs
            previous = slots[output_nr]
            if previous is None:
                slots[output_nr] = gradient
            elif grad_state.enabled or previous.requires_grad or gradient.requires_grad:
                slots[output_nr] = previous + gradient  # recorded (create_graph)
            else:  # same shape and dtype by now: one array addition, no op dispatch
                slots[output_nr] = _sum_of_arrays(previous, gradient)
        count = dependencies[child] - 1
        dependencies[child] = count
        if count == 0:
            if child in buffers:
                ready.append(child)
            else:
                _release_children(child, buffers, dependencies, ready)


def _run_post_accumulate_hooks(tensor) -> None:
    """``register_post_accumulate_grad_hook`` hooks of a leaf, after its ``.grad`` is final
    for this backward (not for ``autograd.grad``, which accumulates nothing)."""
    hooks = tensor.__dict__.get("_post_accumulate_grad_hooks")
    if hooks:
        for hook in list(hooks):
            result = hook(tensor)
            if result is not None:
                raise ArgumentTypeError(f"expected Variable, but hook returned "
                                        f"'{type(result).__name__}' (a post accumulate grad "
                                        f"hook must return None)")


def _sum_of_arrays(first, second):
    """``first + second`` for gradients of one shape and dtype, outside any graph."""
    total = _parallel.module_for(first._data).add(first._data, second._data)
    if isinstance(total, np.generic):  # numpy gives 0-d sums as scalars
        total = np.asarray(total)
    return _function.Tensor._make(total)


def _run_tensor_hooks(node, grads):
    grads = list(grads)
    for output_nr, hooks in node._pre_hooks.items():
        for hook in list(hooks):
            if grads[output_nr] is None:
                continue
            replaced = hook(grads[output_nr])
            if replaced is not None:
                grads[output_nr] = replaced
    return grads


def _retain(node, grads, handed, create_graph: bool) -> None:
    for output_nr, reference in node._retain_grads.items():
        tensor = reference()
        if tensor is None or grads[output_nr] is None:
            continue
        _accumulate(tensor, grads[output_nr], handed, create_graph)


def _accumulate(tensor, gradient, handed, create_graph: bool) -> None:
    """Sum ``gradient`` into ``tensor.grad`` (in place, unless building a graph)."""
    if gradient is None:
        return
    Tensor = _function.Tensor
    if tensor._data.shape != gradient._data.shape:
        gradient = sum_to_shape(gradient, tensor._data.shape)
    if gradient._data.dtype != tensor._data.dtype:
        gradient = gradient._cast_numpy_dtype(tensor._data.dtype)
    existing = tensor._grad
    if existing is None:
        if create_graph:
            tensor._grad = gradient
            return
        data = gradient._data
        writeable = getattr(data.flags, "writeable", True)  # CuPy arrays are always writable
        if id(data) in handed or data.base is not None or not writeable:
            data = data.copy()
        handed.add(id(data))
        tensor._grad = Tensor._make(data)
        return
    if create_graph or existing.requires_grad:
        tensor._grad = existing + gradient
    else:
        existing._data += gradient._data
        existing._bump_version()
