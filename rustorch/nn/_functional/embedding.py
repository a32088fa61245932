"""``embedding`` (a primitive: row gather whose backward scatter-adds into the weight, with
padding_idx and scale_grad_by_freq), ``embedding_bag`` and ``one_hot``."""
from __future__ import annotations

import numpy as np

from ... import dtypes as _dtypes
from ...autograd.function import Primitive
from ...autograd.grad_mode import no_grad
from ...errors import ArgumentError, DTypeError, NotSupportedError, ShapeError
from ...tensor import Tensor
from ._common import ArgumentValueError

__all__ = ["embedding", "embedding_bag", "one_hot"]

_INDEX_DTYPES = ("int64", "int32")


class _Embedding(Primitive):
    """``weight[indices]``; the weight gradient sums the output gradient rows per index."""

    saves = (1,)

    def forward(self, xp, weight, indices, padding_idx=-1, scale_grad_by_freq=False):
        self.padding_idx = padding_idx
        self.scale_grad_by_freq = scale_grad_by_freq
        self.num_embeddings = weight.shape[0]
        return xp.take(weight, indices, axis=0)

    def backward(self, grad):
        (indices,) = self.saved
        flat_indices = indices.reshape(-1)
        rows = grad.reshape(-1, grad.shape[-1])
        if self.padding_idx >= 0:
            keep = (flat_indices != self.padding_idx).to(grad.dtype).unsqueeze(1)
            rows = rows * keep
        if self.scale_grad_by_freq:
            xp = flat_indices._xp()
            counts = xp.bincount(flat_indices._data, minlength=self.num_embeddings)
            frequency = Tensor._make(counts[flat_indices._data].astype(grad._data.dtype))
            rows = rows / frequency.unsqueeze(1)
        zeros = grad.new_zeros((self.num_embeddings, grad.shape[-1]))
        return zeros.index_put((flat_indices,), rows, accumulate=True), None


def _check_indices(input: Tensor, what: str = "indices") -> None:
    if input.dtype.name not in _INDEX_DTYPES:
        raise DTypeError(f"Expected tensor for argument #1 '{what}' to have one of the following "
                         f"scalar types: Long, Int; but got {input.type()} instead (while "
                         "checking arguments for embedding)")


def _wrap_padding_idx(padding_idx, num_embeddings: int) -> int:
    if padding_idx is None:
        return -1
    if padding_idx > 0 and padding_idx >= num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    if padding_idx < 0:
        if padding_idx < -num_embeddings:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = num_embeddings + padding_idx
    return padding_idx


def _renorm_rows(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Rescale, in place, the rows referenced by ``input`` whose norm exceeds ``max_norm``."""
    xp = weight._xp()
    rows = xp.unique(input._data.reshape(-1))
    selected = weight._data[rows].astype(np.float64)
    if norm_type == np.inf:
        norms = xp.abs(selected).max(axis=1)
    else:
        norms = (xp.abs(selected) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    with no_grad():
        weight._data[rows] = (selected * scale[:, None]).astype(weight._data.dtype)
        weight._bump_version()


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` selected by the integer ``input``: output ``input.shape + (dim,)``."""
    if sparse:
        raise NotSupportedError("embedding(sparse=True): sparse gradients are not supported by "
                                "rustorch; use sparse=False")
    _check_indices(input)
    if weight.ndim != 2:
        raise ShapeError(f"'weight' must be 2-D, got {weight.ndim}-D")
    num_embeddings = weight.shape[0]
    padding_idx = _wrap_padding_idx(padding_idx, num_embeddings)
    if input.numel():
        low, high = int(input._data.min()), int(input._data.max())
        if low < 0 or high >= num_embeddings:
            from ...errors import TensorIndexError
            bad = high if high >= num_embeddings else low
            raise TensorIndexError(f"index {bad} is out of bounds for dimension 0 with size "
                                   f"{num_embeddings}")
    if max_norm is not None:
        input = input.contiguous()
        _renorm_rows(weight, input, max_norm, norm_type)
    return _Embedding.apply(weight, input.to(_dtypes.int64), padding_idx=padding_idx,
                            scale_grad_by_freq=scale_grad_by_freq)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: output ``tensor.shape + (num_classes,)``."""
    if tensor.dtype is not _dtypes.int64:
        raise DTypeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = tensor._xp()
    data = tensor._data
    if num_classes == -1:
        if data.size == 0:
            raise ArgumentValueError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    if data.size and int(data.min()) < 0:
        raise ArgumentValueError("Class values must be non-negative.")
    if data.size and int(data.max()) >= num_classes:
        raise ArgumentValueError("Class values must be smaller than num_classes.")
    result = (data[..., None] == xp.arange(num_classes)).astype(np.int64)
    return Tensor._make(result)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxes of bags of embeddings (2-D input: one bag per row; 1-D input:
    bags start at ``offsets``)."""
    if mode not in ("sum", "mean", "max"):
        raise ArgumentError(f"mode has to be one of sum, mean or max, got {mode!r}")
    if per_sample_weights is not None and mode != "sum":
        raise NotSupportedError("embedding_bag: per_sample_weights was not None. "
                                "per_sample_weights is only supported for mode='sum' (got "
                                f"mode='{mode}'). Please open a feature request on GitHub.")
    _check_indices(input, "input")
    xp = input._xp()
    if input.dim() == 2:
        if offsets is not None:
            raise ArgumentError("if input is 2D, then offsets has to be None, as input is treated "
                                "is a mini-batch of fixed length sequences.")
        bags, length = input.shape
        bag_of = xp.repeat(xp.arange(bags), length)
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ArgumentError("offsets has to be a 1D Tensor but got None")
        starts = offsets._data.astype(np.int64)
        if include_last_offset:
            starts = starts[:-1]
        bags = int(starts.shape[0])
        positions = xp.arange(input.shape[0])
        bag_of = xp.searchsorted(starts, positions, side="right") - 1
    else:
        raise ShapeError("input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    padding = _wrap_padding_idx(padding_idx, weight.shape[0])
    rows = embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)
    keep = xp.ones(input.shape[0], dtype=bool) if padding < 0 else input._data != padding
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)
    bag_index = Tensor._make(xp.where(keep, bag_of, bags).astype(np.int64))
    dim = weight.shape[1]
    if mode == "max":
        rows = rows.masked_fill(Tensor._make(~keep).unsqueeze(1), float("-inf")) \
            if not keep.all() else rows
        base = weight.new_full((bags + 1, dim), float("-inf"))
        out = base.scatter_reduce(0, bag_index.unsqueeze(1).expand(-1, dim), rows, "amax")
        out = out[:bags]
        empty = Tensor._make(xp.isinf(out._data) & (out._data < 0))
        return out.masked_fill(empty, 0.0)
    totals = weight.new_zeros((bags + 1, dim)).index_add(0, bag_index, rows)[:bags]
    if mode == "sum":
        return totals
    counts = xp.bincount(bag_index._data, minlength=bags + 1)[:bags]
    counts = Tensor._make(xp.maximum(counts, 1).astype(weight._data.dtype))
    return totals / counts.unsqueeze(1)
