"""Argument handling shared by the ``torch.fft`` functions: ``norm`` modes, ``n``/``s`` and
``dim`` resolution, input dtype promotion and ``out=``, each with PyTorch's errors."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from .._ops.elementwise import _maybe_out
from .._ops.math_common import require_tensor, type_name
from ..errors import ArgumentTypeError, ArgumentValueError, DTypeError, ShapeError
from ..tensor import Tensor, wrap_dim

__all__ = ["NORMS", "dual_norm", "check_norm", "prepare_input", "resolve_one", "resolve_many",
           "full_sizes", "write_out", "integer_argument", "wrap_fft_dim"]

NORMS = ("backward", "ortho", "forward")
# the adjoint of a transform scaled by ``norm`` is the opposite transform scaled by its dual
_DUALS = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def dual_norm(norm: str) -> str:
    return _DUALS[norm]


def check_norm(norm: str | None) -> str:
    """``norm`` as one of :data:`NORMS` (None means "backward")."""
    if norm is None:
        return "backward"
    if norm not in NORMS:
        raise ArgumentValueError(f'Invalid normalization mode: "{norm}"')
    return norm


def prepare_input(name: str, input, *, real_only: bool = False) -> Tensor:
    """``input`` checked as a tensor; integers and bools promote to the default float dtype.

    Half precision raises as PyTorch's CPU kernels do (pocketfft has no half transforms);
    ``real_only`` rejects complex inputs (``rfft``, ``ihfft``).
    """
    require_tensor(f"fft_{name}", "input", 1, input)
    dtype = input.dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        input = input.to(_dtypes.get_default_dtype())
        dtype = input.dtype
    if dtype.name in ("float16", "bfloat16", "complex32"):
        raise DTypeError(f"Unsupported dtype {type_name(dtype)}")
    if real_only and dtype.is_complex:
        raise DTypeError(f"{name} expects a real input tensor, but got {type_name(dtype)}")
    return input


def _check_points(size: int) -> None:
    if size < 1:
        raise ShapeError(f"Invalid number of data points ({size}) specified")


def integer_argument(name: str, argument: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"fft_{name}(): argument '{argument}' must be int, not "
                                f"{type(value).__name__}")
    return int(value)


def wrap_fft_dim(dim, ndim: int) -> int:
    if ndim == 0:
        from ..errors import TensorIndexError
        raise TensorIndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return wrap_dim(dim, ndim)


def resolve_one(name: str, input: Tensor, n, dim) -> tuple[tuple[int, ...], int | None]:
    """``((dim,), n)`` for the one-dimensional transforms; ``n`` None keeps the input's size
    (the caller decides what that means for ``irfft``/``hfft``)."""
    dim = wrap_fft_dim(integer_argument(name, "dim", dim), input.ndim)
    if n is not None:
        n = integer_argument(name, "n", n)
        _check_points(n)
    return (dim,), n


def resolve_many(name: str, input: Tensor, s, dim) -> tuple[tuple[int, ...], list]:
    """``(dims, sizes)`` for the n-dimensional transforms, as PyTorch reads ``s`` and ``dim``.

    ``sizes`` holds one entry per dim: an int, or None where ``s`` is absent or -1 (keep the
    input's size; the caller decides for the halved last dim of ``irfftn``/``hfftn``).
    """
    ndim = input.ndim
    if s is not None:
        s = [s] if isinstance(s, (int, np.integer)) else list(s)
        s = [integer_argument(name, "s", size) for size in s]
    if dim is None:
        if s is None:
            dims = tuple(range(ndim))
        else:
            if len(s) > ndim:
                raise ShapeError(f"Got shape with {len(s)} values but input tensor only has "
                                 f"{ndim} dimensions.")
            dims = tuple(range(ndim - len(s), ndim))
    else:
        dim = [dim] if isinstance(dim, (int, np.integer)) else list(dim)
        dims = tuple(wrap_fft_dim(integer_argument(name, "dim", d), ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise ShapeError("FFT dims must be unique")
        if s is not None and len(s) != len(dims):
            raise ShapeError("When given, dim and shape arguments must have the same length")
    sizes = [None] * len(dims) if s is None else [None if size == -1 else size for size in s]
    for size in sizes:
        if size is not None:
            _check_points(size)
    return dims, sizes


def full_sizes(input: Tensor, dims, sizes) -> list[int]:
    """``sizes`` with None replaced by the input's size along that dim, checked to be >= 1."""
    result = [input.shape[d] if size is None else size for d, size in zip(dims, sizes)]
    for size in result:
        _check_points(size)
    return result


def _kernel_name(name: str) -> str:
    """The name PyTorch's out checks use: its n-d kernel for the 2-d and n-d forms (``fftn``
    for both directions of the complex transform)."""
    if name[-1] in "2n":
        name = name[:-1] + "n"
        return "fftn" if name == "ifftn" else name
    return name


def write_out(name: str, result: Tensor, out) -> Tensor:
    """``result``, or written into ``out``: a complex ``out`` for a complex result and a
    floating-point one for a real result, as PyTorch insists."""
    if out is None:
        return result
    require_tensor(f"fft_{name}", "out", 0, out)
    if result.dtype.is_complex and not out.dtype.is_complex:
        raise DTypeError(f"{_kernel_name(name)} expects a complex output tensor, but got "
                         f"{type_name(out.dtype)}")
    if not result.dtype.is_complex and not out.dtype.is_floating_point:
        raise DTypeError(f"{_kernel_name(name)} expects a floating point output tensor, but "
                         f"got {type_name(out.dtype)}")
    return _maybe_out(result, out)
