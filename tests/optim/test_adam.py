"""Adam, AMSGrad and AdamW against torch.optim, step for step."""
import numpy as np
import pytest

from tests._oracle import rustorch, to_rustorch, torch
from tests.optim._compare import (as_numpy, closure_run, make_params, run_both,
                                  run_both_reduced, state_to_rustorch, state_to_torch)

ADAM_CONFIGS = [
    {},
    {"lr": 0.01},
    {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-6},
    {"lr": 0.01, "betas": (0.3, 0.99)},  # 1 - beta1 >= 0.5: the other branch of lerp
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "amsgrad": True},
    {"lr": 0.01, "maximize": True},
    {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05, "maximize": True},
    {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    {"lr": 0.01, "foreach": False},
]
ADAMW_CONFIGS = [{}, {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.01, "amsgrad": True},
                 {"lr": 0.01, "maximize": True, "weight_decay": 0.0}]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", ADAM_CONFIGS)
def test_adam_matches_torch(kwargs, dtype):
    run_both("Adam", kwargs, steps=10, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", ADAMW_CONFIGS)
def test_adamw_matches_torch(kwargs, dtype):
    run_both("AdamW", kwargs, steps=10, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name, kwargs", [("Adam", {"lr": 0.01}),
                                          ("Adam", {"lr": 0.01, "amsgrad": True,
                                                    "maximize": True}),
                                          ("AdamW", {"lr": 0.01, "weight_decay": 0.1})])
def test_reduced_precision_matches_torch(name, kwargs, dtype):
    run_both_reduced(name, kwargs, dtype)


def test_adamw_is_adam_with_decoupled_weight_decay():
    param = rustorch.ones(2, requires_grad=True)
    optimizer = rustorch.optim.AdamW([param])
    assert isinstance(optimizer, rustorch.optim.Adam)
    group = optimizer.param_groups[0]
    assert group["weight_decay"] == 1e-2 and group["decoupled_weight_decay"] is True
    assert repr(optimizer) == repr(torch.optim.AdamW([torch.ones(2, requires_grad=True)]))


def test_param_groups_with_different_learning_rates():
    groups = [([0], {"lr": 0.1}), ([1], {"lr": 0.001, "amsgrad": True}),
              ([2], {"betas": (0.8, 0.9)})]
    run_both("Adam", {"lr": 0.01}, groups=groups)


def test_closure_matches_torch():
    (torch_losses, torch_params), (our_losses, our_params) = closure_run("Adam", {"lr": 0.05})
    np.testing.assert_allclose(our_losses, torch_losses, rtol=1e-10)
    for ours, expected in zip(our_params, torch_params):
        np.testing.assert_allclose(ours, expected, rtol=1e-10)


def test_state_layout_matches_torch():
    torch_optimizer, ours, _, our_params = run_both("Adam", {"lr": 0.01, "amsgrad": True},
                                                    steps=3)
    state = ours.state[our_params[0]]
    assert list(state) == list(torch_optimizer.state[torch_optimizer.param_groups[0]
                                                     ["params"][0]])
    assert list(state) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    assert state["step"].dtype == rustorch.float32 and state["step"].shape == ()
    assert state["step"].item() == 3.0
    assert state["exp_avg"].shape == our_params[0].shape


def test_complex_parameters_match_torch():
    rng = np.random.default_rng(5)
    array = (rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))).astype(np.complex64)
    torch_param, our_param = make_params(torch, [array])[0], make_params(rustorch, [array])[0]
    torch_optimizer = torch.optim.Adam([torch_param], lr=0.01, amsgrad=True)
    ours = rustorch.optim.Adam([our_param], lr=0.01, amsgrad=True)
    for _ in range(4):
        grad = (rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))).astype(
            np.complex64)
        torch_param.grad = torch.from_numpy(grad.copy())
        our_param.grad = to_rustorch(grad)
        torch_optimizer.step()
        ours.step()
    np.testing.assert_allclose(as_numpy(our_param), as_numpy(torch_param), rtol=1e-5, atol=1e-6)


def test_load_torch_state_dict_then_continue():
    torch_optimizer, _, torch_params, our_params = run_both(
        "Adam", {"lr": 0.02, "amsgrad": True}, steps=4, dtype=np.float64)
    fresh = rustorch.optim.Adam(our_params, lr=1.0)
    fresh.load_state_dict(state_to_rustorch(torch_optimizer.state_dict()))
    assert fresh.param_groups[0]["lr"] == 0.02 and fresh.param_groups[0]["amsgrad"] is True
    loaded = fresh.state[our_params[0]]
    assert loaded["step"].dtype == rustorch.float32 and loaded["step"].item() == 4.0
    rng = np.random.default_rng(9)
    for _ in range(3):
        for torch_param, our_param in zip(torch_params, our_params):
            grad = rng.standard_normal(torch_param.shape)
            torch_param.grad = torch.from_numpy(grad.copy())
            our_param.grad = to_rustorch(grad)
        torch_optimizer.step()
        fresh.step()
    for expected, actual in zip(torch_params, our_params):
        np.testing.assert_allclose(as_numpy(actual), as_numpy(expected), rtol=1e-10,
                                   atol=1e-12)


def test_load_unconverted_torch_state_dict():
    torch_optimizer, _, _, our_params = run_both("Adam", {"lr": 0.02}, steps=2)
    fresh = rustorch.optim.Adam(our_params)
    fresh.load_state_dict(torch_optimizer.state_dict())  # real torch tensors are converted
    state = fresh.state[our_params[1]]
    assert isinstance(state["exp_avg"], rustorch.Tensor) and state["step"].item() == 2.0
    expected = torch_optimizer.state[torch_optimizer.param_groups[0]["params"][1]]
    np.testing.assert_array_equal(as_numpy(state["exp_avg_sq"]),
                                  expected["exp_avg_sq"].numpy())


def test_state_dict_round_trip_and_torch_accepts_ours():
    _, ours, _, our_params = run_both("AdamW", {"lr": 0.01}, steps=2)
    saved = ours.state_dict()
    clone = rustorch.optim.AdamW([rustorch.zeros_like(param).requires_grad_()
                                  for param in our_params])
    clone.load_state_dict(saved)
    for index, param in enumerate(clone.param_groups[0]["params"]):
        for key in ("step", "exp_avg", "exp_avg_sq"):
            np.testing.assert_array_equal(as_numpy(clone.state[param][key]),
                                          as_numpy(saved["state"][index][key]))
            # loading copies: the two optimizers don't share buffers
            assert clone.state[param][key]._data is not saved["state"][index][key]._data
    target = torch.optim.AdamW([torch.zeros(5, 4, requires_grad=True),
                                torch.zeros(3, requires_grad=True),
                                torch.zeros((), requires_grad=True)])
    target.load_state_dict(state_to_torch(saved))
    assert target.state_dict()["state"][0]["step"].item() == 2.0


def test_load_casts_state_to_parameter_dtype():
    param = rustorch.zeros(3, dtype=rustorch.float64, requires_grad=True)
    optimizer = rustorch.optim.Adam([param])
    saved = {"state": {0: {"step": rustorch.tensor(5.0), "exp_avg": rustorch.ones(3),
                           "exp_avg_sq": rustorch.ones(3)}},
             "param_groups": [dict(optimizer.state_dict()["param_groups"][0])]}
    optimizer.load_state_dict(saved)
    state = optimizer.state[param]
    assert state["exp_avg"].dtype == rustorch.float64
    assert state["step"].dtype == rustorch.float32


def test_float_step_from_old_checkpoints_becomes_a_tensor():
    param = rustorch.zeros(3, requires_grad=True)
    optimizer = rustorch.optim.Adam([param])
    saved = {"state": {0: {"step": 7, "exp_avg": rustorch.ones(3),
                           "exp_avg_sq": rustorch.ones(3)}},
             "param_groups": [dict(optimizer.state_dict()["param_groups"][0])]}
    optimizer.load_state_dict(saved)
    assert isinstance(optimizer.state[param]["step"], rustorch.Tensor)
    param.grad = rustorch.ones(3)
    optimizer.step()
    assert optimizer.state[param]["step"].item() == 8.0


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -1}, "Invalid learning rate: -1"),
    ({"eps": -1.0}, "Invalid epsilon value: -1.0"),
    ({"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ({"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    ({"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ({"betas": (0, 0.9)}, "betas must be either both floats or both Tensors"),
])
def test_validation_errors_match_torch(kwargs, message):
    with pytest.raises(ValueError, match=message):
        torch.optim.Adam([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match=message) as info:
        rustorch.optim.Adam([rustorch.zeros(1, requires_grad=True)], **kwargs)
    assert isinstance(info.value, rustorch.RusTorchError)


def test_capturable_needs_cuda_parameters():
    param = rustorch.zeros(1, requires_grad=True, device="cpu")  # CPU ones, whatever the default
    optimizer = rustorch.optim.Adam([param], capturable=True)
    param.grad = rustorch.ones(1, device="cpu")
    with pytest.raises(NotImplementedError, match="capturable"):
        optimizer.step()


def test_differentiable_is_not_supported():
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        rustorch.optim.Adam([rustorch.zeros(1, requires_grad=True)], differentiable=True)
