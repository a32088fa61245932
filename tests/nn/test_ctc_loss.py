"""ctc_loss / CTCLoss / torch.ctc_loss against torch: padded and concatenated targets, lengths
as tensors or sequences, every reduction, zero_infinity, infinite losses, unbatched input,
argument errors; float64 gradcheck through log_softmax."""
from __future__ import annotations

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck
from tests._oracle import check, check_error, randint, randn, rustorch, to_rustorch, torch
from tests.nn._helpers import from_numpy

REDUCTIONS = ["mean", "sum", "none"]


def F(m):
    return m.nn.functional


def _log_probs(steps, batch, classes, dtype=np.float32, seed=0):
    logits = randn(steps, batch, classes, dtype=np.float64, seed=seed)
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return log_probs.astype(dtype)


# (input lengths, target lengths, padded targets): repeated labels (the skip rule), an input
# too short for its target (an infinite loss), an empty target, an empty input
CASES = {
    "plain": ([8, 8, 8], [3, 2, 4], [[1, 2, 3, 0], [4, 4, 0, 0], [2, 1, 2, 1]]),
    "ragged": ([8, 5, 3, 6], [4, 2, 1, 3], [[1, 1, 2, 2], [3, 3, 0, 0], [4, 0, 0, 0],
                                            [2, 3, 2, 0]]),
    "infinite": ([8, 2, 7], [3, 3, 2], [[1, 2, 3], [1, 1, 1], [3, 3, 0]]),
    "empty": ([8, 0, 4, 0], [2, 0, 0, 1], [[1, 2], [0, 0], [0, 0], [3, 0]]),
}


def _targets(m, padded, target_lengths, concatenated, dtype=np.int64):
    padded = np.asarray(padded, dtype=dtype)
    if concatenated:
        flat = np.concatenate([row[:n] for row, n in zip(padded, target_lengths)])
        return from_numpy(m, flat.astype(dtype))
    return from_numpy(m, padded)


def _lengths(m, values, as_tensor):
    return m.tensor(values) if as_tensor else list(values)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ctc_loss_matches_torch(case, reduction, zero_infinity, dtype):
    input_lengths, target_lengths, padded = CASES[case]
    log_probs = _log_probs(8, len(input_lengths), 5, dtype)
    for concatenated in (False, True):
        for as_tensor in (True, False):
            check(lambda m, x: F(m).ctc_loss(
                x, _targets(m, padded, target_lengths, concatenated),
                _lengths(m, input_lengths, as_tensor), _lengths(m, target_lengths, as_tensor),
                reduction=reduction, zero_infinity=zero_infinity), log_probs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_loss_through_log_softmax(reduction):
    # torch's gradient with respect to log_probs carries an extra exp(log_probs) that
    # log_softmax's backward removes: compare the gradient of the logits too
    targets = randint(1, 7, (4, 6), seed=3)
    lengths = np.array([10, 9, 10, 7])
    target_lengths = np.array([6, 3, 5, 4])
    check(lambda m, x: F(m).ctc_loss(x.log_softmax(2), from_numpy(m, targets),
                                     from_numpy(m, lengths),
                                     from_numpy(m, target_lengths), reduction=reduction),
          randn(10, 4, 7, dtype=np.float64))


def test_ctc_loss_blank_label_and_opinfo_sized_batch():
    targets = randint(0, 19, (16, 30), seed=5)
    target_lengths = randint(10, 30, (16,), seed=6)
    lengths = np.full(16, 50)
    for blank in (0, 19):
        check(lambda m, x: F(m).ctc_loss(x, from_numpy(m, targets),
                                         from_numpy(m, lengths),
                                         from_numpy(m, target_lengths), blank=blank),
              _log_probs(50, 16, 20, np.float64, seed=7))
    # a label equal to the blank inside a target is accepted (and then needs no blank between)
    check(lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 0, 0, 2]]), [6], [4], reduction="none"),
          _log_probs(6, 1, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_loss_unbatched(reduction):
    log_probs = _log_probs(7, 1, 5)[:, 0]
    check(lambda m, x: F(m).ctc_loss(x, m.tensor([1, 2, 2]), m.tensor(7), m.tensor(3),
                                     reduction=reduction), log_probs)
    check(lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2, 2]]), (7,), (3,),
                                     reduction=reduction), log_probs)
    check(lambda m, x: F(m).ctc_loss(x, m.tensor([4]), m.tensor([7]), m.tensor([1]),
                                     reduction=reduction, zero_infinity=True), log_probs)


def test_ctc_loss_target_and_length_dtypes():
    log_probs = _log_probs(6, 2, 4)
    for target_dtype in (np.int32, np.float32):
        check(lambda m, x: F(m).ctc_loss(x, from_numpy(m, np.array([[1, 2], [3, 3]],
                                                                    dtype=target_dtype)),
                                         m.tensor([6, 5], dtype=m.int32),
                                         m.tensor([[2, 1]], dtype=m.int16)), log_probs)


def test_ctc_loss_top_level_and_module():
    log_probs = _log_probs(6, 2, 4)
    targets = np.array([[1, 2], [3, 3]])
    for reduction in (0, 1, 2):
        check(lambda m, x: m.ctc_loss(x, from_numpy(m, targets), m.tensor([6, 4]),
                                      m.tensor([2, 2]), 0, reduction, True), log_probs)
    check(lambda m, x: m.ctc_loss(x, from_numpy(m, targets), [6, 4], [2, 2]), log_probs)
    for kwargs in ({}, dict(blank=3, reduction="sum", zero_infinity=True)):
        torch_module, rust_module = torch.nn.CTCLoss(**kwargs), rustorch.nn.CTCLoss(**kwargs)
        assert repr(rust_module) == repr(torch_module)
        assert (rust_module.blank, rust_module.reduction, rust_module.zero_infinity) == \
            (torch_module.blank, torch_module.reduction, torch_module.zero_infinity)
        check(lambda m, x: (torch_module if m is torch else rust_module)(
            x, from_numpy(m, np.array([[1, 2], [2, 2]])), m.tensor([6, 2]), m.tensor([2, 2])),
              log_probs)
    assert rustorch.nn.CTCLoss.__constants__ == torch.nn.CTCLoss.__constants__


def test_ctc_loss_grad_fn_and_no_double_backward():
    x = to_rustorch(_log_probs(5, 2, 4, np.float64), True)
    loss = F(rustorch).ctc_loss(x, rustorch.tensor([[1, 2], [3, 0]]), [5, 5], [2, 1],
                                reduction="none")
    assert type(loss.grad_fn).__name__ == "CtcLoss" and \
        loss.grad_fn.name() == "CtcLossBackward0"

    def double(m, x):
        loss = F(m).ctc_loss(x, m.tensor([[1, 2], [3, 0]]), [5, 5], [2, 1])
        grad, = m.autograd.grad(loss, x, create_graph=True)
        return m.autograd.grad(grad.sum(), x)
    check_error(lambda m: double(m, m.tensor(_log_probs(5, 2, 4, np.float64),
                                             requires_grad=True)))


def test_ctc_loss_gradcheck_float64():
    logits = to_rustorch(randn(6, 3, 5, dtype=np.float64, seed=11), True)
    targets = rustorch.tensor([[1, 2, 2], [3, 0, 0], [4, 1, 0]])

    def loss(x, reduction):
        return F(rustorch).ctc_loss(x.log_softmax(2), targets, [6, 5, 4], [3, 1, 2],
                                    reduction=reduction)
    for reduction in REDUCTIONS:
        assert gradcheck(lambda x: loss(x, reduction), (logits,))
    flat = rustorch.tensor([1, 2, 2, 3, 4, 1])
    assert gradcheck(lambda x: F(rustorch).ctc_loss(x.log_softmax(2), flat, (6, 5, 4),
                                                    (3, 1, 2), zero_infinity=True), (logits,))


ERROR_CASES = [
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([2, 1]), blank=4),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([2, 1]), blank=-1),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6]), m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([2, 1, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([7, 4]),
                               m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([-1, 4]),
                               m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([-1, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([3, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([1, 2, 3, 3]), m.tensor([6, 4]), m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2]]), m.tensor([6, 4]), m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[[1, 2]]]), m.tensor([6, 4]), m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor(1), m.tensor([6, 4]), m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6.0, 4.0]),
                               m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([True, True])),
    lambda m, x: F(m).ctc_loss(x[None], m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x[0, 0], m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x.half(), m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x[:0], m.tensor([[1, 2], [3, 3]]), m.tensor([0, 0]),
                               m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]),
                               m.tensor([2, 1]), reduction="foo"),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), (6, 4), m.tensor([2, 1])),
    lambda m, x: F(m).ctc_loss(x, m.tensor([[1, 2], [3, 3]]), 6, 2),
    lambda m, x: m.ctc_loss(x, m.tensor([[1, 2], [3, 3]]), m.tensor([6, 4]), m.tensor([2, 1]),
                            0, "sum"),
]


@pytest.mark.parametrize("fn", ERROR_CASES)
def test_ctc_loss_errors(fn):
    log_probs = _log_probs(6, 2, 4)
    check_error(lambda m: fn(m, from_numpy(m, log_probs)))


# CPU autocast: autocast("cpu") leaves CUDA tensors alone in torch, and CUDA has no bfloat16 here.
@pytest.mark.cpu_only
def test_ctc_loss_autocast_runs_in_float32():
    log_probs = _log_probs(6, 2, 4)

    def run(m, x):
        with m.autocast("cpu", dtype=m.bfloat16):
            return (F(m).ctc_loss(x.bfloat16(), m.tensor([[1, 2], [3, 3]]), [6, 4], [2, 2]),
                    m.ctc_loss(x.bfloat16(), m.tensor([[1, 2], [3, 3]]), [6, 4], [2, 2]))
    check(run, log_probs)
