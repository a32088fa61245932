"""Helpers shared by the nn tests: torch twins of rustorch modules with copied weights."""
from __future__ import annotations

import numpy as np
import torch

import rustorch
from tests._oracle import assert_close, to_rustorch, to_torch


def copy_weights(torch_module, rust_module) -> None:
    """Load torch's parameters and buffers into the rustorch module (through numpy)."""
    state = {key: value.detach().numpy().copy() for key, value in
             torch_module.state_dict().items()}
    rust_module.load_state_dict({key: rustorch.from_numpy(value) for key, value in state.items()})


def compare_module(build, *inputs, grad: bool = True, rtol=None, atol=None, train=None,
                   input_grad=None, seed: int = 0):
    """Build the module in both frameworks (``build(m)`` with m = torch / rustorch), copy the
    weights, run the same numpy inputs, compare outputs and input/parameter gradients."""
    torch.manual_seed(seed)
    torch_module = build(torch)
    rust_module = build(rustorch)
    copy_weights(torch_module, rust_module)
    if train is not None:
        torch_module.train(train)
        rust_module.train(train)
    if input_grad is None:
        input_grad = [isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in inputs]
    torch_inputs = [to_torch(v, g and grad) for v, g in zip(inputs, input_grad)]
    rust_inputs = [to_rustorch(v, g and grad) for v, g in zip(inputs, input_grad)]
    expected = torch_module(*torch_inputs)
    actual = rust_module(*rust_inputs)
    assert_close(actual, expected, rtol, atol, "forward")
    if not grad:
        return rust_module, torch_module
    rng = np.random.default_rng(seed)
    weight = rng.standard_normal(tuple(expected.shape))
    (expected * torch.from_numpy(weight).to(expected.dtype)).sum().backward()
    (actual * rustorch.from_numpy(weight).to(actual.dtype)).sum().backward()
    for index, (t, r) in enumerate(zip(torch_inputs, rust_inputs)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            assert_close(r.grad, t.grad, rtol, atol, f"grad of input {index}")
    rust_parameters = dict(rust_module.named_parameters())
    for name, param in torch_module.named_parameters():
        if param.grad is None:
            assert rust_parameters[name].grad is None or \
                not np.any(rust_parameters[name].grad.numpy())
            continue
        assert_close(rust_parameters[name].grad, param.grad, rtol, atol, f"grad of {name}")
    return rust_module, torch_module


def as_torch(tensor):
    """A torch copy of a rustorch tensor's values."""
    return torch.from_numpy(tensor.detach().cpu().numpy().copy())


def assert_same_state(rust_module, torch_module, rtol=None, atol=None):
    """Equal state_dict keys (in order) and values."""
    rust_state, torch_state = rust_module.state_dict(), torch_module.state_dict()
    assert list(rust_state) == list(torch_state)
    for key in torch_state:
        assert_close(rust_state[key], torch_state[key], rtol, atol, what=key)


def compare_forward_backward(torch_module, rust_module, x, rtol=None, atol=None):
    """Output and every parameter gradient of ``sum(output**2)`` equal in both frameworks."""
    expected = torch_module(to_torch(x))
    actual = rust_module(to_rustorch(x))
    assert_close(actual, expected, rtol, atol)
    (expected ** 2).sum().backward()
    (actual ** 2).sum().backward()
    rust_parameters = dict(rust_module.named_parameters())
    assert list(rust_parameters) == [name for name, _ in torch_module.named_parameters()]
    for name, param in torch_module.named_parameters():
        assert_close(rust_parameters[name].grad, param.grad, rtol, atol, what=f"grad of {name}")
