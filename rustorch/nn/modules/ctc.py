"""``CTCLoss``: the connectionist temporal classification loss as a module."""
from __future__ import annotations

from ...tensor import Tensor
from .._functional.ctc import ctc_loss
from .loss import _Loss

__all__ = ["CTCLoss"]


class CTCLoss(_Loss):
    """The CTC loss between (T, N, C) log-probabilities and unsegmented target sequences
    (see ``nn.functional.ctc_loss``); ``blank`` is the blank label's class index.

    >>> loss = CTCLoss()
    >>> log_probs = rustorch.randn(50, 16, 20).log_softmax(2)
    >>> targets = rustorch.randint(1, 20, (16, 30))
    >>> lengths = rustorch.full((16,), 50, dtype=rustorch.long)
    >>> loss(log_probs, targets, lengths, rustorch.full((16,), 30, dtype=rustorch.long))
    """

    __constants__ = ["blank", "reduction"]

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths,
                target_lengths) -> Tensor:
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                        self.reduction, self.zero_infinity)
