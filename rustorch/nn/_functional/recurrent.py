"""One time step of the recurrent cells (RNN with tanh or ReLU, LSTM, GRU) and the loop over a
sequence, in differentiable tensor ops, with PyTorch's CPU formulas and operation order.

Each step takes ``input_gates``, the input's contribution ``x W_ih^T + b_ih`` (computed for a
whole sequence at once by the layer, or for one input by the cells), so a step costs one
matrix product with the hidden state. Sequences may shrink over time (packed sequences: the
batch is sorted by decreasing length, ``batch_sizes[t]`` rows are still running at step t).
"""
from __future__ import annotations

from ... import _ops
from ...tensor import Tensor
from .activation import relu
from .linear import linear

__all__ = ["rnn_tanh_step", "rnn_relu_step", "lstm_step", "gru_step", "run_direction"]


def rnn_tanh_step(input_gates: Tensor, hidden: Tensor, weight_hh, bias_hh) -> Tensor:
    """``tanh(h W_hh^T + b_hh + input_gates)``."""
    return (linear(hidden, weight_hh, bias_hh) + input_gates).tanh()


def rnn_relu_step(input_gates: Tensor, hidden: Tensor, weight_hh, bias_hh) -> Tensor:
    """``relu(h W_hh^T + b_hh + input_gates)``."""
    return relu(linear(hidden, weight_hh, bias_hh) + input_gates)


def lstm_step(input_gates: Tensor, hidden: Tensor, cell: Tensor, weight_hh, bias_hh,
              weight_hr=None) -> tuple[Tensor, Tensor]:
    """Gates in PyTorch's order (input, forget, cell, output); returns ``(h, c)``, ``h``
    projected by ``weight_hr`` when the LSTM has ``proj_size``."""
    gates = linear(hidden, weight_hh, bias_hh) + input_gates
    in_gate, forget_gate, cell_gate, out_gate = gates.chunk(4, 1)
    cell = forget_gate.sigmoid() * cell + in_gate.sigmoid() * cell_gate.tanh()
    hidden = out_gate.sigmoid() * cell.tanh()
    if weight_hr is not None:
        hidden = linear(hidden, weight_hr)
    return hidden, cell


def gru_step(input_gates: Tensor, hidden: Tensor, weight_hh, bias_hh) -> Tensor:
    """Reset, update and new gates; ``h' = (h - n) * z + n`` as PyTorch computes it."""
    input_reset, input_update, input_new = input_gates.chunk(3, 1)
    hidden_reset, hidden_update, hidden_new = linear(hidden, weight_hh, bias_hh).chunk(3, 1)
    reset = (hidden_reset + input_reset).sigmoid()
    update = (hidden_update + input_update).sigmoid()
    new = (input_new + hidden_new * reset).tanh()
    return (hidden - new) * update + new


def _step(mode: str, input_gates, state, weights):
    weight_hh, bias_hh, weight_hr = weights
    if mode == "LSTM":
        return lstm_step(input_gates, state[0], state[1], weight_hh, bias_hh, weight_hr)
    step = {"GRU": gru_step, "RNN_TANH": rnn_tanh_step, "RNN_RELU": rnn_relu_step}[mode]
    return (step(input_gates, state[0], weight_hh, bias_hh),)


def run_direction(mode: str, inputs: Tensor, batch_sizes: list, initial: tuple, weights: tuple,
                  reverse: bool) -> tuple[Tensor, tuple]:
    """One layer in one direction over a sequence stored as rows: ``inputs`` is
    ``(sum(batch_sizes), features)``, step t's rows follow step t-1's; ``initial`` holds the
    hidden state (and the LSTM's cell state), each ``(batch_sizes[0], size)``.

    Returns the outputs in the same row layout and the final state of every sequence (the
    state of a sequence that ended early is the one after its last step)."""
    weight_ih, bias_ih, weight_hh, bias_hh, weight_hr = weights
    # every step's share in one product, cut into steps by one split (whose backward is one
    # concatenation, where slicing would add a full-size gradient per step)
    input_gates = linear(inputs, weight_ih, bias_ih).split(batch_sizes)
    step_weights = (weight_hh, bias_hh, weight_hr)
    outputs = []
    if not reverse:
        state, finished = initial, []
        for gates, size in zip(input_gates, batch_sizes):
            if size < state[0].shape[0]:  # sequences that ended: keep their last state
                finished.append(tuple(part[size:] for part in state))
                state = tuple(part[:size] for part in state)
            state = _step(mode, gates, state, step_weights)
            outputs.append(state[0])
        if finished:
            state = tuple(_ops.movement.cat([part] + [ended[index] for ended in finished[::-1]])
                          for index, part in enumerate(state))
    else:
        last = batch_sizes[-1] if batch_sizes else 0
        state = tuple(part[:last] for part in initial)
        for gates, size in zip(reversed(input_gates), reversed(batch_sizes)):
            running = state[0].shape[0]
            if size > running:  # sequences that start here (longer ones, sorted first)
                state = tuple(_ops.movement.cat([part, first[running:size]])
                              for part, first in zip(state, initial))
            state = _step(mode, gates, state, step_weights)
            outputs.append(state[0])
        outputs.reverse()
    return _ops.movement.cat(outputs), state
