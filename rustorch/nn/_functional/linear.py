"""``linear`` (a fused primitive: the hot path of every MLP), ``bilinear``, and the distance
functions ``normalize``, ``cosine_similarity``, ``pairwise_distance``, ``pdist``."""
from __future__ import annotations

import math

import numpy as np

from ...amp._dispatch import autocast_call, autocast_state
from ...autograd.function import Primitive, named_as
from ...errors import DTypeError, ShapeError
from ...tensor import Tensor, wrap_dim

__all__ = ["linear", "bilinear", "normalize", "cosine_similarity", "pairwise_distance",
           "pdist"]

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half",
               "bfloat16": "BFloat16", "int64": "Long", "int32": "Int",
               "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


class _Linear(Primitive):
    """``y = x W^T + b`` over any number of leading dims."""

    saves = (0, 1)

    def forward(self, xp, x, weight, bias=None):
        if x.ndim > 2:  # one (rows, in) x (in, out) product: numpy's stacked matmul runs a
            # smaller product per leading index, up to 1.5x slower
            out = xp.matmul(x.reshape(math.prod(x.shape[:-1]), x.shape[-1]), weight.T)
            out = out.reshape(x.shape[:-1] + (weight.shape[0],))
        else:
            out = xp.matmul(x, weight.T)
        if bias is not None:
            if out.dtype == xp.result_type(out, bias) and out.ndim:
                xp.add(out, bias, out=out)  # the product is a fresh buffer: add in place
            else:
                out = out + bias
        return out.astype(x.dtype, copy=False)  # ml_dtypes' bfloat16 matmul yields float32

    def backward(self, grad):
        x, weight = self.saved
        out_features, in_features = weight.shape
        grad_x = grad.matmul(weight) if self.needs_input_grad(0) else None
        grad_weight = grad_bias = None
        flat_grad = grad.reshape(math.prod(grad.shape[:-1]), out_features)
        if self.needs_input_grad(1):
            grad_weight = flat_grad.t().matmul(x.reshape(math.prod(x.shape[:-1]), in_features))
        if self.needs_input_grad(2):
            grad_bias = flat_grad.sum(0)
        return grad_x, grad_weight, grad_bias

    def backward_arrays(self, grad):
        x, weight = (tensor._data for tensor in self.saved)
        if not grad.dtype == x.dtype == weight.dtype or grad.dtype.itemsize < 4:
            return NotImplemented  # half types: numpy's matmul promotes; the Tensor path casts
        out_features, in_features = weight.shape
        flat_grad = grad.reshape(math.prod(grad.shape[:-1]), out_features)
        flat_x = x.reshape(math.prod(x.shape[:-1]), in_features)
        return ((flat_grad @ weight).reshape(x.shape) if self.needs_input_grad(0) else None,
                flat_grad.T @ flat_x if self.needs_input_grad(1) else None,
                flat_grad.sum(0) if self.needs_input_grad(2) else None)


def _type_name(tensor: Tensor) -> str:
    return _TYPE_NAMES.get(tensor.dtype.name, tensor.dtype.name)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``; weight is ``(out_features, in_features)``."""
    if autocast_state.active:
        return autocast_call(linear, "linear", **locals())
    if weight.ndim != 2 or input.ndim == 0:
        if weight.ndim == 1 and input.ndim >= 1:  # torch allows a vector weight: a dot product
            out = input.matmul(weight)
            return out + bias if bias is not None else out
        raise ShapeError("linear: expected a 2-D weight and an input with at least 1 dim, got "
                         f"weight {list(weight.shape)} and input {list(input.shape)}")
    if input.dtype is not weight.dtype or (bias is not None and bias.dtype is not input.dtype):
        other = weight if input.dtype is not weight.dtype else bias
        raise DTypeError(f"mat1 and mat2 must have the same dtype, but got {_type_name(input)} "
                         f"and {_type_name(other)}")
    if input.shape[-1] != weight.shape[1]:
        rows = input.numel() // input.shape[-1] if input.shape[-1] else 0
        if input.ndim == 1:
            raise ShapeError(f"size mismatch, got input ({input.shape[0]}), mat "
                             f"({weight.shape[0]}x{weight.shape[1]}), vec ({input.shape[0]})")
        raise ShapeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} "
                         f"and {weight.shape[1]}x{weight.shape[0]})")
    if bias is not None and bias.ndim > 0 and bias.shape[-1] not in (1, weight.shape[0]):
        raise ShapeError(f"linear: bias of shape {list(bias.shape)} doesn't match "
                         f"out_features={weight.shape[0]}")
    result = _Linear.apply(input, weight, bias)
    # PyTorch's node: addmm/mm for a matrix, their reshaped forms otherwise
    dims = min(input.ndim, 3)
    return named_as(result, _LINEAR_NODE_NAMES[dims, bias is not None])


_LINEAR_NODE_NAMES = {
    (1, False): "SqueezeBackward4", (1, True): "AddBackward0",
    (2, False): "MmBackward0", (2, True): "AddmmBackward0",
    (3, False): "UnsafeViewBackward0", (3, True): "ViewBackward0",
}


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``y_k = x1^T W_k x2 + b_k``; weight is ``(out, in1, in2)``."""
    if autocast_state.active:
        return autocast_call(bilinear, "bilinear", **locals())
    if weight.ndim != 3:
        raise ShapeError(f"bilinear(): weight must be 3-D, got {weight.ndim}-D")
    out_features, in1, in2 = weight.shape
    if input1.shape[-1] != in1 or input2.shape[-1] != in2:
        raise ShapeError(f"bilinear(): input sizes {list(input1.shape)} and {list(input2.shape)} "
                         f"don't match weight {list(weight.shape)}")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise ShapeError("bilinear(): input batch dimensions don't match: "
                         f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    projected = input1.matmul(weight.permute(1, 0, 2).reshape(in1, out_features * in2))
    projected = projected.reshape(tuple(input1.shape[:-1]) + (out_features, in2))
    out = (projected * input2.unsqueeze(-2)).sum(-1)
    return out + bias if bias is not None else out


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``."""
    denominator = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denominator
    if out is not None:
        out.copy_(result)
        return out
    return result


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``."""
    if autocast_state.active:
        return autocast_call(cosine_similarity, "cosine_similarity", **locals())
    ndim = max(x1.ndim, x2.ndim)
    dim = wrap_dim(dim, ndim)
    x1, x2 = x1.broadcast_to(_broadcast_shape(x1, x2)), x2.broadcast_to(_broadcast_shape(x1, x2))

    def clamped_norm(x):
        norm = x.norm(2, dim, keepdim=True)
        # PyTorch clamps the norms in place under no_grad: the clamp is invisible to autograd
        return norm + (norm.clamp_min(eps) - norm).detach()

    return ((x1 / clamped_norm(x1)) * (x2 / clamped_norm(x2))).sum(dim)


def _broadcast_shape(a: Tensor, b: Tensor) -> tuple:
    return tuple(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim."""
    ndim = max(x1.ndim, x2.ndim)
    difference = x1 - x2 + eps
    if ndim == 0:
        return difference.abs()
    return difference.norm(p, -1, keepdim=keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distances between all pairs of rows (upper triangle, row-major)."""
    if autocast_state.active:
        return autocast_call(pdist, "pdist", **locals())
    if input.ndim != 2:
        raise ShapeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    rows, cols = np.triu_indices(input.shape[0], 1)
    left = input[Tensor._make(rows.astype(np.int64))]
    right = input[Tensor._make(cols.astype(np.int64))]
    return (left - right).norm(p, -1)
