"""Activations (functional and modules) against torch: values, gradients, dtypes, in-place,
double backward; float64 gradcheck of the fused primitives."""
from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
import torch

import rustorch
from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import as_numpy, check, randn, to_rustorch
from tests.nn._helpers import compare_module, from_numpy

F_CASES = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x * 4),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2),
    "elu": lambda F, x: F.elu(x, 0.7),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, 1.3),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x * 10, beta=2.0, threshold=5.0),
    "softsign": lambda F, x: F.softsign(x),
    "hardtanh": lambda F, x: F.hardtanh(x * 2, -0.5, 1.5),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x * 4),
    "hardswish": lambda F, x: F.hardswish(x * 4),
    "logsigmoid": lambda F, x: F.logsigmoid(x * 30),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "softshrink": lambda F, x: F.softshrink(x, 0.3),
    "hardshrink": lambda F, x: F.hardshrink(x, 0.3),
    "threshold": lambda F, x: F.threshold(x, 0.1, -2.0),
    "softmax": lambda F, x: F.softmax(x, dim=-1),
    "softmax0": lambda F, x: F.softmax(x, 0),
    "log_softmax": lambda F, x: F.log_softmax(x, dim=-1),
    "log_softmax_big": lambda F, x: F.log_softmax(x * 100, dim=-1),
    "softmin": lambda F, x: F.softmin(x, dim=-1),
    "glu": lambda F, x: F.glu(x, 0),
    "rrelu_eval": lambda F, x: F.rrelu(x),
}


@pytest.mark.parametrize("name", sorted(F_CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functional_matches_torch(name, dtype):
    fn = F_CASES[name]
    check(lambda m, x: fn(m.nn.functional, x), randn(4, 6, dtype=dtype))


@pytest.mark.parametrize("name", sorted(set(F_CASES) - {"glu"}))
def test_functional_noncontiguous_empty_scalar(name):
    fn = F_CASES[name]
    check(lambda m, x: fn(m.nn.functional, x.t()), randn(6, 4))
    check(lambda m, x: fn(m.nn.functional, x), randn(0, 3))
    if not name.startswith(("softmax", "log_softmax", "softmin")):
        check(lambda m, x: fn(m.nn.functional, x), randn())


@pytest.mark.parametrize("name", ["relu", "gelu", "gelu_tanh", "silu", "softmax",
                                  "log_softmax", "elu", "leaky_relu", "hardtanh", "sigmoid",
                                  "softplus", "mish", "hardswish"])
@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16])
def test_half_precision(name, dtype):
    fn = F_CASES[name]
    check(lambda m, x: fn(m.nn.functional, x), randn(3, 5, dtype=dtype))


MODULE_CASES = [
    lambda m: m.nn.ReLU(), lambda m: m.nn.ReLU6(), lambda m: m.nn.LeakyReLU(0.1),
    lambda m: m.nn.ELU(0.5), lambda m: m.nn.SELU(), lambda m: m.nn.CELU(2.0),
    lambda m: m.nn.GELU(), lambda m: m.nn.GELU("tanh"), lambda m: m.nn.SiLU(),
    lambda m: m.nn.Mish(), lambda m: m.nn.Sigmoid(), lambda m: m.nn.Tanh(),
    lambda m: m.nn.Softmax(dim=1), lambda m: m.nn.LogSoftmax(dim=1), lambda m: m.nn.Softmin(1),
    lambda m: m.nn.Softplus(2.0, 10.0), lambda m: m.nn.Softsign(), lambda m: m.nn.Hardtanh(),
    lambda m: m.nn.Hardsigmoid(), lambda m: m.nn.Hardswish(), lambda m: m.nn.LogSigmoid(),
    lambda m: m.nn.Tanhshrink(), lambda m: m.nn.Softshrink(0.2), lambda m: m.nn.Hardshrink(),
    lambda m: m.nn.Threshold(0.2, 1.0), lambda m: m.nn.GLU(1), lambda m: m.nn.PReLU(),
    lambda m: m.nn.PReLU(4), lambda m: m.nn.Softmax2d(),
]


@pytest.mark.parametrize("index", range(len(MODULE_CASES)))
def test_modules_match_torch(index):
    build = MODULE_CASES[index]
    compare_module(build, randn(3, 4, 2, 5))
    assert repr(build(rustorch)) == repr(build(torch))


def test_prelu_weight_gradient_and_state_dict():
    rust_module, torch_module = compare_module(lambda m: m.nn.PReLU(3, init=0.1), randn(2, 3, 4))
    assert list(rust_module.state_dict()) == list(torch_module.state_dict())


@pytest.mark.parametrize("name, build", [
    ("relu", lambda m: m.nn.ReLU(inplace=True)), ("elu", lambda m: m.nn.ELU(inplace=True)),
    ("leaky", lambda m: m.nn.LeakyReLU(0.1, inplace=True)),
    ("hardtanh", lambda m: m.nn.Hardtanh(inplace=True)), ("silu", lambda m: m.nn.SiLU(True)),
    ("threshold", lambda m: m.nn.Threshold(0.0, 0.5, True))])
def test_inplace_modules(name, build):
    data = randn(3, 4)
    for m in (torch, rustorch):
        x = from_numpy(m, data)
        out = build(m)(x)
        assert out is x
    # in place on a non-leaf inside a graph: gradients still flow
    check(lambda m, x: build(m)(x * 1.0), data)
    assert repr(build(rustorch)) == repr(build(torch))


def test_inplace_on_leaf_raises():
    x = rustorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        rustorch.nn.functional.relu(x, inplace=True)


def test_softmax_implicit_dim_warns_and_matches():
    data = randn(3, 4)
    with pytest.warns(UserWarning):
        out = rustorch.nn.functional.softmax(to_rustorch(data))
    with pytest.warns(UserWarning):
        expected = torch.nn.functional.softmax(torch.from_numpy(data))
    np.testing.assert_allclose(as_numpy(out), expected.numpy(), rtol=1e-6)


def test_softmax_dtype_argument_and_stability():
    check(lambda m, x: m.nn.functional.softmax(x, -1, dtype=m.float64), randn(3, 4))
    check(lambda m, x: m.nn.functional.log_softmax(x, 1), randn(2, 3) * 1e4)
    check(lambda m, x: x.softmax(1), randn(2, 3))
    check(lambda m, x: x.log_softmax(-1), randn(2, 3))


def test_argument_errors():
    F = rustorch.nn.functional
    with pytest.raises(RuntimeError):
        F.gelu(rustorch.ones(2), approximate="fast")
    with pytest.raises(RuntimeError) as info:
        F.glu(rustorch.ones(3), 0)
    assert isinstance(info.value, rustorch.RusTorchError)
    with pytest.raises(RuntimeError):
        torch.nn.functional.glu(torch.ones(3), 0)
    with pytest.raises(RuntimeError):
        F.softshrink(rustorch.ones(2), -1.0)
    with pytest.raises(AssertionError):
        rustorch.nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError):
        F.hardtanh(rustorch.ones(2), 1.0, -1.0)
    with pytest.raises(IndexError):
        F.softmax(rustorch.ones(2, 2), 3)


GRADCHECK_CASES = ["softmax", "log_softmax", "gelu", "gelu_tanh", "silu", "elu", "selu", "celu",
                   "softplus", "leaky_relu", "mish", "logsigmoid", "hardtanh", "glu"]


@pytest.mark.parametrize("name", GRADCHECK_CASES)
def test_gradcheck_float64(name):
    fn = F_CASES[name]
    data = randn(4, 4, dtype=np.float64)
    data[np.abs(data) < 0.05] += 0.2  # keep away from the kinks
    x = to_rustorch(data, requires_grad=True)
    assert gradcheck(lambda t: fn(rustorch.nn.functional, t), (x,))
    assert gradgradcheck(lambda t: fn(rustorch.nn.functional, t), (x,))


def test_rrelu_training_is_random_within_bounds():
    x = -rustorch.ones(1000)
    out = as_numpy(rustorch.nn.functional.rrelu(x, 0.1, 0.3, training=True))
    assert (out <= -0.1 + 1e-6).all() and (out >= -0.3 - 1e-6).all() and out.std() > 0


def test_inplace_functional_aliases():
    F = rustorch.nn.functional
    for name in ("relu_", "elu_", "selu_", "celu_", "leaky_relu_", "hardtanh_", "rrelu_"):
        x = to_rustorch(randn(3, 4))
        assert getattr(F, name)(x) is x
    x = to_rustorch(randn(3, 4))
    assert F.threshold_(x, 0.0, 1.0) is x


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax(hard):
    logits = to_rustorch(randn(64, 5), requires_grad=True)
    out = rustorch.nn.functional.gumbel_softmax(logits, tau=0.5, hard=hard)
    np.testing.assert_allclose(as_numpy(out).sum(-1), 1.0, rtol=1e-5)
    if hard:
        assert set(np.unique(as_numpy(out))) <= {0.0, 1.0}
    (out * rustorch.arange(5.0)).sum().backward()
    assert logits.grad is not None and np.isfinite(as_numpy(logits.grad)).all()
