"""More shape ops: flips and rolls, repeats and tiles, diagonals and triangles, grids and
stacking helpers. ``diagonal`` is a strided view (see ``strided.py``, which also holds
``unfold`` and ``as_strided``).
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import dtypes as _dtypes
from ..autograd.function import Primitive, named_as, reports_as
from ..errors import ArgumentError, ArgumentTypeError, ShapeError
from ..tensor import Tensor, tensor_method, wrap_dim
from .strided import ViewCopy, ViewScatter, as_strided, diagonal_view  # noqa: F401
from .movement import _one_or_tuple, _shape_argument, cat, hstack, reshape, stack, vstack
from ._results import accepts_out
from .._factory_out import factory

__all__ = ["flip", "fliplr", "flipud", "roll", "rot90", "repeat_interleave", "tile", "diagonal",
           "diag", "diag_embed", "diagflat", "tril", "triu", "tril_indices", "triu_indices",
           "as_strided", "meshgrid", "column_stack", "dstack", "row_stack", "atleast_3d",
           "block_diag", "cartesian_prod", "combinations"]


# ----------------------------------------------------------------- flips and rolls
class Flip(Primitive):
    def forward(self, xp, a, dims=()):
        self.dims = dims
        return xp.flip(a, dims).copy() if dims else a.copy()

    def backward(self, grad):
        return Flip.apply(grad, dims=self.dims)


@tensor_method
def flip(input, *dims, **kwargs):
    """Reverse the order of elements along ``dims`` (a copy, as in PyTorch)."""
    dims = _shape_argument(dims) if dims else _shape_argument((kwargs.pop("dims"),))
    if kwargs:
        raise ArgumentTypeError(f"flip() got unexpected keyword arguments {list(kwargs)}")
    axes = tuple(wrap_dim(d, input.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise ShapeError(f"flip: dims {list(dims)} has a duplicate dimension")
    return Flip.apply(input, dims=axes)


@tensor_method
def fliplr(input):
    if input.ndim < 2:
        raise ShapeError("Input must be >= 2-d.")
    return flip(input, 1)


@tensor_method
def flipud(input):
    if input.ndim < 1:
        raise ShapeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Primitive):
    def forward(self, xp, a, shifts=(), dims=()):
        self.shifts, self.dims = shifts, dims
        return xp.roll(a, shifts, dims)

    def backward(self, grad):
        shifts = -self.shifts if self.dims is None else tuple(-s for s in self.shifts)
        return Roll.apply(grad, shifts=shifts, dims=self.dims)


@tensor_method
def roll(input, shifts, dims=None):
    """Shift elements circularly by ``shifts`` along ``dims`` (flattened when dims is None)."""
    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise ShapeError(f"roll: shifts {list(shifts)} must be a single value when dims is "
                             f"not given")
        return Roll.apply(input, shifts=shifts[0], dims=None)  # numpy rolls the flat order
    dims = (int(dims),) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ShapeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                         f"{len(dims)}")
    dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    return Roll.apply(input, shifts=shifts, dims=dims)


@tensor_method
def rot90(input, k: int = 1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from dims[0] towards dims[1])."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise ShapeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise ShapeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    first, second = wrap_dim(dims[0], input.ndim), wrap_dim(dims[1], input.ndim)
    if first == second:
        raise ShapeError(f"expected rotation dims to be different, but got dim0 = {first} and "
                         f"dim1 = {second}")
    k %= 4
    if k == 1:
        return _own_memory(flip(input, second).transpose(first, second))
    if k == 2:
        return flip(input, first, second)
    if k == 3:
        return _own_memory(flip(input, first).transpose(first, second))
    return input.clone()


def _own_memory(result: Tensor) -> Tensor:
    """Drop the view link to an intermediate nobody else holds: the result is a new tensor
    (non-contiguous, like PyTorch's) rather than a view."""
    result._base = None
    result._view_fn = None
    result._version_counter = [0]
    return result


# ----------------------------------------------------------------- repeats
@tensor_method(name="repeat")
@reports_as("RepeatBackward0")
def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along each dim (leading new dims allowed)."""
    sizes = _shape_argument(sizes)
    if len(sizes) < input.ndim:
        raise ShapeError("Number of dimensions of repeat dims can not be smaller than number "
                         "of dimensions of tensor")
    if any(s < 0 for s in sizes):
        raise ShapeError(f"Trying to create tensor with negative dimension: {list(sizes)}")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    # (1, s0, 1, s1 ...) expanded to (r0, s0, r1, s1 ...): the engine sums the repeats back
    interleaved = tuple(itertools.chain.from_iterable((1, s) for s in shape))
    expanded = tuple(itertools.chain.from_iterable(zip(sizes, shape)))
    result = reshape(reshape(input, interleaved).expand(expanded),
                     tuple(r * s for r, s in zip(sizes, shape)))
    if result._base is not None:  # nothing was repeated: still a copy, as in PyTorch
        result = result.clone()
    return result


@tensor_method
@reports_as("RepeatBackward0")
def tile(input, dims):
    dims = (int(dims),) if isinstance(dims, (int, np.integer)) else tuple(dims)
    dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


@tensor_method
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (an int, or one count per element) along ``dim``.

    With only a tensor of counts, returns ``arange(len(counts))`` repeated by the counts.
    """
    from .indexing_more import index_select
    xp = input._xp()
    if repeats is None:
        if input.ndim != 1 or input.dtype.is_floating_point:
            raise ShapeError("repeat_interleave: repeats must be a 1-D integer tensor")
        index = np.repeat(np.arange(input.shape[0]), input.tolist())
        return Tensor._make(xp.asarray(index, dtype=np.int64))
    if dim is None:
        input = reshape(input, (-1,))
        dim = 0
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim] if input.ndim else 1
    if isinstance(repeats, Tensor):
        if repeats.ndim == 0 or repeats.numel() == 1:
            counts = [int(repeats.item())] * size
        else:
            if repeats.shape[0] != size:
                raise ShapeError(f"repeats must have the same size as input along dim, but got "
                                 f"repeats.size(0) = {repeats.shape[0]} and input.size({dim}) = "
                                 f"{size}")
            counts = repeats.tolist()
    else:
        counts = [int(repeats)] * size
    if any(c < 0 for c in counts):
        raise ShapeError("repeat_interleave: repeats can not be negative")
    index = xp.asarray(np.repeat(np.arange(size, dtype=np.int64), counts))
    if output_size is not None and output_size != index.shape[0]:
        raise ShapeError(f"repeat_interleave: output_size {output_size} doesn't match the "
                         f"total count {index.shape[0]}")
    if input.ndim == 0:
        input = reshape(input, (1,))
    return index_select(input, dim, Tensor._make(index))


# ----------------------------------------------------------------- diagonals and triangles
def _diagonal_dims(input, dim1, dim2, op="diagonal"):
    dim1, dim2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if dim1 == dim2:
        raise ShapeError(f"{op} dimensions cannot be identical {dim1}, {dim2}")
    return dim1, dim2


@tensor_method
def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """The diagonal over ``(dim1, dim2)`` as the last dim of a view of ``input``."""
    dim1, dim2 = _diagonal_dims(input, dim1, dim2)
    offset = int(offset)

    def view(xp, array):
        return diagonal_view(xp, array, offset, dim1, dim2)

    result = named_as(ViewCopy.apply(input, view=view, copy=False), "DiagonalBackward0")
    return input._make_view(result, lambda base: diagonal(base, offset, dim1, dim2))


_diagonal = diagonal  # ``diag`` has a parameter named ``diagonal``


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """A copy of ``input`` with ``src`` written on the diagonal over ``(dim1, dim2)``."""
    dim1, dim2 = _diagonal_dims(input, dim1, dim2)
    offset = int(offset)
    expected = diagonal(input.detach(), offset, dim1, dim2).shape
    if tuple(src.shape) != tuple(expected):
        raise ShapeError(f"diagonal_scatter: expected src to have a size equal to the slice of "
                         f"self. src size = {list(src.shape)}, slice size = {list(expected)}")
    return ViewScatter.apply(input, src.to(input.dtype),
                             view=lambda xp, array: diagonal_view(xp, array, offset, dim1, dim2))


@tensor_method
def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """Tensors whose diagonals over ``(dim1, dim2)`` hold the last dim of ``input``."""
    ndim = input.ndim + 1
    dim1, dim2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if dim1 == dim2:
        raise ShapeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = (input.shape[-1] if input.ndim else 1) + abs(int(offset))
    batch = list(input.shape[:-1])
    shape = []
    for axis in range(ndim):
        shape.append(size if axis in (dim1, dim2) else batch.pop(0))
    source = input if input.ndim else reshape(input, (1,))
    return diagonal_scatter(input.new_zeros(tuple(shape)), source, offset, dim1, dim2)


@tensor_method
@accepts_out(exact_dtype=True)
def diag(input, diagonal: int = 0, *, out=None):
    """A 1-D tensor becomes a 2-D matrix with it on a diagonal; a matrix gives its diagonal."""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return _diagonal(input, diagonal, 0, 1).clone()
    raise ShapeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


@tensor_method
def diagflat(input, offset: int = 0):
    return diag_embed(reshape(input, (-1,)), offset, 0, 1)


class Triangle(Primitive):
    def forward(self, xp, a, diagonal=0, upper=False):
        self.diagonal, self.upper = diagonal, upper
        return xp.triu(a, diagonal) if upper else xp.tril(a, diagonal)

    def backward(self, grad):
        return Triangle.apply(grad, diagonal=self.diagonal, upper=self.upper)


def _triangle(input, diagonal, upper):
    if input.ndim < 2:
        raise ShapeError(f"{'triu' if upper else 'tril'}: input tensor must have at least 2 "
                         f"dimensions")
    return Triangle.apply(input, diagonal=int(diagonal), upper=upper)


@tensor_method
@accepts_out(exact_dtype=True)
@reports_as("TrilBackward0")
def tril(input, diagonal: int = 0, *, out=None):
    """The lower triangle (``j - i <= diagonal``) of the last two dims; zeros elsewhere."""
    return _triangle(input, diagonal, False)


@tensor_method
@accepts_out(exact_dtype=True)
@reports_as("TriuBackward0")
def triu(input, diagonal: int = 0, *, out=None):
    """The upper triangle (``j - i >= diagonal``) of the last two dims; zeros elsewhere."""
    return _triangle(input, diagonal, True)


@tensor_method
def tril_(input, diagonal: int = 0):
    return input._inplace(lambda target: _triangle(target, diagonal, False))


@tensor_method
def triu_(input, diagonal: int = 0):
    return input._inplace(lambda target: _triangle(target, diagonal, True))


def _triangle_indices(row, col, offset, dtype, device, upper):
    from ..creation import _finish
    if row < 0 or col < 0:
        raise ShapeError(f"row and col must be non-negative, got row={row}, col={col}")
    rows, cols = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    array = np.stack([rows, cols]).astype(_dtypes.to_dtype(dtype).numpy) if rows.size else \
        np.zeros((2, 0), dtype=_dtypes.to_dtype(dtype).numpy)
    return _finish(array, None, device, False)


@factory
def tril_indices(row: int, col: int, offset: int = 0, *, dtype=_dtypes.int64, device=None,
                 layout=None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a ``row x col`` matrix, row-major."""
    return _triangle_indices(row, col, offset, dtype, device, False)


@factory
def triu_indices(row: int, col: int, offset: int = 0, *, dtype=_dtypes.int64, device=None,
                 layout=None) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a ``row x col`` matrix, row-major."""
    return _triangle_indices(row, col, offset, dtype, device, True)



# ----------------------------------------------------------------- grids and stacking
def meshgrid(*tensors, indexing: str | None = None):
    """Coordinate grids: output i varies along dim i (``'ij'``) or with dims 0/1 swapped
    (``'xy'``, numpy's default). The outputs are expanded views of the inputs."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    indexing = "ij" if indexing is None else indexing
    if indexing not in ("ij", "xy"):
        raise ShapeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                            f"received: {indexing}")
    for tensor in tensors:
        if tensor.ndim > 1:
            raise ShapeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                             f"got: {tensor.ndim}D")
    tensors = [reshape(t, (-1,)) for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors[0], tensors[1] = tensors[1], tensors[0]
    sizes = tuple(t.shape[0] for t in tensors)
    grids = []
    for axis, tensor in enumerate(tensors):
        shape = [1] * len(tensors)
        shape[axis] = -1
        grids.append(reshape(tensor, tuple(shape)).expand(sizes))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def atleast_3d(*tensors):
    def lift(tensor):
        if tensor.ndim == 0:
            return reshape(tensor, (1, 1, 1))
        if tensor.ndim == 1:
            return reshape(tensor, (1, -1, 1))
        if tensor.ndim == 2:
            return tensor.unsqueeze(-1)
        return tensor
    return _one_or_tuple(tensors, lift)


@accepts_out
def column_stack(tensors, *, out=None):
    columns = [reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in tensors]
    return hstack(columns)


@accepts_out
def dstack(tensors, *, out=None):
    return cat(list(atleast_3d(list(tensors))), 2)


@accepts_out
def row_stack(tensors, *, out=None):
    return vstack(tensors)


def block_diag(*tensors):
    """A block-diagonal matrix with the (at most 2-D) tensors on its diagonal."""
    if not tensors:
        return Tensor._make(np.zeros((1, 0), dtype=_dtypes.get_default_dtype().numpy))
    matrices = []
    for index, tensor in enumerate(tensors):
        if tensor.ndim > 2:
            raise ShapeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                             f"Input {index} has {tensor.ndim} dimensions")
        matrices.append(reshape(tensor, (1, -1) if tensor.ndim == 1 else (1, 1))
                        if tensor.ndim < 2 else tensor)
    dtype = matrices[0].dtype
    for matrix in matrices[1:]:
        dtype = _dtypes.promote_types(dtype, matrix.dtype)
    matrices = [m.to(dtype) for m in matrices]
    total = sum(m.shape[1] for m in matrices)
    rows, left = [], 0
    for matrix in matrices:
        height, width = matrix.shape
        pieces = [matrix.new_zeros((height, left)), matrix,
                  matrix.new_zeros((height, total - left - width))]
        rows.append(cat(pieces, 1))
        left += width
    return cat(rows, 0)


def cartesian_prod(*tensors):
    """All combinations of the 1-D inputs, one per row (like ``itertools.product``)."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(grid, (-1,)) for grid in grids], 1)


def combinations(input, r: int = 2, with_replacement: bool = False):
    """All length-``r`` combinations of the elements of a 1-D tensor, one per row."""
    if input.ndim != 1:
        raise ShapeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise ArgumentError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty((0,))
    chooser = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    index = np.array(list(chooser(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    key = Tensor._make(input._xp().asarray(index))
    return input[key]

