"""One time step of the recurrent cells (RNN with tanh or ReLU, LSTM, GRU) and the loop over a
sequence, in differentiable tensor ops, with PyTorch's CPU formulas and operation order.

Each step takes ``input_gates``, the input's contribution ``x W_ih^T + b_ih`` (computed for a
whole sequence at once by the layer, or for one input by the cells), so a step costs one
matrix product with the hidden state. Sequences may shrink over time (packed sequences: the
batch is sorted by decreasing length, ``batch_sizes[t]`` rows are still running at step t).
"""
from __future__ import annotations

from ... import _backend, _ops
from ..._ops.elementwise import sigmoid_into
from ...amp._dispatch import autocast_state
from ...autograd.function import Primitive
from ...tensor import Tensor
from .activation import relu
from .linear import linear

__all__ = ["rnn_tanh_step", "rnn_relu_step", "lstm_step", "gru_step", "run_direction",
           "run_steps", "LSTMGates", "GRUGates", "lstm_cell_arrays", "lstm_cell_gradients"]


def rnn_tanh_step(input_gates: Tensor, hidden: Tensor, weight_hh, bias_hh) -> Tensor:
    """``tanh(h W_hh^T + b_hh + input_gates)``."""
    return (linear(hidden, weight_hh, bias_hh) + input_gates).tanh()


def rnn_relu_step(input_gates: Tensor, hidden: Tensor, weight_hh, bias_hh) -> Tensor:
    """``relu(h W_hh^T + b_hh + input_gates)``."""
    return relu(linear(hidden, weight_hh, bias_hh) + input_gates)


def lstm_cell_arrays(xp, gates, cell):
    """``(h, c', activations, tanh(c'))`` of one LSTM step from its summed ``gates``: the four
    blocks' activations ``i, f, g, o`` (sigmoid, sigmoid, tanh, sigmoid) side by side,
    ``c' = f * c + i * g`` and ``h = o * tanh(c')``, as PyTorch's CPU cell computes them."""
    size = cell.shape[-1]
    # sigmoid of all four blocks, then the cell block's tanh over its share
    activations = sigmoid_into(xp, gates, xp.empty(gates.shape, gates.dtype))
    in_gate, forget_gate, cell_gate, out_gate = (
        activations[:, index * size:(index + 1) * size] for index in range(4))
    xp.tanh(gates[:, 2 * size:3 * size], out=cell_gate)
    new_cell = xp.multiply(forget_gate, cell)
    new_cell += in_gate * cell_gate
    cell_tanh = xp.tanh(new_cell)
    return xp.multiply(out_gate, cell_tanh), new_cell, activations, cell_tanh


def lstm_cell_gradients(activations, cell_tanh, cell, grad_hidden, grad_cell):
    """``(gradient of the gates, gradient of c)`` of one LSTM step from what
    ``lstm_cell_arrays`` returned; either output gradient may be None."""
    size = cell.shape[-1]
    in_gate, forget_gate, cell_gate, out_gate = (
        activations[:, index * size:(index + 1) * size] for index in range(4))
    grads = activations.copy()  # becomes the gates' gradient block by block
    grad_in, grad_forget, grad_cell_gate, grad_out = (
        grads[:, index * size:(index + 1) * size] for index in range(4))
    through_cell = 0 if grad_cell is None else grad_cell
    if grad_hidden is not None:  # d h / d c' = o * (1 - tanh(c')^2)
        through_cell = through_cell + grad_hidden * out_gate * (1 - cell_tanh * cell_tanh)
        grad_out *= 1 - out_gate  # o (1 - o) dh tanh(c')
        grad_out *= grad_hidden * cell_tanh
    else:
        grad_out[...] = 0
    grad_in *= 1 - in_gate  # i (1 - i) g dc
    grad_in *= through_cell * cell_gate
    grad_forget *= 1 - forget_gate
    grad_forget *= through_cell * cell
    grad_cell_gate *= -cell_gate  # (1 - g^2) i dc
    grad_cell_gate += 1
    grad_cell_gate *= through_cell * in_gate
    return grads, through_cell * forget_gate


class LSTMGates(Primitive):
    """The LSTM's elementwise part in one op: ``(gates, c) -> (h, c')`` with
    ``i, f, g, o = sigmoid, sigmoid, tanh, sigmoid`` of the four gate blocks,
    ``c' = f * c + i * g`` and ``h = o * tanh(c')``, as PyTorch's CPU cell computes them."""

    multi_output = True
    saves = (0, 1)

    def forward(self, xp, gates, cell):
        hidden, new_cell, activations, cell_tanh = lstm_cell_arrays(xp, gates, cell)
        if self.needs_grad:
            self.activations, self.cell_tanh = activations, cell_tanh
        return hidden, new_cell

    def backward_arrays(self, grad_hidden, grad_cell):
        """The gradients from the activations kept by forward."""
        if self.activations.dtype.kind != "f" or self.activations.dtype.itemsize < 4:
            return NotImplemented
        return lstm_cell_gradients(self.activations, self.cell_tanh, self.saved[1]._data,
                                   grad_hidden, grad_cell)

    def backward(self, grad_hidden, grad_cell):
        """The same gradients in tensor ops (differentiable again, for ``create_graph``)."""
        gates, cell = self.saved
        in_gate, forget_gate, cell_gate, out_gate = gates.chunk(4, 1)
        in_gate, forget_gate, out_gate = in_gate.sigmoid(), forget_gate.sigmoid(), \
            out_gate.sigmoid()
        cell_gate = cell_gate.tanh()
        cell_tanh = (forget_gate * cell + in_gate * cell_gate).tanh()
        through_cell = grad_cell + grad_hidden * out_gate * (1 - cell_tanh * cell_tanh)
        return _ops.movement.cat([
            through_cell * cell_gate * in_gate * (1 - in_gate),
            through_cell * cell * forget_gate * (1 - forget_gate),
            through_cell * in_gate * (1 - cell_gate * cell_gate),
            grad_hidden * cell_tanh * out_gate * (1 - out_gate)], 1), through_cell * forget_gate


def lstm_step(input_gates: Tensor, hidden: Tensor, cell: Tensor, weight_hh, bias_hh,
              weight_hr=None) -> tuple[Tensor, Tensor]:
    """Gates in PyTorch's order (input, forget, cell, output); returns ``(h, c)``, ``h``
    projected by ``weight_hr`` when the LSTM has ``proj_size``."""
    gates = linear(hidden, weight_hh, bias_hh) + input_gates
    hidden, cell = LSTMGates.apply(gates, cell)
    if weight_hr is not None:
        hidden = linear(hidden, weight_hr)
    return hidden, cell


class GRUGates(Primitive):
    """The GRU's elementwise part in one op: ``(input_gates, hidden_gates, h) -> h'`` with
    ``r, z = sigmoid`` of the summed reset and update blocks, ``n = tanh(i_n + r * h_n)`` and
    ``h' = (h - n) * z + n``, as PyTorch's CPU cell computes them."""

    saves = (0, 1, 2)

    def forward(self, xp, input_gates, hidden_gates, hidden):
        size = hidden.shape[-1]
        gates = xp.add(hidden_gates[:, :2 * size], input_gates[:, :2 * size])
        sigmoid_into(xp, gates, gates)
        reset, update = gates[:, :size], gates[:, size:]
        new = xp.multiply(hidden_gates[:, 2 * size:], reset)
        new += input_gates[:, 2 * size:]
        xp.tanh(new, out=new)
        result = xp.subtract(hidden, new)
        result *= update
        result += new
        if self.needs_grad:
            self.gates, self.new = gates, new
        return result

    def backward_arrays(self, grad):
        gates, new = self.gates, self.new
        if gates.dtype.kind != "f" or gates.dtype.itemsize < 4 or grad.dtype != gates.dtype:
            return NotImplemented
        hidden_gates, hidden = self.saved[1]._data, self.saved[2]._data
        size = hidden.shape[-1]
        reset, update = gates[:, :size], gates[:, size:]
        grad_new = grad * (1 - update)
        grad_new *= 1 - new * new  # through tanh
        grad_input = gates.copy()  # reset and update blocks: sigmoid derivatives, then chain
        grad_input *= 1 - gates
        grad_input[:, :size] *= grad_new * hidden_gates[:, 2 * size:]
        grad_input[:, size:] *= grad * (hidden - new)
        grad_hidden_gates = grad_input.copy()
        grad_input = _concatenate_columns(grad_input, grad_new)
        grad_hidden_gates = _concatenate_columns(grad_hidden_gates, grad_new * reset)
        return grad_input, grad_hidden_gates, grad * update

    def backward(self, grad):
        """The same gradients in tensor ops (differentiable again, for ``create_graph``)."""
        input_gates, hidden_gates, hidden = self.saved
        input_reset, input_update, input_new = input_gates.chunk(3, 1)
        hidden_reset, hidden_update, hidden_new = hidden_gates.chunk(3, 1)
        reset = (hidden_reset + input_reset).sigmoid()
        update = (hidden_update + input_update).sigmoid()
        new = (input_new + hidden_new * reset).tanh()
        grad_new = grad * (1 - update) * (1 - new * new)
        grad_reset = grad_new * hidden_new * reset * (1 - reset)
        grad_update = grad * (hidden - new) * update * (1 - update)
        cat = _ops.movement.cat
        return (cat([grad_reset, grad_update, grad_new], 1),
                cat([grad_reset, grad_update, grad_new * reset], 1), grad * update)


def _concatenate_columns(left, right):
    xp = _backend.array_module(left)
    return xp.concatenate([left, right], axis=1)


def gru_step(input_gates: Tensor, hidden: Tensor, weight_hh, bias_hh) -> Tensor:
    """Reset, update and new gates; ``h' = (h - n) * z + n`` as PyTorch computes it."""
    return GRUGates.apply(input_gates, linear(hidden, weight_hh, bias_hh), hidden)


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
    input_gates = linear(inputs, weight_ih, bias_ih)  # every step's share in one product
    if mode == "LSTM" and weight_hr is None and _fused_layer_applies(input_gates, batch_sizes,
                                                                      initial):
        from .recurrent_layer import LSTMLayer
        outputs, hidden, cell = LSTMLayer.apply(input_gates, initial[0], initial[1], weight_hh,
                                                bias_hh, reverse=reverse)
        return outputs, (hidden, cell)
    return run_steps(mode, input_gates, batch_sizes, initial, (weight_hh, bias_hh, weight_hr),
                     reverse)


def _fused_layer_applies(input_gates: Tensor, batch_sizes: list, initial: tuple) -> bool:
    """Whether a whole layer can run as one primitive: every sequence as long as the batch
    (no packing), float32/float64, outside autocast (whose casts apply per step)."""
    return (bool(batch_sizes) and batch_sizes[-1] == batch_sizes[0] == initial[0].shape[0] > 0
            and input_gates.dtype.name in ("float32", "float64")
            and not autocast_state.active)


def run_steps(mode: str, input_gates: Tensor, batch_sizes: list, initial: tuple,
              step_weights: tuple, reverse: bool) -> tuple[Tensor, tuple]:
    """``run_direction``'s loop, one differentiable step at a time, from the input gates of
    the whole sequence (rows in ``run_direction``'s layout)."""
    # cut into steps by one split (whose backward is one concatenation, where slicing would
    # add a full-size gradient per step)
    input_gates = input_gates.split(batch_sizes)
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
