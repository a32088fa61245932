"""Small Tensor methods PyTorch code meets: ``output_nr``, ``to_dense`` (strided tensors are
dense already), ``is_set_to``, ``as_subclass``, ``is_distributed``, ``record_stream``, the removed
``volatile`` flag and the deprecated typed ``storage()``."""
from __future__ import annotations

import warnings

from .._backend import device_of
from ..errors import ArgumentTypeError, DeviceError
from ..tensor import Tensor, tensor_method

__all__: list[str] = []

_SLOTS = ("_data", "requires_grad", "_grad", "grad_fn", "_output_nr", "_version_counter",
          "_base", "_view_fn", "_accumulator_ref")


Tensor.output_nr = property(lambda self: self._output_nr,
                            doc="Which output of its grad_fn this tensor is (0 for leaves).")


@tensor_method
def to_dense(self, dtype=None, *, masked_grad=None) -> Tensor:
    """A strided tensor is dense: itself, or a copy in ``dtype``."""
    return self if dtype is None or dtype == self.dtype else self.to(dtype)


@tensor_method
def is_set_to(self, tensor: Tensor) -> bool:
    """Whether both tensors view the same memory with the same size, strides and dtype."""
    return isinstance(tensor, Tensor) and self.dtype is tensor.dtype and \
        device_of(self._data) == device_of(tensor._data) and \
        self.data_ptr() == tensor.data_ptr() and tuple(self.shape) == tuple(tensor.shape) and \
        self.stride() == tensor.stride()


@tensor_method
def as_subclass(self, cls) -> Tensor:
    """This tensor's data as an instance of ``cls`` (a Tensor subclass), still attached to
    the autograd graph."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise ArgumentTypeError("Creating a Tensor subclass from a class that does not inherit "
                                "from Tensor is not possible. Make sure your class inherits "
                                "from Tensor.")
    alias = self.view_as(self) if self.requires_grad else self._shallow_alias()
    instance = object.__new__(cls)
    for slot in _SLOTS:
        setattr(instance, slot, getattr(alias, slot))
    instance.__dict__.update(alias.__dict__)
    return instance


@tensor_method
def is_distributed(self) -> bool:
    return False


@tensor_method
def record_stream(self, stream) -> None:
    """Marks the memory as used on ``stream``: rustorch runs CUDA work on one stream, so the
    memory is never handed out early and there is nothing to record."""
    if not self.is_cuda:
        raise DeviceError(f"record_stream: expected a CUDA tensor, got one on {self.device}")


def _volatile(self) -> bool:
    warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning,
                  stacklevel=2)
    return False


Tensor.volatile = property(_volatile)


@tensor_method
def storage(self):
    """The deprecated typed storage (see ``rustorch.storage.TypedStorage``)."""
    from ..storage import tensor_storage
    return tensor_storage(self)
