"""Joining tensors: ``cat`` (one primitive, promoting dtypes and skipping PyTorch's legacy
empty 1-D inputs), ``stack``, ``hstack``/``vstack`` and ``atleast_1d/2d``."""
from __future__ import annotations

from ..autograd.function import Primitive, named_as, reports_as
from ..errors import ArgumentError, ShapeError
from ..tensor import wrap_dim
from ..amp._dispatch import autocast_call, autocast_state
from ._results import accepts_out

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "atleast_1d",
           "atleast_2d"]


class Concatenate(Primitive):
    def forward(self, xp, *arrays, dim=0, dtype=None, skipped=()):
        self.dim = dim
        # legacy 1-D empty inputs take part in the graph (a zero-size gradient) but not the data
        self.sizes = [None if index in skipped else a.shape[dim] for index, a in enumerate(arrays)]
        arrays = [a for index, a in enumerate(arrays) if index not in skipped]
        if dtype is not None:
            arrays = [a.astype(dtype, copy=False) for a in arrays]
        return xp.concatenate(arrays, axis=dim)

    def backward(self, grad):
        grads = []
        start = 0
        for index, size in enumerate(self.sizes):
            if size is None:
                grads.append(grad.new_zeros((0,)) if self.needs_input_grad(index) else None)
                continue
            if self.needs_input_grad(index):
                grads.append(grad.narrow(self.dim, start, size))
            else:
                grads.append(None)
            start += size
        return tuple(grads)


def cat(tensors, dim: int = 0, *, out=None):
    """Join tensors along an existing dim (1-D empty tensors are skipped, as in PyTorch)."""
    if autocast_state.active:
        return autocast_call(cat, "cat", **locals())
    from .. import dtypes as _dtypes
    tensors = list(tensors)
    if not tensors:
        raise ArgumentError("torch.cat(): expected a non-empty list of Tensors")
    kept = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    reference = kept[0]
    dim = wrap_dim(dim, reference.ndim)
    for index, tensor in enumerate(kept):
        if tensor.ndim != reference.ndim:
            raise ShapeError(f"Tensors must have same number of dimensions: got "
                             f"{reference.ndim} and {tensor.ndim}")
        for axis in range(reference.ndim):
            if axis != dim and tensor.shape[axis] != reference.shape[axis]:
                raise ShapeError(f"Sizes of tensors must match except in dimension {dim}. "
                                 f"Expected size {reference.shape[axis]} but got size "
                                 f"{tensor.shape[axis]} for tensor number {index} in the list.")
    dtype = kept[0].dtype
    for tensor in kept[1:]:
        dtype = _dtypes.promote_types(dtype, tensor.dtype)
    numpy_dtype = None if all(t.dtype is dtype for t in kept) else dtype.numpy
    if len(kept) == len(tensors):
        result = Concatenate.apply(*tensors, dim=dim, dtype=numpy_dtype)
    else:
        kept_ids = {id(t) for t in kept}
        skipped = tuple(index for index, t in enumerate(tensors) if id(t) not in kept_ids)
        result = Concatenate.apply(*tensors, dim=dim, dtype=numpy_dtype, skipped=skipped)
    if out is not None:
        from .elementwise import _maybe_out
        return _maybe_out(result, out)
    return result


concat = concatenate = cat


@reports_as("StackBackward0")
def stack(tensors, dim: int = 0, *, out=None):
    if autocast_state.active:
        return autocast_call(stack, "stack", **locals())
    tensors = list(tensors)
    if not tensors:
        raise ArgumentError("stack expects a non-empty TensorList")
    shape = tensors[0].shape
    for index, tensor in enumerate(tensors):
        if tensor.shape != shape:
            raise ShapeError(f"stack expects each tensor to be equal size, but got "
                             f"{list(shape)} at entry 0 and {list(tensor.shape)} at entry "
                             f"{index}")
    from .movement import unsqueeze
    dim = wrap_dim(dim, len(shape) + 1)
    return cat([unsqueeze(t, dim) for t in tensors], dim, out=out)


@accepts_out
def hstack(tensors, *, out=None):
    tensors = atleast_1d(*tensors) if len(tensors) > 1 else (atleast_1d(tensors[0]),)
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


@accepts_out
def vstack(tensors, *, out=None):
    return cat([atleast_2d(t) for t in tensors], 0)


def _one_or_tuple(tensors, lift):
    """atleast_*d: a sequence argument always gives a tuple, a single tensor a tensor."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(lift(t) for t in tensors[0])
    result = tuple(lift(t) for t in tensors)
    return result[0] if len(result) == 1 else result


def atleast_1d(*tensors):
    return _one_or_tuple(tensors, lambda t: t.reshape(1) if t.ndim == 0 else t)


def _as_2d(tensor):
    if tensor.ndim == 1:  # PyTorch unsqueezes a vector (UnsqueezeBackward0)
        return named_as(tensor.reshape(1, -1), "UnsqueezeBackward0", tensor)
    return tensor.reshape(1, 1) if tensor.ndim == 0 else tensor


def atleast_2d(*tensors):
    return _one_or_tuple(tensors, _as_2d)
