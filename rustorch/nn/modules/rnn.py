"""Recurrent layers ``RNN``, ``LSTM``, ``GRU`` (multi-layer, bidirectional, packed sequences)
and the single-step cells ``RNNCell``, ``LSTMCell``, ``GRUCell``, as ``torch.nn``.

Parameters carry PyTorch's names and shapes (``weight_ih_l0``, ``bias_hh_l1_reverse``,
``weight_hr_l0`` ...) and initialisation (U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))), so
state dicts move between the two frameworks unchanged.
"""
from __future__ import annotations

import math
import numbers
import warnings

from ... import _ops, creation
from ...errors import ArgumentError, ArgumentTypeError, ArgumentValueError, ShapeError
from ...tensor import Tensor
from .. import init
from .._functional import dropout as _dropout
from .._functional import recurrent
from .._functional.linear import linear
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_NAMES = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}


def _check_sizes(input_size, hidden_size, bias) -> None:
    if not isinstance(bias, bool):
        raise ArgumentTypeError(f"bias should be of type bool, got: {type(bias).__name__}")
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ArgumentTypeError(f"{name} should be of type int, got: "
                                    f"{type(value).__name__}")
        if value <= 0:
            raise ArgumentError(f"{name} must be greater than zero")


def _reset_uniform(module: Module) -> None:
    """PyTorch's initialisation of recurrent weights: all U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


class RNNBase(Module):
    """The multi-layer recurrent layer behind ``RNN``, ``LSTM`` and ``GRU``."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ArgumentError("Unrecognized RNN mode: " + str(mode))
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or \
                not 0 <= dropout <= 1:
            raise ArgumentError("dropout should be a number in range [0, 1] representing the "
                                "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(batch_first, bool):
            raise ArgumentTypeError(f"batch_first should be of type bool, got: "
                                    f"{type(batch_first).__name__}")
        _check_sizes(input_size, hidden_size, bias)
        if num_layers <= 0:
            raise ArgumentError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ArgumentError("proj_size should be a positive integer or zero to disable "
                                "projections")
        if proj_size >= hidden_size:
            raise ArgumentError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ArgumentError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size or hidden_size
        directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden_size * directions
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                names = []
                for kind, shape in shapes:
                    setattr(self, kind + suffix,
                            Parameter(creation.empty(*shape, device=device, dtype=dtype)))
                    names.append(kind + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_uniform(self)

    def flatten_parameters(self) -> None:
        """Kept for PyTorch code: weights need no flat buffer here."""

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _layer_weights(self, layer: int, direction: int) -> tuple:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self.__dict__["_parameters"].get
        return (get("weight_ih" + suffix), get("bias_ih" + suffix), get("weight_hh" + suffix),
                get("bias_hh" + suffix), get("weight_hr" + suffix))

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text

    # ------------------------------------------------------------------------- forward
    def _state_sizes(self) -> list[int]:
        sizes = [self.proj_size or self.hidden_size]
        return sizes + [self.hidden_size] if self.mode == "LSTM" else sizes

    def _check_input(self, input: Tensor) -> None:
        weight = self.weight_ih_l0
        if input.dtype is not weight.dtype:
            raise ArgumentError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                                f"({weight.dtype}). Convert input: input.to({weight.dtype}), "
                                f"or convert model: model.to({input.dtype})")
        if input.shape[-1] != self.input_size:
            raise ShapeError(f"input.size(-1) must be equal to input_size. Expected "
                             f"{self.input_size}, got {input.shape[-1]}")

    def _initial_state(self, hx, batch: int, input: Tensor, batched: bool) -> tuple:
        layers = self.num_layers * (2 if self.bidirectional else 1)
        sizes = self._state_sizes()
        if hx is None:
            return tuple(creation.zeros(layers, batch, size, dtype=input.dtype,
                                        device=input.device) for size in sizes)
        parts = tuple(hx) if self.mode == "LSTM" else (hx,)
        wanted = 3 if batched else 2
        if any(part.dim() != wanted for part in parts):
            what = "hx and cx" if self.mode == "LSTM" else "hx"
            got = ", ".join(f"{part.dim()}-D" for part in parts)
            got = f"({got}) tensors" if self.mode == "LSTM" else f"{got} tensor"
            raise ShapeError(f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, "
                             f"{what} should also be {wanted}-D but got {got}")
        if not batched:
            parts = tuple(part.unsqueeze(1) for part in parts)
        for index, (part, size) in enumerate(zip(parts, sizes)):
            expected = (layers, batch, size)
            if tuple(part.shape) != expected:
                which = f"hidden[{index}]" if self.mode == "LSTM" else "hidden"
                raise ShapeError(f"Expected {which} size {expected}, got {list(part.shape)}")
        return parts

    def forward(self, input, hx=None):
        from ..utils.rnn import PackedSequence  # noqa: PLC0415 - utils imports the modules
        packed = isinstance(input, PackedSequence)
        if packed:
            rows, batch_sizes_tensor, sorted_indices, unsorted_indices = input
            batch_sizes = [int(size) for size in batch_sizes_tensor.tolist()]
            batch, batched = batch_sizes[0], True
            self._check_input(rows)
        else:
            if input.dim() not in (2, 3):
                raise ArgumentError(f"{_NAMES[self.mode]}: Expected input to be 2D or 3D, got "
                                    f"{input.dim()}D {'tensor ' if self.mode[:3] == 'RNN' else ''}"
                                    "instead")
            batched = input.dim() == 3
            sequence = input if not batched else (input.transpose(0, 1) if self.batch_first
                                                  else input)
            if not batched:
                sequence = sequence.unsqueeze(1)
            self._check_input(sequence)
            length, batch = sequence.shape[0], sequence.shape[1]
            if length == 0:
                raise ShapeError("Expected sequence length to be larger than 0 in RNN")
            batch_sizes = [batch] * length
            rows = sequence.reshape(length * batch, self.input_size)
        state = self._initial_state(hx, batch, rows, batched)
        if packed and hx is not None and sorted_indices is not None:
            state = tuple(part.index_select(1, sorted_indices) for part in state)
        outputs, finals = self._run_layers(rows, batch_sizes, state)
        finals = tuple(_ops.movement.stack(parts) for parts in finals)
        if packed:
            if unsorted_indices is not None:
                finals = tuple(part.index_select(1, unsorted_indices) for part in finals)
            result = PackedSequence(outputs, batch_sizes_tensor, sorted_indices,
                                    unsorted_indices)
        else:
            result = outputs.reshape(length, batch, outputs.shape[-1])
            if not batched:
                result = result.squeeze(1)
                finals = tuple(part.squeeze(1) for part in finals)
            elif self.batch_first:
                result = result.transpose(0, 1)
        return result, (finals if self.mode == "LSTM" else finals[0])

    def _run_layers(self, rows: Tensor, batch_sizes: list, state: tuple):
        directions = 2 if self.bidirectional else 1
        finals = tuple([] for _ in state)
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                output, last = recurrent.run_direction(
                    self.mode, rows, batch_sizes, tuple(part[index] for part in state),
                    self._layer_weights(layer, direction), reverse=bool(direction))
                outputs.append(output)
                for collected, part in zip(finals, last):
                    collected.append(part)
            rows = outputs[0] if directions == 1 else _ops.movement.cat(outputs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                rows = _dropout.dropout(rows, self.dropout, True)
        return rows, finals


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ReLU).

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ArgumentError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if self.nonlinearity not in modes:
            raise ArgumentError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                                "or 'relu'.")
        super().__init__(modes[self.nonlinearity], *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory; ``forward(input, (h_0, c_0))`` returns
    ``output, (h_n, c_n)``; ``proj_size > 0`` projects ``h`` to that size."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit (reset, update and new gates, PyTorch's formulation)."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ArgumentError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    """One time step: parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        _check_sizes(input_size, hidden_size, bias)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gate_size = num_chunks * hidden_size
        self.weight_ih = Parameter(creation.empty(gate_size, input_size, device=device,
                                                  dtype=dtype))
        self.weight_hh = Parameter(creation.empty(gate_size, hidden_size, device=device,
                                                  dtype=dtype))
        if bias:
            self.bias_ih = Parameter(creation.empty(gate_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(gate_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_uniform(self)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def _prepare(self, input: Tensor, states: tuple) -> tuple:
        """Check shapes, add the batch dim of unbatched input; returns (input, states)."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ArgumentError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                                "instead")
        if input.shape[-1] != self.input_size:
            raise ShapeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                             f"expected {self.input_size}")
        batched = input.dim() == 2
        for state in states:
            if state is not None and state.dim() != input.dim():
                raise ShapeError(f"{name}: Expected hidden to be {input.dim()}D, got "
                                 f"{state.dim()}D instead")
        if not batched:
            input = input.unsqueeze(0)
            states = tuple(None if state is None else state.unsqueeze(0) for state in states)
        batch = input.shape[0]
        filled = []
        for index, state in enumerate(states):
            if state is None:
                state = creation.zeros(batch, self.hidden_size, dtype=input.dtype,
                                       device=input.device)
            elif state.shape[0] != batch:
                raise ShapeError(f"Input batch size {batch} doesn't match hidden{index} batch "
                                 f"size {state.shape[0]}")
            elif state.shape[1] != self.hidden_size:
                raise ShapeError(f"hidden{index} has inconsistent hidden_size: got "
                                 f"{state.shape[1]}, expected {self.hidden_size}")
            filled.append(state)
        return input, tuple(filled), batched

    def _input_gates(self, input: Tensor) -> Tensor:
        return linear(input, self.weight_ih, self.bias_ih)


class RNNCell(RNNCellBase):
    """``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU)."""

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if self.nonlinearity not in ("tanh", "relu"):
            raise ArgumentValueError(f"Unknown nonlinearity: {self.nonlinearity}")
        input, (hidden,), batched = self._prepare(input, (hx,))
        step = recurrent.rnn_tanh_step if self.nonlinearity == "tanh" else \
            recurrent.rnn_relu_step
        result = step(self._input_gates(input), hidden, self.weight_hh, self.bias_hh)
        return result if batched else result.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: ``forward(input, (h, c))`` returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        input, (hidden, cell), batched = self._prepare(input, (None, None) if hx is None
                                                       else tuple(hx))
        hidden, cell = recurrent.lstm_step(self._input_gates(input), hidden, cell,
                                           self.weight_hh, self.bias_hh)
        return (hidden, cell) if batched else (hidden.squeeze(0), cell.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, (hidden,), batched = self._prepare(input, (hx,))
        result = recurrent.gru_step(self._input_gates(input), hidden, self.weight_hh,
                                    self.bias_hh)
        return result if batched else result.squeeze(0)
