"""Matrix products: matmul (and ``@``), mm, bmm, mv, dot. More in ``rustorch.linalg``."""
from __future__ import annotations

import math

from ..autograd.function import Primitive, named_as, reports_as
from ..errors import DTypeError, ShapeError
from ..tensor import Tensor, tensor_method
from ..amp._dispatch import autocast_call, autocast_state
from ._results import write_out

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "inner", "addmm"]


class MatMul(Primitive):
    saves = (0, 1)

    def forward(self, xp, a, b):
        if a.ndim > 2 and b.ndim == 2:  # one (rows, k) x (k, m) product: numpy's stacked
            # matmul runs a smaller product per leading index, up to 1.5x slower
            result = xp.matmul(a.reshape(math.prod(a.shape[:-1]), a.shape[-1]), b)
            result = result.reshape(a.shape[:-1] + (b.shape[1],))
        else:
            result = xp.matmul(a, b)
        # ml_dtypes' bfloat16 matmul accumulates in (and returns) float32
        return result if result.dtype == a.dtype else result.astype(a.dtype)

    def backward(self, grad):
        a, b = self.saved
        a_vector, b_vector = a.ndim == 1, b.ndim == 1
        if a_vector and b_vector:  # a dot product: the gradient is 0-d
            return (grad * (b.conj() if b.dtype.is_complex else b)
                    if self.needs_input_grad(0) else None,
                    grad * (a.conj() if a.dtype.is_complex else a)
                    if self.needs_input_grad(1) else None)
        left = a.unsqueeze(0) if a_vector else a
        right = b.unsqueeze(-1) if b_vector else b
        if a_vector:
            grad = grad.unsqueeze(-2)
        if b_vector:
            grad = grad.unsqueeze(-1)
        grad_a = grad_b = None
        if self.needs_input_grad(0):
            grad_a = grad.matmul(right.mT.conj() if right.dtype.is_complex else right.mT)
            if a_vector:
                grad_a = grad_a.squeeze(-2)
        if self.needs_input_grad(1) and left.ndim > 2 and right.ndim == 2:
            # a matrix shared by every leading index: one product over all rows, instead of
            # one per index summed afterwards
            rows = left.reshape(math.prod(left.shape[:-1]), left.shape[-1])
            grad_b = (rows.mT.conj() if rows.dtype.is_complex else rows.mT).matmul(
                grad.reshape(math.prod(grad.shape[:-1]), grad.shape[-1]))
            if b_vector:
                grad_b = grad_b.squeeze(-1)
        elif self.needs_input_grad(1):
            grad_b = (left.mT.conj() if left.dtype.is_complex else left.mT).matmul(grad)
            if b_vector:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b


def _check_matmul(a: Tensor, b: Tensor, op: str) -> None:
    # on the arrays' shape tuples: this runs before every product, small ones included
    shape_a, shape_b = a._data.shape, b._data.shape
    if not shape_a or not shape_b:
        raise ShapeError(f"both arguments to {op} need to be at least 1D, but they are "
                         f"{len(shape_a)}D and {len(shape_b)}D")
    inner_a = shape_a[-1]
    inner_b = shape_b[0] if len(shape_b) == 1 else shape_b[-2]
    if inner_a != inner_b:
        left = f"{shape_a[-2] if len(shape_a) > 1 else 1}x{inner_a}"
        right = f"{inner_b}x{shape_b[-1] if len(shape_b) > 1 else 1}"
        raise ShapeError(f"{op}: mat1 and mat2 shapes cannot be multiplied ({left} and {right}); "
                         f"the last dim of the first ({inner_a}) must match the "
                         f"{'first' if b.ndim == 1 else 'second-to-last'} dim of the second "
                         f"({inner_b})")
    if a._data.dtype != b._data.dtype:
        raise DTypeError(f"{op}: expected m1 and m2 to have the same dtype, but got: "
                         f"{a.dtype.name} != {b.dtype.name}")


@tensor_method
def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch broadcasting of batch dims and 1-D promotion."""
    if autocast_state.active:
        return autocast_call(matmul, "matmul", **locals())
    _check_matmul(input, other, "matmul")
    result = MatMul.apply(input, other)
    shown = _MATMUL_NODE_NAMES.get((min(input.ndim, 3), min(other.ndim, 3)))
    if shown is not None:
        named_as(result, shown)
    return write_out(result, out, "matmul")


# PyTorch's node for a matmul by the operands' dims (3: three or more), the 2-D one's "Mm"
# aside: it reshapes batched products (UnsafeView) and 1-D operands (Squeeze, Dot, Mv).
_MATMUL_NODE_NAMES = {
    (1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4",
    (2, 3): "CloneBackward0", (3, 1): "UnsafeViewBackward0", (1, 3): "UnsafeViewBackward0",
    (3, 2): "UnsafeViewBackward0", (3, 3): "UnsafeViewBackward0",
}


@tensor_method
def mm(input, mat2, *, out=None):
    if autocast_state.active:
        return autocast_call(mm, "mm", **locals())
    if input.ndim != 2 or mat2.ndim != 2:
        raise ShapeError(f"mm: expected 2D tensors, got {input.ndim}D and {mat2.ndim}D")
    return write_out(matmul(input, mat2), out, "mm")


@tensor_method
@reports_as("BmmBackward0")
def bmm(input, mat2, *, out=None):
    if autocast_state.active:
        return autocast_call(bmm, "bmm", **locals())
    if input.ndim != 3 or mat2.ndim != 3:
        raise ShapeError(f"bmm: batch1 must be a 3D tensor and batch2 a 3D tensor, got "
                         f"{input.ndim}D and {mat2.ndim}D")
    if input.shape[0] != mat2.shape[0]:
        raise ShapeError(f"bmm: batch sizes differ ({input.shape[0]} and {mat2.shape[0]})")
    return write_out(matmul(input, mat2), out, "bmm")


@tensor_method
@reports_as("MvBackward0")
def mv(input, vec, *, out=None):
    if autocast_state.active:
        return autocast_call(mv, "mv", **locals())
    if input.ndim != 2 or vec.ndim != 1:
        raise ShapeError(f"mv: expected a 2D matrix and a 1D vector, got {input.ndim}D and "
                         f"{vec.ndim}D")
    return write_out(matmul(input, vec), out, "mv")


@tensor_method
@reports_as("DotBackward0")
def dot(input, tensor, *, out=None):
    if autocast_state.active:
        return autocast_call(dot, "dot", **locals())
    if input.ndim != 1 or tensor.ndim != 1:
        raise ShapeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input.shape[0] != tensor.shape[0]:
        raise ShapeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                         f"[{tensor.shape[0]}] to have the same number of elements, but got "
                         f"{input.shape[0]} and {tensor.shape[0]} elements respectively")
    return write_out(matmul(input, tensor), out, "dot")


@tensor_method
def vdot(input, other, *, out=None):
    if autocast_state.active:
        return autocast_call(vdot, "vdot", **locals())
    return write_out(dot(input.conj() if input.dtype.is_complex else input, other), out, "vdot")


@tensor_method
def inner(input, other, *, out=None):
    if input.ndim == 0 or other.ndim == 0:
        return write_out(input * other, out, "inner")
    if autocast_state.active:
        return autocast_call(inner, "inner", **locals())
    result = matmul(input, other.mT if other.ndim > 1 else other) if other.ndim <= 2 and \
        input.ndim <= 2 else (input.unsqueeze(-2) * other).sum(-1)
    return write_out(result, out, "inner")


@tensor_method
def outer(input, vec2, *, out=None):
    return write_out(input.reshape(-1, 1) * vec2.reshape(1, -1), out)


ger = outer
tensor_method(outer, name="ger")


def zero_link(tensor: Tensor) -> Tensor:
    """Zeros shaped like ``tensor`` that still link to it (a zero gradient, as PyTorch gives),
    without propagating its NaN/inf values as ``tensor * 0`` would."""
    if not tensor.requires_grad:
        return tensor.new_zeros(tensor.shape)
    from .elementwise import where
    always = Tensor._make(tensor._xp().ones((), dtype=bool))
    return where(always, tensor.new_zeros(()), tensor)


def scaled_sum(input, product, beta, alpha):
    """``beta * input + alpha * product`` with PyTorch's rules for the scalars."""
    if not (product.dtype.is_floating_point or product.dtype.is_complex):
        alpha, beta = int(alpha), int(beta)  # PyTorch truncates the scalars for integer ops
    if alpha != 1:
        product = product * alpha
    if beta == 0:  # PyTorch ignores ``input`` then (NaN in it does not propagate)
        return product + zero_link(input)
    return (input * beta if beta != 1 else input) + product


@tensor_method
@reports_as("AddmmBackward0")
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``."""
    if autocast_state.active:
        return autocast_call(addmm, "addmm", **locals())
    return write_out(scaled_sum(input, mm(mat1, mat2), beta, alpha), out, "addmm")



