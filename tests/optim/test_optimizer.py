"""The Optimizer base class: parameter groups, state dicts, zero_grad, hooks, subclassing."""
import copy
import pickle

import numpy as np
import pytest

from tests._oracle import as_numpy, rustorch, torch


def params(module, count=2):
    return [module.ones(index + 2, requires_grad=True) for index in range(count)]


def both(build):
    return build(torch), build(rustorch)


# ----------------------------------------------------------------- construction
def test_accepts_lists_generators_and_groups():
    first, second = params(rustorch)
    assert len(rustorch.optim.SGD([first, second], lr=0.1).param_groups) == 1
    from_generator = rustorch.optim.SGD((p for p in [first, second]), lr=0.1)
    assert [id(p) for p in from_generator.param_groups[0]["params"]] == [id(first), id(second)]
    optimizer = rustorch.optim.SGD([{"params": [first]}, {"params": second, "lr": 0.5}], lr=0.1)
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.5]
    assert optimizer.param_groups[1]["params"][0] is second
    assert optimizer.defaults["lr"] == 0.1


def test_named_parameters():
    first, second = params(rustorch)
    optimizer = rustorch.optim.SGD([("a.weight", first), ("b.bias", second)], lr=0.1)
    assert optimizer.param_groups[0]["param_names"] == ["a.weight", "b.bias"]
    assert optimizer.state_dict()["param_groups"][0]["param_names"] == ["a.weight", "b.bias"]
    expected, _ = both(lambda m: m.optim.SGD([("a.weight", params(m)[0])], lr=0.1))
    assert list(expected.state_dict()["param_groups"][0]) == \
        list(rustorch.optim.SGD([("a.weight", first)], lr=0.1).state_dict()["param_groups"][0])
    with pytest.raises(ValueError, match="with/without names"):
        optimizer.add_param_group({"params": [rustorch.ones(1, requires_grad=True)]})


@pytest.mark.parametrize("make, error, message", [
    (lambda m: m.optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
    (lambda m: m.optim.SGD(m.ones(2, requires_grad=True), lr=0.1), TypeError,
     "should be an iterable of Tensors or dicts"),
    (lambda m: m.optim.SGD([1.0], lr=0.1), TypeError, "optimizer can only optimize Tensors"),
    (lambda m: m.optim.SGD([{"params": {m.ones(2, requires_grad=True)}}], lr=0.1), TypeError,
     "ordered collections"),
    (lambda m: m.optim.SGD([m.ones(2, requires_grad=True) * 2], lr=0.1), ValueError,
     "can't optimize a non-leaf Tensor"),
])
def test_construction_errors_match_torch(make, error, message):
    with pytest.raises(error, match=message):
        make(torch)
    with pytest.raises(error, match=message) as info:
        make(rustorch)
    assert isinstance(info.value, rustorch.RusTorchError)


def test_add_param_group():
    first, second = params(rustorch)
    optimizer = rustorch.optim.Adam([first], lr=0.1)
    optimizer.add_param_group({"params": second, "betas": (0.5, 0.6)})
    group = optimizer.param_groups[1]
    assert len(group["params"]) == 1 and group["params"][0] is second
    assert group["lr"] == 0.1 and group["betas"] == (0.5, 0.6)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter "
                                         "group") as info:
        optimizer.add_param_group({"params": [first]})
    assert isinstance(info.value, rustorch.RusTorchError)
    with pytest.raises(ValueError, match="duplicate parameters"):
        rustorch.optim.SGD([first, first], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        optimizer.add_param_group([second])


def test_required_option():
    class Plain(rustorch.optim.Optimizer):
        pass

    first, _ = params(rustorch)
    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Plain([first], {"lr": rustorch.optim.optimizer.required})
    plain = Plain([{"params": [first], "lr": 0.1}], {"lr": rustorch.optim.optimizer.required})
    first.grad = rustorch.ones(2)
    with pytest.raises(NotImplementedError):
        plain.step()


def test_repr_matches_torch():
    def build(m):
        first, second = params(m)
        return m.optim.SGD([{"params": [first]}, {"params": [second], "lr": 0.5}], lr=0.1,
                           momentum=0.9)
    expected, actual = both(build)
    assert repr(actual) == repr(expected)


# ----------------------------------------------------------------- zero_grad
def test_zero_grad():
    first, second = params(rustorch)
    optimizer = rustorch.optim.SGD([first, second], lr=0.1)
    first.grad = rustorch.ones(2)
    grad = first.grad
    optimizer.zero_grad(set_to_none=False)
    assert first.grad is grad and second.grad is None
    np.testing.assert_array_equal(as_numpy(first.grad), [0.0, 0.0])
    optimizer.zero_grad()
    assert first.grad is None


def test_zero_grad_after_backward():
    param = rustorch.ones(3, requires_grad=True)
    optimizer = rustorch.optim.SGD([param], lr=0.1)
    (param * param).sum().backward()
    optimizer.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(as_numpy(param.grad), [0.0, 0.0, 0.0])
    (param * 3).sum().backward()
    np.testing.assert_array_equal(as_numpy(param.grad), [3.0, 3.0, 3.0])


# ----------------------------------------------------------------- hooks
def test_step_hooks_run_in_order_and_are_removable():
    param = rustorch.ones(2, requires_grad=True)
    optimizer = rustorch.optim.SGD([param], lr=0.1)
    calls = []
    pre = optimizer.register_step_pre_hook(lambda opt, args, kwargs: calls.append(("pre", opt)))
    post = optimizer.register_step_post_hook(lambda opt, args, kwargs: calls.append(("post",)))
    param.grad = rustorch.ones(2)
    optimizer.step()
    assert calls == [("pre", optimizer), ("post",)]
    pre.remove()
    post.remove()
    optimizer.step()
    assert len(calls) == 2


def test_pre_hook_can_replace_arguments():
    param = rustorch.ones(2, requires_grad=True)
    optimizer = rustorch.optim.SGD([param], lr=0.1)
    param.grad = rustorch.ones(2)
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: ((), {"closure": lambda: 42}))
    assert optimizer.step() == 42


def test_global_hooks():
    from rustorch.optim.optimizer import register_optimizer_step_post_hook
    seen = []
    handle = register_optimizer_step_post_hook(lambda opt, args, kwargs: seen.append(opt))
    try:
        param = rustorch.ones(2, requires_grad=True)
        optimizer = rustorch.optim.Adam([param])
        param.grad = rustorch.ones(2)
        optimizer.step()
    finally:
        handle.remove()
    assert seen == [optimizer]


def test_custom_optimizer_written_for_pytorch():
    """A PyTorch-style subclass overriding ``step`` works, and its hooks run once."""
    class SignDescent(rustorch.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        @rustorch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        state = self.state[param]
                        state["count"] = state.get("count", 0) + 1
                        param.sub_(param.grad.sign() * group["lr"])

    param = rustorch.ones(2, requires_grad=True)
    optimizer = SignDescent([param])
    calls = []
    optimizer.register_step_pre_hook(lambda *args: calls.append("pre"))
    param.grad = rustorch.tensor([1.0, -2.0])
    optimizer.step()
    np.testing.assert_allclose(as_numpy(param), [0.9, 1.1], rtol=1e-6)
    assert calls == ["pre"]
    assert optimizer.state_dict()["state"] == {0: {"count": 1}}


# ----------------------------------------------------------------- state dicts
def test_state_dict_format_matches_torch():
    def build(m):
        first, second = params(m)
        optimizer = m.optim.SGD([{"params": [first]}, {"params": [second], "lr": 0.5}], lr=0.1,
                                momentum=0.9)
        first.grad = m.ones(2)
        second.grad = m.ones(3)
        optimizer.step()
        return optimizer.state_dict()
    expected, actual = both(build)
    assert actual["param_groups"] == expected["param_groups"]
    assert list(actual["state"]) == list(expected["state"]) == [0, 1]
    for index in (0, 1):
        np.testing.assert_array_equal(as_numpy(actual["state"][index]["momentum_buffer"]),
                                      as_numpy(expected["state"][index]["momentum_buffer"]))


def test_load_state_dict_validation():
    first, second = params(rustorch)
    source = rustorch.optim.SGD([first, second], lr=0.1)
    target = rustorch.optim.SGD([{"params": [first]}, {"params": [second]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups") as info:
        target.load_state_dict(source.state_dict())
    assert isinstance(info.value, rustorch.RusTorchError)
    smaller = rustorch.optim.SGD([first], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        smaller.load_state_dict(source.state_dict())


def test_load_state_dict_restores_options_and_keeps_params():
    first, second = params(rustorch)
    source = rustorch.optim.SGD([first, second], lr=0.3, momentum=0.5)
    target = rustorch.optim.SGD(params(rustorch), lr=0.1)
    target_params = list(target.param_groups[0]["params"])
    target.load_state_dict(source.state_dict())
    group = target.param_groups[0]
    assert group["lr"] == 0.3 and group["momentum"] == 0.5
    assert all(a is b for a, b in zip(group["params"], target_params))


def test_state_dict_hooks():
    param = rustorch.ones(2, requires_grad=True)
    optimizer = rustorch.optim.SGD([param], lr=0.1)
    events = []
    optimizer.register_state_dict_pre_hook(lambda opt: events.append("pre"))
    optimizer.register_state_dict_post_hook(lambda opt, sd: dict(sd, extra=1))
    optimizer.register_load_state_dict_pre_hook(lambda opt, sd: events.append("load pre"))
    optimizer.register_load_state_dict_post_hook(lambda opt: events.append("load post"))
    saved = optimizer.state_dict()
    assert saved["extra"] == 1
    optimizer.load_state_dict(saved)
    assert events == ["pre", "load pre", "load post"]


def test_deepcopy_and_pickle():
    param = rustorch.ones(2, requires_grad=True)
    optimizer = rustorch.optim.Adam([param], lr=0.1)
    param.grad = rustorch.ones(2)
    optimizer.step()
    for clone in (copy.deepcopy(optimizer), pickle.loads(pickle.dumps(optimizer))):
        cloned_param = clone.param_groups[0]["params"][0]
        assert cloned_param is not param
        assert clone.state[cloned_param]["step"].item() == 1.0
        cloned_param.grad = rustorch.ones(2)
        clone.step()
        assert clone.state[cloned_param]["step"].item() == 2.0
