"""Splitting and reshaping helpers: tensor_split, hsplit/vsplit/dsplit, sum_to_size, and the
in-place Tensor methods fill_diagonal_, resize_/resize_as_, apply_/map_, pin_memory.

``tensor_split`` pieces are basic-slicing views of the input (like PyTorch's ``slice``), so
they share memory, may overlap or be empty, and can be modified in place. ``resize_`` works on
the tensor's storage (the contiguous array its data lives in): it keeps the values in storage
order from the tensor's first element, as PyTorch does.
"""
from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from .. import _backend
from .. import dtypes as _dtypes
from .._storage_blocks import block_bytes, memory_block, pointer
from ..errors import (ArgumentTypeError, ArgumentValueError, AutogradError, DeviceError,
                      DTypeError, ShapeError)
from ..layout import preserve_format
from ..tensor import _TORCH_TYPE_NAMES, Size, Tensor, tensor_method, wrap_dim
from .indexing_more import masked_fill
from .memory_format import is_contiguous_as, memory_order
from .scalar_values import scalar_for
from .strided import as_strided

__all__ = ["tensor_split", "hsplit", "vsplit", "dsplit", "resize_as_"]


# ----------------------------------------------------------------- tensor_split and friends
def _integer(value, op: str, what: str) -> int:
    """``value`` as a Python int (ints, numpy integers, integer 0-d tensors), never a bool."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, float):
        raise ArgumentTypeError(f"{op}(): {what} must be ints, not {type(value).__name__}")
    try:
        return operator.index(value)
    except TypeError:
        raise ArgumentTypeError(f"{op}(): {what} must be ints, not "
                                f"{type(value).__name__}") from None


def _sections_or_indices(value, op: str):
    """An int (a number of sections) or a list of ints (split indices), as PyTorch parses
    ``indices_or_sections``: an int, a sequence of ints, or a 0-d/1-d int64 tensor."""
    if isinstance(value, Tensor):
        if value.dtype is not _dtypes.int64:
            raise DTypeError(f"{op} expected tensor_indices_or_sections to have dtype of long, "
                             f"but got {_TORCH_TYPE_NAMES.get(value.dtype.name, value.dtype)}; "
                             f"convert it with .long()")
        if value.ndim > 1:
            raise ShapeError(f"{op} expected tensor_indices_or_sections to be a "
                             f"zero-dimensional or one-dimensional tensor, but got a tensor "
                             f"with {value.ndim} dims")
        return int(value.item()) if value.ndim == 0 else [int(i) for i in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_integer(item, op, "indices") for item in value]
    return _integer(value, op, "indices_or_sections (an int, a sequence of ints or a Tensor)")


def _pick_argument(op: str, positional, **keywords):
    """The one of ``positional`` and the keyword aliases that was given."""
    given = [value for value in (positional, *keywords.values()) if value is not None]
    if len(given) != 1:
        names = ", ".join(["indices_or_sections", *keywords])
        raise ArgumentTypeError(f"{op}(): give exactly one of {names}")
    return given[0]


def _split_bounds(size: int, parsed, op: str) -> list[tuple[int, int]]:
    """(start, stop) of each piece along a dim of ``size``, as Python slice bounds."""
    if isinstance(parsed, int):
        if parsed <= 0:
            raise ArgumentValueError(f"number of sections must be larger than 0, got {parsed} "
                                     f"({op}: pass a positive number of sections)")
        small, extra = divmod(size, parsed)
        stops = np.cumsum([small + 1] * extra + [small] * (parsed - extra)).tolist()
        return list(zip([0] + stops[:-1], stops))
    starts = [0] + parsed
    return list(zip(starts, parsed + [None]))


def tensor_split(input: Tensor, indices_or_sections=None, dim: int = 0, *, sections=None,
                 indices=None, tensor_indices_or_sections=None) -> tuple:
    """Split ``input`` along ``dim`` into views: ``n`` near-equal sections (the first
    ``size % n`` one larger), or pieces cut at the given indices (slice semantics).

    >>> import rustorch as torch
    >>> [p.tolist() for p in torch.tensor_split(torch.arange(5), 2)]
    [[0, 1, 2], [3, 4]]
    >>> [p.tolist() for p in torch.tensor_split(torch.arange(5), [1, 4])]
    [[0], [1, 2, 3], [4]]
    """
    value = _pick_argument("tensor_split", indices_or_sections, sections=sections,
                           indices=indices, tensor_indices_or_sections=tensor_indices_or_sections)
    if input.ndim == 0:
        raise ShapeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                         "tensor with 0 dims; reshape it first (x.reshape(1))")
    parsed = _sections_or_indices(value, "tensor_split")
    dim = wrap_dim(dim, input.ndim)
    bounds = _split_bounds(input.shape[dim], parsed, "tensor_split")
    lead = (slice(None),) * dim
    return tuple(input[lead + (slice(start, stop),)] for start, stop in bounds)


tensor_method(tensor_split)


def _directional_split(input: Tensor, value, op: str, min_dims: int, dim: int) -> tuple:
    """hsplit/vsplit/dsplit: tensor_split along ``dim``; int sections must divide evenly."""
    if input.ndim < min_dims:
        raise ShapeError(f"torch.{op} requires a tensor with at least {min_dims} dimension, but "
                         f"got a tensor with {input.ndim} dimensions! (use tensor_split with "
                         f"an explicit dim, or add dims with unsqueeze)")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ArgumentTypeError(f"{op}(): indices must be an int or a sequence of ints, "
                                    f"not a {value.ndim}-D Tensor; pass value.tolist()")
        value = _integer(value, op, "sections")
    parsed = _sections_or_indices(value, op)
    if isinstance(parsed, int):
        size = input.shape[dim]
        if parsed == 0 or size % parsed != 0:
            raise ShapeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                             f"size of the dimension {size} is not divisible by the split_size "
                             f"{parsed}! (pass split indices, or use tensor_split for uneven "
                             f"sections)")
    return tensor_split(input, parsed, dim)


def hsplit(input: Tensor, indices_or_sections=None, *, sections=None, indices=None) -> tuple:
    """Split horizontally: along dim 1, or dim 0 of a 1-D tensor (``numpy.hsplit``)."""
    value = _pick_argument("hsplit", indices_or_sections, sections=sections, indices=indices)
    return _directional_split(input, value, "hsplit", 1, 0 if input.ndim == 1 else 1)


def vsplit(input: Tensor, indices_or_sections=None, *, sections=None, indices=None) -> tuple:
    """Split vertically: along dim 0 of a tensor with at least 2 dims (``numpy.vsplit``)."""
    value = _pick_argument("vsplit", indices_or_sections, sections=sections, indices=indices)
    return _directional_split(input, value, "vsplit", 2, 0)


def dsplit(input: Tensor, indices_or_sections=None, *, sections=None, indices=None) -> tuple:
    """Split depth-wise: along dim 2 of a tensor with at least 3 dims (``numpy.dsplit``)."""
    value = _pick_argument("dsplit", indices_or_sections, sections=sections, indices=indices)
    return _directional_split(input, value, "dsplit", 3, 2)


def _directional_method(function):
    """``Tensor.hsplit(2)``, ``Tensor.hsplit([1, 3])`` and ``Tensor.hsplit(1, 3)`` (varargs)."""
    def method(self, *indices_or_sections, sections=None, indices=None):
        value = indices_or_sections[0] if len(indices_or_sections) == 1 else \
            (indices_or_sections or None)
        return function(self, value, sections=sections, indices=indices)
    method.__name__, method.__doc__ = function.__name__, function.__doc__
    tensor_method(method, name=function.__name__)


for _function in (hsplit, vsplit, dsplit):
    _directional_method(_function)


# ----------------------------------------------------------------- sum_to_size
def _size_argument(sizes, op: str) -> tuple:
    """A shape from ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(Size([2, 3]))``."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)):
        sizes = sizes[0]
    return tuple(_integer(size, op, "sizes") for size in sizes)


@tensor_method
def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum a broadcast tensor down to ``size`` (which must expand to ``input``'s shape):
    leading dims are summed away, dims where ``size`` has 1 are summed with keepdim."""
    if not size:
        raise ArgumentTypeError('sum_to_size() missing 1 required positional arguments: "size"')
    size = _size_argument(size, "sum_to_size")
    shape = tuple(input.shape)
    leading = len(shape) - len(size)
    if leading < 0 or any(target not in (actual, 1)
                          for target, actual in zip(size, shape[leading:])):
        raise ShapeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}. "
                         f"(sum_to_size: each size must be 1 or equal the tensor's trailing "
                         f"size)")
    dims = list(range(leading)) + [leading + index for index, target in enumerate(size)
                                   if target == 1 and shape[leading + index] != 1]
    if not dims:
        return input
    result = input.sum(dim=tuple(dims), keepdim=True)
    return result.view(size) if leading else result


# ----------------------------------------------------------------- fill_diagonal_
def _diagonal_mask(xp, shape: tuple, wrap: bool):
    """True on the main diagonal (all indices equal); with ``wrap`` on a tall matrix, the
    diagonal restarts every ``width + 1`` rows as in ``numpy.fill_diagonal``."""
    numel = math.prod(shape)
    if len(shape) == 2:
        height, width = shape
        step = width + 1
        count = -(-numel // step) if wrap and height > width + 1 else min(height, width)
    else:
        step = sum(shape[0] ** power for power in range(len(shape)))
        count = shape[0]
    mask = xp.zeros(numel, dtype=bool)
    mask[xp.arange(count) * step] = True
    return mask.reshape(shape)


@tensor_method
def fill_diagonal_(input: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Fill the main diagonal in place (2-D, or n-D with all dims equal); ``wrap=True``
    continues the diagonal below a tall matrix's first square block."""
    if input.ndim < 2:
        raise ShapeError(f"fill_diagonal_: dimensions must larger than 1 (got a {input.ndim}-D "
                         f"tensor); use a matrix or a tensor with all dims equal")
    if input.ndim > 2 and len(set(input.shape)) != 1:
        raise ShapeError(f"fill_diagonal_: all dimensions of input must be of equal length, got "
                         f"{list(input.shape)}")
    if isinstance(fill_value, Tensor) and fill_value.ndim != 0:
        raise ArgumentTypeError("fill_diagonal_(): argument 'fill_value' (position 1) must be "
                                "Number, not Tensor; pass value.item()")
    value = scalar_for(fill_value, input.dtype, "fill_diagonal_")
    mask = Tensor._make(_diagonal_mask(input._xp(), tuple(input.shape), bool(wrap)))
    return input._inplace(lambda target: masked_fill(target, mask, value))


# ----------------------------------------------------------------- resize_
def _storage_from_first_element(data):
    """A 1-D array over the tensor's storage from its first element to the storage's end
    (sharing memory; numpy or cupy), or the tensor's values in row-major order when no storage
    is known."""
    block = memory_block(data)
    if block is not None:
        whole = block_bytes(data)  # the block's bytes, on the tensor's device
        offset, itemsize = pointer(data) - block[1], data.itemsize
        if 0 <= offset <= whole.size and offset % itemsize == 0:
            count = (whole.size - offset) // itemsize
            return whole[offset:offset + count * itemsize].view(data.dtype)
    return data.reshape(-1)


@tensor_method
def resize_(input: Tensor, *sizes, memory_format=None) -> Tensor:
    """Give this tensor a new shape in place, keeping its storage's values (in memory order
    from its first element); elements beyond the old storage are uninitialised."""
    if not sizes:
        raise ArgumentTypeError('resize_() missing 1 required positional arguments: "size"')
    shape = _size_argument(sizes, "resize_")
    if input.requires_grad:
        raise AutogradError("cannot resize variables that require grad (resize_ a .detach()ed "
                            "tensor, or create a new one)")
    if any(size < 0 for size in shape):
        raise ShapeError(f"resize_: sizes must be non-negative, got {list(shape)}")
    order = memory_order(memory_format, len(shape), "resize_")
    if order is preserve_format:
        raise ArgumentValueError("resize_: memory_format=torch.preserve_format is not supported;"
                                 " use torch.contiguous_format or a channels-last format")
    data = input._data
    if shape == data.shape and (memory_format is None or is_contiguous_as(data, memory_format)):
        return input
    stored_shape = shape if order is None else tuple(shape[axis] for axis in order)
    numel = math.prod(shape)
    storage = _storage_from_first_element(data)
    if numel <= storage.size:
        array = storage[:numel].reshape(stored_shape)
    else:  # the storage grows: a new allocation; views of the old one no longer share it
        xp = input._xp()
        array = xp.empty(numel, dtype=data.dtype)
        array[:storage.size] = storage
        array = array.reshape(stored_shape)
        input._base, input._view_fn = None, None
    if order is not None:
        array = array.transpose(tuple(int(axis) for axis in np.argsort(order)))
    input._data = array
    if input._base is not None:  # still a view of the same storage, reached through it
        strides, offset = input.stride(), input.storage_offset()
        input._view_fn = lambda base: as_strided(base, shape, strides, offset)
    if shape != data.shape:
        input._bump_version()
    return input


@tensor_method
def resize_as_(input: Tensor, the_template: Tensor, *, memory_format=None) -> Tensor:
    """``input.resize_(the_template.shape)``."""
    if not isinstance(the_template, Tensor):
        raise ArgumentTypeError(f"resize_as_(): argument 'the_template' (position 1) must be "
                                f"Tensor, not {type(the_template).__name__}")
    return resize_(input, tuple(the_template.shape), memory_format=memory_format)


# ----------------------------------------------------------------- apply_ / map_
def _check_python_callable(input: Tensor, others: tuple, function, op: str) -> None:
    if input.requires_grad or any(other.requires_grad for other in others):
        raise AutogradError(f"Can't call {op}() on Variable that requires grad. Use "
                            f"var.detach().{op}() instead.")
    if not all(tensor.is_cpu for tensor in (input, *others)):
        raise ArgumentTypeError(f"{op} is only implemented on CPU tensors (it calls a Python "
                                f"function per element); move the tensor with .cpu() first")
    if not callable(function):
        raise ArgumentTypeError(f"{op}(): expected a callable, got {type(function).__name__}")


def _python_number(dtype):
    if dtype.is_complex:
        return complex
    if dtype.is_floating_point:
        return float
    return bool if dtype is _dtypes.bool else int


def _per_element(input: Tensor, sources: list, function, op: str) -> Tensor:
    """Write ``function(*elements)`` into each element of ``input`` in row-major order, one
    at a time, so an aliased source sees earlier writes (as PyTorch's serial CPU loop)."""
    to_python = _python_number(input.dtype)
    target = input._data.flat  # writes through to non-contiguous views too
    readers = [np.broadcast_to(source, input._data.shape).flat for source in sources]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # float overflow gives inf, as PyTorch
        for position in range(input._data.size):
            arguments = [to_python(reader[position]) for reader in readers]
            target[position] = scalar_for(function(*arguments), input.dtype, op, True)
    return input


@tensor_method
def apply_(input: Tensor, callable) -> Tensor:  # noqa: A002 (PyTorch's parameter name)
    """Replace each element ``x`` by ``callable(x)`` (CPU only; slow: one Python call per
    element). Like PyTorch, the version counter is not bumped."""
    _check_python_callable(input, (), callable, "apply_")
    return _per_element(input, [input._data], callable, "apply_")


@tensor_method
def map_(input: Tensor, tensor: Tensor, callable) -> Tensor:  # noqa: A002
    """Replace each element ``x`` by ``callable(x, y)``, ``y`` from ``tensor`` broadcast to
    ``input``'s shape (same dtype; CPU only; one Python call per element)."""
    if not isinstance(tensor, Tensor):
        raise ArgumentTypeError(f"map_(): argument 'other' (position 1) must be Tensor, not "
                                f"{type(tensor).__name__}")
    _check_python_callable(input, (tensor,), callable, "map_")
    if tensor.dtype is not input.dtype:
        raise ArgumentTypeError(f"map_: expected {input.type_name()} for 'other' (got "
                                f"{tensor.type_name()}); convert it with .to({input.dtype})")
    source = tensor.detach().expand(input.shape)._data
    return _per_element(input, [input._data, source], callable, "map_")


# ----------------------------------------------------------------- pinned memory
@tensor_method
def pin_memory(input: Tensor, device=None) -> Tensor:
    """A copy in page-locked host memory for faster GPU transfers. As in PyTorch, this needs
    an accelerator: without one it raises. (Pinning is recorded, not done by the OS here.)"""
    if device is not None:
        warnings.warn("The argument 'device' of Tensor.pin_memory() is deprecated. Please do "
                      "not pass this argument.", DeprecationWarning, stacklevel=2)
    if not _backend.cuda_available():
        raise DeviceError("Cannot access accelerator device when none is available. "
                          "(pin_memory only helps copies to a GPU: drop the call, or install "
                          "rustorch[cuda12] on a machine with a GPU)")
    if not input.is_cpu:
        raise DeviceError(f"cannot pin '{input.type_name()}' only dense CPU tensors can be "
                          f"pinned")
    if input.is_pinned():
        return input
    result = input.clone()
    result.__dict__["_pinned"] = True
    return result


@tensor_method
def is_pinned(input: Tensor, device=None) -> bool:
    """Whether this tensor came from ``pin_memory()`` (always False without a GPU)."""
    return bool(input.__dict__.get("_pinned", False))
