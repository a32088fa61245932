"""``torch.gradient``: central differences in the interior, one-sided differences of order 1
or 2 at the edges, on a uniform grid (a spacing per dim) or given coordinates; written with
Tensor ops, so it is differentiable."""
from __future__ import annotations

import numbers

from .. import dtypes as _dtypes
from ..errors import (ArgumentTypeError, ArgumentValueError, DTypeError, ShapeError,
                      TensorIndexError)
from ..tensor import Tensor, wrap_dim
from ._helpers import is_scalar
from .math_common import require_tensor
from .movement import cat

__all__ = ["gradient"]


def _gradient_dims(dim, ndim: int) -> tuple:
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
    if ndim == 0 and dims:
        raise TensorIndexError(f"gradient(): dimension specified as {dims[0]} but the tensor "
                               f"has no dimensions")
    wrapped = tuple(wrap_dim(int(d), ndim) for d in dims)
    for index, d in enumerate(wrapped):
        if d in wrapped[:index]:
            raise ArgumentValueError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


def _gradient_spacing(spacing, dims: tuple, dim_given: bool, ndim: int) -> list:
    """One spacing per dim: a number (uniform step) or a 1-D coordinate tensor."""
    if isinstance(spacing, Tensor):
        if spacing.ndim:
            raise ArgumentTypeError("gradient(): coordinate tensors go in a list or tuple, one "
                                    "per dim")
        spacing = spacing.item()
    if spacing is None or is_scalar(spacing):
        return [1 if spacing is None else spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        expected = f"the dim argument's length {len(dims)}" if dim_given else \
            f"self.dim() = {ndim}"
        raise ArgumentValueError(f"torch.gradient expected spacing to be unspecified, a scalar, "
                                 f"or a list of length equal to {expected}, but got a list of "
                                 f"length {len(spacing)}")
    tensors = [isinstance(item, Tensor) for item in spacing]
    if any(tensors) and not all(tensors):
        first = tensors.index(False)
        raise ArgumentTypeError(f"gradient(): expected Tensor as element {first} of spacing, "
                                f"but got {type(spacing[first]).__name__}; give all numbers "
                                f"or all coordinate tensors")
    for item in spacing:
        if isinstance(item, Tensor) and item.ndim != 1:
            raise ShapeError(f"torch.gradient expected each element of spacing to have one "
                             f"dimension, but got an element with {item.ndim} dimensions!")
    return spacing


def _gradient_along(input: Tensor, dim: int, step, edge_order: int) -> Tensor:
    """Central differences along ``dim`` (one-sided at both ends), joined with ``cat``."""
    size = input.shape[dim]

    def part(start: int, length: int = 1) -> Tensor:
        return input.narrow(dim, start, length)

    if isinstance(step, Tensor):
        if step.shape[0] != size:
            raise ShapeError(f"gradient(): the coordinates for dim {dim} have {step.shape[0]} "
                             f"entries but the input has size {size} there; pass one "
                             f"coordinate per element")
        return cat(_coordinate_terms(input, dim, part, size, step, edge_order), dim)
    center = (part(2, size - 2) - part(0, size - 2)) / step / 2
    if edge_order == 1:
        first = (part(1) - part(0)) / step
        last = (part(size - 1) - part(size - 2)) / step
    else:
        first = (part(0) * -1.5 + part(1) * 2 - part(2) * 0.5) / step
        last = (part(size - 3) * 0.5 - part(size - 2) * 2 + part(size - 1) * 1.5) / step
    return cat([first, center, last], dim)


def _coordinate_terms(input, dim, part, size, coordinates, edge_order) -> list:
    """Second-order accurate differences on the non-uniform grid ``coordinates``."""
    steps = coordinates[1:] - coordinates[:-1]
    before, after = steps[:-1], steps[1:]
    shape = [1] * input.ndim
    shape[dim] = -1
    weight_before = (-after / (before * (before + after))).reshape(shape)
    weight_middle = ((after - before) / (before * after)).reshape(shape)
    weight_after = (before / (after * (before + after))).reshape(shape)
    center = weight_before * part(0, size - 2) + weight_middle * part(1, size - 2) \
        + weight_after * part(2, size - 2)
    if edge_order == 1:
        first = (part(1) - part(0)) / steps[0]
        last = (part(size - 1) - part(size - 2)) / steps[-1]
    else:
        h0, h1 = steps[0], steps[1]
        first = -(2 * h0 + h1) / (h0 * (h0 + h1)) * part(0) + (h0 + h1) / (h0 * h1) * part(1) \
            - h0 / (h1 * (h0 + h1)) * part(2)
        h0, h1 = steps[-1], steps[-2]
        last = h0 / (h1 * (h0 + h1)) * part(size - 3) - (h0 + h1) / (h0 * h1) * part(size - 2) \
            + (2 * h0 + h1) / (h0 * (h0 + h1)) * part(size - 1)
    return [first, center, last]


def gradient(input, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:
    """Estimate of the derivative of ``input`` along each of ``dim`` by central differences
    (one-sided of order ``edge_order`` at the ends); ``spacing`` is a step, one step per dim,
    or one 1-D coordinate tensor per dim. Returns one tensor per dim."""
    require_tensor("gradient", "input", 1, input)
    if edge_order not in (1, 2):
        raise ArgumentValueError(f"torch.gradient only supports edge_order=1 and edge_order=2 "
                                 f"(got {edge_order}).")
    if input.dtype is _dtypes.uint8:
        raise DTypeError("torch.gradient does not support uint8 input; cast it first")
    dims = _gradient_dims(dim, input.ndim)
    spacings = _gradient_spacing(spacing, dims, dim is not None, input.ndim)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise ShapeError(f"torch.gradient expected each dimension size to be at least "
                             f"edge_order+1 (dim {d} has size {input.shape[d]}, edge_order is "
                             f"{edge_order})")
    return tuple(_gradient_along(input, d, step, edge_order) for d, step in zip(dims, spacings))
