"""Pooling primitives.

A pooling window is described per spatial dim by a ``PoolGeometry`` (kernel, stride, padding,
dilation, output size). Every kernel offset selects one strided slice of the padded input of
output shape, so pools are a short loop over the kernel offsets of vectorized ops:

* ``MaxPool`` keeps a running max and the number of the winning kernel offset, from which
  the flat per-plane indices (PyTorch's ``return_indices`` layout) follow. Its backward
  ``MaxPoolGrad`` routes each gradient to the winning offset (one masked strided write per
  offset); the adjoint ``MaxPoolSelect`` reads it back, and vice versa.
* ``AdaptiveMaxPool`` uses per-dim position tables instead of strided slices; its backward
  ``IndexScatter`` is a bincount over the flat indices (also behind ``max_unpool``), whose
  backward is a gather.
* ``SumPool`` sums the windows (``avg_pool`` multiplies by the reciprocal divisor map); its
  adjoint ``SumPoolTranspose`` adds each grad slice back at the offset, and vice versa.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd.function import Primitive

__all__ = ["PoolGeometry", "MaxPool", "MaxPoolGrad", "MaxPoolSelect", "empty_in_layout",
           "AdaptiveMaxPool", "IndexScatter", "SumPool", "SumPoolTranspose", "pool_output_size",
           "adaptive_bounds"]


def pool_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                     ceil_mode: bool) -> int:
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    # PyTorch drops a last window that would start inside the right padding
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


class PoolGeometry:
    __slots__ = ("kernel_size", "stride", "padding", "dilation", "input_size", "output_size")

    def __init__(self, kernel_size, stride, padding, dilation, input_size, output_size) -> None:
        self.kernel_size = tuple(kernel_size)
        self.stride = tuple(stride)
        self.padding = tuple(padding)
        self.dilation = tuple(dilation)
        self.input_size = tuple(input_size)
        self.output_size = tuple(output_size)

    def padded_size(self) -> tuple:
        """The padded extent that holds every window (ceil_mode may need more on the right)."""
        return tuple(max(size + 2 * p, (out - 1) * s + d * (k - 1) + 1)
                     for size, p, out, s, d, k in zip(self.input_size, self.padding,
                                                      self.output_size, self.stride,
                                                      self.dilation, self.kernel_size))

    def offsets(self):
        return itertools.product(*(range(k) for k in self.kernel_size))

    def window_slice(self, offset) -> tuple:
        return tuple(slice(o * d, o * d + s * (out - 1) + 1, s)
                     for o, d, s, out in zip(offset, self.dilation, self.stride,
                                             self.output_size))

    def interior(self) -> tuple:
        return tuple(slice(p, p + size) for p, size in zip(self.padding, self.input_size))

    def non_overlapping(self) -> bool:
        return all(s >= d * (k - 1) + 1 for s, d, k in
                   zip(self.stride, self.dilation, self.kernel_size))


def _lowest(xp, dtype):
    if np.dtype(dtype).kind == "f" or dtype.name == "bfloat16":
        return -np.inf
    if np.dtype(dtype).kind == "b":
        return False
    return np.iinfo(dtype).min


def empty_in_layout(xp, template, shape, dtype, fill=None):
    """A new array of logical ``shape`` laid out in memory like ``template`` (same rank).

    Keeps channels-last data (the conv output) channels-last through pools and their
    gradients, so no op in the chain pays for a layout change.
    """
    order = sorted(range(template.ndim), key=lambda axis: -template.strides[axis])
    physical = tuple(shape[axis] for axis in order)
    if fill is None:
        array = xp.empty(physical, dtype=dtype)
    elif fill == 0:
        array = xp.zeros(physical, dtype=dtype)  # calloc: cheaper than filling
    else:
        array = xp.full(physical, fill, dtype=dtype)
    inverse = [0] * len(order)
    for position, axis in enumerate(order):
        inverse[axis] = position
    return array.transpose(inverse)


def _axis_order(array) -> tuple:
    """The axes from the slowest to the fastest varying in memory."""
    return tuple(sorted(range(array.ndim), key=lambda axis: -array.strides[axis]))


def _in_layout(xp, array, template):
    """A copy of ``array`` laid out in memory like ``template`` (same rank)."""
    copy = empty_in_layout(xp, template, array.shape, array.dtype)
    copy[...] = array
    return copy


def _padded(xp, x, geometry: PoolGeometry, fill):
    """``x`` inside a buffer of ``geometry.padded_size()`` filled with ``fill`` (or ``x``)."""
    lead = x.shape[:x.ndim - len(geometry.input_size)]
    padded_size = geometry.padded_size()
    if padded_size == geometry.input_size:
        return x
    buffer = empty_in_layout(xp, x, lead + padded_size, x.dtype, fill)
    buffer[(Ellipsis,) + geometry.interior()] = x
    return buffer


def _flat_positions(xp, positions, input_size):
    """Per-dim positions (each of shape out_d) -> flat plane index of shape (*out)."""
    spatial = len(input_size)
    flat = 0
    for d, pos in enumerate(positions):
        shape = [1] * spatial
        shape[d] = -1
        flat = flat + pos.reshape(shape) * math.prod(input_size[d + 1:])
    return xp.asarray(flat, dtype=np.int64)


def _running_max(xp, candidates, with_winner: bool = True):
    """Max over candidate arrays and the number of the first candidate holding it.

    Ties go to the first candidate and NaN wins, like PyTorch's kernels. Without NaN the max
    and winner come from a pairwise tournament: merging two halves takes the later one only
    where it is strictly greater, so the earliest maximum wins (for a 2x2 window: 3 maximum,
    3 greater and 2 where passes, measured 2.1 ms against 5.3 ms for the per-candidate
    scan below on a (64, 16, 28, 28) input). With NaN the winner is rescanned: the smallest
    k with ``candidate_k == max`` or NaN, one ``where`` per candidate from the last.
    """
    candidates = list(candidates)
    if not with_winner:
        best = xp.copy(candidates[0], order="K") if len(candidates) == 1 else \
            xp.maximum(candidates[0], candidates[1])
        for values in candidates[2:]:
            xp.maximum(best, values, out=best)
        return best, None
    winner_dtype = np.int16 if len(candidates) < 2 ** 15 else np.int64
    with np.errstate(invalid="ignore"):  # ml_dtypes' bfloat16 warns on NaN comparisons
        best, winner = _tournament(xp, candidates, winner_dtype)
    if (best.dtype.kind == "f" or best.dtype.name == "bfloat16") and \
            bool(xp.isnan(best).any()):
        winner = xp.zeros_like(best, dtype=winner_dtype)
        for number in range(len(candidates) - 1, -1, -1):
            hit = candidates[number] == best
            hit |= xp.isnan(candidates[number])
            winner = xp.where(hit, winner_dtype(number), winner)
    return best, winner


def _tournament(xp, candidates, winner_dtype):
    """(max, first winning candidate number) by pairwise merges (exact without NaN)."""
    # each entry: (values, winner) with winner a Python int (a single candidate) or an array
    level = [(values, number) for number, values in enumerate(candidates)]
    while len(level) > 1:
        merged = []
        for (first, first_winner), (second, second_winner) in zip(level[0::2], level[1::2]):
            values = xp.maximum(first, second)
            # every array here in the layout of ``values`` (channels-last after a conv):
            # numpy would give the bool mask C order, and mixed layouts make each pass ~4x
            # slower
            later = xp.greater(second, first, out=xp.empty_like(values, dtype=bool))
            if isinstance(first_winner, int) and isinstance(second_winner, int):
                winner = later.astype(winner_dtype)
                if second_winner - first_winner != 1:
                    winner *= winner_dtype(second_winner - first_winner)
                if first_winner:
                    winner += winner_dtype(first_winner)
            else:  # first_winner is an array made by an earlier merge: update it in place
                # winner += later * (second - first): three plain passes, ~20x faster than a
                # masked copyto or where on these layouts
                delta = xp.subtract(second_winner, first_winner, dtype=winner_dtype)
                xp.multiply(delta, later, out=delta)
                winner = xp.add(first_winner, delta, out=first_winner)
            merged.append((values, winner))
        if len(level) % 2:
            merged.append(level[-1])
        level = merged
    best, winner = level[0]
    if isinstance(winner, int):  # a single candidate: copy it, the winner is 0 everywhere
        best = xp.copy(best, order="K")
        winner = xp.zeros_like(best, dtype=winner_dtype)
    return best, winner


def _offset_table(xp, geometry: PoolGeometry):
    """Flat plane offset of every kernel offset (in ``geometry.offsets()`` order)."""
    size = geometry.input_size
    table = [sum(o * d * math.prod(size[axis + 1:])
                 for axis, (o, d) in enumerate(zip(offset, geometry.dilation)))
             for offset in geometry.offsets()]
    return xp.asarray(table, dtype=np.int64)


class MaxPool(Primitive):
    """(values, indices) of a max pool over the trailing ``len(kernel_size)`` dims."""

    multi_output = True
    differentiable_outputs = (0,)

    def forward(self, xp, x, geometry=None, with_indices=True):
        self.geometry, self.input_shape = geometry, x.shape
        padded = _padded(xp, x, geometry, _lowest(xp, x.dtype))
        values, winner = _running_max(
            xp, (padded[(Ellipsis,) + geometry.window_slice(offset)]
                 for offset in geometry.offsets()), self.needs_grad or with_indices)
        if self.needs_grad:
            self.winner = winner
        if not with_indices:  # max_pool without return_indices: skip the index arithmetic
            return values, xp.zeros((0,), dtype=np.int64)
        starts = [xp.arange(out) * s - p for out, s, p in zip(
            geometry.output_size, geometry.stride, geometry.padding)]
        indices = _offset_table(xp, geometry)[winner] + \
            _flat_positions(xp, starts, geometry.input_size)
        return values, indices

    def backward(self, grad, _grad_indices=None):
        from ..tensor import Tensor
        return MaxPoolGrad.apply(grad, Tensor._make(self.winner), geometry=self.geometry)


class MaxPoolGrad(Primitive):
    """Route each output gradient to its window's winning offset (``winner``)."""

    def forward(self, xp, grad, winner, geometry=None):
        self.geometry, self.winner = geometry, winner
        spatial = len(geometry.input_size)
        lead = grad.shape[:grad.ndim - spatial]
        disjoint = geometry.non_overlapping()
        # windows that tile the padded input exactly are all written: no zero fill needed
        tiled = disjoint and geometry.dilation == (1,) * spatial and \
            geometry.stride == geometry.kernel_size and geometry.padded_size() == tuple(
                out * k for out, k in zip(geometry.output_size, geometry.kernel_size))
        # laid out like the forward input (winner follows it), whatever the layout of grad:
        # the next backward ops (ReLU, batch norm) meet the saved forward arrays in it
        buffer = empty_in_layout(xp, winner, lead + geometry.padded_size(), grad.dtype,
                                 None if tiled else 0)
        if _axis_order(grad) != _axis_order(winner):
            # one copy into the winner's layout: each of the per-offset passes below reading
            # mixed layouts costs more (pool 2x2 on (64, 32, 14, 14): 3.0 -> 1.0 ms)
            grad = _in_layout(xp, grad, winner)
        # g * mask is the fastest masked select, but only exact for finite gradients
        finite = grad.dtype.kind != "f" or bool(xp.isfinite(grad).all())
        zero = xp.zeros((), dtype=grad.dtype)
        for number, offset in enumerate(geometry.offsets()):
            target = buffer[(Ellipsis,) + geometry.window_slice(offset)]
            mask = winner == number
            if disjoint:
                if finite:
                    xp.multiply(grad, mask, out=target)
                else:
                    target[...] = xp.where(mask, grad, zero)
            else:
                target += grad * mask if finite else xp.where(mask, grad, zero)
        return buffer[(Ellipsis,) + geometry.interior()]

    def backward(self, upstream):
        from ..tensor import Tensor
        return MaxPoolSelect.apply(upstream, Tensor._make(self.winner),
                                   geometry=self.geometry), None


class MaxPoolSelect(Primitive):
    """The adjoint of ``MaxPoolGrad``: each window's value at its winning offset."""

    def forward(self, xp, upstream, winner, geometry=None):
        self.geometry, self.winner = geometry, winner
        padded = _padded(xp, upstream, geometry, 0)
        result = xp.zeros_like(winner, dtype=upstream.dtype)
        for number, offset in enumerate(geometry.offsets()):
            xp.copyto(result, padded[(Ellipsis,) + geometry.window_slice(offset)],
                      where=winner == number)
        return result

    def backward(self, grad):
        from ..tensor import Tensor
        return MaxPoolGrad.apply(grad, Tensor._make(self.winner), geometry=self.geometry), None


def adaptive_bounds(size: int, out: int):
    """PyTorch's adaptive windows: [floor(i*size/out), ceil((i+1)*size/out))."""
    starts = [(i * size) // out for i in range(out)]
    ends = [-(-((i + 1) * size) // out) for i in range(out)]
    return starts, ends


class AdaptiveMaxPool(Primitive):
    """Adaptive max pool: windows of varying size picked through per-dim position tables."""

    multi_output = True
    differentiable_outputs = (0,)

    def forward(self, xp, x, output_size=()):
        spatial = len(output_size)
        input_size = x.shape[-spatial:]
        self.input_shape, self.spatial = x.shape, spatial
        tables = []
        for size, out in zip(input_size, output_size):
            starts, ends = adaptive_bounds(size, out)
            width = max(e - s for s, e in zip(starts, ends))
            # repeat a window's last element to fill it up to the widest window
            tables.append(np.array([[min(s + j, e - 1) for j in range(width)]
                                    for s, e in zip(starts, ends)], dtype=np.int64))

        offsets = list(itertools.product(*(range(t.shape[1]) for t in tables)))

        def candidates():
            for offset in offsets:
                values = x
                for d, (table, j) in enumerate(zip(tables, offset)):
                    values = xp.take(values, xp.asarray(table[:, j]),
                                     axis=x.ndim - spatial + d)
                yield values
        values, winner = _running_max(xp, candidates())
        # flat plane index of (kernel offset, output position), then pick the winners
        flat_table = xp.stack([
            _flat_positions(xp, [xp.asarray(table[:, j]) for table, j in zip(tables, offset)],
                            input_size) for offset in offsets])
        # open grids made by numpy (CuPy's indices has no sparse=)
        grids = [xp.asarray(grid) for grid in np.indices(tuple(output_size), sparse=True)]
        indices = flat_table[(winner,) + tuple(grids)]
        self.indices = indices
        return values, indices

    def backward(self, grad, _grad_indices=None):
        from ..tensor import Tensor
        return IndexScatter.apply(grad, Tensor._make(self.indices), shape=self.input_shape,
                                  spatial=self.spatial, accumulate=True)


class IndexScatter(Primitive):
    """``out`` of ``shape``, zero except ``out.flatten(-spatial)[..., indices] (+)= grad``.

    ``grad`` and ``indices`` share a shape whose leading dims match ``shape``'s; the indices
    address the trailing ``spatial`` dims flattened (one plane per leading index).
    """

    def forward(self, xp, grad, indices, shape=(), spatial=1, accumulate=True):
        self.indices, self.grad_shape = indices, grad.shape
        planes = math.prod(shape[:len(shape) - spatial])
        plane_size = math.prod(shape[len(shape) - spatial:])
        self.planes, self.plane_size = planes, plane_size
        flat = indices.reshape(planes, -1) + \
            (xp.arange(planes, dtype=np.int64) * plane_size)[:, None]
        if accumulate:
            weights = grad.ravel()
            if weights.dtype.kind != "f" or weights.dtype.itemsize < 4:
                weights = weights.astype(np.float64)
            total = xp.bincount(flat.ravel(), weights=weights, minlength=planes * plane_size)
            return total.astype(grad.dtype).reshape(shape)
        result = xp.zeros(planes * plane_size, dtype=grad.dtype)
        result[flat.ravel()] = grad.ravel()
        return result.reshape(shape)

    def backward(self, upstream):
        from ..tensor import Tensor
        indices = Tensor._make(self.indices.reshape(self.planes, -1))
        planes = upstream.reshape(self.planes, self.plane_size)
        return planes.gather(1, indices).reshape(self.grad_shape), None


class SumPool(Primitive):
    """Window sums over zero-padded input: the avg_pool numerator."""

    def forward(self, xp, x, geometry=None):
        self.geometry = geometry
        padded = _padded(xp, x, geometry, 0)
        result = None
        for offset in geometry.offsets():
            window = padded[(Ellipsis,) + geometry.window_slice(offset)]
            result = window.astype(np.float32 if x.dtype.itemsize < 4 else x.dtype) \
                if result is None else result + window
        return result.astype(x.dtype, copy=False)

    def backward(self, grad):
        return SumPoolTranspose.apply(grad, geometry=self.geometry)


class SumPoolTranspose(Primitive):
    """The adjoint of ``SumPool``: every output grad added back over its window."""

    def forward(self, xp, grad, geometry=None):
        self.geometry = geometry
        spatial = len(geometry.input_size)
        lead = grad.shape[:grad.ndim - spatial]
        buffer = xp.zeros(lead + geometry.padded_size(), dtype=grad.dtype)
        for offset in geometry.offsets():
            buffer[(Ellipsis,) + geometry.window_slice(offset)] += grad
        return xp.ascontiguousarray(buffer[(Ellipsis,) + geometry.interior()])

    def backward(self, upstream):
        return SumPool.apply(upstream, geometry=self.geometry)
