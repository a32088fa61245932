"""Tensor contractions: einsum, tensordot, kron, batched/added matrix products, matrix_power,
trace, cross, cdist.

``einsum`` is one primitive whose backward is again an einsum (so it is differentiable to any
order); the other products are compositions of it and of ``matmul``.
"""
from __future__ import annotations

import string

import numpy as np

from ..autograd.function import Primitive, reports_as
from ..errors import ArgumentError, DTypeError, ShapeError
from ..tensor import Tensor, tensor_method, wrap_dim
from .linalg_core import scaled_sum, zero_link
from ._results import accepts_out
from .sort_select import InvalidArgumentError
from ..amp._dispatch import autocast_call, autocast_state, einsum_op_name

__all__ = ["einsum", "tensordot", "kron", "baddbmm", "addbmm", "addmv", "addr", "chain_matmul",
           "matrix_power", "trace", "cross", "cdist"]

_LETTERS = string.ascii_letters


class Einsum(Primitive):
    """``xp.einsum(equation, *operands)`` with explicit output subscripts, no ellipsis, and
    operands already broadcast to agree on every label's size."""

    saves = None  # set per call: every operand

    def forward(self, xp, *operands, inputs=(), output=""):
        self.inputs, self.output_subscripts = inputs, output
        self.shapes = [operand.shape for operand in operands]
        equation = ",".join(inputs) + "->" + output
        if operands and operands[0].dtype.name == "bfloat16":  # numpy's einsum has no loop for it
            return xp.einsum(equation, *(operand.astype(np.float32) for operand in operands),
                             optimize=len(operands) > 2).astype(operands[0].dtype)
        return xp.einsum(equation, *operands, optimize=len(operands) > 2)

    def backward(self, grad):
        operands = self.saved
        grads = []
        for index, subscripts in enumerate(self.inputs):
            if not self.needs_input_grad(index):
                grads.append(None)
                continue
            others = [(s, o) for i, (s, o) in enumerate(zip(self.inputs, operands)) if i != index]
            grads.append(_einsum_gradient(grad, self.output_subscripts, others, subscripts,
                                          self.shapes[index]))
        return tuple(grads)

    @classmethod
    def apply(cls, *operands, **options):
        # every operand is saved: only known per call, so set it on a per-call subclass value
        cls.saves = tuple(range(len(operands)))
        try:
            return super().apply(*operands, **options)
        finally:
            cls.saves = ()


def _einsum_gradient(grad, output_subscripts, others, target, shape):
    """``d(sum(grad * einsum(...))) / d(operand)`` as an einsum onto ``target``'s subscripts.

    Repeated labels in ``target`` (a diagonal) are produced by contracting with identity
    matrices; labels only ``target`` has (summed away in forward) by a ones vector."""
    available = set(output_subscripts) | {c for s, _ in others for c in s}
    sizes = dict(zip(target, shape))
    used = set(target) | available
    fresh = (c for c in _LETTERS if c not in used)
    terms = [(output_subscripts, grad)] + list(others)
    result_subscripts = []
    seen = set()
    like = grad
    for label in target:
        if label in seen:
            # a second occurrence: a fresh label tied to the first by the identity
            new_label = next(fresh)
            eye = Tensor._make(like._xp().eye(sizes[label], dtype=like._data.dtype))
            terms.append((label + new_label, eye))
            result_subscripts.append(new_label)
            continue
        seen.add(label)
        result_subscripts.append(label)
        if label not in available:
            ones = Tensor._make(like._xp().ones(sizes[label], dtype=like._data.dtype))
            terms.append((label, ones))
            available.add(label)
    inputs = tuple(s for s, _ in terms)
    return Einsum.apply(*[t for _, t in terms], inputs=inputs, output="".join(result_subscripts))


def _parse_equation(equation: str, operands):
    equation = equation.replace(" ", "")
    if "->" in equation:
        left, output = equation.split("->")
        explicit = True
    else:
        left, output, explicit = equation, None, False
    inputs = left.split(",")
    if len(inputs) != len(operands):
        raise InvalidArgumentError("einsum(): more operands were provided than specified in the "
                            "equation" if len(operands) > len(inputs) else
                            "einsum(): fewer operands were provided than specified in the "
                            "equation")
    used = set(c for c in equation if c.isalpha())
    spare = [c for c in _LETTERS if c not in used]
    ellipsis_rank = 0
    for subscripts, operand in zip(inputs, operands):
        named = len(subscripts.replace("...", ""))
        if "..." in subscripts:
            ellipsis_rank = max(ellipsis_rank, operand.ndim - named)
        elif named != operand.ndim:
            raise ShapeError(f"einsum(): the number of subscripts in the equation ({named}) "
                             f"does not match the number of dimensions ({operand.ndim}) for "
                             f"operand {inputs.index(subscripts)}"
                             f"{'' if '...' in subscripts else ' and no ellipsis was given'}")
    ellipsis_labels = "".join(spare[:ellipsis_rank])
    expanded = []
    for subscripts, operand in zip(inputs, operands):
        if "..." in subscripts:
            rank = operand.ndim - len(subscripts.replace("...", ""))
            subscripts = subscripts.replace("...", ellipsis_labels[ellipsis_rank - rank:])
        expanded.append(subscripts)
    if explicit:
        output = output.replace("...", ellipsis_labels)
    else:
        counts = {}
        for subscripts in inputs:
            for c in subscripts.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        output = ellipsis_labels + "".join(sorted(c for c, n in counts.items() if n == 1))
    return expanded, output


def _from_sublists(arguments):
    """einsum(op0, sublist0, op1, sublist1, ..., [output]) -> (equation, operands)."""
    operands, pieces = [], []

    def letters(sublist):
        return "".join("..." if item is Ellipsis else _LETTERS[item] for item in sublist)
    arguments = list(arguments)
    output = None
    if len(arguments) % 2 == 1:
        output = arguments.pop()
    for operand, sublist in zip(arguments[::2], arguments[1::2]):
        operands.append(operand)
        pieces.append(letters(sublist))
    equation = ",".join(pieces) + ("" if output is None else "->" + letters(output))
    return equation, operands


def einsum(equation, *operands) -> Tensor:
    """Sum of products over labelled dims, e.g. ``einsum('bij,bjk->bik', a, b)``.

    Supports ellipsis, implicit output, repeated labels (diagonals) and the sublist format."""
    if not isinstance(equation, str):
        equation, operands = _from_sublists((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if autocast_state.active:
        return autocast_call(einsum, einsum_op_name(equation, operands), equation, *operands)
    dtypes = {operand.dtype for operand in operands}
    if len(dtypes) > 1:
        raise DTypeError(f"einsum(): expected all operands to have the same dtype, got "
                         f"{sorted(d.name for d in dtypes)}")
    inputs, output = _parse_equation(equation, operands)
    # resolve each label's size and broadcast size-1 dims so the primitive sees equal sizes
    sizes = {}
    for subscripts, operand in zip(inputs, operands):
        for label, size in zip(subscripts, operand.shape):
            known = sizes.get(label, 1)
            if size != 1 and known != 1 and size != known:
                raise ShapeError(f"einsum(): operands do not broadcast with remapped shapes "
                                 f"(original->remapped): subscript {label} has size {size} "
                                 f"for one operand and {known} for another")
            sizes[label] = max(size, known) if size != 0 and known != 0 else 0
    prepared = []
    for subscripts, operand in zip(inputs, operands):
        target = [sizes[label] for label in subscripts]
        if list(operand.shape) != target and len(set(subscripts)) == len(subscripts):
            operand = operand.expand(*target)
        prepared.append(operand)
    return Einsum.apply(*prepared, inputs=tuple(inputs), output=output)


@accepts_out(exact_dtype=True)
def tensordot(a, b, dims=2, out=None) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first of ``b`` (or explicit lists)."""
    if autocast_state.active:
        return autocast_call(tensordot, "tensordot", **locals())
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise ArgumentError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a = list(range(a.ndim - dims, a.ndim))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = dims
        if isinstance(dims_a, int):
            dims_a, dims_b = [dims_a], [dims_b]
        dims_a = [wrap_dim(d, a.ndim) for d in dims_a]
        dims_b = [wrap_dim(d, b.ndim) for d in dims_b]
    if len(dims_a) != len(dims_b):
        raise ShapeError("both dimension lists should have same length")
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db] and 1 not in (a.shape[da], b.shape[db]):
            raise ShapeError(f"contracted dimensions need to match, but first has size "
                             f"{a.shape[da]} in dim {da} and second has size {b.shape[db]} "
                             f"in dim {db}")
    labels_a = list(_LETTERS[:a.ndim])
    labels_b = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for da, db in zip(dims_a, dims_b):
        labels_b[db] = labels_a[da]
    output = [c for i, c in enumerate(labels_a) if i not in dims_a] + \
        [c for i, c in enumerate(labels_b) if i not in dims_b]
    return einsum("".join(labels_a) + "," + "".join(labels_b) + "->" + "".join(output), a, b)


@tensor_method
@accepts_out
def kron(input, other, *, out=None) -> Tensor:
    """Kronecker product: ``out[i*m + k, ...] = a[i, ...] * b[k, ...]``."""
    ndim = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (ndim - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (ndim - other.ndim) + tuple(other.shape))
    a_interleaved = a.reshape([s for size in a.shape for s in (size, 1)])
    b_interleaved = b.reshape([s for size in b.shape for s in (1, size)])
    return (a_interleaved * b_interleaved).reshape([x * y for x, y in zip(a.shape, b.shape)])


@tensor_method
@accepts_out(exact_dtype=True)
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    if autocast_state.active:
        return autocast_call(baddbmm, "baddbmm", **locals())
    return scaled_sum(input, batch1.bmm(batch2), beta, alpha)


@tensor_method
@accepts_out(exact_dtype=True)
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``."""
    if autocast_state.active:
        return autocast_call(addbmm, "addbmm", **locals())
    return scaled_sum(input, batch1.bmm(batch2).sum(0), beta, alpha)


@tensor_method
@accepts_out(exact_dtype=True)
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    if autocast_state.active:
        return autocast_call(addmv, "addmv", **locals())
    return scaled_sum(input, mat.mv(vec), beta, alpha)


@tensor_method
@accepts_out
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    if autocast_state.active:
        return autocast_call(addr, "addr", **locals())
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise ShapeError(f"addr: Expected 1-D argument vec1, but got {vec1.ndim}-D")
    return scaled_sum(input, vec1.outer(vec2), beta, alpha)


@accepts_out(exact_dtype=True)
def chain_matmul(*matrices, out=None) -> Tensor:
    """Product of a chain of 2-D matrices (``linalg.multi_dot``)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise ArgumentError("chain_matmul(): Expected one or more matrices")
    result = matrices[0]
    for matrix in matrices[1:]:
        result = result.mm(matrix)
    return result


@tensor_method
@accepts_out(exact_dtype=True)
def matrix_power(input, n: int, *, out=None) -> Tensor:
    """``input`` multiplied by itself ``n`` times (the inverse's powers for negative ``n``)."""
    if input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        raise ShapeError(f"linalg.matrix_power: A must be batches of square matrices, but they "
                         f"are {input.shape[-2] if input.ndim > 1 else input.shape} by "
                         f"{input.shape[-1] if input.ndim else ''} matrices")
    if n == 0:
        eye = Tensor._make(input._xp().eye(input.shape[-1], dtype=input._data.dtype))
        return eye + zero_link(input)
    if n < 0:
        from ..linalg import inv
        input, n = inv(input), -n
    result, base = None, input
    while n:  # square-and-multiply: O(log n) products
        if n & 1:
            result = base if result is None else result.matmul(base)
        n >>= 1
        if n:
            base = base.matmul(base)
    return result


@tensor_method
@reports_as("TraceBackward0")
def trace(input) -> Tensor:
    """Sum of the main diagonal of a 2-D tensor."""
    if autocast_state.active:
        return autocast_call(trace, "trace", **locals())
    if input.ndim != 2:
        raise ShapeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    xp = input._xp()
    size = min(input.shape)
    index = Tensor._make(xp.arange(size, dtype=np.int64))
    return input[index, index].sum()


@tensor_method
@accepts_out(exact_dtype=True)
def cross(input, other, dim=None, *, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (default: the first dim of size 3)."""
    if autocast_state.active:
        return autocast_call(cross, "cross", **locals())
    shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    if input.ndim != other.ndim:
        raise ShapeError(f"linalg.cross: inputs must have the same number of dimensions, got "
                         f"{input.ndim} and {other.ndim}")
    if dim is None:
        candidates = [d for d, size in enumerate(shape) if size == 3]
        if not candidates:
            raise ShapeError(f"no dimension of size 3 in input (shapes {list(input.shape)} "
                             f"and {list(other.shape)})")
        dim = candidates[0]
    return _cross(input, other, dim, shape, "cross")


def _cross(input, other, dim, shape, op):
    dim = wrap_dim(dim, len(shape))
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise ShapeError(f"{op}: inputs dimension {dim} must have length 3. Got "
                         f"{input.shape[dim]} and {other.shape[dim]}")
    input, other = input.expand(*shape), other.expand(*shape)
    a0, a1, a2 = (input.select(dim, i) for i in range(3))
    b0, b1, b2 = (other.select(dim, i) for i in range(3))
    from .movement import stack
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], dim=dim)


@reports_as("CdistBackward0")
def cdist(x1, x2, p: float = 2.0, compute_mode=None) -> Tensor:
    """Pairwise p-norm distances between the rows of ``x1`` and of ``x2``."""
    if autocast_state.active:
        return autocast_call(cdist, "cdist", **locals())
    from .reduce_more import vector_norm_impl
    if x1.ndim < 2 or x2.ndim < 2:
        raise ShapeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(f"X1 and X2 must have the same number of columns. X1: "
                         f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise ArgumentError(f"cdist only supports non-negative p values, got {p}")
    difference = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return vector_norm_impl(difference, p, dim=-1, op="cdist")


# top-level forms of linalg functions (torch.det, torch.svd ...); imported last because
# rustorch.linalg itself imports this module
from ..linalg._legacy import *  # noqa: E402,F401,F403
from ..linalg._legacy import __all__ as _legacy_all  # noqa: E402
from ..linalg._legacy_lu import *  # noqa: E402,F401,F403
from ..linalg._legacy_lu import __all__ as _legacy_lu_all  # noqa: E402
from ..linalg._solvers import *  # noqa: E402,F401,F403
from ..linalg._solvers import __all__ as _solvers_all  # noqa: E402

__all__ = __all__ + _legacy_all + _legacy_lu_all + _solvers_all
