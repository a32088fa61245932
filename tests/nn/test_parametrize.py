"""nn.utils.parametrize and nn.utils.parametrizations (orthogonal, weight_norm, spectral_norm)
against torch: outputs, gradients, state_dict keys and values, removal, caching."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import rustorch
from tests._oracle import as_numpy, assert_close, check_error, randn, to_rustorch, to_torch
from tests.nn._helpers import (as_torch, assert_same_state, compare_forward_backward,
                               copy_weights)


def _symmetric(m):
    class Symmetric(m.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):
            return A.triu()
    return Symmetric()


def _scale(m, factor):
    class Scale(m.nn.Module):
        def forward(self, X):
            return X * factor

        def right_inverse(self, A):
            return A / factor
    return Scale()


def _rank_one(m):
    class RankOne(m.nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            return Z[:, 0].clone(), Z[0, :].clone()
    return RankOne()


def _twins(build, parametrize_fn, seed=0):
    """The same module in both frameworks with equal weights, then parametrized; the state
    (including random buffers) is copied again from torch after parametrizing."""
    torch.manual_seed(seed)
    torch_module, rust_module = build(torch), build(rustorch)
    copy_weights(torch_module, rust_module)
    parametrize_fn(torch, torch_module)
    parametrize_fn(rustorch, rust_module)
    copy_weights(torch_module, rust_module)
    return torch_module, rust_module








def _to_torch_state(rust_module):
    return {key: as_torch(value) for key, value in rust_module.state_dict().items()}


# ------------------------------------------------------------------ register_parametrization
def test_linear_symmetric_matches_torch():
    def register(m, module):
        m.nn.utils.parametrize.register_parametrization(module, "weight", _symmetric(m))
    torch_module, rust_module = _twins(lambda m: m.nn.Linear(4, 4), register)
    assert type(rust_module).__name__ == "ParametrizedLinear"
    assert isinstance(rust_module, rustorch.nn.Linear)
    assert list(rust_module.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert_same_state(rust_module, torch_module)
    weight = rust_module.weight
    assert_close(weight, as_torch(weight.mT))
    compare_forward_backward(torch_module, rust_module, randn(3, 4))


def test_chained_parametrizations_on_conv2d_and_assignment():
    def register(m, module):
        m.nn.utils.parametrize.register_parametrization(module, "weight", _scale(m, 2.0))
        m.nn.utils.parametrize.register_parametrization(module, "weight", _scale(m, -0.5))
    torch_module, rust_module = _twins(lambda m: m.nn.Conv2d(2, 3, 3), register)
    assert len(rust_module.parametrizations.weight) == 2
    assert_same_state(rust_module, torch_module)
    compare_forward_backward(torch_module, rust_module, randn(2, 2, 6, 6))
    original = rust_module.parametrizations.weight.original
    value = randn(3, 2, 3, 3)
    with torch.no_grad():
        torch_module.weight = to_torch(value)
    rust_module.weight = to_rustorch(value)  # right_inverse of both, in reverse order
    assert rust_module.parametrizations.weight.original is original  # same Parameter object
    assert_close(rust_module.weight, to_torch(value))
    assert_same_state(rust_module, torch_module)


def test_state_dict_loads_into_torch_and_back():
    def register(m, module):
        m.nn.utils.parametrize.register_parametrization(module, "weight", _symmetric(m))
    torch_module, rust_module = _twins(lambda m: m.nn.Linear(3, 3), register)
    with rustorch.no_grad():
        rust_module.parametrizations.weight.original.mul_(3.0)
    result = torch_module.load_state_dict(_to_torch_state(rust_module))
    assert not result.missing_keys and not result.unexpected_keys
    assert_same_state(rust_module, torch_module)
    fresh = rustorch.nn.Linear(3, 3)
    rustorch.nn.utils.parametrize.register_parametrization(fresh, "weight", _symmetric(rustorch))
    fresh.load_state_dict(torch_module.state_dict())
    assert_close(fresh.weight, torch_module.weight)


def test_right_inverse_returning_a_tuple():
    def register(m, module):
        m.nn.utils.parametrize.register_parametrization(module, "weight", _rank_one(m))
    torch_module, rust_module = _twins(lambda m: m.nn.Linear(4, 5), register)
    assert list(rust_module.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert_same_state(rust_module, torch_module)
    compare_forward_backward(torch_module, rust_module, randn(2, 4))
    with pytest.raises(ValueError):
        rustorch.nn.utils.parametrize.remove_parametrizations(rust_module, "weight", False)


def test_parametrized_buffer():
    def build(m):
        module = m.nn.BatchNorm1d(3)
        module.running_var.copy_(m.tensor([1.0, 2.0, 3.0]))
        return module.eval()

    def register(m, module):
        m.nn.utils.parametrize.register_parametrization(module, "running_var", _scale(m, 2.0))
    torch_module, rust_module = _twins(build, register)
    assert "parametrizations.running_var.original" in rust_module.state_dict()
    assert not rust_module.parametrizations.running_var.original.requires_grad
    assert_same_state(rust_module, torch_module)
    compare_forward_backward(torch_module, rust_module, randn(4, 3))


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_remove_parametrizations(leave_parametrized):
    def register(m, module):
        m.nn.utils.parametrize.register_parametrization(module, "weight", _symmetric(m))
        m.nn.utils.parametrize.register_parametrization(module, "bias", _scale(m, 3.0))
    torch_module, rust_module = _twins(lambda m: m.nn.Linear(3, 3), register)
    original = rust_module.parametrizations.weight.original
    for module in (torch_module, rust_module):
        parametrize = (torch if module is torch_module else rustorch).nn.utils.parametrize
        parametrize.remove_parametrizations(module, "weight", leave_parametrized)
        assert parametrize.is_parametrized(module) and not parametrize.is_parametrized(
            module, "weight")
    assert rust_module.weight is original  # the optimizer's Parameter survives
    assert type(rust_module).__name__ == "ParametrizedLinear"
    assert_same_state(rust_module, torch_module)
    torch.nn.utils.parametrize.remove_parametrizations(torch_module, "bias", leave_parametrized)
    rustorch.nn.utils.parametrize.remove_parametrizations(rust_module, "bias", leave_parametrized)
    assert type(rust_module) is rustorch.nn.Linear
    assert not hasattr(rust_module, "parametrizations")
    assert list(rust_module.state_dict()) == ["weight", "bias"]
    assert_same_state(rust_module, torch_module)
    compare_forward_backward(torch_module, rust_module, randn(2, 3))


def test_remove_without_parametrization_raises():
    check_error(lambda m: m.nn.utils.parametrize.remove_parametrizations(m.nn.Linear(2, 2),
                                                                         "weight"))


def test_shape_or_dtype_change_needs_unsafe():
    class Widen:
        def __new__(cls, m):
            class Pad(m.nn.Module):
                def forward(self, X):
                    return m.cat([X, X], dim=0)
            return Pad()

    check_error(lambda m: m.nn.utils.parametrize.register_parametrization(
        m.nn.Linear(2, 3), "weight", Widen(m)))
    check_error(lambda m: m.nn.utils.parametrize.register_parametrization(
        m.nn.Linear(2, 3), "missing", Widen(m)))
    layer = rustorch.nn.Linear(2, 3)
    rustorch.nn.utils.parametrize.register_parametrization(layer, "weight", Widen(rustorch),
                                                           unsafe=True)
    assert tuple(layer.weight.shape) == (6, 2)


def test_cached_computes_once():
    calls = {"torch": 0, "rustorch": 0}

    def counting(m):
        class Counting(m.nn.Module):
            def forward(self, X):
                calls[m.__name__] += 1
                return X * 2
        return Counting()

    for m in (torch, rustorch):
        layer = m.nn.Linear(3, 3)
        m.nn.utils.parametrize.register_parametrization(layer, "weight", counting(m))
        calls[m.__name__] = 0
        first, second = layer.weight, layer.weight
        assert first is not second
        with m.nn.utils.parametrize.cached():
            first, second = layer.weight, layer.weight
            with m.nn.utils.parametrize.cached():
                assert layer.weight is first
        assert first is second
        layer.weight  # the cache is dropped on exit
    assert calls["rustorch"] == calls["torch"] == 4


def test_type_before_and_transfer():
    parametrize = rustorch.nn.utils.parametrize
    source = rustorch.nn.Linear(3, 3)
    assert parametrize.type_before_parametrizations(source) is rustorch.nn.Linear
    parametrize.register_parametrization(source, "weight", _symmetric(rustorch))
    assert parametrize.type_before_parametrizations(source) is rustorch.nn.Linear
    target = rustorch.nn.Linear(3, 3)
    parametrize.transfer_parametrizations_and_params(source, target)
    assert parametrize.is_parametrized(target, "weight")
    assert target.parametrizations.weight.original is source.parametrizations.weight.original
    assert_close(target.weight, as_torch(source.weight))


def test_deepcopy_works_pickle_refused():
    layer = rustorch.nn.Linear(3, 3)
    rustorch.nn.utils.parametrize.register_parametrization(layer, "weight", _symmetric(rustorch))
    clone = copy.deepcopy(layer)
    assert type(clone).__name__ == "ParametrizedLinear"
    assert clone.parametrizations.weight.original is not layer.parametrizations.weight.original
    assert_close(clone.weight, as_torch(layer.weight))
    with pytest.raises(RuntimeError):
        pickle.dumps(layer)


# ------------------------------------------------------------------ orthogonal
def _assert_orthogonal(Q, atol=1e-5):
    Q = Q.detach().cpu().numpy()
    if Q.shape[-2] < Q.shape[-1]:
        Q = np.swapaxes(Q, -1, -2)
    np.testing.assert_allclose(np.swapaxes(Q, -1, -2) @ Q, np.eye(Q.shape[-1]), atol=atol)


@pytest.mark.parametrize("shape,orthogonal_map,use_trivialization", [
    ((5, 5), None, True), ((6, 3), None, True), ((3, 6), None, True),
    ((4, 4), "cayley", True), ((6, 3), "matrix_exp", True), ((3, 6), "cayley", True),
    ((6, 3), "householder", False), ((3, 5), "householder", False), ((4, 4), "cayley", False),
])
def test_orthogonal_matches_torch(shape, orthogonal_map, use_trivialization):
    def register(m, module):
        m.nn.utils.parametrizations.orthogonal(module, orthogonal_map=orthogonal_map,
                                               use_trivialization=use_trivialization)
    torch_module, rust_module = _twins(lambda m: m.nn.Linear(shape[1], shape[0]), register)
    _assert_orthogonal(rust_module.weight)
    assert_same_state(rust_module, torch_module)
    compare_forward_backward(torch_module, rust_module, randn(2, shape[1]), atol=1e-4)


@pytest.mark.parametrize("shape,orthogonal_map,use_trivialization", [
    ((4, 4), "matrix_exp", True), ((4, 4), "cayley", True), ((4, 4), "householder", True),
    ((6, 3), "householder", False), ((3, 5), "householder", False),
])
def test_orthogonal_initial_value_without_copying(shape, orthogonal_map, use_trivialization):
    # square: base is the QR factor of the weight; householder without trivialization: the
    # original is LAPACK's geqrf of the weight
    torch.manual_seed(1)
    torch_module = torch.nn.Linear(shape[1], shape[0])
    rust_module = rustorch.nn.Linear(shape[1], shape[0])
    copy_weights(torch_module, rust_module)
    for m, module in ((torch, torch_module), (rustorch, rust_module)):
        m.nn.utils.parametrizations.orthogonal(module, orthogonal_map=orthogonal_map,
                                               use_trivialization=use_trivialization)
    assert_same_state(rust_module, torch_module, atol=1e-5)  # nothing copied this time
    assert_close(rust_module.weight, torch_module.weight, atol=1e-5)


def test_orthogonal_complex_is_unitary():
    value = randn(3, 3) + 1j * randn(3, 3)
    modules = {}
    for m in (torch, rustorch):
        module = m.nn.Module()
        module.weight = m.nn.Parameter(m.tensor(value.astype(np.complex64)))
        m.nn.utils.parametrizations.orthogonal(module)
        loss = module.weight.real.sum() + module.weight.imag.pow(2).sum()
        loss.backward()
        modules[m.__name__] = module
    rust_module, torch_module = modules["rustorch"], modules["torch"]
    weight = as_numpy(rust_module.weight)
    np.testing.assert_allclose(weight.conj().T @ weight, np.eye(3), atol=1e-5)
    assert_close(rust_module.weight, torch_module.weight, atol=1e-5)
    assert_close(rust_module.parametrizations.weight.original.grad,
                 torch_module.parametrizations.weight.original.grad, atol=1e-4)


def test_orthogonal_gradient_flow_keeps_orthogonality():
    def register(m, module):
        m.nn.utils.parametrizations.orthogonal(module)
    torch_module, rust_module = _twins(lambda m: m.nn.Linear(3, 5), register)
    torch_optimizer = torch.optim.SGD(torch_module.parameters(), lr=0.1)
    rust_optimizer = rustorch.optim.SGD(rust_module.parameters(), lr=0.1)
    x = randn(4, 3)
    before = rust_module.parametrizations.weight.original.detach().clone()
    for _ in range(3):
        for module, optimizer, convert in ((torch_module, torch_optimizer, to_torch),
                                           (rust_module, rust_optimizer, to_rustorch)):
            optimizer.zero_grad()
            (module(convert(x)) ** 2).sum().backward()
            optimizer.step()
    original = rust_module.parametrizations.weight.original
    assert float(original.grad.abs().sum()) > 0
    assert float((original - before).abs().sum()) > 1e-3  # the optimizer moved it
    _assert_orthogonal(rust_module.weight)
    assert_same_state(rust_module, torch_module, atol=1e-5)


def test_orthogonal_assignment_and_errors():
    layer = rustorch.nn.Linear(3, 3)
    rustorch.nn.utils.parametrizations.orthogonal(layer)
    target = np.linalg.qr(randn(3, 3).astype(np.float64))[0].astype(np.float32)
    layer.weight = to_rustorch(target)
    assert_close(layer.weight, torch.from_numpy(target), atol=1e-5)
    check_error(lambda m: m.nn.utils.parametrizations.orthogonal(m.nn.Linear(2, 2), "bias"))
    check_error(lambda m: m.nn.utils.parametrizations.orthogonal(m.nn.Linear(2, 2),
                                                                 orthogonal_map="qr"))


# ------------------------------------------------------------------ weight_norm
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(dim):
    def register(m, module):
        m.nn.utils.parametrizations.weight_norm(module, dim=dim)
    torch_module, rust_module = _twins(lambda m: m.nn.Conv2d(3, 4, 3), register)
    assert list(rust_module.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert_same_state(rust_module, torch_module)
    compare_forward_backward(torch_module, rust_module, randn(2, 3, 5, 5), atol=1e-4)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_weight_norm_loads_old_keys_and_removal():
    torch.manual_seed(0)
    old = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3))
    with torch.no_grad():
        old.weight_g.mul_(2.0)
    layer = rustorch.nn.utils.parametrizations.weight_norm(rustorch.nn.Linear(4, 3))
    layer.load_state_dict(old.state_dict())
    old(torch.zeros(1, 4))  # the hook recomputes old.weight
    assert_close(layer.weight, old.weight)
    rustorch.nn.utils.parametrize.remove_parametrizations(layer, "weight")
    assert list(layer.state_dict()) == ["bias", "weight"]
    assert_close(layer.weight, old.weight)


# ------------------------------------------------------------------ spectral_norm
@pytest.mark.parametrize("build,x", [
    (lambda m: m.nn.Linear(5, 7), randn(3, 5)),
    (lambda m: m.nn.Conv2d(2, 4, 3), randn(2, 2, 5, 5)),
    (lambda m: m.nn.ConvTranspose2d(3, 2, 3), randn(2, 3, 4, 4)),
])
def test_spectral_norm_matches_torch_with_copied_vectors(build, x):
    def register(m, module):
        m.nn.utils.parametrizations.spectral_norm(module, n_power_iterations=2)
    torch_module, rust_module = _twins(build, register)  # _u and _v copied from torch
    assert [key for key in rust_module.state_dict() if key.endswith(("_u", "_v"))] == [
        "parametrizations.weight.0._u", "parametrizations.weight.0._v"]
    for _ in range(3):  # each access in training mode runs the power iteration
        for module in (torch_module, rust_module):
            module.zero_grad()
        # float32 gradients of sum(out**2) reach ~100: 1e-4 is a few ulps there
        compare_forward_backward(torch_module, rust_module, x, atol=1e-5, grad_atol=1e-4)
        assert_same_state(rust_module, torch_module, atol=1e-6)
    for module in (torch_module, rust_module):  # two accesses, then one backward
        module.zero_grad()
    expected = torch_module(to_torch(x)).sum() + torch_module(to_torch(x)).pow(2).sum()
    actual = rust_module(to_rustorch(x)).sum() + rust_module(to_rustorch(x)).pow(2).sum()
    expected.backward()
    actual.backward()
    assert_close(rust_module.parametrizations.weight.original.grad,
                 torch_module.parametrizations.weight.original.grad, atol=1e-4)
    torch_module.eval()
    rust_module.eval()
    compare_forward_backward(torch_module, rust_module, x, atol=1e-5, grad_atol=1e-4)
    assert_same_state(rust_module, torch_module, atol=1e-6)
    largest = np.linalg.svd(as_numpy(rust_module.weight).reshape(
        rust_module.weight.shape[0], -1), compute_uv=False)
    if build(torch).__class__.__name__ == "Linear":
        assert abs(largest[0] - 1.0) < 1e-2


def test_spectral_norm_vector_and_errors():
    layer = rustorch.nn.Linear(3, 4)
    rustorch.nn.utils.parametrizations.spectral_norm(layer, "bias")
    assert abs(float(layer.bias.norm()) - 1.0) < 1e-6
    check_error(lambda m: m.nn.utils.parametrizations.spectral_norm(m.nn.Linear(2, 2),
                                                                    n_power_iterations=0))
    check_error(lambda m: m.nn.utils.parametrizations.spectral_norm(m.nn.Linear(2, 2), dim=2))
