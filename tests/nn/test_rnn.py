"""RNN, LSTM, GRU and their cells against torch: outputs, final states and every gradient
(inputs, initial states, parameters), with torch's weights copied across."""
import math
import warnings

import numpy as np
import pytest

from tests._oracle import (as_numpy, assert_close, check_error, randn, rustorch, to_rustorch,
                           to_torch, torch)
from tests.nn._helpers import copy_weights

# torch's CPU LSTM says it falls back from oneDNN for projections; nothing to act on here
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")


def _flatten(value):
    if isinstance(value, (tuple, list)):
        return [item for part in value for item in _flatten(part)]
    return [value]


def compare_recurrent(build, input_array, state_arrays=None, rtol=None, atol=None, seed=0):
    """Build in both frameworks, copy the weights, run ``(input, hx)``, compare every output
    and the gradients of the input, the initial states and the parameters."""
    torch.manual_seed(seed)
    torch_module, rust_module = build(torch), build(rustorch)
    copy_weights(torch_module, rust_module)
    torch_input = to_torch(input_array, True)
    rust_input = to_rustorch(input_array, True)
    torch_states = rust_states = None
    if state_arrays is not None:
        torch_states = tuple(to_torch(a, True) for a in state_arrays)
        rust_states = tuple(to_rustorch(a, True) for a in state_arrays)
    unwrap = (lambda states: states) if len(state_arrays or ()) > 1 else \
        (lambda states: None if states is None else states[0])
    expected = torch_module(torch_input, unwrap(torch_states))
    actual = rust_module(rust_input, unwrap(rust_states))
    assert_close(actual, expected, rtol, atol, "forward")
    rng = np.random.default_rng(seed)
    torch_total, rust_total = 0, 0
    for e, a in zip(_flatten(expected), _flatten(actual)):
        weight = rng.standard_normal(tuple(e.shape))
        torch_total = torch_total + (e * torch.from_numpy(weight).to(e.dtype)).sum()
        rust_total = rust_total + (a * to_rustorch(weight).to(a.dtype)).sum()
    torch_total.backward()
    rust_total.backward()
    assert_close(rust_input.grad, torch_input.grad, rtol, atol, "grad of input")
    for index, (t, r) in enumerate(zip(torch_states or (), rust_states or ())):
        assert_close(r.grad, t.grad, rtol, atol, f"grad of state {index}")
    rust_parameters = dict(rust_module.named_parameters())
    for name, parameter in torch_module.named_parameters():
        assert_close(rust_parameters[name].grad, parameter.grad, rtol, atol, f"grad of {name}")
    return rust_module, torch_module


LAYER_CASES = [
    ("RNN", {}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bidirectional": True, "bias": False}), ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True}), ("GRU", {"batch_first": True}),
    ("LSTM", {}), ("LSTM", {"num_layers": 3, "bidirectional": True}),
    ("LSTM", {"proj_size": 3}), ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True,
                                          "batch_first": True, "bias": False}),
]


def _state_arrays(kind, options, batch, dtype=np.float32):
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    hidden = options.get("proj_size") or 6
    shape = (layers, batch, hidden) if batch else (layers, hidden)
    states = [randn(*shape, dtype=dtype)]
    if kind == "LSTM":
        states.append(randn(*(shape[:-1] + (6,)), dtype=dtype))
    return states


@pytest.mark.parametrize("kind, options", LAYER_CASES)
@pytest.mark.parametrize("with_state", [False, True])
def test_layers_match_torch(kind, options, with_state):
    shape = (3, 5, 4) if options.get("batch_first") else (5, 3, 4)
    compare_recurrent(lambda m: getattr(m.nn, kind)(4, 6, **options), randn(*shape),
                      _state_arrays(kind, options, 3) if with_state else None)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_unbatched_input(kind):
    compare_recurrent(lambda m: getattr(m.nn, kind)(4, 6, num_layers=2), randn(5, 4),
                      _state_arrays(kind, {"num_layers": 2}, 0))
    compare_recurrent(lambda m: getattr(m.nn, kind)(4, 6, bidirectional=True), randn(5, 4))


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_float64(kind):
    compare_recurrent(lambda m: getattr(m.nn, kind)(4, 6, num_layers=2, dtype=m.float64),
                      randn(5, 2, 4, dtype=np.float64),
                      _state_arrays(kind, {"num_layers": 2}, 2, np.float64))


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_packed_sequences(kind):
    """Unsorted lengths through pack_padded_sequence, both directions, given initial states."""
    utils_torch, utils_rust = torch.nn.utils.rnn, rustorch.nn.utils.rnn
    options = {"num_layers": 2, "bidirectional": True}
    torch.manual_seed(0)
    torch_module, rust_module = (getattr(m.nn, kind)(4, 6, **options) for m in (torch, rustorch))
    copy_weights(torch_module, rust_module)
    padded, lengths = randn(5, 4, 4), [3, 5, 1, 4]
    states = _state_arrays(kind, options, 4)
    results = []
    for m, utils, module, convert in ((torch, utils_torch, torch_module, to_torch),
                                      (rustorch, utils_rust, rust_module, to_rustorch)):
        input = convert(padded, True)
        hx = tuple(convert(s, True) for s in states)
        # lengths must be a CPU tensor in torch too, whatever the default device
        packed = utils.pack_padded_sequence(input, m.tensor(lengths, device="cpu"),
                                            enforce_sorted=False)
        output, final = module(packed, hx if kind == "LSTM" else hx[0])
        unpacked, out_lengths = utils.pad_packed_sequence(output)
        total = (unpacked * m.linspace(-1, 1, unpacked.numel()).reshape(unpacked.shape)).sum()
        for part in _flatten(final):
            total = total + (part * part).sum()
        total.backward()
        results.append((unpacked, out_lengths, final, input.grad, [s.grad for s in hx],
                        [p.grad for p in module.parameters()]))
    expected, actual = results
    for index, (a, e) in enumerate(zip(actual, expected)):
        assert_close(a, e, what=f"result {index}")


def test_dropout_between_layers():
    module = rustorch.nn.LSTM(4, 6, num_layers=2, dropout=0.5)
    input = rustorch.randn(7, 3, 4)
    module.eval()
    first, second = (as_numpy(module(input)[0]) for _ in range(2))
    np.testing.assert_array_equal(first, second)  # eval: no dropout
    module.train()
    rustorch.manual_seed(1)
    dropped = as_numpy(module(input)[0])
    assert not np.allclose(dropped, first)
    single = rustorch.nn.LSTM(4, 6, num_layers=2, dropout=0.0)
    copy_weights(module, single)  # same weights without dropout: training changes nothing
    np.testing.assert_allclose(as_numpy(single(input)[0]), first, rtol=1e-6)


def test_parameters_names_shapes_and_repr_match_torch():
    for options in ({}, {"num_layers": 2, "bidirectional": True, "proj_size": 3, "bias": False,
                         "batch_first": True, "dropout": 0.25}):
        torch_module = torch.nn.LSTM(5, 8, **options)
        rust_module = rustorch.nn.LSTM(5, 8, **options)
        assert [(n, tuple(p.shape)) for n, p in rust_module.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in torch_module.named_parameters()]
        assert repr(rust_module) == repr(torch_module)
        assert rust_module._flat_weights_names == torch_module._flat_weights_names
        assert [[tuple(w.shape) for w in ws] for ws in rust_module.all_weights] == \
            [[tuple(w.shape) for w in ws] for ws in torch_module.all_weights]
    for build in (lambda m: m.nn.RNN(5, 8, 3, "relu", False),
                  lambda m: m.nn.GRU(5, 8, batch_first=True, bidirectional=True),
                  lambda m: m.nn.RNNCell(5, 8, bias=False, nonlinearity="relu"),
                  lambda m: m.nn.LSTMCell(5, 8), lambda m: m.nn.GRUCell(4, 3)):
        assert repr(build(rustorch)) == repr(build(torch))
        assert [n for n, _ in build(rustorch).named_parameters()] == \
            [n for n, _ in build(torch).named_parameters()]


def test_default_initialisation_bounds():
    rustorch.manual_seed(0)
    for module in (rustorch.nn.GRU(3, 16, num_layers=2), rustorch.nn.LSTMCell(3, 16)):
        bound = 1 / math.sqrt(16)
        values = np.concatenate([as_numpy(p).ravel() for p in module.parameters()])
        assert values.min() >= -bound and values.max() <= bound
        assert values.min() < -0.9 * bound and values.max() > 0.9 * bound  # uniform, not zeros


def test_state_dict_moves_both_ways():
    torch_module = torch.nn.GRU(4, 6, num_layers=2, bidirectional=True)
    rust_module = rustorch.nn.GRU(4, 6, num_layers=2, bidirectional=True)
    copy_weights(torch_module, rust_module)
    state = {k: torch.from_numpy(as_numpy(v).copy()) for k, v in rust_module.state_dict().items()}
    torch_module.load_state_dict(state)  # strict: the same keys and shapes
    input = randn(3, 2, 4)
    assert_close(rust_module(to_rustorch(input))[0], torch_module(to_torch(input))[0])


@pytest.mark.parametrize("kind, options", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                           ("RNNCell", {"bias": False}), ("GRUCell", {}),
                                           ("LSTMCell", {}), ("LSTMCell", {"bias": False})])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(kind, options, batched):
    shape = (3, 4) if batched else (4,)
    state_shape = (3, 6) if batched else (6,)
    states = [randn(*state_shape)] + ([randn(*state_shape)] if kind == "LSTMCell" else [])
    compare_recurrent(lambda m: getattr(m.nn, kind)(4, 6, **options), randn(*shape), states)
    compare_recurrent(lambda m: getattr(m.nn, kind)(4, 6, **options), randn(*shape))


def test_cell_in_a_loop_matches_the_layer():
    """A GRUCell unrolled by hand gives the GRU layer's numbers (shared weights)."""
    layer, cell = rustorch.nn.GRU(4, 6), rustorch.nn.GRUCell(4, 6)
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    input = rustorch.randn(5, 2, 4)
    hidden, outputs = None, []
    for step in input:
        hidden = cell(step, hidden)
        outputs.append(hidden)
    np.testing.assert_allclose(as_numpy(rustorch.stack(outputs)), as_numpy(layer(input)[0]),
                               rtol=1e-6, atol=1e-6)


def test_gradcheck_float64():
    for kind in ("LSTM", "GRU", "RNN"):
        module = getattr(rustorch.nn, kind)(2, 3, bidirectional=True, dtype=rustorch.float64)
        input = rustorch.randn(3, 2, 2, dtype=rustorch.float64, requires_grad=True)
        assert rustorch.autograd.gradcheck(lambda x: module(x)[0], (input,))


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_second_derivative_matches_torch(kind):
    torch.manual_seed(0)
    torch_module, rust_module = getattr(torch.nn, kind)(2, 3), getattr(rustorch.nn, kind)(2, 3)
    copy_weights(torch_module, rust_module)
    array = randn(4, 1, 2, dtype=np.float32)
    results = []
    for m, module, convert in ((torch, torch_module, to_torch), (rustorch, rust_module,
                                                                   to_rustorch)):
        x = convert(array, True)
        (first,) = m.autograd.grad(module(x)[0].pow(2).sum(), x, create_graph=True)
        (second,) = m.autograd.grad(first.sum(), x)
        results.append((first, second))
    assert_close(results[1], results[0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda m: m.nn.LSTM(5, 8)(m.randn(3, 2, 5, dtype=m.float64)),
    lambda m: m.nn.LSTM(5, 8)(m.randn(3, 2, 4)),
    lambda m: m.nn.LSTM(5, 8)(m.randn(3, 2, 5, 1)),
    lambda m: m.nn.GRU(5, 8)(m.randn(3, 2, 5, 1)),
    lambda m: m.nn.RNN(5, 8)(m.randn(3, 2, 5, 1)),
    lambda m: m.nn.LSTM(5, 8, 2)(m.randn(3, 2, 5), (m.zeros(1, 2, 8), m.zeros(2, 2, 8))),
    lambda m: m.nn.LSTM(5, 8)(m.randn(3, 2, 5), (m.zeros(1, 2, 8), m.zeros(1, 3, 8))),
    lambda m: m.nn.LSTM(5, 8)(m.randn(3, 5), (m.zeros(1, 2, 8), m.zeros(1, 2, 8))),
    lambda m: m.nn.LSTM(5, 8)(m.randn(3, 2, 5), (m.zeros(2, 8), m.zeros(2, 8))),
    lambda m: m.nn.GRU(5, 8)(m.randn(3, 2, 5), m.zeros(2, 2, 8)),
    lambda m: m.nn.RNN(5, 8)(m.randn(3, 5), m.zeros(1, 2, 8)),
    lambda m: m.nn.LSTM(5, 8)(m.randn(0, 2, 5)),
    lambda m: m.nn.RNN(5, 8, nonlinearity="foo"),
    lambda m: m.nn.GRU(5, 8, proj_size=2), lambda m: m.nn.RNN(5, 8, proj_size=2),
    lambda m: m.nn.LSTM(5, 8, proj_size=8), lambda m: m.nn.LSTM(5, 8, proj_size=-1),
    lambda m: m.nn.LSTM(5, 0), lambda m: m.nn.LSTM(0, 5), lambda m: m.nn.LSTM(5, 8, num_layers=0),
    lambda m: m.nn.LSTM(5, 8, dropout=1.5), lambda m: m.nn.LSTM(5, 8, dropout=True),
    lambda m: m.nn.LSTM(5.0, 8), lambda m: m.nn.GRU(5, 8, bias=1),
    lambda m: m.nn.LSTM(5, 8, batch_first=1),
    lambda m: m.nn.LSTMCell(5, 8)(m.randn(2, 3, 5)),
    lambda m: m.nn.LSTMCell(5, 8)(m.randn(2, 4)),
    lambda m: m.nn.LSTMCell(5, 8)(m.randn(2, 5), (m.zeros(3, 8), m.zeros(3, 8))),
    lambda m: m.nn.GRUCell(5, 8)(m.randn(2, 5), m.zeros(8)),
    lambda m: m.nn.RNNCell(5, 8, nonlinearity="x")(m.randn(2, 5)),
])
def test_errors_match_torch(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(call)


def test_single_layer_dropout_warns_like_torch():
    for m in (torch, rustorch):
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater "
                                             "than 1, but got dropout=0.5 and num_layers=1"):
            m.nn.LSTM(5, 8, dropout=0.5)


def test_empty_batch():
    compare_recurrent(lambda m: m.nn.LSTM(4, 6, bidirectional=True), randn(3, 0, 4))


def _graph_names(tensor) -> set:
    names, pending, seen = set(), [tensor.grad_fn], set()
    while pending:
        node = pending.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.add(node.name())
        pending.extend(edge[0] for edge in node.next_functions if edge)
    return names


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_layers_run_as_one_node_with_the_stepwise_numbers(bias, bidirectional):
    """An unpacked float LSTM runs each layer and direction as one node; outputs and every
    gradient equal the step-by-step graph's (the path packed sequences and autocast take)."""
    from rustorch.nn._functional import recurrent
    module = rustorch.nn.LSTM(3, 5, num_layers=2, bias=bias, bidirectional=bidirectional,
                              dtype=rustorch.float64)
    input = rustorch.randn(6, 2, 3, dtype=rustorch.float64, requires_grad=True)
    initial = tuple(rustorch.randn(2 * (1 + bidirectional), 2, 5, dtype=rustorch.float64,
                                   requires_grad=True) for _ in "hc")
    results = []
    for fused in (True, False):
        original = recurrent._fused_layer_applies
        if not fused:
            recurrent._fused_layer_applies = lambda *args: False
        try:
            output, (hidden, cell) = module(input, initial)
        finally:
            recurrent._fused_layer_applies = original
        assert ("MkldnnRnnLayerBackward0" in _graph_names(output)) == fused
        loss = (output * output.detach().cos()).sum() + (hidden * 2).sum() + cell.sum()
        grads = rustorch.autograd.grad(loss, [input, *initial, *module.parameters()])
        results.append([output, hidden, cell, *grads])
    for fused_value, stepwise_value in zip(*results):
        np.testing.assert_allclose(as_numpy(fused_value), as_numpy(stepwise_value),
                                   rtol=1e-12, atol=1e-13)


def test_lstm_layer_backward_twice_with_retain_graph():
    module = rustorch.nn.LSTM(3, 4)
    input = rustorch.randn(5, 2, 3, requires_grad=True)
    output = module(input)[0].sum()
    first = rustorch.autograd.grad(output, input, retain_graph=True)[0]
    second = rustorch.autograd.grad(output, input)[0]
    np.testing.assert_array_equal(as_numpy(first), as_numpy(second))
    with pytest.raises(RuntimeError):
        rustorch.autograd.grad(output, input)
