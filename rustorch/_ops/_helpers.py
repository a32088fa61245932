"""Shared helpers for op modules: dtype promotion of operands, argument normalisation."""
from __future__ import annotations

import numbers

import numpy as np

from .. import dtypes as _dtypes
from ..errors import ArgumentTypeError, DTypeError
from ..tensor import Tensor

__all__ = ["promote_operands", "to_tensor", "dims_tuple", "is_scalar", "float_result_dtype"]


def is_scalar(value) -> bool:
    return isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, Tensor)


def to_tensor(value, like: Tensor | None = None, dtype=None) -> Tensor:
    """A Tensor for ``value`` (Tensors pass through; scalars become 0-d on ``like``'s device)."""
    if isinstance(value, Tensor):
        return value
    if dtype is None:
        dtype = _dtypes.scalar_dtype(value) if is_scalar(value) else None
    xp = like._xp() if like is not None else np
    array = xp.asarray(value, dtype=None if dtype is None else dtype.numpy)
    if dtype is None:
        from ..creation import _infer_array
        array = _infer_array(value, xp)
    return Tensor._make(array)


def promote_operands(a, b):
    """The numpy dtype both operands must be computed in, or None when no cast is needed."""
    a_tensor = isinstance(a, Tensor)
    b_tensor = isinstance(b, Tensor)
    if a_tensor and b_tensor:
        if a._data.dtype == b._data.dtype:
            return None
    elif a_tensor:
        if _scalar_fits(a, b):
            return None
    elif b_tensor:
        if _scalar_fits(b, a):
            return None
    elif not (is_scalar(a) and is_scalar(b)):
        raise ArgumentTypeError(f"expected Tensor or number operands, got {type(a).__name__} "
                                f"and {type(b).__name__}")
    return _dtypes.result_type(a, b).numpy


def _scalar_fits(tensor: Tensor, scalar) -> bool:
    """Whether numpy's own handling of a Python scalar with this tensor matches PyTorch's."""
    kind = tensor._data.dtype.kind
    if isinstance(scalar, bool):
        return True
    if isinstance(scalar, int):
        if kind in "iu":  # numpy 2 refuses out-of-range Python ints; PyTorch wraps them
            info = np.iinfo(tensor._data.dtype)
            return info.min <= scalar <= info.max
        return kind in "fc"
    if isinstance(scalar, float):
        return kind in "fc"  # not bfloat16: ml_dtypes widens it to float32 with a float
    if isinstance(scalar, complex):
        return kind == "c"
    if isinstance(scalar, np.generic):
        return False
    raise ArgumentTypeError(f"unsupported operand type {type(scalar).__name__} for a Tensor op; "
                            f"expected a Tensor or a Python number")


def array_result_type(*values):
    """numpy's result dtype for arrays (numpy or cupy, read by dtype only) and Python scalars."""
    return np.result_type(*(getattr(value, "dtype", value) for value in values))


def cast(array, numpy_dtype):
    """``array`` as ``numpy_dtype`` (python scalars become numpy scalars of that type)."""
    if numpy_dtype is None:
        return array
    if hasattr(array, "dtype") and hasattr(array, "astype"):
        return array if array.dtype == numpy_dtype else array.astype(numpy_dtype)
    if isinstance(array, int) and np.dtype(numpy_dtype).kind in "iu":
        return np.asarray(array).astype(numpy_dtype)[()]  # wraps around, as PyTorch does
    return np.asarray(array, dtype=numpy_dtype)[()]


def dims_tuple(dim, ndim: int):
    """Normalise a ``dim`` argument (int, sequence or None) to a sorted tuple of axes."""
    from ..tensor import wrap_dim
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)):
        dims = (wrap_dim(int(dim), ndim),)
    else:
        dims = tuple(wrap_dim(int(d), ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise DTypeError(f"dim {list(dim)} appears multiple times in the list of dims")
    # a 0-d tensor accepts dim 0 / -1, which means "all of its (zero) axes" to numpy
    return dims if dims and ndim else None


def float_result_dtype(tensor: Tensor):
    """The dtype of ops that turn integers into floats (``exp``, ``mean``, ``sqrt`` ...)."""
    if tensor.dtype.is_floating_point or tensor.dtype.is_complex:
        return None
    return _dtypes.get_default_dtype().numpy
