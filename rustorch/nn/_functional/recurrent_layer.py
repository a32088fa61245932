"""A whole LSTM layer (one direction, every sequence as long as the batch) as one primitive.

Step by step, a layer records six graph nodes per time step, and its backward computes the
hidden-to-hidden weight's gradient as one small product per step, summed by the engine. As one
node, forward runs the same per-step arithmetic (``lstm_cell_arrays``, PyTorch's CPU formulas)
and keeps each step's activations; backward runs back through time on arrays and computes the
weight and bias gradients once, from every step's gate gradients together.

A backward that must itself be differentiable (``create_graph``) or that gets half-precision
gradients runs the layer again step by step under autograd (``run_steps``) and differentiates
that.
"""
from __future__ import annotations

from ... import _backend, autograd
from ...autograd.function import OutputStash, Primitive
from ...autograd.grad_mode import enable_grad
from .recurrent import lstm_cell_arrays, lstm_cell_gradients, run_steps

__all__ = ["LSTMLayer"]


class LSTMLayer(Primitive):
    """``(input_gates, h0, c0, weight_hh, bias_hh) -> (outputs, h_n, c_n)``.

    ``input_gates`` holds ``x W_ih^T + b_ih`` for every step, ``(steps * batch, 4 * hidden)``
    with step t's rows after step t-1's; ``outputs`` has the same row layout. ``reverse`` runs
    from the last step to the first (the backward direction of a bidirectional layer)."""

    multi_output = True
    saves = (0, 1, 2, 3, 4)

    def name(self) -> str:
        return "MkldnnRnnLayerBackward0"  # PyTorch's CPU layer node

    def forward(self, xp, input_gates, hidden, cell, weight_hh, bias_hh=None, reverse=False):
        # the steps' arrays are small: plain numpy (apply picks the threaded one for the large
        # input gates, whose per-call dispatch would cost more than the step's work)
        xp = _backend.array_module(input_gates)
        batch, size = cell.shape
        steps = input_gates.shape[0] // batch if batch else 0
        gates_by_step = input_gates.reshape(steps, batch, 4 * size)
        outputs = xp.empty((steps, batch, size), input_gates.dtype)
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        keep = self.needs_grad
        if keep:  # per processing step: the activations, the cell before, tanh of the cell after
            activations = xp.empty((steps, batch, 4 * size), input_gates.dtype)
            cells = xp.empty((steps, batch, size), input_gates.dtype)
            cell_tanhs = xp.empty((steps, batch, size), input_gates.dtype)
        transposed = weight_hh.T
        for position, time in enumerate(order):
            gates = xp.matmul(hidden, transposed)
            if bias_hh is not None:
                gates += bias_hh
            gates += gates_by_step[time]
            if keep:
                cells[position] = cell
            hidden, cell, step_activations, cell_tanh = lstm_cell_arrays(xp, gates, cell)
            outputs[time] = hidden
            if keep:
                activations[position], cell_tanhs[position] = step_activations, cell_tanh
        if keep:
            self.steps = OutputStash((activations, cells, cell_tanhs, outputs))
            self.reverse = reverse
        return outputs.reshape(steps * batch, size), hidden, cell

    def backward_arrays(self, grad_outputs, grad_hidden, grad_cell):
        activations, cells, cell_tanhs, outputs = self.steps
        weight_hh = self.saved[3]._data
        if any(grad is not None and grad.dtype != weight_hh.dtype
               for grad in (grad_outputs, grad_hidden, grad_cell)):
            return NotImplemented
        steps, batch, size = cells.shape
        order = range(steps - 1, -1, -1) if self.reverse else range(steps)
        if grad_outputs is not None:
            grad_outputs = grad_outputs.reshape(steps, batch, size)
        gate_grads = _backend.array_module(activations).empty_like(activations)
        for position in range(steps - 1, -1, -1):
            time = order[position]
            if grad_outputs is not None:
                grad_hidden = grad_outputs[time] if grad_hidden is None else \
                    grad_hidden + grad_outputs[time]
            step_grads, grad_cell = lstm_cell_gradients(
                activations[position], cell_tanhs[position], cells[position], grad_hidden,
                grad_cell)
            gate_grads[position] = step_grads
            grad_hidden = step_grads @ weight_hh
        initial_hidden = self.saved[1]._data
        # the hidden state each step started from: h0, then the outputs in processing order
        previous = outputs[:0:-1] if self.reverse else outputs[:-1]
        flat_grads = gate_grads.reshape(steps * batch, 4 * size)
        grad_weight = flat_grads[:batch].T @ initial_hidden if steps else None
        if steps > 1:
            grad_weight += flat_grads[batch:].T @ previous.reshape(-1, size)
        by_time = gate_grads[::-1] if self.reverse else gate_grads
        return (by_time.reshape(steps * batch, 4 * size) if self.needs_input_grad(0) else None,
                grad_hidden if self.needs_input_grad(1) else None,
                grad_cell if self.needs_input_grad(2) else None,
                grad_weight if self.needs_input_grad(3) else None,
                flat_grads.sum(0) if self.needs_input_grad(4) else None)

    def backward(self, grad_outputs, grad_hidden, grad_cell):
        """Differentiable again: the layer re-run step by step under autograd."""
        input_gates, hidden, cell, weight_hh, bias_hh = self.saved
        batch = cell.shape[0]
        steps = input_gates.shape[0] // batch if batch else 0
        wanted = [index for index in range(5) if self.needs_input_grad(index)]
        with enable_grad():
            outputs, (last_hidden, last_cell) = run_steps(
                "LSTM", input_gates, [batch] * steps, (hidden, cell),
                (weight_hh, bias_hh, None), self.reverse)
        grads = autograd.grad((outputs, last_hidden, last_cell),
                              [self.saved[index] for index in wanted],
                              (grad_outputs, grad_hidden, grad_cell),
                              create_graph=True, allow_unused=True)
        result = [None] * 5
        for index, grad in zip(wanted, grads):
            result[index] = grad
        return tuple(result)
