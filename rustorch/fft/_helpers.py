"""``torch.fft`` helpers: sample frequencies (``fftfreq``, ``rfftfreq``) and the shifts that
move the zero frequency to the centre (``fftshift``, ``ifftshift``).

>>> import rustorch as torch
>>> torch.fft.fftfreq(4)
tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from .._ops.elementwise import _maybe_out
from .._ops.math_common import not_implemented, require_tensor
from .._ops.shape_more import roll
from ..creation import tensor
from ..errors import ArgumentTypeError, DTypeError, ShapeError
from ..tensor import Tensor
from ._common import integer_argument, wrap_fft_dim
from .._factory_out import factory

__all__ = ["fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _frequencies(name: str, indices: np.ndarray, n: int, d: float, out, dtype, device,
                 requires_grad: bool) -> Tensor:
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise DTypeError(f"{name} requires a floating point or complex dtype")
    if dtype.is_complex:  # PyTorch fills it with arange, which has no complex kernel
        raise not_implemented("arange_cpu", dtype)
    if isinstance(d, bool) or not isinstance(d, (int, float, np.integer, np.floating)):
        raise ArgumentTypeError(f"{name}(): argument 'd' must be float, not "
                                f"{type(d).__name__}")
    with np.errstate(invalid="ignore", divide="ignore"):  # rfftfreq(0) is [nan], as PyTorch
        values = indices / (n * float(d))
    result = tensor(values, dtype=dtype, device=device, requires_grad=requires_grad)
    return _maybe_out(result, out)


@factory
def fftfreq(n: int, d: float = 1.0, *, out: Tensor | None = None, dtype=None, layout=None,
            device=None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies of ``fft`` for a signal of ``n`` points spaced ``d`` apart:
    ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d * n)``."""
    n = integer_argument("fftfreq", "n", n)
    indices = np.arange(n, dtype=np.float64)
    indices[(n + 1) // 2:] -= n
    return _frequencies("fftfreq", indices, n, d, out, dtype, device, requires_grad)


@factory
def rfftfreq(n: int, d: float = 1.0, *, out: Tensor | None = None, dtype=None, layout=None,
             device=None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies of ``rfft``: ``[0, 1, ..., n // 2] / (d * n)``."""
    n = integer_argument("rfftfreq", "n", n)
    indices = np.arange(n // 2 + 1, dtype=np.float64)
    return _frequencies("rfftfreq", indices, n, d, out, dtype, device, requires_grad)


def _shift(name: str, input, dim, inverse: bool) -> Tensor:
    require_tensor(name, "input", 1, input)
    if dim is None:
        dims = tuple(range(input.ndim))
    else:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        dims = tuple(wrap_fft_dim(integer_argument(name, "dim", d), input.ndim) for d in dims)
    if not dims:
        raise ShapeError("`shifts` required")
    # fftshift moves index n // 2 to the front; ifftshift undoes it
    shifts = tuple((input.shape[d] + 1) // 2 if inverse else input.shape[d] // 2 for d in dims)
    return roll(input, shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Reorder ``fftn`` output so the zero frequency sits in the middle of each of ``dim``
    (all dims by default)."""
    return _shift("fftshift", input, dim, False)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """The inverse of ``fftshift``."""
    return _shift("ifftshift", input, dim, True)
