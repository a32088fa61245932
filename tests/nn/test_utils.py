"""nn.utils: clip_grad_norm_, clip_grad_value_, parameters_to_vector against torch."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import rustorch
from tests._oracle import as_numpy, assert_close, randn, to_rustorch
from tests.nn._helpers import copy_weights


def _twins():
    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(),
                                      torch.nn.Linear(5, 2))
    rust_model = rustorch.nn.Sequential(rustorch.nn.Linear(4, 5), rustorch.nn.Tanh(),
                                        rustorch.nn.Linear(5, 2))
    copy_weights(torch_model, rust_model)
    x = randn(6, 4) * 10
    (torch_model(torch.from_numpy(x)) ** 2).sum().backward()
    (rust_model(to_rustorch(x)) ** 2).sum().backward()
    return torch_model, rust_model


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm(norm_type, max_norm):
    torch_model, rust_model = _twins()
    expected = torch.nn.utils.clip_grad_norm_(torch_model.parameters(), max_norm, norm_type)
    actual = rustorch.nn.utils.clip_grad_norm_(rust_model.parameters(), max_norm, norm_type)
    assert_close(actual, expected, rtol=1e-4)
    for rust_param, torch_param in zip(rust_model.parameters(), torch_model.parameters()):
        assert_close(rust_param.grad, torch_param.grad, rtol=1e-4, atol=1e-5)


def test_clip_grad_norm_single_tensor_nonfinite_and_empty():
    param = rustorch.nn.Parameter(rustorch.ones(3))
    param.grad = rustorch.tensor([3.0, 4.0, 0.0])
    total = rustorch.nn.utils.clip_grad_norm_(param, 1.0)
    assert abs(float(total) - 5.0) < 1e-6
    np.testing.assert_allclose(as_numpy(param.grad), [0.6, 0.8, 0.0], rtol=1e-5)
    param.grad = rustorch.tensor([float("inf"), 1.0, 0.0])
    with pytest.raises(RuntimeError) as info:
        rustorch.nn.utils.clip_grad_norm_([param], 1.0, error_if_nonfinite=True)
    assert isinstance(info.value, rustorch.RusTorchError)
    assert float(rustorch.nn.utils.clip_grad_norm_([], 1.0)) == 0.0
    with pytest.warns(UserWarning):
        rustorch.nn.utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_value():
    torch_model, rust_model = _twins()
    torch.nn.utils.clip_grad_value_(torch_model.parameters(), 0.3)
    rustorch.nn.utils.clip_grad_value_(rust_model.parameters(), 0.3)
    for rust_param, torch_param in zip(rust_model.parameters(), torch_model.parameters()):
        assert_close(rust_param.grad, torch_param.grad)


def test_parameters_to_vector_roundtrip():
    torch_model, rust_model = _twins()
    vector = rustorch.nn.utils.parameters_to_vector(rust_model.parameters())
    assert_close(vector, torch.nn.utils.parameters_to_vector(torch_model.parameters()))
    new = rustorch.arange(float(vector.numel()))
    rustorch.nn.utils.vector_to_parameters(new, rust_model.parameters())
    torch.nn.utils.vector_to_parameters(torch.arange(float(vector.numel())),
                                        torch_model.parameters())
    for rust_param, torch_param in zip(rust_model.parameters(), torch_model.parameters()):
        assert_close(rust_param, torch_param)
    with pytest.raises(TypeError):
        rustorch.nn.utils.vector_to_parameters([1.0], rust_model.parameters())
