"""AdaptiveLogSoftmaxWithLoss against torch with copied weights: forward (output, loss),
gradients of the input and every parameter, log_prob, predict, unbatched input, state_dict
keys, repr, argument errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._oracle import (as_numpy, assert_close, check_error, randint, randn, rustorch,
                           to_rustorch, to_torch, torch)
from tests.nn._helpers import assert_same_state, copy_weights

CONFIGS = [
    dict(in_features=16, n_classes=20, cutoffs=[5, 10]),
    dict(in_features=16, n_classes=20, cutoffs=[5, 10], div_value=2.0, head_bias=True),
    dict(in_features=8, n_classes=10, cutoffs=[3]),
    dict(in_features=32, n_classes=30, cutoffs=(4, 12, 25), div_value=3.0),
]


def _pair(config, dtype=np.float32, seed=0):
    torch.manual_seed(seed)
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    torch_module = torch.nn.AdaptiveLogSoftmaxWithLoss(**config, dtype=torch_dtype)
    rust_dtype = rustorch.float64 if dtype == np.float64 else rustorch.float32
    rust_module = rustorch.nn.AdaptiveLogSoftmaxWithLoss(**config, dtype=rust_dtype)
    copy_weights(torch_module, rust_module)
    return torch_module, rust_module


def _compare_gradients(torch_module, rust_module, torch_input, rust_input):
    assert_close(rust_input.grad, torch_input.grad, what="grad of input")
    rust_parameters = dict(rust_module.named_parameters())
    assert list(rust_parameters) == [name for name, _ in torch_module.named_parameters()]
    for name, parameter in torch_module.named_parameters():
        if parameter.grad is None:
            grad = rust_parameters[name].grad
            assert grad is None or not np.any(as_numpy(grad))
            continue
        assert_close(rust_parameters[name].grad, parameter.grad, what=f"grad of {name}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", CONFIGS)
def test_adaptive_softmax_forward_and_gradients(config, dtype):
    torch_module, rust_module = _pair(config, dtype)
    assert_same_state(rust_module, torch_module)
    batch = 12
    x = randn(batch, config["in_features"], dtype=dtype)
    target = randint(0, config["n_classes"], (batch,), seed=1)
    target[:len(config["cutoffs"]) + 1] = [0] + list(config["cutoffs"])  # every cluster
    torch_input, rust_input = to_torch(x, True), to_rustorch(x, True)
    expected = torch_module(torch_input, torch.from_numpy(target.copy()))
    actual = rust_module(rust_input, to_rustorch(target))
    assert type(actual).__name__ == "_ASMoutput" and actual._fields == ("output", "loss")
    assert_close(actual.output, expected.output)
    assert_close(actual.loss, expected.loss)
    weight = randn(batch, dtype=np.float64, seed=2)
    (expected.output * torch.from_numpy(weight).to(expected.output.dtype)).sum().mul(0.5) \
        .add(expected.loss).backward()
    (actual.output * to_rustorch(weight).to(actual.output.dtype)).sum().mul(0.5) \
        .add(actual.loss).backward()
    _compare_gradients(torch_module, rust_module, torch_input, rust_input)


@pytest.mark.parametrize("config", CONFIGS[:2])
def test_adaptive_softmax_log_prob_and_predict(config):
    torch_module, rust_module = _pair(config, seed=3)
    x = randn(40, config["in_features"], seed=4) * 3
    torch_input, rust_input = to_torch(x, True), to_rustorch(x, True)
    expected, actual = torch_module.log_prob(torch_input), rust_module.log_prob(rust_input)
    assert_close(actual, expected)
    weight = randn(*expected.shape, dtype=np.float64, seed=5)
    (expected * torch.from_numpy(weight).float()).sum().backward()
    (actual * to_rustorch(weight).float()).sum().backward()
    _compare_gradients(torch_module, rust_module, torch_input, rust_input)
    with torch.no_grad(), rustorch.no_grad():
        assert_close(rust_module.predict(to_rustorch(x)),
                     torch_module.predict(torch.from_numpy(x)))
        if not config.get("head_bias"):
            return
        # every row's head prediction in the shortlist, then none of them
        torch_module.head.weight.zero_()
        rust_module.head.weight.zero_()
        for favoured in (slice(0, 1), slice(torch_module.shortlist_size, None)):
            values = np.full(torch_module.head_size, -10.0, np.float32)
            values[favoured] = 10.0
            torch_module.head.bias.copy_(torch.from_numpy(values))
            rust_module.head.bias.copy_(rustorch.from_numpy(values))
            assert_close(rust_module.predict(to_rustorch(x)),
                         torch_module.predict(torch.from_numpy(x)))


def test_adaptive_softmax_unbatched_and_single_row():
    torch_module, rust_module = _pair(CONFIGS[0], seed=6)
    x = randn(16, seed=7)
    for target in (3, 7, 15):
        expected = torch_module(torch.from_numpy(x), torch.tensor(target))
        actual = rust_module(to_rustorch(x), rustorch.tensor(target))
        assert_close(actual.output, expected.output)
        assert_close(actual.loss, expected.loss)
    expected = torch_module(torch.from_numpy(x[None]), torch.tensor([12]))
    actual = rust_module(to_rustorch(x[None]), rustorch.tensor([12]))
    assert_close(actual.output, expected.output)
    assert_close(actual.loss, expected.loss)


def test_adaptive_softmax_module_structure():
    config = dict(in_features=16, n_classes=20, cutoffs=[5, 10], div_value=2.0, head_bias=True)
    torch_module, rust_module = _pair(config)
    assert repr(rust_module) == repr(torch_module)
    for attribute in ("in_features", "n_classes", "cutoffs", "div_value", "head_bias",
                      "shortlist_size", "n_clusters", "head_size"):
        assert getattr(rust_module, attribute) == getattr(torch_module, attribute)
    # a torch state_dict loads into rustorch and back
    state = rust_module.state_dict()
    torch_module.load_state_dict({key: torch.from_numpy(as_numpy(value).copy())
                                  for key, value in state.items()})
    assert_same_state(rust_module, torch_module)
    before = as_numpy(rust_module.head.weight).copy()
    rust_module.reset_parameters()
    assert not np.array_equal(before, as_numpy(rust_module.head.weight))


CONSTRUCTION_ERRORS = [
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, []),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3]),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [0, 3]),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 10]),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 3]),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [2.5, 3]),
]


@pytest.mark.parametrize("fn", CONSTRUCTION_ERRORS)
def test_adaptive_softmax_construction_errors(fn):
    check_error(fn)


FORWARD_ERRORS = [
    lambda m, module: module(m.zeros(4, 8), m.tensor([1, 2, 3])),
    lambda m, module: module(m.zeros(4, 8, 1), m.tensor([1, 2, 3, 4])),
    lambda m, module: module(m.zeros(4, 8), m.tensor(1)),
    lambda m, module: module(m.zeros(4, 8), m.tensor([[1, 2, 3, 4]])),
    lambda m, module: module(m.zeros(4, 8), m.tensor([1, 2, 3, 10])),
    lambda m, module: module(m.zeros(4, 8), m.tensor([1, -1, 3, 4])),
]


@pytest.mark.parametrize("fn", FORWARD_ERRORS)
def test_adaptive_softmax_forward_errors(fn):
    modules = {torch: torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3]),
               rustorch: rustorch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])}
    check_error(lambda m: fn(m, modules[m]))
