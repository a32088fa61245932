"""``AdaptiveLogSoftmaxWithLoss``: the adaptive softmax of Grave et al. 2016
(https://arxiv.org/abs/1609.04309), composed from Linear layers and ``log_softmax``."""
from __future__ import annotations

import itertools
from collections import namedtuple
from collections.abc import Sequence

from ...errors import ArgumentError, IndexRangeError, ShapeError
from ...tensor import Tensor
from .._functional.activation import log_softmax
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Log-probabilities of the targets under a softmax split into a frequent-class head and
    tail clusters ``[cutoffs[i], cutoffs[i + 1])``.

    The head scores the ``cutoffs[0]`` shortlist classes and one entry per cluster; cluster
    ``i`` projects the input to ``in_features // div_value ** (i + 1)`` features, then to its
    classes, so ``log p(c) = log p_head(cluster) + log p_cluster(c)``. ``forward`` returns
    ``(output, loss)``: the targets' log-probabilities and their mean negation.

    >>> asm = AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs=[5, 10])
    >>> out = asm(rustorch.randn(4, 16), rustorch.tensor([0, 7, 12, 19]))
    >>> out.output.shape, out.loss.shape
    (torch.Size([4]), torch.Size([]))
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device=None,
                 dtype=None) -> None:
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ArgumentError("cutoffs should be a sequence of length larger than 0")
        if cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1 \
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs):
            raise ArgumentError("cutoffs should be a sequence of unique, positive integers "
                                "sorted in an increasing order, where each value is between "
                                "1 and n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(self.in_features, self.head_size, bias=self.head_bias,
                           **factory_kwargs)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(self.in_features // (self.div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(
                Linear(self.in_features, hidden, bias=False, **factory_kwargs),
                Linear(hidden, size, bias=False, **factory_kwargs)))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for projection, output in self.tail:
            projection.reset_parameters()
            output.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        target_dim = target_.dim()
        if target_dim == 1:
            if input_.size(0) != target_.size(0):
                raise ShapeError("Input and target should have the same size in the batch "
                                 "dimension.")
            if input_.dim() != 2:
                raise ShapeError(f"1D target tensor expects 2D input tensors, but found inputs "
                                 f"with size {input_.size()}")
        elif target_dim == 0:
            if input_.dim() != 1:
                raise ShapeError(f"0D target tensor expects 1D input tensors, but found inputs "
                                 f"with size {input_.size()}")
        else:
            raise ShapeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_dim > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        used_rows = 0
        batch_size = target.size(0)
        output = input.new_zeros(batch_size)
        gather_indices = target.new_empty(batch_size)
        bounds = [0] + self.cutoffs
        for i in range(len(bounds) - 1):
            low, high = bounds[i], bounds[i + 1]
            mask = (target >= low) & (target < high)
            rows = mask.nonzero().squeeze()
            if rows.numel() == 0:
                continue
            if i == 0:
                gather_indices.index_copy_(0, rows, target[mask])
            else:
                relative_target = target[mask] - low
                cluster_output = self.tail[i - 1](input.index_select(0, rows))
                gather_indices.index_fill_(0, rows, self.shortlist_size + i - 1)
                cluster_logprob = log_softmax(cluster_output, dim=1)
                local_logprob = cluster_logprob.gather(1, relative_target.unsqueeze(1))
                output.index_copy_(0, rows, local_logprob.squeeze(1))
            used_rows += rows.numel()
        if used_rows != batch_size:
            raise IndexRangeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                                  f"values in range [{target.min().item()}, "
                                  f"{target.max().item()}] were found. ")
        head_logprob = log_softmax(self.head(input), dim=1)
        output += head_logprob.gather(1, gather_indices.unsqueeze(1)).squeeze()
        loss = (-output).mean()
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        """Log-probabilities of all ``n_classes`` from the input and the head's output."""
        out = input.new_empty((head_output.size(0), self.n_classes))
        head_logprob = log_softmax(head_output, dim=1)
        out[:, :self.shortlist_size] = head_logprob[:, :self.shortlist_size]
        for i, (start, stop) in enumerate(itertools.pairwise(self.cutoffs)):
            cluster_logprob = log_softmax(self.tail[i](input), dim=1)
            out[:, start:stop] = cluster_logprob + \
                head_logprob[:, self.shortlist_size + i].unsqueeze(1)
        return out

    def log_prob(self, input: Tensor) -> Tensor:
        """(N, n_classes) log-probabilities of every class."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most probable class of each row: ``log_prob(input).argmax(1)``, computing the
        tail clusters only for rows whose head prediction is not a shortlist class."""
        head_output = self.head(input)
        output = head_output.argmax(dim=1)
        not_in_shortlist = output >= self.shortlist_size
        if not bool(not_in_shortlist.any()):
            return output
        if bool(not_in_shortlist.all()):
            return self._get_full_log_prob(input, head_output).argmax(dim=1)
        log_prob = self._get_full_log_prob(input[not_in_shortlist],
                                           head_output[not_in_shortlist])
        output[not_in_shortlist] = log_prob.argmax(dim=1)
        return output
