"""Small Tensor methods PyTorch code meets: ``output_nr``, ``to_dense`` (strided tensors are
dense already), ``is_set_to``, ``as_subclass``, ``is_distributed``, ``record_stream``, the removed
``volatile`` flag, the deprecated typed ``storage()`` and ``resize``/``resize_as``,
``set_``, ``dense_dim``/``sparse_dim``."""
from __future__ import annotations

import math
import warnings

from .._backend import device_of
from ..errors import ArgumentTypeError, DeviceError, DTypeError, NotSupportedError, ShapeError
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


@tensor_method
def dense_dim(self) -> int:
    """A strided tensor's dims are all dense."""
    return self.ndim


@tensor_method
def sparse_dim(self) -> int:
    return 0


@tensor_method
def resize(self, *sizes) -> Tensor:
    """Deprecated out-of-place resize: a reshaped copy with the same number of elements,
    differentiable (PyTorch's autograd ``Resize``)."""
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return _resized(self, sizes, "resize")


@tensor_method
def resize_as(self, tensor: Tensor) -> Tensor:
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    return _resized(self, tuple(tensor.shape), "resize_as")


def _resized(self, sizes, op: str) -> Tensor:
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    count = math.prod(sizes)
    if count != self.numel():
        raise ShapeError(f"{op}: requested resize to {'x'.join(map(str, sizes))} ({count} "
                         f"elements in total), but the given tensor has a size of "
                         f"{'x'.join(map(str, self.shape))} ({self.numel()} elements). "
                         f"autograd's resize can only change the shape of a given tensor, "
                         f"while preserving the number of elements (use resize_ to change "
                         f"the element count)")
    return self.contiguous().clone().view(*sizes)


@tensor_method
def set_(self, source: Tensor | None = None, *args, **kwargs) -> Tensor:
    """Make this tensor share ``source``'s memory, shape and strides (or, with no source, an
    empty tensor). Storage and offset arguments are not supported."""
    if args or kwargs or source is not None and not isinstance(source, Tensor):
        raise NotSupportedError("set_: only set_(tensor) and set_() are supported; view the "
                                "tensor instead of passing a storage, offset and strides")
    self._check_inplace()
    if source is None:
        self._data = self._xp().empty((0,), dtype=self._data.dtype)
    else:
        if source.dtype is not self.dtype:
            raise DTypeError(f"set_: expected a source of dtype {self.dtype}, got "
                             f"{source.dtype} (convert it first)")
        self._data = source._data
    self._bump_version()
    return self
