"""Small differentiable building blocks for the linear-algebra gradients, and the error type."""
from __future__ import annotations

import numpy as np

from ..errors import DTypeError, LinAlgError, ShapeError
from ..tensor import Tensor

__all__ = ["LinAlgError", "mH", "eye_like", "diag_embed", "diagonal_last", "tril", "triu",
           "check_square", "check_float", "batch_error_prefix"]


def mH(tensor: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The conjugate transpose of the last two dims."""
    transposed = tensor.mT
    return transposed.conj() if tensor.dtype.is_complex else transposed


def eye_like(tensor: Tensor, rows: int, columns: int | None = None, dtype=None) -> Tensor:
    xp = tensor._xp()
    return Tensor._make(xp.eye(rows, columns, dtype=dtype or tensor._data.dtype))


def diag_embed(vector: Tensor) -> Tensor:
    """(..., n) -> (..., n, n) with ``vector`` on the diagonal."""
    return vector.unsqueeze(-1) * eye_like(vector, vector.shape[-1])


def diagonal_last(matrix: Tensor) -> Tensor:
    """The main diagonal of the last two dims, (..., m, n) -> (..., min(m, n))."""
    size = min(matrix.shape[-2], matrix.shape[-1])
    index = Tensor._make(matrix._xp().arange(size, dtype=np.int64))
    return matrix[..., index, index]


def _triangle(matrix: Tensor, diagonal: int, lower: bool) -> Tensor:
    xp = matrix._xp()
    rows, columns = matrix.shape[-2], matrix.shape[-1]
    function = xp.tril if lower else xp.triu
    mask = function(xp.ones((rows, columns), dtype=bool), diagonal)
    from .._ops.elementwise import where
    return where(Tensor._make(mask), matrix, matrix.new_zeros(()))


def tril(matrix: Tensor, diagonal: int = 0) -> Tensor:
    return _triangle(matrix, diagonal, True)


def triu(matrix: Tensor, diagonal: int = 0) -> Tensor:
    return _triangle(matrix, diagonal, False)


def check_float(tensor: Tensor, op: str) -> None:
    if not (tensor.dtype.is_floating_point or tensor.dtype.is_complex) or \
            tensor.dtype.name in ("float16", "bfloat16"):
        raise DTypeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                         f"{torch_type_name(tensor.dtype)}")


def torch_type_name(dtype) -> str:
    """PyTorch's scalar type name of ``dtype`` (``Long``, ``Float``, ``ComplexDouble`` ...)."""
    from ..tensor import _TORCH_TYPE_NAMES
    return _TORCH_TYPE_NAMES.get(dtype.name, dtype.name)


def check_square(tensor: Tensor, op: str, name: str = "A") -> None:
    if tensor.ndim < 2:
        raise ShapeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if tensor.shape[-1] != tensor.shape[-2]:
        raise ShapeError(f"{op}: {name} must be batches of square matrices, but they are "
                         f"{tensor.shape[-2]} by {tensor.shape[-1]} matrices")
    check_float(tensor, op)


def batch_error_prefix(shape, flat_index: int) -> str:
    return f"(Batch element {flat_index}): " if len(shape) > 2 else ""
