"""Graph nodes: the engine-facing ``Node`` and the internal ``Primitive`` (the public
``Function`` for user ops lives in ``custom_function.py`` and is re-exported here).

Every differentiable op goes through ``Primitive.apply`` (or ``Function.apply`` for user
functions): the single funnel where the graph is recorded, so tracing, anomaly detection and
profiling can hook one place.
"""
from __future__ import annotations

import functools
import traceback

import numpy as np

from .. import _backend, _parallel, _quiet
from ..errors import AutogradError, DeviceError
from .grad_mode import grad_state
from .inference import saved_versions

__all__ = ["Node", "AccumulateGrad", "Primitive", "Function", "FunctionCtx", "once_differentiable"]

_new_object = object.__new__
_QUIET_STATE, _QUIET = _quiet.STATE, _quiet.IGNORE
Tensor = None  # bound by rustorch.tensor once the class exists (breaks the import cycle)

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.")


def _bind_tensor(tensor_class) -> None:
    global Tensor
    Tensor = tensor_class


def gradient_edge(tensor):
    """(node, output_nr, shape, numpy dtype) of a tensor that requires grad."""
    if tensor._base is not None:
        tensor._refresh_view()
    node = tensor.grad_fn
    if node is None:
        node = tensor._grad_accumulator()
        return (node, 0, tensor._data.shape, tensor._data.dtype)
    return (node, tensor._output_nr, tensor._data.shape, tensor._data.dtype)


class Node:
    """A node of the backward graph; ``next_edges`` point at the nodes of its inputs."""

    n_outputs = 1
    next_edges: tuple = ()
    saved: tuple | None = None
    _saved_versions: tuple = ()
    _released = False
    _pre_hooks: dict | None = None       # output_nr -> tensor hooks on that output's grad
    _retain_grads: dict | None = None    # output_nr -> weakref to a tensor that retains grad
    _node_pre_hooks: list | None = None  # hook(grad_outputs) -> grad_outputs or None
    _node_hooks: list | None = None      # hook(grad_inputs, grad_outputs) -> grad_inputs or None
    _trace = None

    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self):
        return tuple((None, 0) if edge is None else (edge[0], edge[1])
                     for edge in self.next_edges)

    @property
    def metadata(self) -> dict:
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node's backward."""
        from ..utils.hooks import RemovableHandle
        if self._node_hooks is None:
            self._node_hooks = []
        self._node_hooks.append(hook)
        return RemovableHandle(self._node_hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node's backward."""
        from ..utils.hooks import RemovableHandle
        if self._node_pre_hooks is None:
            self._node_pre_hooks = []
        self._node_pre_hooks.append(hook)
        return RemovableHandle(self._node_pre_hooks, hook)

    def _check_saved(self) -> None:
        if self._released:
            raise AutogradError(_FREED_MESSAGE)
        if self.saved:
            for tensor, version in zip(self.saved, self._saved_versions):
                if tensor is not None and version is not None and \
                        tensor._version_counter[0] != version:
                    raise AutogradError(_version_message(
                        f"[{tensor.type_name()} {list(tensor.shape)}]", tensor,
                        tensor._version_counter[0], version))

    def release(self) -> None:
        """Drop what backward saved (called by the engine unless retain_graph).

        A node that saved tensors forgets everything forward stashed (one dict clear, the
        fast path); one that saved none keeps its small metadata, so a second backward
        through it works as in PyTorch, and drops only stashed arrays.
        """
        state = self.__dict__
        if self.saved is not None or "_saved_output" in state:
            edges, outputs = self.next_edges, state.get("n_outputs")
            shown = state.get("_torch_name")
            state.clear()
            self.next_edges = edges
            if outputs is not None:  # the engine sizes a second backward's buffers from it
                self.n_outputs = outputs
            if shown is not None:  # grad_fn keeps printing PyTorch's name after backward
                self._torch_name = shown
            self._released = True
            return
        dropped = [key for key, value in state.items()
                   if type(value) not in _PLAIN_TYPES and _is_buffer(value)]
        if dropped:
            for key in dropped:
                del state[key]
            self._released = True

    def run_backward(self, grads: tuple) -> tuple:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.name().rsplit('::', 1)[-1]} object at {hex(id(self))}>"


def _version_message(what: str, tensor, version: int, expected: int) -> str:
    """PyTorch's error for a saved tensor that was modified in place after being saved."""
    node = tensor.grad_fn if tensor is not None else None
    if node is not None:
        what += f", which is output {tensor._output_nr} of {node.name()},"
    return (f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {what} is at version {version}; expected version {expected} "
            f"instead. Hint: enable anomaly detection to find the operation that failed to "
            f"compute its gradient, with rustorch.autograd.set_detect_anomaly(True), or clone "
            f"the tensor before modifying it in place.")


# what forward stashes besides arrays (flags, shapes, options): never a buffer to drop
_PLAIN_TYPES = frozenset((bool, int, float, str, tuple, list, dict, type(None), slice))


class OutputStash(tuple):
    """Output arrays a multi-output primitive keeps for its backward (``self.outputs``): freed
    by ``release`` like any saved array, so a second backward raises as in PyTorch."""


def _is_buffer(value) -> bool:
    if Tensor is not None and isinstance(value, Tensor) or type(value) is OutputStash:
        return True
    return isinstance(value, np.ndarray) or type(value).__name__ == "ndarray"


class AccumulateGrad(Node):
    """The sink of a leaf tensor: sums incoming gradients into ``tensor.grad``."""

    def __init__(self, variable) -> None:
        self.variable = variable
        self.next_edges = ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def release(self) -> None:  # the leaf is not a saved buffer
        pass


_LARGE = _parallel.MIN_ELEMENTS


def _pick_xp(arrays):
    """cupy when an operand is a CUDA array, else numpy. Python scalars and 0-d numpy arrays
    go with either (PyTorch allows CPU scalars with CUDA tensors); numpy arrays with
    dimensions don't go with CUDA ones."""
    module, host_arrays = np, False
    for array in arrays:
        if hasattr(array, "__cuda_array_interface__"):
            module = _backend.cupy_module()
        elif isinstance(array, np.ndarray) and array.ndim > 0:
            host_arrays = True
    if module is not np and host_arrays:
        raise DeviceError(_device_mismatch(arrays))
    return module


def _broadcast_error(arrays):
    """PyTorch's RuntimeError for operands whose shapes don't broadcast."""
    from ..errors import ShapeError
    shapes = [tuple(array.shape) for array in arrays if hasattr(array, "shape")]
    ndim = max(len(shape) for shape in shapes)
    for first_index, first in enumerate(shapes):
        for second in shapes[first_index + 1:]:
            for offset in range(1, min(len(first), len(second)) + 1):
                size_a, size_b = first[-offset], second[-offset]
                if size_a != size_b and size_a != 1 and size_b != 1:
                    return ShapeError(f"The size of tensor a ({size_a}) must match the size of "
                                      f"tensor b ({size_b}) at non-singleton dimension "
                                      f"{ndim - offset}")
    return ShapeError(f"shapes {[list(shape) for shape in shapes]} cannot be broadcast together")


def _device_mismatch(arrays) -> str:
    devices = sorted({str(_backend.device_of(a)) for a in arrays
                      if isinstance(a, np.ndarray) or hasattr(a, "__cuda_array_interface__")})
    return (f"Expected all tensors to be on the same device, but found at least two devices, "
            f"{' and '.join(devices)}! Move them with .to(device) first.")


class Primitive(Node):
    """Base of the built-in ops: ``forward(self, xp, *arrays, **options)`` returns array(s);
    ``backward(self, *grads)`` returns one Tensor (or None) per positional input, written in
    differentiable Tensor ops.

    Class attributes: ``saves`` lists the positional inputs kept for backward (Tensor objects,
    version-checked); ``saves_output`` keeps the output array (read through ``self.output``).
    Forward may stash anything else on ``self``; it is dropped after backward. ``needs_grad``
    tells forward whether a graph is being recorded.
    """

    saves: tuple = ()
    saves_output = False
    multi_output = False
    _host_inputs: tuple = ()  # positions of 0-d CPU operands of a CUDA op (apply sets them)

    def name(self) -> str:
        """PyTorch's name for this node (``MulBackward0``), as printed in ``grad_fn=<...>``;
        a composite op's last node reports the op's own name (``named_as``)."""
        shown = self.__dict__.get("_torch_name")
        if shown is not None:
            return shown
        name = type(self).__name__.lstrip("_")
        return _TORCH_NODE_NAMES.get(name, f"{name}Backward0")

    differentiable = True          # False for comparisons, argmax ...: outputs never need grad
    differentiable_outputs = None  # for multi-output ops: which outputs carry gradients

    @classmethod
    def apply(cls, *inputs, **options):
        node = _new_object(cls)
        requires_grad = False
        arrays = []
        for value in inputs:
            if isinstance(value, Tensor):
                arrays.append(value._data)
                if value.requires_grad:
                    requires_grad = True
            else:
                arrays.append(value)
        requires_grad = requires_grad and grad_state.enabled and cls.differentiable
        node.needs_grad = requires_grad
        xp = _pick_xp(arrays) if _backend._cupy is not None else np
        if xp is not np:  # 0-d CPU operands, which PyTorch allows, go to the device (CuPy
            # refuses numpy arrays, even 0-d ones); their gradients come back to the CPU
            host = tuple(index for index, a in enumerate(arrays) if type(a) is np.ndarray)
            if host:
                node._host_inputs = host
                arrays = [xp.asarray(a) if type(a) is np.ndarray else a for a in arrays]
        elif arrays:  # a large operand (the first or last): the threaded numpy
            first, last = arrays[0], arrays[-1]
            if type(first) is np.ndarray and first.size >= _LARGE or \
                    type(last) is np.ndarray and last.size >= _LARGE:
                xp = _parallel.numpy
        quiet = _QUIET_STATE.set(_QUIET)  # numpy quiet on inf/nan, as PyTorch (_quiet.enter)
        try:
            result = node.forward(xp, *arrays, **options)
        except ValueError as error:
            if "broadcast" not in str(error):
                raise
            raise _broadcast_error(arrays) from None
        finally:
            _QUIET_STATE.reset(quiet)
        if cls.multi_output:
            return node._wrap_outputs(inputs, result, requires_grad, xp)
        if type(result) is not np.ndarray and not hasattr(result, "__cuda_array_interface__"):
            result = xp.asarray(result)  # numpy scalars (ops moving data keep their array)
        if not requires_grad:
            return Tensor._make(result)
        edges = []
        for value in inputs:
            if isinstance(value, Tensor) and value.requires_grad:
                edges.append(gradient_edge(value))
            else:
                edges.append(None)
        node.next_edges = edges
        output = Tensor._make(result, True, node, 0)
        if cls.saves:
            node._save(node.select_saved(inputs))
        if cls.saves_output:
            node._saved_output = result
            node._output_counter = output._version_counter
            node._output_version = output._version_counter[0]
        if grad_state.anomaly:
            node._trace = traceback.format_stack()[:-2]
        return output

    def select_saved(self, inputs) -> list:
        """The inputs backward keeps (``saves``); override to keep only what is needed."""
        return [inputs[index] for index in self.saves]

    def _save(self, tensors) -> None:
        self.saved = tensors
        self._saved_versions = saved_versions(tensors)

    def _wrap_outputs(self, inputs, results, requires_grad, xp):
        results = tuple(r if type(r) is np.ndarray or hasattr(r, "__cuda_array_interface__")
                        else xp.asarray(r) for r in results)
        self.n_outputs = len(results)
        differentiable = self.differentiable_outputs
        if not requires_grad:
            return tuple(Tensor._make(r) for r in results)
        self.next_edges = tuple(
            gradient_edge(value) if isinstance(value, Tensor) and value.requires_grad else None
            for value in inputs)
        if self.saves:
            self._save([inputs[index] for index in self.saves])
        self._output_meta = tuple((r.shape, r.dtype, xp) for r in results)
        outputs = tuple(
            Tensor._make(r, True, self, index)
            if differentiable is None or index in differentiable else Tensor._make(r)
            for index, r in enumerate(results))
        if grad_state.anomaly:
            self._trace = traceback.format_stack()[:-3]
        return outputs

    @property
    def output(self):
        """The saved output as a Tensor connected to this node (for double backward)."""
        array = self.output_array()
        if grad_state.enabled:
            return Tensor._make(array, True, self, 0)
        return Tensor._make(array)

    def output_array(self):
        """The saved output array, checked against in-place changes since the forward."""
        if self._released or "_saved_output" not in self.__dict__:
            raise AutogradError(_FREED_MESSAGE)
        if self._output_counter[0] != self._output_version:
            shape = list(self._saved_output.shape)
            raise AutogradError(_version_message(
                f"[{Tensor._make(self._saved_output).type_name()} {shape}], which is output 0 "
                f"of {self.name()},", None, self._output_counter[0], self._output_version))
        return self._saved_output

    def needs_input_grad(self, index: int) -> bool:
        return index < len(self.next_edges) and self.next_edges[index] is not None

    # ``backward_arrays(grad_array)``, optional: the gradients as arrays (or None), for when no
    # graph is being built; one call instead of a few Tensor ops. NotImplemented: use backward.
    # A multi-output primitive's gets one array per output (None where no gradient came).
    backward_arrays = None

    def run_backward(self, grads: tuple) -> tuple:
        self._check_saved()
        if self._host_inputs:
            return self._backward_to_host(grads)
        if self.backward_arrays is not None and not grad_state.enabled:
            result = NotImplemented
            if self.multi_output:  # one array (or None) per output
                result = self.backward_arrays(*[None if grad is None else grad._data
                                                for grad in grads])
            elif grads[0] is not None and grads[0]._data.dtype.kind == "f":
                result = self.backward_arrays(grads[0]._data)
            if result is not NotImplemented:
                return tuple([None if array is None else Tensor._make(
                    array if type(array) is np.ndarray or not isinstance(array, np.generic)
                    else np.asarray(array))  # numpy returns 0-d results as scalars
                    for array in result])
        if self.multi_output:
            grads = tuple(
                grad if grad is not None else Tensor._make(_zeros_like_meta(meta))
                for grad, meta in zip(grads, self._output_meta))
        result = self.backward(*grads)
        if not isinstance(result, tuple):
            result = (result,)
        return result

    def _backward_to_host(self, grads) -> tuple:
        """Backward of a CUDA op given 0-d CPU operands: Tensor ops (which mix such operands
        as the forward did), then those operands' gradients copied back to the CPU, as
        PyTorch's engine does."""
        if self.multi_output:
            grads = tuple(
                grad if grad is not None else Tensor._make(_zeros_like_meta(meta))
                for grad, meta in zip(grads, self._output_meta))
        result = self.backward(*grads)
        result = list(result) if isinstance(result, tuple) else [result]
        for index in self._host_inputs:
            if index < len(result) and result[index] is not None:
                result[index] = result[index].cpu()
        return tuple(result)

    def forward(self, xp, *arrays, **options):
        raise NotImplementedError

    def backward(self, *grads):
        raise NotImplementedError(f"{self.name()} is not differentiable")


def _zeros_like_meta(meta):
    """Zeros for an output no gradient reached: ``meta`` is (shape, dtype, array module), so
    they are made on the output's device."""
    shape, dtype, xp = meta
    return xp.zeros(shape, dtype)


def named_as(result, name: str, *inputs):
    """``result``, its node reporting PyTorch's node name ``name`` (``StdBackward0`` for a
    std computed as the square root of a variance): the name users see in ``grad_fn=<...>``.
    For a tuple result (values, indices) the outputs with a node are named. Nothing changes
    for an output that is one of ``inputs`` or shares an input's node."""
    for output in (result if isinstance(result, tuple) else (result,)):
        node = getattr(output, "grad_fn", None)
        if node is not None and isinstance(node, Primitive) and not any(
                output is value or getattr(value, "grad_fn", None) is node
                for value in inputs):
            node._torch_name = name
    return result


def reports_as(name: str):
    """Decorator for a composite op: its result's node reports PyTorch's ``name``."""
    def decorate(function):
        @functools.wraps(function)
        def op(*args, **kwargs):
            return named_as(function(*args, **kwargs), name, *args, *kwargs.values())
        return op
    return decorate


# primitives whose class name differs from the node PyTorch records for the common call
_TORCH_NODE_NAMES = {
    "Concatenate": "CatBackward0", "MatMul": "MmBackward0", "Cast": "ToCopyBackward0",
    "CumSum": "CumsumBackward0", "VectorNorm": "LinalgVectorNormBackward0",
    "MaxWithIndices": "MaxBackward0", "MinWithIndices": "MinBackward0",
    "Reshape": "ViewBackward0", "Clamp": "ClampBackward1", "CrossEntropy": "NllLossBackward0",
    "RoundedDiv": "DivBackward2", "ConstantPad": "ConstantPadNdBackward0",
    "MaskScale": "MulBackward0", "Conv": "ConvolutionBackward0",
    "ConvTranspose": "ConvolutionBackward0", "CumProd": "CumprodBackward0",
}


from .custom_function import (BackwardFunction, Function, FunctionCtx,  # noqa: E402,F401
                              once_differentiable)
