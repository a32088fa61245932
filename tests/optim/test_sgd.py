"""SGD against torch.optim.SGD, step for step."""
import numpy as np
import pytest

from tests._oracle import rustorch, to_rustorch, torch
from tests.optim._compare import (as_numpy, closure_run, run_both, run_both_reduced,
                                  state_to_rustorch, state_to_torch)

CONFIGS = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.5},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.05, "maximize": True},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01, "maximize": True},
    {"lr": 0.05, "momentum": 0.8, "dampening": 0.2, "weight_decay": 0.01, "maximize": True},
    {"lr": 0.05, "momentum": 0.9, "foreach": True},
    {"lr": 0.05, "momentum": 0.9, "foreach": False, "fused": None},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", CONFIGS)
def test_matches_torch(kwargs, dtype):
    run_both("SGD", kwargs, steps=8, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("kwargs", [CONFIGS[1], CONFIGS[6], CONFIGS[7]])
def test_reduced_precision_matches_torch(kwargs, dtype):
    run_both_reduced("SGD", kwargs, dtype)


def test_param_groups_with_different_options():
    groups = [([0], {"lr": 0.2}), ([1, 2], {"momentum": 0.5, "weight_decay": 0.1})]
    torch_optimizer, ours, _, _ = run_both("SGD", {"lr": 0.01, "momentum": 0.9}, groups=groups)
    assert [group["lr"] for group in ours.param_groups] == [0.2, 0.01]
    assert [group["momentum"] for group in ours.param_groups] == [0.9, 0.5]


def test_tensor_learning_rate():
    arrays = [np.ones(3, np.float32)]
    ours = to_rustorch(arrays[0]).requires_grad_()
    optimizer = rustorch.optim.SGD([ours], lr=rustorch.tensor(0.5))
    ours.grad = rustorch.ones(3)
    optimizer.step()
    np.testing.assert_allclose(as_numpy(ours), [0.5, 0.5, 0.5])


def test_closure_matches_torch():
    (torch_losses, torch_params), (our_losses, our_params) = closure_run(
        "SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True})
    np.testing.assert_allclose(our_losses, torch_losses, rtol=1e-10)
    for ours, expected in zip(our_params, torch_params):
        np.testing.assert_allclose(ours, expected, rtol=1e-10)


def test_no_state_without_momentum():
    torch_optimizer, ours, _, _ = run_both("SGD", {"lr": 0.1}, steps=2)
    assert ours.state_dict()["state"] == {} == torch_optimizer.state_dict()["state"]


def test_parameters_without_grad_are_skipped():
    param = rustorch.ones(3, requires_grad=True)
    other = rustorch.ones(2, requires_grad=True)
    optimizer = rustorch.optim.SGD([param, other], lr=0.1, momentum=0.9)
    param.grad = rustorch.ones(3)
    optimizer.step()
    np.testing.assert_allclose(as_numpy(other), [1.0, 1.0])
    assert other not in optimizer.state and param in optimizer.state


def test_update_is_in_place_and_bumps_version():
    param = rustorch.ones(3, requires_grad=True)
    array, version = param._data, param._version
    optimizer = rustorch.optim.SGD([param], lr=0.1, momentum=0.9)
    for _ in range(2):
        param.grad = rustorch.ones(3)
        optimizer.step()
    assert param._data is array
    assert param._version == version + 2
    np.testing.assert_allclose(as_numpy(param), [1 - 0.1 - 0.1 * 1.9] * 3, rtol=1e-6)


def test_state_dict_round_trip_and_from_torch():
    torch_optimizer, ours, torch_params, our_params = run_both(
        "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, steps=3)
    saved = ours.state_dict()
    assert sorted(saved["state"]) == [0, 1, 2]
    assert set(saved["state"][0]) == {"momentum_buffer"}
    assert saved["param_groups"][0] == {key: value for key, value in
                                        torch_optimizer.state_dict()["param_groups"][0].items()}
    # a fresh optimizer loading torch's state continues exactly like torch
    fresh = rustorch.optim.SGD(our_params, lr=1.0)
    fresh.load_state_dict(state_to_rustorch(torch_optimizer.state_dict()))
    assert fresh.param_groups[0]["lr"] == 0.05 and fresh.param_groups[0]["params"][0] is \
        our_params[0]
    grads = [np.full(param.shape, 0.5, np.float32) for param in our_params]
    for param, grad in zip(torch_params, grads):
        param.grad = torch.from_numpy(grad.copy())
    for param, grad in zip(our_params, grads):
        param.grad = to_rustorch(grad)
    torch_optimizer.step()
    fresh.step()
    for expected, actual in zip(torch_params, our_params):
        np.testing.assert_allclose(as_numpy(actual), as_numpy(expected), rtol=1e-5, atol=1e-6)
    # and torch accepts ours
    other = torch.optim.SGD([torch.zeros(5, 4, requires_grad=True), torch.zeros(3,
                             requires_grad=True), torch.zeros((), requires_grad=True)], lr=1.0)
    other.load_state_dict(state_to_torch(fresh.state_dict()))
    assert other.param_groups[0]["momentum"] == 0.9


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -1}, "Invalid learning rate: -1"),
    ({"lr": 0.1, "momentum": -0.5}, "Invalid momentum value: -0.5"),
    ({"lr": 0.1, "weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    ({"lr": 0.1, "nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    ({"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
     "Nesterov momentum requires"),
])
def test_validation_errors_match_torch(kwargs, message):
    with pytest.raises(ValueError, match=message):
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match=message) as info:
        rustorch.optim.SGD([rustorch.zeros(1, requires_grad=True)], **kwargs)
    assert isinstance(info.value, rustorch.RusTorchError)


def test_unsupported_options_raise():
    with pytest.raises(NotImplementedError, match="differentiable"):
        rustorch.optim.SGD([rustorch.zeros(1, requires_grad=True)], differentiable=True)
    with pytest.raises(RuntimeError, match="cannot be `True` together"):
        rustorch.optim.SGD([rustorch.zeros(1, requires_grad=True)], fused=True, foreach=True)
