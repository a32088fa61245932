"""nn.init: distributions (bounds, std), fans and gains against torch's helpers."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import rustorch
from rustorch.nn import init
from tests._oracle import as_numpy


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5), (6, 2, 3, 3), (2, 4, 1, 2, 3)])
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(rustorch.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    with pytest.raises(ValueError):
        init._calculate_fan_in_and_fan_out(rustorch.empty(3))


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)])
def test_calculate_gain(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == \
        torch.nn.init.calculate_gain(nonlinearity, param)


def test_calculate_gain_errors():
    with pytest.raises(ValueError):
        init.calculate_gain("softmax")
    with pytest.raises(ValueError):
        init.calculate_gain("leaky_relu", "x")


def _values(tensor):
    return as_numpy(tensor).astype(np.float64)


def test_uniform_and_normal():
    values = _values(init.uniform_(rustorch.empty(200, 300), -2.0, 3.0))
    assert values.min() >= -2.0 and values.max() <= 3.0
    assert abs(values.mean() - 0.5) < 0.03
    values = _values(init.normal_(rustorch.empty(200, 300), 1.0, 2.0))
    assert abs(values.mean() - 1.0) < 0.03 and abs(values.std() - 2.0) < 0.03


def test_fills_and_identity_inits():
    assert (_values(init.constant_(rustorch.empty(3, 4), 0.3)) == np.float32(0.3)).all()
    assert (_values(init.ones_(rustorch.empty(3))) == 1).all()
    assert (_values(init.zeros_(rustorch.empty(3))) == 0).all()
    np.testing.assert_array_equal(_values(init.eye_(rustorch.empty(3, 5))), np.eye(3, 5))
    with pytest.raises(ValueError):
        init.eye_(rustorch.empty(3))
    for shape, groups in (((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 3, 3, 3), 2)):
        expected = torch.nn.init.dirac_(torch.empty(*shape), groups).numpy()
        np.testing.assert_array_equal(_values(init.dirac_(rustorch.empty(*shape), groups)),
                                      expected)


@pytest.mark.parametrize("shape", [(200, 300), (64, 32, 3, 3)])
def test_xavier(shape):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(rustorch.empty(*shape))
    std = 1.5 * math.sqrt(2.0 / (fan_in + fan_out))
    values = _values(init.xavier_uniform_(rustorch.empty(*shape), gain=1.5))
    assert np.abs(values).max() <= math.sqrt(3) * std + 1e-6
    assert abs(values.std() - std) < 0.03 * std
    values = _values(init.xavier_normal_(rustorch.empty(*shape), gain=1.5))
    assert abs(values.std() - std) < 0.03 * std


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("relu", 0), ("leaky_relu", math.sqrt(5)),
                                             ("tanh", 0)])
def test_kaiming(mode, nonlinearity, a):
    shape = (128, 64, 3, 3)
    fan = init._calculate_correct_fan(rustorch.empty(*shape), mode)
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    values = _values(init.kaiming_uniform_(rustorch.empty(*shape), a, mode, nonlinearity))
    assert np.abs(values).max() <= math.sqrt(3) * std + 1e-6
    assert abs(values.std() - std) < 0.03 * std
    values = _values(init.kaiming_normal_(rustorch.empty(*shape), a, mode, nonlinearity))
    assert abs(values.std() - std) < 0.03 * std
    with pytest.raises(ValueError):
        init.kaiming_uniform_(rustorch.empty(3, 3), mode="fan_avg")


def test_kaiming_zero_element_warns():
    with pytest.warns(UserWarning):
        init.kaiming_uniform_(rustorch.empty(0, 3))


@pytest.mark.parametrize("shape", [(5, 8), (8, 5), (6, 2, 3)])
def test_orthogonal(shape):
    values = _values(init.orthogonal_(rustorch.empty(*shape), gain=2.0))
    flat = values.reshape(shape[0], -1)
    if flat.shape[0] <= flat.shape[1]:
        np.testing.assert_allclose(flat @ flat.T, 4 * np.eye(flat.shape[0]), atol=1e-5)
    else:
        np.testing.assert_allclose(flat.T @ flat, 4 * np.eye(flat.shape[1]), atol=1e-5)


@pytest.mark.parametrize("a, b", [(-2.0, 2.0), (0.5, 3.0), (-0.1, 0.1)])
def test_trunc_normal(a, b):
    values = _values(init.trunc_normal_(rustorch.empty(300, 300), 0.0, 1.0, a, b))
    assert values.min() >= a and values.max() <= b
    from scipy.stats import truncnorm
    expected = truncnorm(a, b)
    assert abs(values.mean() - expected.mean()) < 0.02 * max(1.0, b - a)
    assert abs(values.std() - expected.std()) < 0.02 * max(expected.std(), 0.05)


def test_sparse():
    values = _values(init.sparse_(rustorch.empty(100, 30), 0.3, std=0.5))
    assert ((values == 0).sum(axis=0) == 30).all()
    nonzero = values[values != 0]
    assert abs(nonzero.std() - 0.5) < 0.05
    with pytest.raises(ValueError):
        init.sparse_(rustorch.empty(3, 3, 3), 0.1)


def test_init_runs_without_grad_on_parameters():
    weight = rustorch.nn.Parameter(rustorch.empty(4, 4))
    init.kaiming_uniform_(weight)
    init.trunc_normal_(weight, std=0.02)
    init.orthogonal_(weight)
    assert weight.requires_grad and weight.grad_fn is None
    with pytest.warns(FutureWarning):
        init.normal(weight)


def test_linear_reset_uses_seed_when_available():
    if not hasattr(rustorch, "manual_seed"):
        pytest.skip("rustorch.random is not available yet")
    rustorch.manual_seed(3)
    first = as_numpy(rustorch.nn.Linear(5, 5).weight).copy()
    rustorch.manual_seed(3)
    second = as_numpy(rustorch.nn.Linear(5, 5).weight).copy()
    np.testing.assert_array_equal(first, second)
