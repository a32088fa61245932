"""nn.utils against torch: the hook-based weight_norm and spectral_norm, conv/linear-BatchNorm
fusion, convert_conv*_weight_memory_format, skip_init and functional_call."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import rustorch
import rustorch.func
from tests._oracle import as_numpy, assert_close, check_error, randn, to_rustorch, to_torch
from tests.nn._helpers import (as_torch, assert_same_state, compare_forward_backward,
                               copy_weights)

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")








def _two_forwards_then_backward(torch_module, rust_module, x):
    """The second forward's in-place power iteration must not spoil the first one's graph."""
    for module in (torch_module, rust_module):
        module.zero_grad()
    expected = torch_module(to_torch(x)).sum() + torch_module(to_torch(x)).pow(2).sum()
    actual = rust_module(to_rustorch(x)).sum() + rust_module(to_rustorch(x)).pow(2).sum()
    expected.backward()
    actual.backward()
    assert_close(actual, expected, atol=1e-4)
    rust_parameters = dict(rust_module.named_parameters())
    for name, param in torch_module.named_parameters():
        assert_close(rust_parameters[name].grad, param.grad, atol=1e-4, what=f"grad of {name}")


def _twins(build, seed=0):
    torch.manual_seed(seed)
    torch_module, rust_module = build(torch), build(rustorch)
    copy_weights(torch_module, rust_module)
    return torch_module, rust_module


# ------------------------------------------------------------------ weight_norm (hook-based)
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_hook_matches_torch(dim):
    torch_module, rust_module = _twins(lambda m: m.nn.Conv2d(3, 4, 3))
    torch.nn.utils.weight_norm(torch_module, dim=dim)
    with pytest.warns(FutureWarning):
        rustorch.nn.utils.weight_norm(rust_module, dim=dim)
    assert list(rust_module.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert_same_state(rust_module, torch_module)
    x = randn(2, 3, 5, 5)
    compare_forward_backward(torch_module, rust_module, x, atol=1e-4)
    with torch.no_grad():
        torch_module.weight_g.mul_(1.5)
    rust_module.load_state_dict(torch_module.state_dict())
    compare_forward_backward(torch_module, rust_module, x, atol=1e-4)
    torch.nn.utils.remove_weight_norm(torch_module)
    rustorch.nn.utils.remove_weight_norm(rust_module)
    assert list(rust_module.state_dict()) == ["bias", "weight"]
    assert isinstance(rust_module.weight, rustorch.nn.Parameter)
    assert_same_state(rust_module, torch_module, atol=1e-6)


def test_weight_norm_hook_errors():
    layer = rustorch.nn.utils.weight_norm(rustorch.nn.Linear(2, 3))
    with pytest.raises(RuntimeError):
        rustorch.nn.utils.weight_norm(layer)
    check_error(lambda m: m.nn.utils.remove_weight_norm(m.nn.Linear(2, 3)))


# ------------------------------------------------------------------ spectral_norm (hook-based)
@pytest.mark.parametrize("build,x", [
    (lambda m: m.nn.Linear(5, 7), randn(3, 5)),
    (lambda m: m.nn.Conv2d(2, 4, 3), randn(2, 2, 5, 5)),
    (lambda m: m.nn.ConvTranspose2d(3, 2, 3), randn(2, 3, 4, 4)),
])
def test_spectral_norm_hook_matches_torch(build, x):
    torch_module, rust_module = _twins(build)
    torch.nn.utils.spectral_norm(torch_module, n_power_iterations=2)
    rustorch.nn.utils.spectral_norm(rust_module, n_power_iterations=2)
    assert list(rust_module.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    shapes = [tuple(value.shape) for value in torch_module.state_dict().values()]
    assert [tuple(value.shape) for value in rust_module.state_dict().values()] == shapes
    copy_weights(torch_module, rust_module)  # weight_u and weight_v start random
    for _ in range(3):
        for module in (torch_module, rust_module):
            module.zero_grad()
        compare_forward_backward(torch_module, rust_module, x, atol=1e-5)
        assert_same_state(rust_module, torch_module, atol=1e-6)
    _two_forwards_then_backward(torch_module, rust_module, x)
    torch_module.eval()
    rust_module.eval()
    compare_forward_backward(torch_module, rust_module, x, atol=1e-5)
    assert rust_module.state_dict()._metadata[""]["spectral_norm"] == {"weight.version": 1}
    torch.nn.utils.remove_spectral_norm(torch_module)
    rustorch.nn.utils.remove_spectral_norm(rust_module)
    assert list(rust_module.state_dict()) == ["bias", "weight"]
    assert_same_state(rust_module, torch_module, atol=1e-6)


def test_spectral_norm_hook_state_dict_round_trip_and_errors():
    torch_module, rust_module = _twins(lambda m: m.nn.Linear(4, 6))
    torch.nn.utils.spectral_norm(torch_module)
    rustorch.nn.utils.spectral_norm(rust_module)
    rust_module.load_state_dict(torch_module.state_dict())
    torch_module.load_state_dict({k: as_torch(v) for k, v in rust_module.state_dict().items()})
    assert_same_state(rust_module, torch_module)
    with pytest.raises(RuntimeError):
        rustorch.nn.utils.spectral_norm(rust_module)
    check_error(lambda m: m.nn.utils.remove_spectral_norm(m.nn.Linear(2, 3)))
    check_error(lambda m: m.nn.utils.spectral_norm(m.nn.Linear(2, 3), n_power_iterations=0))


# ------------------------------------------------------------------ fusion
def _set_batchnorm_statistics(torch_bn):
    num = torch_bn.num_features
    generator = np.random.default_rng(3)
    with torch.no_grad():
        torch_bn.running_mean.copy_(torch.from_numpy(generator.standard_normal(num)))
        torch_bn.running_var.copy_(torch.from_numpy(generator.uniform(0.5, 2.0, num)))
        if torch_bn.affine:
            torch_bn.weight.copy_(torch.from_numpy(generator.standard_normal(num)))
            torch_bn.bias.copy_(torch.from_numpy(generator.standard_normal(num)))


@pytest.mark.parametrize("layer,transpose,affine,x", [
    (lambda m: m.nn.Conv2d(3, 4, 3), False, True, randn(2, 3, 6, 6)),
    (lambda m: m.nn.Conv1d(3, 4, 2, bias=False), False, False, randn(2, 3, 7)),
    (lambda m: m.nn.ConvTranspose2d(3, 4, 3), True, True, randn(2, 3, 4, 4)),
])
def test_fuse_conv_bn_eval(layer, transpose, affine, x):
    def build(m):
        conv = layer(m)
        norm_class = {2: m.nn.BatchNorm1d, 3: m.nn.BatchNorm2d}[conv.weight.dim() - 1]
        return m.nn.Sequential(conv, norm_class(4, affine=affine)).eval()

    torch.manual_seed(0)
    torch_model = build(torch)
    _set_batchnorm_statistics(torch_model[1])
    rust_model = build(rustorch)
    copy_weights(torch_model, rust_model)
    fused = rustorch.nn.utils.fuse_conv_bn_eval(rust_model[0], rust_model[1], transpose)
    torch_fused = torch.nn.utils.fuse_conv_bn_eval(torch_model[0], torch_model[1], transpose)
    assert type(fused) is type(rust_model[0]) and fused is not rust_model[0]
    assert isinstance(fused.bias, rustorch.nn.Parameter)
    assert_close(fused(to_rustorch(x)), as_torch(rust_model(to_rustorch(x))), atol=1e-5)
    assert_same_state(fused, torch_fused, atol=1e-6)


def test_fuse_linear_bn_eval():
    def build(m):
        return m.nn.Sequential(m.nn.Linear(5, 4), m.nn.BatchNorm1d(4)).eval()

    torch.manual_seed(0)
    torch_model = build(torch)
    _set_batchnorm_statistics(torch_model[1])
    rust_model = build(rustorch)
    copy_weights(torch_model, rust_model)
    x = randn(3, 5)
    fused = rustorch.nn.utils.fuse_linear_bn_eval(rust_model[0], rust_model[1])
    torch_fused = torch.nn.utils.fuse_linear_bn_eval(torch_model[0], torch_model[1])
    assert_close(fused(to_rustorch(x)), as_torch(rust_model(to_rustorch(x))), atol=1e-5)
    assert_same_state(fused, torch_fused, atol=1e-6)
    weight, bias = rustorch.nn.utils.fuse_linear_bn_weights(
        rust_model[0].weight, None, rust_model[1].running_mean, rust_model[1].running_var, 1e-5,
        rust_model[1].weight, rust_model[1].bias)
    expected = torch.nn.utils.fuse_linear_bn_weights(
        torch_model[0].weight, None, torch_model[1].running_mean, torch_model[1].running_var,
        1e-5, torch_model[1].weight, torch_model[1].bias)
    assert_close([weight, bias], list(expected), atol=1e-6)
    assert weight.requires_grad and not bias.requires_grad


def test_fusion_needs_eval_mode():
    for m in (torch, rustorch):
        with pytest.raises(AssertionError):
            m.nn.utils.fuse_conv_bn_eval(m.nn.Conv2d(2, 2, 1), m.nn.BatchNorm2d(2))
        with pytest.raises(AssertionError):
            m.nn.utils.fuse_linear_bn_eval(m.nn.Linear(2, 3).eval(), m.nn.BatchNorm1d(2).eval())


# ------------------------------------------------------------------ memory format
def test_convert_conv2d_weight_memory_format():
    torch_model, rust_model = _twins(lambda m: m.nn.Sequential(
        m.nn.Conv2d(3, 4, 3), m.nn.Sequential(m.nn.ConvTranspose2d(4, 2, 2)), m.nn.Linear(5, 5)))
    weight = rust_model[0].weight
    x = randn(2, 3, 6, 6)
    expected = rust_model(to_rustorch(x))
    result = rustorch.nn.utils.convert_conv2d_weight_memory_format(rust_model,
                                                                   rustorch.channels_last)
    torch.nn.utils.convert_conv2d_weight_memory_format(torch_model, torch.channels_last)
    assert result is rust_model and rust_model[0].weight is weight
    for index in ((0,), (1, 0)):
        rust_layer, torch_layer = rust_model, torch_model
        for i in index:
            rust_layer, torch_layer = rust_layer[i], torch_layer[i]
        assert rust_layer.weight.is_contiguous(memory_format=rustorch.channels_last)
        assert tuple(rust_layer.weight.stride()) == tuple(torch_layer.weight.stride())
    assert rust_model[2].weight.is_contiguous()
    assert_close(rust_model(to_rustorch(x)), as_torch(expected), atol=1e-6)
    assert_same_state(rust_model, torch_model)


def test_convert_conv3d_weight_memory_format():
    layer = rustorch.nn.Conv3d(2, 3, 2)
    rustorch.nn.utils.convert_conv3d_weight_memory_format(layer, rustorch.channels_last_3d)
    assert layer.weight.is_contiguous(memory_format=rustorch.channels_last_3d)
    assert not layer.weight.is_contiguous()


# ------------------------------------------------------------------ skip_init
def test_skip_init_does_not_initialise():
    rustorch.manual_seed(7)
    layer = rustorch.nn.utils.skip_init(rustorch.nn.Linear, 40, 30, bias=True)
    after_skip = rustorch.rand(4)
    rustorch.manual_seed(7)
    assert_close(after_skip, as_torch(rustorch.rand(4)))  # no random numbers were drawn
    assert type(layer) is rustorch.nn.Linear
    assert tuple(layer.weight.shape) == (30, 40) and tuple(layer.bias.shape) == (30,)
    assert isinstance(layer.weight, rustorch.nn.Parameter) and layer.weight.requires_grad
    rustorch.manual_seed(7)
    initialised = rustorch.nn.Linear(40, 30)
    assert not np.array_equal(as_numpy(layer.weight), as_numpy(initialised.weight))
    norm = rustorch.nn.utils.skip_init(rustorch.nn.BatchNorm1d, 3, dtype=rustorch.float64)
    assert norm.weight.dtype == rustorch.float64 and tuple(norm.running_var.shape) == (3,)


def test_skip_init_runs_no_initialiser(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an initialiser ran")

    for name in ("uniform_", "normal_"):
        monkeypatch.setattr(rustorch.Tensor, name, refuse)
    with pytest.raises(AssertionError, match="initialiser"):
        rustorch.nn.Conv2d(2, 3, 3)  # the patch does catch initialisation
    conv = rustorch.nn.utils.skip_init(rustorch.nn.Conv2d, 2, 3, 3)
    assert tuple(conv.weight.shape) == (3, 2, 3, 3)


def test_skip_init_errors():
    class NoDevice(rustorch.nn.Module):
        def __init__(self, size):
            super().__init__()

    with pytest.raises(RuntimeError):
        rustorch.nn.utils.skip_init(NoDevice, 3)
    with pytest.raises(RuntimeError):
        rustorch.nn.utils.skip_init(dict)


# ------------------------------------------------------------------ functional_call
class _Tied:
    """A two-layer model whose output layer shares the input layer's weight (built per
    framework), with a buffer."""

    def __new__(cls, m):
        class Tied(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = m.nn.Linear(3, 3)
                self.decoder = m.nn.Linear(3, 3)
                self.decoder.weight = self.encoder.weight
                self.register_buffer("offset", m.zeros(3))

            def forward(self, x):
                return self.decoder(self.encoder(x).tanh()) + self.offset
        return Tied()


@pytest.mark.parametrize("tie_weights", [True, False])
def test_functional_call_tied_weights_and_buffers(tie_weights):
    torch_model, rust_model = _twins(_Tied)
    x = randn(2, 3)
    replacement = randn(3, 3)
    values = {"encoder.weight": replacement, "offset": randn(3)}
    torch_inputs = {key: to_torch(value, requires_grad=True) for key, value in values.items()}
    rust_inputs = {key: to_rustorch(value, requires_grad=True) for key, value in values.items()}
    expected = torch.func.functional_call(torch_model, torch_inputs, (to_torch(x),),
                                          tie_weights=tie_weights)
    actual = rustorch.func.functional_call(rust_model, rust_inputs, (to_rustorch(x),),
                                           tie_weights=tie_weights)
    assert_close(actual, expected)
    expected.sum().backward()
    actual.sum().backward()
    for key in values:
        assert_close(rust_inputs[key].grad, torch_inputs[key].grad, what=f"grad of {key}")
    # the module is restored; its shared weight is used by the decoder only when untied
    assert rust_model.decoder.weight is rust_model.encoder.weight
    if tie_weights:
        assert rust_model.encoder.weight.grad is None
    else:
        assert_close(rust_model.encoder.weight.grad, torch_model.encoder.weight.grad)
    assert_close(rust_model(to_rustorch(x)), torch_model(to_torch(x)))


def test_functional_call_buffers_written_by_forward():
    torch_model, rust_model = _twins(lambda m: m.nn.BatchNorm1d(3))
    x = randn(5, 3)
    torch_buffers = {"running_mean": torch.zeros(3)}
    rust_buffers = {"running_mean": rustorch.zeros(3)}
    expected = torch.func.functional_call(torch_model, torch_buffers, to_torch(x))
    actual = rustorch.nn.utils.stateless.functional_call(rust_model, rust_buffers,
                                                         to_rustorch(x))
    assert_close(actual, expected)
    assert_close(rust_buffers["running_mean"], torch_buffers["running_mean"])
    assert_close(rust_model.running_mean, torch_model.running_mean)  # still the module's own

    def counter(m):
        class Counter(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("count", m.zeros(()))

            def forward(self, x):
                self.count = self.count + 1  # a new tensor, not an in-place update
                return x * self.count
        return Counter()

    results = {}
    for m in (torch, rustorch):
        model, given = counter(m), {"count": m.ones(())}
        m.func.functional_call(model, given, m.ones(2))
        results[m.__name__] = (float(given["count"]), float(model.count))
    assert results["rustorch"] == results["torch"] == (2.0, 0.0)


def test_functional_call_strict_and_errors():
    model = _Tied(rustorch)
    x = to_rustorch(randn(2, 3))
    names = ["decoder.bias", "encoder.bias", "encoder.weight", "offset"]
    full = {name: rustorch.ones(3) if "weight" not in name else rustorch.eye(3)
            for name in names}
    rustorch.func.functional_call(model, full, (x,), strict=True)
    with pytest.raises(RuntimeError, match="Missing key"):
        rustorch.func.functional_call(model, {"offset": rustorch.ones(3)}, (x,), strict=True)
    with pytest.raises(RuntimeError, match="Unexpected key"):
        rustorch.func.functional_call(model, dict(full, extra=rustorch.ones(1)), (x,),
                                      strict=True)
    with pytest.raises(ValueError, match="tied"):
        rustorch.func.functional_call(model, {"encoder.weight": rustorch.eye(3),
                                              "decoder.weight": rustorch.zeros(3, 3)}, (x,))
    split = rustorch.func.functional_call(model, ({"offset": rustorch.ones(3)},
                                                  {"encoder.bias": rustorch.ones(3)}), x)
    merged = rustorch.func.functional_call(model, {"offset": rustorch.ones(3),
                                                   "encoder.bias": rustorch.ones(3)}, x)
    assert_close(split, as_torch(merged))
    with pytest.raises(ValueError):
        rustorch.func.functional_call(model, ({"offset": rustorch.ones(3)},
                                              {"offset": rustorch.ones(3)}), x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rustorch.nn.utils.stateless.functional_call(model, {}, x)
    assert any(issubclass(w.category, FutureWarning) for w in caught)
