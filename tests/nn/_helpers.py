"""Helpers shared by the nn tests: torch twins of rustorch modules with copied weights."""
from __future__ import annotations

import re

import numpy as np
import torch

import rustorch
from tests._oracle import ON_CPU, as_numpy, assert_close, to_rustorch, to_torch


def copy_weights(torch_module, rust_module) -> None:
    """Load the parameters and buffers of ``torch_module`` (a torch or rustorch module) into the
    rustorch module (through numpy; the copies keep the target parameters' device)."""
    state = {key: as_numpy(value).copy() for key, value in
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
    (actual * to_rustorch(weight).to(actual.dtype)).sum().backward()
    for index, (t, r) in enumerate(zip(torch_inputs, rust_inputs)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            assert_close(r.grad, t.grad, rtol, atol, f"grad of input {index}")
    rust_parameters = dict(rust_module.named_parameters())
    for name, param in torch_module.named_parameters():
        if param.grad is None:
            assert rust_parameters[name].grad is None or \
                not np.any(as_numpy(rust_parameters[name].grad))
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


def compare_forward_backward(torch_module, rust_module, x, rtol=None, atol=None,
                             grad_atol=None):
    """Output and every parameter gradient of ``sum(output**2)`` equal in both frameworks
    (``grad_atol``, default ``atol``, for gradients, which scale with the output)."""
    expected = torch_module(to_torch(x))
    actual = rust_module(to_rustorch(x))
    assert_close(actual, expected, rtol, atol)
    (expected ** 2).sum().backward()
    (actual ** 2).sum().backward()
    rust_parameters = dict(rust_module.named_parameters())
    assert list(rust_parameters) == [name for name, _ in torch_module.named_parameters()]
    for name, param in torch_module.named_parameters():
        assert_close(rust_parameters[name].grad, param.grad, rtol,
                     atol if grad_atol is None else grad_atol, what=f"grad of {name}")


def on_device_repr(text: str) -> str:
    """torch's repr of a ParameterList/ParameterDict (or a module holding one) as torch writes
    it when the tensors are on the test device: `` (cuda:0)`` after each CUDA tensor's size,
    and ParameterDict's type names (``torch.FloatTensor``) become ``torch.cuda.FloatTensor``."""
    if ON_CPU:
        return text
    device = rustorch.empty(0).device  # the default device, with its index
    text = re.sub(r"(of size [0-9x]*)\]", rf"\1 ({device})]", text)
    return re.sub(r"\[torch\.(\w+Tensor) of size", rf"[torch.{device.type}.\1 of size", text)


def from_numpy(m, array):
    """``m.from_numpy(array)`` with rustorch's tensor on the test device (a copy of ``array``):
    for test bodies written once for both frameworks."""
    return to_torch(array) if m is torch else to_rustorch(array)


_TENSOR_SUFFIXES = r"size=\([^()]*\)|dtype=torch\.\w+|grad_fn=<\w+>|requires_grad=True"


def on_device_tensor_repr(text: str) -> str:
    """torch's repr of one tensor (``tensor(...)``), written on the CPU, as torch writes it for
    the same tensor on the test device: ``device='cuda:0'`` as the first suffix, and the
    suffixes after it wrapped past the line width as torch's ``_add_suffixes`` wraps them
    (call it under the print options that produced ``text``)."""
    if ON_CPU:
        return text
    device = rustorch.empty(0).device  # the default device, with its index
    match = re.search(rf"(?:,\s+(?:{_TENSOR_SUFFIXES}))+\)$", text)
    body = text[:match.start()] if match else text[:-1]
    suffixes = re.findall(_TENSOR_SUFFIXES, match.group()) if match else []
    return torch._tensor_str._add_suffixes(body, [f"device='{device}'"] + suffixes,
                                           indent=text.index("(") + 1, force_newline=False)


def on_device_type(name: str) -> str:
    """torch's legacy type name of a CPU tensor (``torch.FloatTensor``, from ``Tensor.type()``
    or ``torch.typename``) as torch names it for a tensor on the test device
    (``torch.cuda.FloatTensor``)."""
    if ON_CPU:
        return name
    return re.sub(r"^torch\.(\w+Tensor)$", rf"torch.{rustorch.empty(0).device.type}.\1", name)
