"""Shape and view primitives: reshape, permute, expand, split (cat and stack in
``concatenate.py``, re-exported). Views share memory."""
from __future__ import annotations

import numpy as np

from ..layout import contiguous_format, preserve_format
from ..autograd.function import Primitive, named_as
from ..errors import ArgumentError, ArgumentValueError, ShapeError, TensorIndexError
from ..tensor import Size, Tensor, tensor_method, wrap_dim

__all__ = ["reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "permute",
           "transpose", "swapaxes", "swapdims", "t", "expand", "expand_as", "broadcast_to",
           "contiguous", "narrow", "select", "cat", "concat", "concatenate", "stack",
           "split", "chunk", "unbind", "movedim", "moveaxis", "view_as", "reshape_as",
           "hstack", "vstack", "atleast_1d", "atleast_2d", "broadcast_tensors", "broadcast_shapes"]


def _shape_argument(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def infer_shape(shape, numel: int, op: str, input_shape) -> tuple:
    unknown = [index for index, size in enumerate(shape) if size == -1]
    if len(unknown) > 1:
        raise ShapeError(f"{op}: only one dimension can be inferred")
    known = 1
    for size in shape:
        if size != -1:
            if size < 0:
                raise ShapeError(f"{op}: invalid shape dimension {size}")
            known *= size
    if unknown:
        if known == 0 or numel % known:
            raise ShapeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = list(shape)
        shape[unknown[0]] = numel // known
        return tuple(shape)
    if known != numel:
        raise ShapeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class Reshape(Primitive):
    def forward(self, xp, a, shape=()):
        self.input_shape = a.shape
        return a.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.input_shape)


def _reshape(input: Tensor, shape: tuple, op: str, require_view: bool) -> Tensor:
    shape = infer_shape(shape, input._data.size, op, input.shape)
    if shape == input._data.shape:
        result = Reshape.apply(input, shape=shape)
        return input._make_view(result, lambda base: base.view(shape))
    data = input._data
    if require_view:
        try:
            result_array = data.view()
            result_array.shape = shape  # raises instead of copying
        except AttributeError:
            raise ShapeError("view size is not compatible with input tensor's size and stride "
                             "(at least one dimension spans across two contiguous subspaces). "
                             "Use .reshape(...) instead.") from None
    result = Reshape.apply(input, shape=shape)
    if np.may_share_memory(result._data, data):
        return input._make_view(result, lambda base: base.view(shape))
    return result


@tensor_method
def reshape(input, *shape):
    return _reshape(input, _shape_argument(shape), "reshape", False)


@tensor_method
def view(input, *shape):
    """A view with another shape (no copy); a dtype argument reinterprets the bytes."""
    from .. import dtypes as _dtypes
    if len(shape) == 1 and isinstance(shape[0], _dtypes.dtype):
        target = shape[0]
        return Tensor._make(input._data.view(target.numpy))
    return _reshape(input, _shape_argument(shape), "view", True)


@tensor_method
def view_as(input, other):
    return view(input, other.shape)


@tensor_method
def reshape_as(input, other):
    return reshape(input, other.shape)


@tensor_method
def flatten(input, start_dim: int = 0, end_dim: int = -1):
    if input.ndim == 0:
        return reshape(input, (1,))
    start, end = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if start > end:
        raise ArgumentError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input.shape
    middle = 1
    for size in shape[start:end + 1]:
        middle *= size
    return reshape(input, tuple(shape[:start]) + (middle,) + tuple(shape[end + 1:]))


@tensor_method
def unflatten(input, dim: int, sizes):
    dim = wrap_dim(dim, input.ndim)
    sizes = tuple(sizes)
    shape = input.shape
    if -1 in sizes:
        sizes = infer_shape(sizes, shape[dim], "unflatten", shape)
    return reshape(input, tuple(shape[:dim]) + sizes + tuple(shape[dim + 1:]))


@tensor_method
def squeeze(input, dim=None):
    shape = list(input.shape)
    if dim is None:
        new_shape = [size for size in shape if size != 1]
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = {wrap_dim(d, input.ndim) for d in dims}
        new_shape = [size for index, size in enumerate(shape)
                     if not (index in dims and size == 1)]
    overload = 0 if dim is None else 1 if isinstance(dim, int) else 2  # PyTorch's overloads
    return named_as(reshape(input, tuple(new_shape)), f"SqueezeBackward{overload}", input)


@tensor_method
def unsqueeze(input, dim: int):
    dim = wrap_dim(dim, input.ndim + 1)
    shape = list(input.shape)
    shape.insert(dim, 1)
    return named_as(reshape(input, tuple(shape)), "UnsqueezeBackward0", input)


class Permute(Primitive):
    def forward(self, xp, a, dims=()):
        self.dims = dims
        return xp.transpose(a, dims)

    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for index, dim in enumerate(self.dims):
            inverse[dim] = index
        return grad.permute(inverse)


@tensor_method
def permute(input, *dims):
    dims = _shape_argument(dims)
    if len(dims) != input.ndim:
        raise ShapeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                         f"not match the length of the desired ordering of dimensions i.e. "
                         f"input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    if sorted(dims) != list(range(input.ndim)):
        raise ShapeError("permute(): duplicate dims are not allowed.")
    result = Permute.apply(input, dims=dims)
    return input._make_view(result, lambda base: base.permute(dims))


@tensor_method
def transpose(input, dim0: int, dim1: int):
    if input.ndim == 0:
        return view(input, ())
    dim0, dim1 = wrap_dim(dim0, input.ndim), wrap_dim(dim1, input.ndim)
    dims = list(range(input.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return named_as(permute(input, dims), "TransposeBackward0", input)


swapaxes = swapdims = transpose
tensor_method(transpose, name="swapaxes")
tensor_method(transpose, name="swapdims")


@tensor_method
def t(input):
    if input.ndim > 2:
        raise ShapeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    result = transpose(input, 0, 1) if input.ndim == 2 else view(input, input.shape)
    return named_as(result, "TBackward0", input)


def _matrix_transpose(input):
    if input.ndim < 2:
        raise ShapeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                         f"{input.ndim}-D tensor.")
    return transpose(input, -2, -1)


def _full_transpose(input):
    return permute(input, tuple(reversed(range(input.ndim))))


def _hermitian_transpose(input):
    result = _matrix_transpose(input) if input.ndim >= 2 else input
    return result.conj() if input.dtype.is_complex else result


Tensor.mT = property(_matrix_transpose)
Tensor.T = property(_full_transpose)
Tensor.mH = property(_hermitian_transpose)
Tensor.H = property(_hermitian_transpose)


@tensor_method
def movedim(input, source, destination):
    source = (source,) if isinstance(source, int) else tuple(source)
    destination = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(source) != len(destination):
        raise ArgumentError(f"movedim: Invalid source or destination dims: source ({list(source)}"
                            f" dims) should contain the same number of dims as destination "
                            f"({list(destination)} dims)")
    source = [wrap_dim(d, input.ndim) for d in source]
    destination = [wrap_dim(d, input.ndim) for d in destination]
    order = [d for d in range(input.ndim) if d not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return permute(input, order)


moveaxis = movedim
tensor_method(movedim, name="moveaxis")


class Expand(Primitive):
    def forward(self, xp, a, shape=()):
        return xp.broadcast_to(a, shape)

    def backward(self, grad):
        return grad  # the engine sums the broadcast dims away


@tensor_method
def expand(input, *sizes):
    sizes = list(_shape_argument(sizes))
    if len(sizes) < input.ndim:
        raise ShapeError(f"expand({input.type_name()}{{{list(input.shape)}}}, size={sizes}): the "
                         f"number of sizes provided ({len(sizes)}) must be greater or equal to "
                         f"the number of dimensions in the tensor ({input.ndim})")
    offset = len(sizes) - input.ndim
    for index, size in enumerate(sizes):
        if size == -1:
            if index < offset:
                raise ShapeError("expand: -1 is not allowed in a leading, non-existing dimension")
            sizes[index] = input.shape[index - offset]
        elif index >= offset and input.shape[index - offset] not in (1, size):
            raise ShapeError(f"The expanded size of the tensor ({size}) must match the existing "
                             f"size ({input.shape[index - offset]}) at non-singleton dimension "
                             f"{index}.  Target sizes: {sizes}.  Tensor sizes: "
                             f"{list(input.shape)}")
    shape = tuple(sizes)
    if shape == input._data.shape:
        return view(input, shape)
    result = Expand.apply(input, shape=shape)
    return input._make_view(result, lambda base: base.expand(shape))


@tensor_method
def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_shapes(*shapes):
    try:
        return Size(np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,)
                                         for s in shapes]))
    except ValueError:
        raise ShapeError(f"Shape mismatch: objects cannot be broadcast to a single shape: "
                         f"{[list(s) for s in shapes]}") from None


def broadcast_to(input, size):
    return expand(input, size)


tensor_method(broadcast_to)


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


@tensor_method
def contiguous(input, memory_format=None):
    """``input`` itself if it is contiguous in ``memory_format`` (default row-major), else a
    copy laid out so (differentiable)."""
    if memory_format is None:
        if input._data.flags.c_contiguous:
            return input
        memory_format = contiguous_format
    from .memory_format import is_contiguous_as
    if is_contiguous_as(input._data, memory_format):
        return input
    if memory_format is preserve_format:
        raise ShapeError("preserve memory format is unsupported by the contiguous operator")
    from .elementwise import Clone
    return Clone.apply(input, memory_format=memory_format)


@tensor_method
def narrow(input, dim: int, start, length: int):
    dim = wrap_dim(dim, input.ndim)
    start = int(start)
    size = input.shape[dim]
    if not -size <= start <= size:
        raise TensorIndexError(f"start out of range (expected to be in range of [{-size}, "
                               f"{size}], but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise ArgumentValueError("narrow(): length must be non-negative.")
    if start + length > size:
        raise ArgumentValueError(f"start ({start}) + length ({length}) exceeds dimension size "
                                 f"({size}).")
    key = (slice(None),) * dim + (slice(start, start + length),)
    return input[key]


@tensor_method
def select(input, dim: int, index: int):
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if not -size <= index < size:
        from ..errors import TensorIndexError
        raise TensorIndexError(f"select(): index {index} out of range for tensor of size "
                               f"{list(input.shape)} at dimension {dim}")
    return input[(slice(None),) * dim + (int(index),)]


class Split(Primitive):
    multi_output = True

    def forward(self, xp, a, sizes=(), dim=0):
        self.dim, self.sizes = dim, sizes
        offsets = np.cumsum(sizes)[:-1]
        return tuple(xp.split(a, offsets, axis=dim))

    def backward(self, *grads):
        return Concatenate.apply(*grads, dim=self.dim)


def _split_sizes(input, split_size_or_sections, dim):
    size = input.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size > 0:
            raise ArgumentError(f"split_size can only be 0 if dimension size is 0, but got "
                                f"dimension size of {size}")
        if size == 0:
            return [0]
        return [min(step, size - start) for start in range(0, size, step)]
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != size:
        raise ShapeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                         f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    return sizes


def _split_views(input, sizes, dim):
    pieces = Split.apply(input, sizes=tuple(sizes), dim=dim)
    start = 0
    for piece, size in zip(pieces, sizes):
        key = (slice(None),) * dim + (slice(start, start + size),)
        input._make_view(piece, lambda base, key=key: base[key])
        piece.__dict__["_multi_output_view"] = "SplitBackward0"  # in-place on it is an error
        start += size
    return pieces


@tensor_method
def split(input, split_size_or_sections, dim: int = 0):
    dim = wrap_dim(dim, input.ndim)
    pieces = _split_views(input, _split_sizes(input, split_size_or_sections, dim), dim)
    if not isinstance(split_size_or_sections, int):  # PyTorch's split_with_sizes
        named_as(pieces, "SplitWithSizesBackward0", input)
    return pieces


@tensor_method
def chunk(input, chunks: int, dim: int = 0):
    if chunks <= 0:
        raise ArgumentValueError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    step = -(-size // chunks) if size else 1
    return split(input, step, dim)


class Unbind(Primitive):
    """The slices along ``dim`` as views; their gradients stacked back (zeros for unused
    slices). One node with one output per slice, as PyTorch's UnbindBackward0."""

    multi_output = True

    def forward(self, xp, a, dim=0):
        self.dim = dim
        # the trailing Ellipsis keeps a 0-d slice an array view (not a numpy scalar)
        return tuple(a[(slice(None),) * dim + (index, Ellipsis)] for index in range(a.shape[dim]))

    def backward(self, *grads):
        from .concatenate import stack  # noqa: PLC0415 (concatenate imports this module)
        return stack(grads, self.dim)


@tensor_method
def unbind(input, dim: int = 0):
    dim = wrap_dim(dim, input.ndim)
    if input.shape[dim] == 0:
        return ()
    pieces = Unbind.apply(input, dim=dim)
    for index, piece in enumerate(pieces):
        key = (slice(None),) * dim + (index, Ellipsis)
        input._make_view(piece, lambda base, key=key: base[key])
        piece.__dict__["_multi_output_view"] = "UnbindBackward0"  # in-place on it is an error
    return pieces




def _metadata_inplace(name: str, function):
    """``Tensor.<name>_``: change this tensor's shape/strides in place (``t_``, ``squeeze_``)."""
    def method(self, *args, **kwargs):
        self._check_inplace()
        result = function(self, *args, **kwargs)
        self._data = result._data
        if result.grad_fn is not None:
            self.grad_fn, self._output_nr = result.grad_fn, result._output_nr
            self.requires_grad = True
        if self._base is not None:
            self._view_fn = result._view_fn  # still a view of the same base, reached anew
        return self
    method.__name__ = name + "_"
    method.__doc__ = f"In-place ``{name}`` (a metadata change; the data is not copied)."
    tensor_method(method, name=name + "_")


for _name, _function in (("t", t), ("transpose", transpose), ("swapaxes", transpose),
                         ("swapdims", transpose), ("squeeze", squeeze),
                         ("unsqueeze", unsqueeze)):
    _metadata_inplace(_name, _function)


# cat/stack and friends live in concatenate.py; importers find them here too
from .concatenate import (Concatenate, _one_or_tuple, atleast_1d, atleast_2d,  # noqa: E402,F401
                          cat, concat, concatenate, hstack, stack, vstack)
