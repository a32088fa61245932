"""Cross entropy with class-index targets on (N, C) logits, as one primitive.

``log_softmax`` followed by ``nll_loss`` makes the (N, C) log-probabilities, gathers from them
and, in backward, scatters into a zero (N, C) array and runs the softmax backward over it: for
a language model's logits that is several passes over the largest array of the step. Here the
forward keeps ``exp(x - max)`` and its row sums, and the gradient is
``(softmax(x) - onehot(t)) * w[t] / W`` in one pass over them.
"""
from __future__ import annotations


from ... import _parallel
from ...autograd.function import Primitive
from ...tensor import Tensor

__all__ = ["fused_cross_entropy"]


class _CrossEntropy(Primitive):
    """``-w[t] * log_softmax(x)[t]`` per row, reduced; ``target`` and ``weights`` are arrays
    (safe indices, and per-row weights that are zero for ignored rows)."""

    saves = (0,)

    def forward(self, xp, x, target=None, weights=None, reduction="mean"):
        maxima = xp.max(x, axis=1, keepdims=True)
        exps = xp.subtract(x, maxima)
        picked = xp.take_along_axis(exps, target[:, None], axis=1)[:, 0]
        xp.exp(exps, out=exps)
        totals = xp.sum(exps, axis=1)
        losses = (xp.log(totals) - picked) * weights
        self.target, self.weights, self.reduction = target, weights, reduction
        if self.needs_grad:  # the backward's softmax is exps / totals: no second exp pass
            self.exps, self.totals = exps, totals
        if reduction == "none":
            return losses
        total = losses.sum(dtype=x.dtype)
        if reduction == "sum":
            return total
        weight_sum = weights.sum(dtype=x.dtype)
        self.scale = weight_sum if weight_sum != 0 else x.dtype.type(1)
        return total / weight_sum  # every row ignored: nan, as PyTorch

    def _coefficients(self):
        """Per-row factor of the gradient, before multiplying by the incoming gradient."""
        if self.reduction == "mean":
            return self.weights / self.scale
        return self.weights

    def backward(self, grad):
        (x,) = self.saved
        coefficients = Tensor._make(self._coefficients().astype(x._data.dtype))
        row_grad = (grad if self.reduction == "none" else grad.expand(x.shape[0])) * \
            coefficients
        probabilities = x.softmax(dim=1)  # differentiable, for double backward
        index = Tensor._make(self.target[:, None])
        onehot = x.new_zeros(x.shape).scatter(1, index, row_grad.unsqueeze(1))
        return probabilities * row_grad.unsqueeze(1) - onehot

    def backward_arrays(self, grad):
        (x,) = self.saved
        xp = _parallel.module_for(self.exps)
        row_grad = self._coefficients().astype(x._data.dtype) * grad
        result = xp.multiply(self.exps, (row_grad / self.totals)[:, None])
        result[xp.arange(result.shape[0]), self.target] -= row_grad
        return (result,)


def fused_cross_entropy(input: Tensor, target_index, weights, reduction: str) -> Tensor:
    """The loss for (N, C) float32/float64 ``input``; see ``_CrossEntropy``."""
    return _CrossEntropy.apply(input, target=target_index, weights=weights,
                               reduction=reduction)
