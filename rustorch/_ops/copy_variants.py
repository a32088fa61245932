"""The copying forms of the view ops (``torch.permute_copy``, ``torch.split_copy`` ...), the
other spellings of split/chunk (``split_with_sizes``, ``unsafe_split``, ``unsafe_chunk``), and
small functional forms: ``conj_physical``, ``constant_pad_nd`` and ``Tensor.__rdiv__``.

A ``<view>_copy`` op is its view op followed by a contiguous copy: the result never shares
memory with the input, and its gradient is the view's. One decorator builds each of them from
the view call it copies.
"""
from __future__ import annotations

import functools
import inspect
import operator

from ..autograd.function import Primitive
from ..autograd.grad_mode import grad_state
from ..errors import (ArgumentTypeError, ArgumentValueError, AutogradError,
                      NotSupportedError, ShapeError, TensorIndexError)
from ..layout import contiguous_format
from ..tensor import Tensor, tensor_method, wrap_dim
from .composite import view_as_complex, view_as_real
from .conversion import Conj
from .elementwise import Clone, _maybe_out
from .movement import (Split, _split_sizes, _split_views, expand, narrow, permute, reshape,
                       select, squeeze, t, transpose, unbind, unsqueeze, view)
from .padding import ConstantPad
from .scalar_values import scalar_for
from .shape_more import diagonal
from .strided import as_strided, unfold

__all__ = ["alias_copy", "as_strided_copy", "diagonal_copy", "expand_copy", "narrow_copy",
           "permute_copy", "select_copy", "slice_copy", "squeeze_copy", "t_copy",
           "transpose_copy", "unbind_copy", "unfold_copy", "unsqueeze_copy", "view_copy",
           "view_as_real_copy", "view_as_complex_copy", "split_copy", "split_with_sizes_copy",
           "detach_copy", "split_with_sizes", "unsafe_split", "unsafe_split_with_sizes",
           "unsafe_chunk", "conj_physical", "conj_physical_", "constant_pad_nd"]


class NotDifferentiable(Primitive):
    """An op PyTorch records but cannot differentiate: its output requires grad like the
    inputs, and backward raises ``derivative for aten::<op> is not implemented``."""

    def name(self) -> str:
        return "NotImplemented"

    def forward(self, xp, *arrays, compute=None, op=""):
        self.op = op
        return compute(xp, *arrays)

    def backward(self, *grads):
        raise NotSupportedError(f"derivative for aten::{self.op} is not implemented")


# ----------------------------------------------------------------- out= and copies
def write_out(result, out, op: str):
    """``result`` (a tensor, or a tuple of them for ``out=`` lists) written into ``out``;
    PyTorch's copy ops want ``out`` of the result's dtype and, for lists, length."""
    if out is None:
        return result
    if isinstance(result, tuple):
        if not isinstance(out, (list, tuple)) or len(out) != len(result):
            got = len(out) if isinstance(out, (list, tuple)) else type(out).__name__
            raise ShapeError(f"{op}_out expected an out= argument of size {len(result)}, "
                             f"got size {got}")
        for piece, target in zip(result, out):
            write_out(piece, target, op)
        return None
    if not isinstance(out, Tensor):
        raise ArgumentTypeError(f"{op}(): argument 'out' must be Tensor, not "
                                f"{type(out).__name__}")
    return _maybe_out(result, out, op)


def _fresh(result):
    """A contiguous copy of a view (of each view, for the multi-output ops)."""
    if isinstance(result, (tuple, list)):
        return tuple(_fresh(piece) for piece in result)
    return Clone.apply(result, memory_format=contiguous_format)


def _copy_variant(view_call):
    """``torch.<view>_copy``: ``view_call`` (named after the public op, with its signature)
    followed by a contiguous copy, with an ``out=`` keyword."""
    name = view_call.__name__

    @functools.wraps(view_call)
    def function(*args, out=None, **kwargs):
        return write_out(_fresh(view_call(*args, **kwargs)), out, name)

    signature = inspect.signature(view_call)
    out_parameter = inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None)
    function.__signature__ = signature.replace(
        parameters=[*signature.parameters.values(), out_parameter])
    function.__doc__ = (f"``{name[:-len('_copy')]}`` as a new contiguous tensor (never a view "
                        f"of ``input``); differentiable like the view.")
    return function


@_copy_variant
def alias_copy(input: Tensor) -> Tensor:
    return input


@_copy_variant
def as_strided_copy(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    return as_strided(input, size, stride, storage_offset)


@_copy_variant
def diagonal_copy(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return diagonal(input, offset, dim1, dim2)


@_copy_variant
def expand_copy(input: Tensor, size, *, implicit: bool = False) -> Tensor:
    return expand(input, _int_list(size, "expand_copy", "size"))


@_copy_variant
def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    if input.ndim == 0:
        raise ShapeError("narrow() cannot be applied to a 0-dim tensor.")
    size, start = input.shape[wrap_dim(dim, input.ndim)], operator.index(start)
    if not -size <= start <= size:
        raise TensorIndexError(f"start out of range (expected to be in range of [{-size}, "
                               f"{size}], but got {start})")
    start = start + size if start < 0 else start
    if length < 0 or start + length > size:
        raise ShapeError(f"start ({start}) + length ({length}) exceeds dimension size "
                         f"({size}).")
    return narrow(input, dim, start, length)


tensor_method(narrow_copy)


@_copy_variant
def permute_copy(input: Tensor, dims) -> Tensor:
    return permute(input, _int_list(dims, "permute_copy", "dims"))


@_copy_variant
def select_copy(input: Tensor, dim: int, index: int) -> Tensor:
    return select(input, dim, index)


@_copy_variant
def slice_copy(input: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
               step: int = 1) -> Tensor:
    if step <= 0:
        raise ShapeError("slice step must be positive")
    return input[(slice(None),) * wrap_dim(dim, input.ndim) + (slice(start, end, step),)]


@_copy_variant
def squeeze_copy(input: Tensor, dim=None) -> Tensor:
    return squeeze(input, dim)


@_copy_variant
def t_copy(input: Tensor) -> Tensor:
    return t(input)


@_copy_variant
def transpose_copy(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return transpose(input, dim0, dim1)


@_copy_variant
def unbind_copy(input: Tensor, dim: int = 0) -> tuple:
    return unbind(input, dim)


@_copy_variant
def unfold_copy(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    return unfold(input, dimension, size, step)


@_copy_variant
def unsqueeze_copy(input: Tensor, dim: int) -> Tensor:
    return unsqueeze(input, dim)


@_copy_variant
def view_copy(input: Tensor, size=None, *, dtype=None) -> Tensor:
    """``size`` may also be a dtype (``view_copy(x, torch.int32)``): the bits reinterpreted."""
    from .. import dtypes as _dtypes  # noqa: PLC0415
    if isinstance(size, _dtypes.dtype):
        size, dtype = None, size
    if (size is None) == (dtype is None):
        raise ArgumentTypeError("view_copy(): expected exactly one of size (a sequence of "
                                "ints) and dtype")
    if dtype is not None:
        return view(input, dtype)
    return reshape(input, _int_list(size, "view_copy", "size"))  # copies anyway: any layout


@_copy_variant
def view_as_real_copy(input: Tensor) -> Tensor:
    return view_as_real(input)


@_copy_variant
def view_as_complex_copy(input: Tensor) -> Tensor:
    if input.requires_grad and grad_state.enabled:  # PyTorch has no complex-output formula
        raise AutogradError("view_as_complex_copy does not support automatic differentiation "
                            "for outputs with complex dtype.")
    return view_as_complex(input)


@_copy_variant
def split_copy(input: Tensor, split_size: int, dim: int = 0) -> tuple:
    return _split_views(input, _sizes_for(input, split_size, dim, "split_copy"),
                        wrap_dim(dim, input.ndim))


@_copy_variant
def split_with_sizes_copy(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    return split_with_sizes(input, split_sizes, dim)


def detach_copy(input: Tensor, *, out=None) -> Tensor:
    """A contiguous copy cut from the graph. As in PyTorch the result still requires grad when
    ``input`` does, and its backward raises (no derivative is defined)."""
    result = NotDifferentiable.apply(input, compute=lambda xp, a: xp.ascontiguousarray(a).copy(),
                                     op="detach_copy")
    return write_out(result, out, "detach_copy")


def _int_list(values, op: str, argument: str) -> tuple:
    """A sequence of ints (PyTorch's ``int[]`` arguments: no floats, no bare varargs)."""
    if isinstance(values, int) and not isinstance(values, bool):
        return (values,)
    if not isinstance(values, (tuple, list)) and not hasattr(values, "__iter__"):
        raise ArgumentTypeError(f"{op}(): argument '{argument}' must be tuple of ints, not "
                                f"{type(values).__name__}")
    try:
        return tuple(operator.index(value) for value in values)
    except TypeError:
        raise ArgumentTypeError(f"{op}(): argument '{argument}' must be tuple of ints, but "
                                f"found an element that is not an int") from None


# ----------------------------------------------------------------- split spellings
def _sizes_for(input: Tensor, split_size, dim: int, op: str) -> list:
    """The piece sizes of ``split(input, split_size, dim)`` for an int ``split_size``."""
    if isinstance(split_size, bool) or not isinstance(split_size, int):
        raise ArgumentTypeError(f"{op}(): argument 'split_size' (position 2) must be int, not "
                                f"{type(split_size).__name__}")
    return _split_sizes(input, split_size, wrap_dim(dim, input.ndim))


def _checked_sizes(input: Tensor, split_sizes, dim: int, op: str) -> tuple[list, int]:
    """(piece sizes, wrapped dim) of ``split_with_sizes`` and its spellings."""
    if isinstance(split_sizes, int):
        raise ArgumentTypeError(f"{op}(): argument 'split_sizes' (position 1) must be tuple "
                                f"of ints, not int")
    sizes = list(_int_list(split_sizes, op, "split_sizes"))
    dim = wrap_dim(dim, input.ndim)
    if any(size < 0 for size in sizes):
        raise ShapeError(f"split_with_sizes expects split_sizes have only non-negative "
                         f"entries, but got split_sizes={sizes}")
    return _split_sizes(input, sizes, dim), dim


@tensor_method
def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Views of ``input`` along ``dim`` with the given sizes (which must sum to its size)."""
    return _split_views(input, *_checked_sizes(input, split_sizes, dim, "split_with_sizes"))


class UnsafeSplit(Split):
    """split whose pieces share memory with the input but are not tracked as its views, so
    in-place changes to them are allowed (and unchecked), as PyTorch's ``unsafe_split``."""


def _unsafe_pieces(input: Tensor, sizes: list, dim: int) -> tuple:
    return tuple(UnsafeSplit.apply(input, sizes=tuple(sizes), dim=dim))


@tensor_method
def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple:
    """``split`` without the autograd view checks on the pieces."""
    dim = wrap_dim(dim, input.ndim)
    return _unsafe_pieces(input, _sizes_for(input, split_size, dim, "unsafe_split"), dim)


@tensor_method
def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """``split_with_sizes`` without the autograd view checks on the pieces."""
    return _unsafe_pieces(input, *_checked_sizes(input, split_sizes, dim,
                                                 "unsafe_split_with_sizes"))


@tensor_method
def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunk`` without the autograd view checks on the pieces."""
    if chunks <= 0:
        raise ArgumentValueError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    return _unsafe_pieces(input, _split_sizes(input, -(-size // chunks) if size else 1, dim),
                          dim)


# ----------------------------------------------------------------- conj_physical
class ConjPhysical(Conj):
    """The conjugate, computed (rustorch has no lazy conjugate bit: same as ``conj``)."""


@tensor_method
def conj_physical(input: Tensor, *, out=None) -> Tensor:
    """The complex conjugate as new memory; a real ``input`` is returned as it is."""
    result = ConjPhysical.apply(input) if input.dtype.is_complex else input
    return write_out(result, out, "conj_physical")


@tensor_method
def conj_physical_(input: Tensor) -> Tensor:
    """Conjugate in place (nothing to do for a real tensor, beyond the in-place checks)."""
    if not input.dtype.is_complex:
        input._check_inplace()
        return input
    return input._inplace(conj_physical)


# ----------------------------------------------------------------- constant_pad_nd
def constant_pad_nd(input: Tensor, pad, value=0) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims with ``value``; ``pad = (last_low, last_high,
    prev_low, ...)``, negative widths crop. Always a new tensor.

    >>> import rustorch as torch
    >>> torch.constant_pad_nd(torch.ones(1, 2), [1, 0], 5.0).tolist()
    [[5.0, 1.0, 1.0]]
    """
    if not isinstance(pad, (tuple, list)) or not all(
            isinstance(width, int) and not isinstance(width, bool) for width in pad):
        raise ArgumentTypeError("constant_pad_nd(): argument 'pad' (position 2) must be tuple "
                                "of ints")
    if len(pad) % 2:
        raise ShapeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) // 2 > input.ndim:
        raise ShapeError(f"Length of pad should be no more than twice the number of dimensions "
                         f"of the input. Pad length is {len(pad)}while the input has "
                         f"{input.ndim}dimensions.")
    count = len(pad) // 2
    pairs = [(0, 0)] * (input.ndim - count) + \
        [(pad[2 * index], pad[2 * index + 1]) for index in reversed(range(count))]
    for size, (low, high) in zip(input.shape, pairs):
        if size + low + high < 0:
            raise ShapeError("narrow(): length must be non-negative.")
    fill = scalar_for(value, input.dtype, "constant_pad_nd")
    return ConstantPad.apply(input, widths=tuple(pairs), value=fill)


# ----------------------------------------------------------------- reflected division
Tensor.__rdiv__ = Tensor.__rtruediv__  # PyTorch keeps the Python 2 name as an alias
