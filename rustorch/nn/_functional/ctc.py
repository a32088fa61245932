"""Connectionist temporal classification loss (``ctc_loss``), after Graves et al. 2006.

Every target is extended with blanks, ``l' = (blank, l1, blank, l2, ..., blank)``, and the
forward variables ``alpha[t, s]`` (log-probability of the prefixes of ``l'`` ending in state
``s`` after ``t + 1`` steps) are computed for the whole batch and every state at once, one time
step per iteration: ``alpha[t, s] = logsumexp(alpha[t-1, s], alpha[t-1, s-1], alpha[t-1, s-2]
if l'[s] != l'[s-2]) + log_probs[t, l'[s]]``. The loss is ``-log(exp(alpha[T-1, 2L]) +
exp(alpha[T-1, 2L-1]))`` per sample.

The gradient is the one ATen's kernels compute, from the backward variables ``beta`` (eq. 10,
11): ``exp(log_probs) - sum_{s: l'[s] = c} exp(alpha + beta + nll - log_probs)``. That is the
gradient with respect to the logits under a ``log_softmax``; with respect to ``log_probs``
themselves it is off by ``exp(log_probs)`` per step, which ``log_softmax``'s backward removes
(its rows sum to zero). It is kept as PyTorch has it so gradients match, and like PyTorch's it
has no derivative of its own.
"""
from __future__ import annotations

import numpy as np

from ..._ops import elementwise as ew
from ...autograd.function import Primitive
from ...errors import (ArgumentTypeError, AutogradError, DTypeNotImplementedError, ShapeError,
                       TensorIndexError)
from ...tensor import _TORCH_TYPE_NAMES, Tensor
from ._loss_common import resolve_reduction
from ...amp._dispatch import autocast_call, autocast_state

__all__ = ["ctc_loss"]

_CHECKED = "(while checking arguments for ctc_loss_allocate_outputs)"


def _logsumexp3(xp, first, second, third):
    """``log(e^a + e^b + e^c)`` as ATen's CTC kernels compute it: shifted by the maximum, or
    by 0 where all three are -inf (so the result is -inf, not nan)."""
    shift = xp.maximum(xp.maximum(first, second), third)
    shift[shift == -np.inf] = 0
    return xp.log(xp.exp(first - shift) + xp.exp(second - shift) + xp.exp(third - shift)) + shift


def _shifted(xp, rows, by: int):
    """``rows[:, s - by]`` (``by > 0``) or ``rows[:, s + |by|]`` (``by < 0``), -inf off the end."""
    result = xp.full(rows.shape, -np.inf, dtype=rows.dtype)
    if by > 0:
        result[:, by:] = rows[:, :-by]
    else:
        result[:, :by] = rows[:, -by:]
    return result


class _CtcState:
    """What the forward hands to the gradient: extended labels, lengths, alpha, the loss."""

    __slots__ = ("extended", "skip", "input_lengths", "target_lengths", "alpha", "nll",
                 "zero_infinity")


class CtcLoss(Primitive):
    """Per-sample negative log-likelihood of (T, N, C) ``log_probs`` (node ``CtcLossBackward0``).

    ``labels`` (N, L) holds each target padded with blanks to the longest target length L.
    """

    saves = (0,)

    def forward(self, xp, log_probs, labels=None, input_lengths=None, target_lengths=None,
                blank=0, zero_infinity=False):
        steps, batch, _classes = log_probs.shape
        states = 2 * labels.shape[1] + 1
        extended = np.full((batch, states), blank, dtype=np.int64)
        extended[:, 1::2] = labels
        # a state may be entered from two states back unless that one holds the same label
        skip = np.zeros((batch, states), dtype=bool)
        skip[:, 2:] = extended[:, 2:] != extended[:, :-2]
        extended, skip = xp.asarray(extended), xp.asarray(skip)
        lengths, target_lengths = xp.asarray(input_lengths), xp.asarray(target_lengths)
        picked = xp.take_along_axis(log_probs, xp.broadcast_to(extended[None],
                                                               (steps, batch, states)), axis=2)
        alpha = xp.full((steps, batch, states), -np.inf, dtype=log_probs.dtype)
        alpha[0, :, 0] = picked[0, :, 0]
        if states > 1:
            alpha[0, :, 1] = xp.where(target_lengths > 0, picked[0, :, 1], -np.inf)
        for t in range(1, int(lengths.max()) if batch else 0):
            previous = alpha[t - 1]
            from_two_back = xp.where(skip, _shifted(xp, previous, 2), -np.inf)
            alpha[t] = _logsumexp3(xp, previous, _shifted(xp, previous, 1),
                                   from_two_back) + picked[t]
        rows = xp.arange(batch)
        last = xp.maximum(lengths - 1, 0)
        final = alpha[last, rows, 2 * target_lengths]
        before = xp.where(target_lengths > 0,
                          alpha[last, rows, xp.maximum(2 * target_lengths - 1, 0)], -np.inf)
        shift = xp.maximum(final, before)
        shift[shift == -np.inf] = 0
        likelihood = xp.log(xp.exp(final - shift) + xp.exp(before - shift)) + shift
        # no input steps: the empty target has likelihood 1, any other 0
        likelihood = xp.where(lengths == 0, xp.where(target_lengths == 0, 0.0, -np.inf),
                              likelihood).astype(log_probs.dtype, copy=False)
        nll = -likelihood
        if self.needs_grad:
            state = _CtcState()
            state.extended, state.skip, state.alpha, state.nll = extended, skip, alpha, nll
            state.input_lengths, state.target_lengths = lengths, target_lengths
            state.zero_infinity = zero_infinity
            self.state = state
        return nll

    def backward(self, grad):
        log_probs, = self.saved
        return _CtcLossGrad.apply(grad, log_probs, state=self.state)


class _CtcLossGrad(Primitive):
    """The gradient of ``CtcLoss`` for the per-sample output gradient ``grad`` (N,)."""

    def name(self) -> str:
        return "NotImplemented"  # PyTorch's node for a backward without a derivative

    def forward(self, xp, grad, log_probs, state=None):
        steps, batch, classes = log_probs.shape
        extended, skip, alpha = state.extended, state.skip, state.alpha
        lengths, target_lengths, nll = state.input_lengths, state.target_lengths, state.nll
        states = extended.shape[1]
        picked = xp.take_along_axis(log_probs, xp.broadcast_to(extended[None],
                                                               (steps, batch, states)), axis=2)
        rows = xp.arange(batch)
        last = xp.maximum(lengths - 1, 0)
        # beta at each sample's last step: the final blank and the last label
        start = xp.full((batch, states), -np.inf, dtype=log_probs.dtype)
        start[rows, 2 * target_lengths] = picked[last, rows, 2 * target_lengths]
        label_state = xp.maximum(2 * target_lengths - 1, 0)
        start[rows, label_state] = xp.where(target_lengths > 0, picked[last, rows, label_state],
                                            start[rows, label_state])
        skip_ahead = xp.zeros_like(skip)  # l'[s + 2] != l'[s]
        skip_ahead[:, :-2] = skip[:, 2:]
        beta = xp.full((steps, batch, states), -np.inf, dtype=log_probs.dtype)
        for t in range(int(lengths.max()) - 1 if batch else -1, -1, -1):
            if t + 1 < steps:
                following = beta[t + 1]
                from_two_ahead = xp.where(skip_ahead, _shifted(xp, following, -2), -np.inf)
                recursed = _logsumexp3(xp, following, _shifted(xp, following, -1),
                                       from_two_ahead) + picked[t]
            else:
                recursed = start
            beta[t] = xp.where((t == last)[:, None], start,
                               xp.where((t < last)[:, None], recursed, -np.inf))
        # occupation probability of each state, summed per class (eq. 16)
        time = xp.arange(steps)
        inside = (time[:, None] < lengths[None, :])  # (T, N)
        valid = inside[:, :, None] & (xp.arange(states)[None, None, :] <=
                                      2 * target_lengths[None, :, None])
        # ATen sets (not adds) the last label's term at the last step, which drops the final
        # blank's term when a target ends in the blank label itself; the same here
        last_label = extended[rows, label_state]
        overwritten = (target_lengths > 0) & (last_label == extended[rows, 2 * target_lengths])
        final_blank = (time[:, None] == last[None, :])[:, :, None] & \
            (xp.arange(states)[None, None, :] == 2 * target_lengths[None, :, None])
        valid &= ~(final_blank & overwritten[None, :, None])
        occupation = xp.where(valid, xp.exp(alpha + beta + nll[None, :, None] - picked), 0)
        flat = (time[:, None, None] * batch + rows[None, :, None]) * classes + extended[None]
        collected = xp.bincount(flat.ravel(), weights=occupation.ravel().astype(np.float64),
                                minlength=steps * batch * classes)
        collected = collected.reshape(steps, batch, classes).astype(log_probs.dtype)
        # a sample with an infinite or nan loss: nan gradients (PyTorch's exp(-inf + inf)),
        # or zeros with zero_infinity
        broken = ~xp.isfinite(nll)
        collected[:, broken, :] = np.nan
        result = (xp.exp(log_probs) - collected) * grad[None, :, None]
        result = xp.where(inside[:, :, None], result, 0).astype(log_probs.dtype, copy=False)
        if state.zero_infinity:
            result[:, nll == np.inf, :] = 0
        return result

    def backward(self, upstream):
        raise AutogradError("derivative for aten::_ctc_loss_backward is not implemented")


def _lengths(value, name: str) -> list:
    if isinstance(value, Tensor):
        if value.dtype.is_floating_point or value.dtype.is_complex or value.dtype.name == "bool":
            raise ShapeError(f"{name} must be integral")
        return [int(v) for v in np.asarray(value.detach().cpu().numpy()).reshape(-1)]
    return [int(v) for v in value]


def _check_lengths_types(input_lengths, target_lengths) -> None:
    kinds = [isinstance(v, Tensor) for v in (input_lengths, target_lengths)]
    sequences = [isinstance(v, (list, tuple)) for v in (input_lengths, target_lengths)]
    if not (all(kinds) or all(sequences)):
        names = ", ".join(type(v).__name__ if not isinstance(v, Tensor) else "Tensor"
                          for v in (input_lengths, target_lengths))
        raise ArgumentTypeError(
            f"ctc_loss() received an invalid combination of arguments - got (Tensor, Tensor, "
            f"{names}, ...), but expected one of:\n * (Tensor log_probs, Tensor targets, tuple of "
            "ints input_lengths, tuple of ints target_lengths, int blank = 0, int reduction = "
            "at::Reduction::Mean, bool zero_infinity = False)\n * (Tensor log_probs, Tensor "
            "targets, Tensor input_lengths, Tensor target_lengths, int blank = 0, int reduction "
            "= at::Reduction::Mean, bool zero_infinity = False)")


def _padded_labels(targets: Tensor, target_lengths: list, batch: int, classes: int,
                   blank: int) -> np.ndarray:
    """(N, max target length) labels, each padded with blanks (ATen's argument checks)."""
    if targets.ndim not in (1, 2):
        raise ShapeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional tensor "
                         f"for argument #2 'targets' {_CHECKED}")
    for length in target_lengths:
        if length < 0:
            raise ShapeError(f"Expected target_lengths to have value at least 0, but got value "
                             f"{length} {_CHECKED}")
    data = np.asarray(targets.detach().cpu().numpy())
    lengths = np.asarray(target_lengths, dtype=np.int64).reshape(batch)
    longest = int(lengths.max()) if batch else 0
    positions = np.arange(longest)
    used = positions[None, :] < lengths[:, None]
    if targets.ndim == 1:
        if data.shape[0] != int(lengths.sum()):
            raise ShapeError(f"Expected tensor to have size {int(lengths.sum())} at dimension 0, "
                             f"but got size {data.shape[0]} for argument #2 'targets' {_CHECKED}")
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        index = np.minimum(offsets[:, None] + positions[None, :], max(data.shape[0] - 1, 0))
        picked = data[index] if data.shape[0] else np.zeros(index.shape, np.int64)
    else:
        if data.shape[0] != batch:
            raise ShapeError(f"Expected tensor to have size {batch} at dimension 0, but got size "
                             f"{data.shape[0]} for argument #2 'targets' {_CHECKED}")
        if data.shape[1] < longest:
            raise ShapeError(f"Expected tensor to have size at least {longest} at dimension 1, "
                             f"but got size {data.shape[1]} for argument #2 'targets' {_CHECKED}")
        picked = data[:, :longest]
    labels = np.where(used, picked.astype(np.int64), blank)
    outside = (labels < 0) | (labels >= classes)
    if outside.any():
        # PyTorch reads out of bounds here (undefined values); refuse instead
        raise TensorIndexError(f"ctc_loss: target label {int(labels[outside][0])} is out of "
                               f"range for {classes} classes")
    return labels


def _ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int,
              reduction: str, zero_infinity: bool) -> Tensor:
    _check_lengths_types(input_lengths, target_lengths)
    input_list = _lengths(input_lengths, "input_lengths")
    target_list = _lengths(target_lengths, "target_lengths")
    batched = log_probs.ndim == 3
    if not batched:
        log_probs = log_probs.unsqueeze(1)
    if log_probs.dtype.name not in ("float32", "float64"):
        raise DTypeNotImplementedError(
            f"\"ctc_loss_cpu\" not implemented for "
            f"'{_TORCH_TYPE_NAMES.get(log_probs.dtype.name, log_probs.dtype.name)}'")
    if log_probs.numel() == 0:
        raise ShapeError("log_probs tensor must not be empty")
    if log_probs.ndim != 3:
        raise ShapeError(f"Expected 3-dimensional tensor, but got {log_probs.ndim}-dimensional "
                         f"tensor for argument #1 'log_probs' {_CHECKED}")
    if targets.ndim not in (1, 2):
        raise ShapeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional tensor "
                         f"for argument #2 'targets' {_CHECKED}")
    steps, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise ShapeError("blank must be in label range")
    if len(input_list) != batch:
        raise ShapeError("input_lengths must be of size batch_size")
    if len(target_list) != batch:
        raise ShapeError("target_lengths must be of size batch_size")
    labels = _padded_labels(targets, target_list, batch, classes, blank)
    for length in input_list:
        if length < 0:
            raise ShapeError(f"Expected input_lengths to have value at least 0, but got value "
                             f"{length} {_CHECKED}")
        if length > steps:
            raise ShapeError(f"Expected input_lengths to have value at most {steps}, but got "
                             f"value {length} {_CHECKED}")
    loss = CtcLoss.apply(log_probs, labels=labels,
                         input_lengths=np.asarray(input_list, dtype=np.int64),
                         target_lengths=np.asarray(target_list, dtype=np.int64), blank=blank,
                         zero_infinity=zero_infinity)
    if zero_infinity:
        loss = ew.where(loss == float("inf"), loss.new_zeros(()), loss)
    if reduction == "mean":
        divisor = np.maximum(np.asarray(target_list, dtype=np.float64), 1)
        divisor = Tensor._make(loss._xp().asarray(divisor.astype(loss._data.dtype)))
        return (loss / divisor).mean()
    if reduction == "sum":
        return loss.sum()
    return loss if batched else loss.squeeze(0)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The CTC loss of (T, N, C) (or unbatched (T, C)) ``log_probs`` for padded (N, S) or
    concatenated 1-d ``targets``; 'mean' divides each loss by its target length first.

    >>> log_probs = rustorch.randn(50, 16, 20).log_softmax(2)
    >>> targets = rustorch.randint(1, 20, (16, 30))
    >>> lengths = rustorch.full((16,), 50, dtype=rustorch.long)
    >>> ctc_loss(log_probs, targets, lengths, rustorch.full((16,), 30, dtype=rustorch.long))
    """
    if autocast_state.active:
        return autocast_call(ctc_loss, "ctc_loss", **locals())
    reduction = resolve_reduction(reduction)
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction,
                     zero_infinity)


_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def ctc_loss_aten(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths,
                  blank: int = 0, reduction: int = 0, zero_infinity: bool = False) -> Tensor:
    """``torch.ctc_loss``: as ``nn.functional.ctc_loss`` with the reduction as ATen's enum
    (0 none, 1 mean, 2 sum). Its signature shows ``reduction = at::Reduction::Mean``, yet
    torch's binding reads that default as 0: without one the losses are not reduced."""
    if autocast_state.active:
        return autocast_call(ctc_loss_aten, "ctc_loss", **locals())
    if isinstance(reduction, bool) or not isinstance(reduction, int) or \
            reduction not in _REDUCTIONS:
        raise ArgumentTypeError(f"ctc_loss(): argument 'reduction' must be int (0 'none', 1 "
                                f"'mean' or 2 'sum'), not {reduction!r}")
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                     _REDUCTIONS[reduction], zero_infinity)
