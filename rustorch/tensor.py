"""The Tensor: an array (numpy or cupy), autograd metadata, a version counter, view links.

Operators and methods forward to the ops in ``rustorch._ops``, which attach themselves to the
class with ``tensor_method``. Views share their base's array and version counter, as in PyTorch.
"""
from __future__ import annotations

import weakref

import numpy as np

from . import dtypes as _dtypes
from .autograd import function as _function
from .autograd.engine import run_backward
from .autograd.function import AccumulateGrad, Node, gradient_edge
from .autograd.grad_mode import grad_state
from .autograd.inference import (InferenceVersion, check_inplace, check_requires_grad,
                                 new_version_counter)
from ._grad_assignment import check_assigned_grad
from ._tensor_metadata import Size, TensorMetadata, wrap_dim  # noqa: F401 (re-exported)
from ._tensor_protocol import TensorProtocol, _rebuild_tensor  # noqa: F401 (pickles)
from .errors import AutogradError, DTypeError, ShapeError

__all__ = ["Tensor", "Size", "tensor_method", "is_tensor"]

_new = object.__new__


def tensor_method(function=None, *, name: str | None = None):
    """Attach ``function`` to Tensor as a method (decorator, usable with a name)."""
    def attach(target):
        setattr(Tensor, name or target.__name__, target)
        return target
    return attach(function) if function is not None else attach


class Tensor(TensorMetadata, TensorProtocol):
    """A multi-dimensional array with autograd, behaving like ``torch.Tensor``."""

    __slots__ = ("_data", "requires_grad", "_grad", "grad_fn", "_output_nr", "_version_counter",
                 "_base", "_view_fn", "_accumulator_ref", "__dict__", "__weakref__")
    __array_priority__ = 1000  # numpy scalars on the left defer to Tensor operators

    def __new__(cls, *args, device=None, dtype=None):
        from .creation import legacy_tensor_constructor
        return legacy_tensor_constructor(cls, args, device=device, dtype=dtype)

    @staticmethod
    def _make(data, requires_grad: bool = False, grad_fn=None, output_nr: int = 0) -> "Tensor":
        tensor = _new(Tensor)
        tensor._data = data
        tensor.requires_grad = requires_grad
        tensor._grad = None
        tensor.grad_fn = grad_fn
        tensor._output_nr = output_nr
        tensor._version_counter = [0] if not grad_state.inference else InferenceVersion((0,))
        tensor._base = None
        tensor._view_fn = None
        tensor._accumulator_ref = None
        return tensor

    def _init_from(self, data, requires_grad: bool = False) -> None:
        """Initialise a Tensor subclass instance (used by Parameter and friends)."""
        self._data = data
        self.requires_grad = requires_grad
        self._grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._version_counter = new_version_counter()
        self._base = None
        self._view_fn = None
        self._accumulator_ref = None

    @property
    def grad(self):
        """The gradient backward accumulated (None until then); assigning checks, as PyTorch
        does, that the value is a tensor of this tensor's dtype, device and size."""
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            check_assigned_grad(self, value)
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    __hash__ = object.__hash__

    # ----------------------------------------------------------------- autograd
    @property
    def data(self) -> "Tensor":
        tensor = Tensor._make(self._data)
        tensor._version_counter = self._version_counter
        return tensor

    @data.setter
    def data(self, value: "Tensor") -> None:
        self._data = value._data

    def detach(self) -> "Tensor":
        tensor = Tensor._make(self._data)
        tensor._version_counter = self._version_counter
        return tensor

    def detach_(self) -> "Tensor":
        if self._base is not None and self._view_fn is not None:
            raise AutogradError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if self.grad_fn is not None and not requires_grad:
            raise AutogradError("you can only change requires_grad flags of leaf variables. If "
                                "you want to use a computed variable in a subgraph that doesn't "
                                "require differentiation use var_no_grad = var.detach().")
        if requires_grad and not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise AutogradError(f"only Tensors of floating point and complex dtype can require "
                                f"gradients (got {self.dtype})")
        if requires_grad:
            check_requires_grad(self)
        if self.grad_fn is None:
            self.requires_grad = requires_grad
        return self

    def _grad_accumulator(self) -> AccumulateGrad:
        reference = self._accumulator_ref
        node = reference() if reference is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator_ref = weakref.ref(node)
        return node

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise AutogradError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return
        node = self.grad_fn
        if node._retain_grads is None:
            node._retain_grads = {}
        node._retain_grads[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        node = self.grad_fn
        return bool(node is not None and node._retain_grads
                    and self._output_nr in node._retain_grads)

    def register_hook(self, hook):
        """``hook(grad) -> Tensor or None`` runs when this tensor's gradient is computed."""
        from .utils.hooks import RemovableHandle
        if not self.requires_grad:
            raise AutogradError("cannot register a hook on a tensor that doesn't require "
                                "gradient")
        node = self.grad_fn if self.grad_fn is not None else self._grad_accumulator()
        if self.grad_fn is None:
            self.__dict__["_keep_accumulator"] = node  # hooks must outlive the graph
        if node._pre_hooks is None:
            node._pre_hooks = {}
        hooks = node._pre_hooks.setdefault(self._output_nr if self.grad_fn else 0, [])
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor) -> None`` runs after backward has accumulated this leaf's ``.grad``
        (once per backward, with the gradient complete)."""
        from .utils.hooks import RemovableHandle
        if not self.requires_grad:
            raise AutogradError("cannot register a hook on a tensor that doesn't require "
                                "gradient")
        if self.grad_fn is not None:
            raise AutogradError("post accumulate grad hooks cannot be registered on non-leaf "
                                "tensors")
        hooks = self.__dict__.setdefault("_post_accumulate_grad_hooks", [])
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        if retain_graph is None:
            retain_graph = create_graph
        if inputs is not None:
            inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        run_backward([self], [gradient], retain_graph, create_graph, inputs=inputs,
                     accumulate=True)

    # ----------------------------------------------------------------- in-place machinery
    def _bump_version(self) -> None:
        self._version_counter[0] += 1

    def _check_inplace(self) -> None:
        if type(self._version_counter) is not list:
            check_inplace(self)
        if not grad_state.enabled:
            return
        if self.requires_grad and self.grad_fn is None:
            raise AutogradError("a leaf Variable that requires grad is being used in an "
                                "in-place operation.")
        if self.requires_grad and "_multi_output_view" in self.__dict__:
            node = self.grad_fn
            name = node.name() if node is not None else self.__dict__["_multi_output_view"]
            raise AutogradError(
                f"Output {self.output_nr} of {name[:name.rfind('Backward')]} is a view "
                f"and is being modified inplace. This view is the output of a function that "
                f"returns multiple views. Such functions do not allow the output views to be "
                f"modified inplace. You should replace the inplace operation by an out-of-place "
                f"one.")
        base = self._base
        if base is not None and base.requires_grad and base.grad_fn is None \
                and self._view_fn is not None:
            raise AutogradError("a view of a leaf Variable that requires grad is being used in "
                                "an in-place operation.")

    def _inplace(self, compute, *others) -> "Tensor":
        """Run ``compute(self_like) -> Tensor`` and write the result into this tensor's memory.

        Without a graph to record, ``compute`` sees this tensor itself. With one, it sees a
        snapshot carrying the old value and graph position; afterwards this tensor (and its
        base, for a view) is rewired to the new node, as PyTorch's CopySlices does.
        """
        self._check_inplace()
        recording = grad_state.enabled and (self.requires_grad or any(
            isinstance(other, Tensor) and other.requires_grad for other in others))
        if not recording:
            previous = grad_state.enabled
            grad_state.enabled = False
            try:
                result = compute(self)
            finally:
                grad_state.enabled = previous
            self._write(result._data, result.dtype)
            self._bump_version()
            return self
        if self._base is not None:  # the base may have changed since this view was taken
            self._refresh_view()
        snapshot = Tensor._make(self._data.copy(), self.requires_grad, self.grad_fn,
                                self._output_nr)
        if self.grad_fn is None and self.requires_grad:
            snapshot._accumulator_ref = self._accumulator_ref
        result = compute(snapshot)
        self._write(result._data, result.dtype)
        self._bump_version()
        self._rebase_history(result)
        return self

    def _check_cast_from(self, source_dtype) -> None:
        """PyTorch's rule for writing a result into this tensor: a safe cast or an error."""
        if source_dtype is not self.dtype and not _dtypes.can_cast(source_dtype, self.dtype):
            source_name = _TORCH_TYPE_NAMES.get(source_dtype.name, source_dtype)
            raise DTypeError(f"result type {source_name} "
                             f"can't be cast to the desired output type "
                             f"{_TORCH_TYPE_NAMES.get(self.dtype.name, self.dtype)}")

    def _write(self, array, source_dtype=None) -> None:
        target = self._data
        if source_dtype is not None:
            self._check_cast_from(source_dtype)
        if array is target:
            return
        try:
            if target.ndim == 0 and type(target) is np.ndarray:
                target[()] = array
            else:
                target[...] = array
        except ValueError as error:
            if "read-only" in str(error):
                raise ShapeError(
                    "unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location. Please clone() the tensor before "
                    "performing the operation.") from None
            raise ShapeError(f"in-place operation: output with shape {list(target.shape)} "
                             f"doesn't match the broadcast shape {list(np.shape(array))}") from None

    def _rebase_history(self, result: "Tensor") -> None:
        base = self._base
        if base is not None and self._view_fn is not None:
            node = CopySlices(base, result, self._view_fn)
            base.grad_fn = node
            base.requires_grad = True
            base._output_nr = 0
            regenerated = self._view_fn(base)
            self.grad_fn = regenerated.grad_fn
            self._output_nr = regenerated._output_nr
            self.requires_grad = True
            self.__dict__["_view_version"] = self._version_counter[0]
            return
        self.grad_fn = result.grad_fn
        self._output_nr = result._output_nr
        self.requires_grad = result.requires_grad

    def _shallow_alias(self) -> "Tensor":
        tensor = Tensor._make(self._data)
        tensor._version_counter = self._version_counter
        return tensor

    def _cast_numpy_dtype(self, numpy_dtype) -> "Tensor":
        target = _dtypes.from_numpy_dtype(numpy_dtype)
        if self.dtype.is_complex and not target.is_complex:
            # a complex gradient for a real input: its real part, silently (as PyTorch)
            return self.real.to(target)
        return self.to(target)

    def _make_view(self, result: "Tensor", view_fn) -> "Tensor":
        """Mark ``result`` as a view of this tensor, recreated from the base by ``view_fn``."""
        if self._base is not None:
            base = self._base
            parent_fn = self._view_fn
            if parent_fn is not None:
                def view_fn(tensor, _outer=view_fn, _inner=parent_fn):  # noqa: E731
                    return _outer(_inner(tensor))
        else:
            base = self
        result._base = base
        result._version_counter = self._version_counter
        result._view_fn = view_fn
        if "_multi_output_view" in self.__dict__:  # views of split/unbind outputs stay marked
            result.__dict__["_multi_output_view"] = self.__dict__["_multi_output_view"]
        result.__dict__["_view_version"] = self._version_counter[0]
        return result

    def _refresh_view(self) -> None:
        """Rebuild a view's history when its base was modified in place after the view was
        taken (PyTorch regenerates a view's grad_fn the same way when the version moved)."""
        version = self._version_counter[0]
        if self.__dict__.get("_view_version", version) == version or not grad_state.enabled:
            return
        self.__dict__["_view_version"] = version
        if self._view_fn is None or not self._base.requires_grad:
            return
        regenerated = self._view_fn(self._base)
        self.grad_fn = regenerated.grad_fn
        self._output_nr = regenerated._output_nr
        self.requires_grad = regenerated.requires_grad

    def _is_view(self) -> bool:
        """Whether this tensor is a view of another (a method, as in PyTorch)."""
        return self._base is not None

    def is_shared(self) -> bool:
        return False

    def share_memory_(self) -> "Tensor":
        return self


class CopySlices(Node):
    """The node a base gets when one of its views is modified in place under autograd."""

    def __init__(self, base: Tensor, result: Tensor, view_fn) -> None:
        self.next_edges = (gradient_edge(base) if base.requires_grad else None,
                           gradient_edge(result) if result.requires_grad else None)
        self.view_fn = view_fn

    def run_backward(self, grads):
        (grad,) = grads
        grad_base = None
        if self.next_edges[0] is not None:
            grad_base = grad.clone()
            self.view_fn(grad_base).zero_()
        grad_result = self.view_fn(grad) if self.next_edges[1] is not None else None
        return grad_base, grad_result

    def release(self) -> None:
        pass


_TORCH_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half",
                     "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
                     "int8": "Char", "uint8": "Byte", "bool": "Bool",
                     "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


_function._bind_tensor(Tensor)
