"""``frombuffer``: a 1-D tensor over the memory of an object with the buffer protocol.

The tensor shares memory with the buffer, as ``torch.frombuffer``: writes through the tensor
show in the buffer and the other way round. Read-only buffers (``bytes``) give a read-only
tensor here, where torch writes into them anyway.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import dtypes as _dtypes
from .errors import ArgumentError, ArgumentTypeError, ArgumentValueError, DTypeError
from .tensor import Tensor

__all__ = ["frombuffer"]

_warned_not_writable = False


def _integer_argument(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"frombuffer(): argument '{name}' must be int, not "
                                f"{type(value).__name__}")
    return int(value)


def _warn_not_writable() -> None:
    global _warned_not_writable
    if _warned_not_writable:
        return
    _warned_not_writable = True
    warnings.warn(
        "The given buffer is not writable, and rustorch keeps tensors over it read-only: "
        "writing to the tensor raises an error. You may want to copy the buffer to protect its "
        "data or make it writable before converting it to a tensor. This type of warning will "
        "be suppressed for the rest of this program.", UserWarning, stacklevel=3)


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D tensor of ``count`` elements of ``dtype`` read from ``buffer``, skipping ``offset``
    bytes (``count=-1``: every element after ``offset``); it shares the buffer's memory.

    >>> import array, rustorch
    >>> data = array.array("i", [1, 2, 3])
    >>> view = frombuffer(data, dtype=rustorch.int32)
    >>> view[0] = 7; data[0]
    7
    """
    if not isinstance(dtype, _dtypes.dtype):
        raise ArgumentTypeError(f"frombuffer(): argument 'dtype' must be torch.dtype, not "
                                f"{type(dtype).__name__}")
    if dtype.is_quantized:  # torch builds a broken tensor here; refuse instead
        raise DTypeError(f"frombuffer(): quantized dtypes such as {dtype} are not supported")
    count = _integer_argument("count", count)
    offset = _integer_argument("offset", offset)
    try:
        memory = memoryview(buffer)
    except TypeError:
        raise ArgumentError("object does not implement Python buffer protocol.") from None
    if not memory.c_contiguous:
        raise ArgumentValueError("could not retrieve buffer from object (frombuffer needs a "
                                 "C-contiguous buffer)")
    length, element_size = memory.nbytes, dtype.itemsize
    if length == 0 or count == 0:
        raise ArgumentError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ArgumentError(f"offset ({offset} bytes) must be non-negative and no greater than "
                            f"buffer length ({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % element_size != 0:
            raise ArgumentError(f"buffer length ({length - offset} bytes) after offset "
                                f"({offset} bytes) must be a multiple of element size "
                                f"({element_size})")
        count = (length - offset) // element_size
    elif offset + count * element_size > length:
        raise ArgumentError(f"requested buffer length ({count} * {element_size} bytes) after "
                            f"offset ({offset} bytes) must not be greater than actual buffer "
                            f"length ({length} bytes)")
    if memory.readonly:
        _warn_not_writable()
    array = np.frombuffer(memory.cast("B") if memory.ndim != 1 or memory.format != "B"
                          else memory, dtype=dtype.numpy, count=count, offset=offset)
    result = Tensor._make(array)
    if requires_grad:
        result.requires_grad_(True)
    return result
