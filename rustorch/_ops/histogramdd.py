"""``torch.histogramdd``: counts (or weights) of N-dimensional points in a grid of bins.

The points are the rows of ``input`` (its last dim has the N coordinates; leading dims are
flattened). Each dimension has its own increasing bin edges, given or spaced evenly over the
data's (or ``range``'s) extent; each bin holds its left edge, the last bin its right edge too,
and points outside every bin (or with a NaN coordinate) are not counted. PyTorch defines no
derivative: outputs of inputs that require grad require grad, and their backward raises.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .. import dtypes as _dtypes
from .._linspace import linspace_values
from ..errors import ArgumentTypeError, DTypeNotImplementedError, ShapeError, TensorIndexError
from ..return_types import namedtuple_result
from ..tensor import _TORCH_TYPE_NAMES, Tensor
from .copy_variants import NotDifferentiable
from .slice_sums import ufunc_at

__all__ = ["histogramdd"]

_FLOATING = (_dtypes.float32, _dtypes.float64)


def _type_name(dtype) -> str:
    return _TORCH_TYPE_NAMES.get(dtype.name, dtype.name).lower()


def _bin_counts(bins, dims: int) -> list:
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer, list, tuple)):
        raise ArgumentTypeError(f"histogramdd(): argument 'bins' must be an int, a sequence of "
                                f"ints or a sequence of Tensors, not {type(bins).__name__}")
    counts = [bins] * dims if not isinstance(bins, (list, tuple)) else list(bins)
    try:
        return [operator.index(count) for count in counts]
    except TypeError:
        raise ArgumentTypeError("histogramdd(): argument 'bins' must be an int, a sequence of "
                                "ints or a sequence of Tensors") from None


def _outer_edges(points, dims: int, range_) -> list:
    """(leftmost, rightmost) edge per dimension from ``range`` or the data, widened by a half
    on each side when they coincide (as numpy, so no bin has zero width)."""
    if range_ is not None:
        range_ = [float(value) for value in range_]
        if len(range_) != 2 * dims:
            raise ShapeError(f"torch.histogramdd: for a {dims}-dimensional histogram range "
                             f"should have {2 * dims} elements, but got {len(range_)}")
        extents = [(range_[2 * dim], range_[2 * dim + 1]) for dim in range(dims)]
    elif points.shape[0]:
        low, high = points.min(axis=0), points.max(axis=0)
        extents = [(float(low[dim]), float(high[dim])) for dim in range(dims)]
    else:
        extents = [(0.0, 1.0)] * dims
    edges = []
    for dim, (low, high) in enumerate(extents):
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ShapeError(f"torch.histogramdd: dimension {dim}'s range [{low:g}, {high:g}] "
                             f"is not finite")
        if low > high:
            raise ShapeError(f"torch.histogramdd: min should not exceed max, but got min "
                             f"{low:g} max {high:g} for dimension {dim}")
        edges.append((low - 0.5, high + 0.5) if low == high else (low, high))
    return edges


def _check_edges(edges: list, input: Tensor) -> None:
    for dim, edge in enumerate(edges):
        if edge.dtype is not input.dtype:
            raise ShapeError(f"torch.histogramdd: input tensor and bins tensors should have the "
                             f"same dtype, but got input with dtype {_type_name(input.dtype)} "
                             f"and bins for dimension {dim} with dtype "
                             f"{_type_name(edge.dtype)}")
        if edge.ndim != 1:
            raise ShapeError(f"torch.histogramdd: bins tensor should have one dimension, but got "
                             f"{edge.ndim} dimensions in the bins tensor for dimension {dim}")
        if edge.numel() == 0:
            raise ShapeError(f"torch.histogramdd: bins tensor should have at least 1 element, "
                             f"but got 0 elements in the bins tensor for dimension {dim}")
        if edge.numel() == 1:
            raise ShapeError(f"torch.histogram(): bins must be > 0, but got 0 for dimension "
                             f"{dim}")


def _count(xp, points, weights, edges: list, density: bool):
    """The histogram of ``points`` (M, N) over the bin ``edges`` (arrays), in their dtype."""
    dtype = points.dtype
    shape = tuple(edge.shape[0] - 1 for edge in edges)
    inside = xp.ones(points.shape[0], dtype=bool)
    flat = xp.zeros(points.shape[0], dtype=np.int64)
    for dim, edge in enumerate(edges):
        coordinate = points[:, dim]
        inside &= (coordinate >= edge[0]) & (coordinate <= edge[-1])  # False for NaN
        position = xp.searchsorted(edge, coordinate, side="right") - 1
        position = xp.clip(position, 0, shape[dim] - 1)  # the last bin holds its right edge
        flat = flat * shape[dim] + position
    if not edges:  # no dimensions: PyTorch's empty product of bins counts nothing
        inside[...] = False
    values = xp.ones(points.shape[0], dtype=dtype) if weights is None else weights
    hist = xp.zeros(math.prod(shape), dtype=dtype)
    ufunc_at(xp, "add", hist, flat[inside], values[inside])
    hist = hist.reshape(shape)
    if density:
        with np.errstate(divide="ignore", invalid="ignore"):  # an empty histogram gives NaN
            hist = hist / hist.sum()
            for dim, edge in enumerate(edges):
                widths = xp.diff(edge).reshape([-1 if axis == dim else 1
                                                for axis in range(len(edges))])
                hist = hist / widths
    return hist.astype(dtype, copy=False)


def histogramdd(input: Tensor, bins, *, range=None, weight=None,  # noqa: A002
                density: bool = False):
    """The multi-dimensional histogram of the rows of ``input`` (shape (..., N)).

    ``bins``: an int (that many equal bins per dimension), N ints, or N 1-D tensors of
    increasing edges. ``range``: ``[min_0, max_0, min_1, max_1, ...]`` for equal bins (default:
    each dimension's data extent). ``weight`` (shape ``input.shape[:-1]``) replaces the count
    of 1 per point; ``density`` divides by the total and by each bin's volume.
    Returns ``torch.return_types.histogramdd(hist, bin_edges)``.

    >>> import rustorch as torch
    >>> points = torch.tensor([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0]])
    >>> torch.histogramdd(points, bins=2).hist.tolist()
    [[1.0, 0.0], [1.0, 1.0]]
    """
    if not isinstance(input, Tensor):
        raise ArgumentTypeError(f"histogramdd(): argument 'input' (position 1) must be Tensor, "
                                f"not {type(input).__name__}")
    if input.ndim == 0:
        raise TensorIndexError("Dimension specified as -1 but tensor has no dimensions")
    if input.dtype not in _FLOATING:
        raise DTypeNotImplementedError(f"\"histogramdd\" not implemented for "
                                       f"'{_TORCH_TYPE_NAMES.get(input.dtype.name)}'")
    if input.ndim < 2:
        raise ShapeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    dims = input.shape[-1]
    given_edges = isinstance(bins, (list, tuple)) and any(isinstance(b, Tensor) for b in bins)
    if given_edges:
        edges = list(bins)
        if not all(isinstance(edge, Tensor) for edge in edges):
            raise ArgumentTypeError("histogramdd(): argument 'bins' must be a sequence of ints "
                                    "or a sequence of Tensors, not a mix")
    else:
        counts = _bin_counts(bins, dims)
    if len(edges if given_edges else counts) != dims:
        raise ShapeError("histogramdd: The size of bins must be equal to the innermost "
                         "dimension of the input.")
    points = input._data.reshape(math.prod(input.shape[:-1]), dims)
    weights = None
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape[:-1]):
            raise ShapeError(f"torch.histogramdd: if weight tensor is provided it should have "
                             f"the same shape as the input tensor excluding its innermost "
                             f"dimension, but got input with shape {list(input.shape)} and "
                             f"weight with shape {list(weight.shape)}")
        if weight.dtype is not input.dtype:
            raise ShapeError(f"torch.histogramdd: if weight tensor is provided, input tensor and "
                             f"weight tensor should have the same dtype, but got "
                             f"input({_type_name(input.dtype)}), and "
                             f"weight({_type_name(weight.dtype)})")
        weights = weight._data.reshape(-1)
    if given_edges:
        _check_edges(edges, input)
        kernel = "_histogramdd_from_bin_tensors"
    else:
        for dim, count in enumerate(counts):
            if count < 0:
                raise ShapeError(f"torch.histogramdd: bins tensor should have at least 1 "
                                 f"element, but got 0 elements in the bins tensor for "
                                 f"dimension {dim}")
            if count == 0:
                raise ShapeError(f"torch.histogram(): bins must be > 0, but got 0 for "
                                 f"dimension {dim}")
        outer = _outer_edges(points, dims, range)
        edges = [NotDifferentiable.apply(
            input, compute=lambda xp_, a, low=low, high=high, count=count: xp_.asarray(
                linspace_values(low, high, count + 1, a.dtype)), op="_histogramdd_bin_edges")
            for (low, high), count in zip(outer, counts)]
        kernel = "_histogramdd_from_bin_cts"
    edge_arrays = [edge._data for edge in edges]
    hist = NotDifferentiable.apply(
        input, weight, *edges,
        compute=lambda xp_, *arrays: _count(xp_, points, weights, edge_arrays, density),
        op=kernel)
    return namedtuple_result("histogramdd", hist, tuple(edges), fields=("hist", "bin_edges"))
