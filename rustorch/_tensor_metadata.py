"""Tensor metadata: shape, dtype, device, strides, storage, type names (a mixin of Tensor).

``Size`` and ``wrap_dim`` live here too; ``rustorch.tensor`` re-exports them.
"""
from __future__ import annotations

import numpy as np

from . import _backend
from . import dtypes as _dtypes
from ._legacy_types import TENSOR_TYPE_NAMES
from .autograd.inference import InferenceVersion
from .errors import AutogradError

__all__ = ["Size", "TensorMetadata", "wrap_dim", "contiguous_strides"]

# dtype name -> legacy type name ("float32" -> "FloatTensor"), for ``Tensor.type()``
_TYPE_NAME_OF = {dtype: name for name, dtype in TENSOR_TYPE_NAMES.items()}
_TYPE_NAME_OF.update(complex64="ComplexFloatTensor", complex128="ComplexDoubleTensor")


class Size(tuple):
    """A tuple of dimension sizes, printed as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        total = 1
        for size in self:
            total *= size
        return total

    def __getitem__(self, key):
        result = tuple.__getitem__(self, key)
        return Size(result) if isinstance(key, slice) else result

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))


class TensorMetadata:
    """What a Tensor says about itself, read from its array (``self._data``)."""

    __slots__ = ()

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    @property
    def dtype(self) -> _dtypes.dtype:
        return _dtypes._FROM_NUMPY[self._data.dtype]

    @property
    def device(self) -> _backend.device:
        if type(self._data) is np.ndarray:
            return _backend.CPU
        return _backend.device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return type(self._data) is not np.ndarray

    @property
    def is_cpu(self) -> bool:
        return type(self._data) is np.ndarray

    @property
    def layout(self):
        from .layout import strided
        return strided

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_meta(self) -> bool:
        return False

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def stride(self, dim: int | None = None):
        itemsize = self._data.itemsize
        strides = tuple(s // itemsize for s in self._data.strides)
        if self._data.size <= 1 and self._data.ndim:  # numpy keeps odd strides for empty arrays
            strides = contiguous_strides(self._data.shape)
        return strides if dim is None else strides[self._wrap_dim(dim)]

    def is_contiguous(self, memory_format=None) -> bool:
        if memory_format is None:
            return bool(self._data.flags.c_contiguous)
        from ._ops.memory_format import is_contiguous_as
        return is_contiguous_as(self._data, memory_format)

    def data_ptr(self) -> int:
        if type(self._data) is np.ndarray:
            return int(self._data.__array_interface__["data"][0])
        return int(self._data.data.ptr)

    def storage_offset(self) -> int:
        from ._storage_blocks import memory_block
        block = memory_block(self._data)
        if block is None:
            return 0
        return (self.data_ptr() - block[1]) // self.itemsize

    def untyped_storage(self):
        """The bytes this tensor views (shared with it and with its views)."""
        from .storage import UntypedStorage
        return UntypedStorage._over(self._data)

    def get_device(self) -> int:
        return -1 if self.is_cpu else self.device.index

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def _version(self) -> int:
        if type(self._version_counter) is InferenceVersion:
            raise AutogradError("Inference tensors do not track version counter.")
        return self._version_counter[0]

    def is_inference(self) -> bool:
        """Whether this tensor was made in inference mode (or is a view of one that was)."""
        return type(self._version_counter) is InferenceVersion

    @property
    def is_floating_point_type(self) -> bool:
        return self.dtype.is_floating_point

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return self.dtype.is_complex

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def _wrap_dim(self, dim: int) -> int:
        return wrap_dim(dim, self._data.ndim)

    def _xp(self):
        return np if type(self._data) is np.ndarray else _backend.array_module(self._data)

    def type_name(self) -> str:
        prefix = "torch." if self.is_cpu else "torch.cuda."
        return prefix + _TYPE_NAME_OF.get(self.dtype.name, "Tensor")

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        """The type name (``'torch.FloatTensor'``), or this tensor converted to a legacy type
        (``torch.cuda.DoubleTensor``, ``'torch.LongTensor'``: dtype and device) or a dtype."""
        if dtype is None:
            return self.type_name()
        from ._legacy_types import resolve, tensortype
        if isinstance(dtype, (str, tensortype)):
            target = resolve(dtype)
            return self.to(device="cuda" if target.is_cuda else "cpu", dtype=target.dtype)
        return self.to(_dtypes.to_dtype(dtype))



def contiguous_strides(shape) -> tuple:
    """The strides (in elements) of a C-contiguous array of ``shape``."""
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def wrap_dim(dim: int, ndim: int) -> int:
    """A dimension index in ``[0, ndim)``; PyTorch's IndexError when out of range."""
    from .errors import TensorIndexError
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise TensorIndexError(f"Dimension out of range (expected to be in range of "
                               f"[{-bound}, {bound - 1}], but got {dim})")
    return dim + bound if dim < 0 else dim
