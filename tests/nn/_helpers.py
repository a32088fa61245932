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
