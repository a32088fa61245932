"""Module API against torch.nn.Module: registration, state_dict, hooks, repr, conversions."""
from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import rustorch
from tests._oracle import as_numpy, assert_close, randn, to_rustorch
from tests.nn._helpers import copy_weights, on_device_repr


def build_net(m):
    class Block(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = m.nn.Linear(4, 4)
            self.register_buffer("steps", m.zeros(2))
            self.register_buffer("cache", m.ones(3), persistent=False)
            self.scale = m.nn.Parameter(m.ones(4))

        def forward(self, x):
            return self.fc(x) * self.scale

    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = m.nn.Sequential(m.nn.Linear(3, 4), m.nn.ReLU(), m.nn.Dropout(0.25))
            self.blocks = m.nn.ModuleList([Block(), Block()])
            self.heads = m.nn.ModuleDict({"a": m.nn.Linear(4, 2), "b": m.nn.Linear(4, 1, False)})
            self.extra = m.nn.ParameterList([m.nn.Parameter(m.zeros(2)),
                                             m.nn.Parameter(m.zeros(3))])
            self.table = m.nn.ParameterDict({"w": m.nn.Parameter(m.ones(2, 2))})

        def forward(self, x):
            x = self.features(x)
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x)

    return Net()


def pair():
    torch.manual_seed(0)
    torch_net = build_net(torch)
    rust_net = build_net(rustorch)
    copy_weights(torch_net, rust_net)
    return torch_net, rust_net


def test_state_dict_keys_match_torch():
    torch_net, rust_net = pair()
    assert list(rust_net.state_dict()) == list(torch_net.state_dict())
    assert isinstance(rust_net.state_dict(), OrderedDict)
    assert [n for n, _ in rust_net.named_parameters()] == \
        [n for n, _ in torch_net.named_parameters()]
    assert [n for n, _ in rust_net.named_buffers()] == [n for n, _ in torch_net.named_buffers()]
    assert [n for n, _ in rust_net.named_modules()] == [n for n, _ in torch_net.named_modules()]
    assert [n for n, _ in rust_net.named_children()] == \
        [n for n, _ in torch_net.named_children()]
    assert "blocks.0.cache" not in rust_net.state_dict()
    assert list(rust_net.state_dict()._metadata) == list(torch_net.state_dict()._metadata)


def test_forward_matches_after_loading_torch_checkpoint():
    torch_net, rust_net = pair()
    torch_net.eval()
    rust_net.eval()
    # a real torch state_dict (torch tensors) loads directly
    result = rust_net.load_state_dict(torch_net.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == repr(torch_net.load_state_dict(torch_net.state_dict()))
    x = randn(5, 3)
    assert_close(rust_net(to_rustorch(x)), torch_net(torch.from_numpy(x)))


def test_state_dict_values_are_detached_and_shared():
    _, rust_net = pair()
    state = rust_net.state_dict()
    weight = state["features.0.weight"]
    assert not weight.requires_grad and type(weight) is rustorch.Tensor
    assert isinstance(rust_net.state_dict(keep_vars=True)["features.0.weight"],
                      rustorch.nn.Parameter)
    weight.zero_()
    assert float(rust_net.features[0].weight.abs().sum()) == 0.0


def _error_text(function):
    with pytest.raises(RuntimeError) as info:
        function()
    return str(info.value), info


def test_load_state_dict_strict_errors_match_torch():
    torch_net, rust_net = pair()
    state_t = torch_net.state_dict()
    del state_t["heads.a.bias"]
    state_t["bogus.weight"] = torch.zeros(1)
    state_t["features.0.weight"] = torch.zeros(7, 3)
    expected, _ = _error_text(lambda: torch_net.load_state_dict(state_t))
    state_r = {k: rustorch.from_numpy(v.numpy().copy()) for k, v in state_t.items()}
    actual, info = _error_text(lambda: rust_net.load_state_dict(state_r))
    assert isinstance(info.value, rustorch.RusTorchError)
    assert actual == expected
    result_t = torch_net.load_state_dict(
        {k: v for k, v in state_t.items() if k != "features.0.weight"}, strict=False)
    result_r = rust_net.load_state_dict(
        {k: v for k, v in state_r.items() if k != "features.0.weight"}, strict=False)
    assert result_r.missing_keys == result_t.missing_keys
    assert result_r.unexpected_keys == result_t.unexpected_keys


def test_load_state_dict_assign_and_type_errors():
    _, rust_net = pair()
    state = rust_net.state_dict()
    new_weight = rustorch.ones(4, 3)
    state["features.0.weight"] = new_weight
    rust_net.load_state_dict(state, assign=True)
    param = rust_net.features[0].weight
    assert isinstance(param, rustorch.nn.Parameter) and param.requires_grad
    with pytest.raises(TypeError):
        rust_net.load_state_dict([("a", 1)])


def test_repr_matches_torch():
    torch_net, rust_net = pair()
    assert repr(rust_net) == on_device_repr(repr(torch_net))
    layers = [lambda m: m.nn.ModuleList([m.nn.Linear(2, 2) for _ in range(3)] + [m.nn.ReLU()]),
              lambda m: m.nn.Sequential(OrderedDict(conv=m.nn.Identity(), act=m.nn.GELU("tanh"))),
              lambda m: m.nn.ModuleList(), lambda m: m.nn.Sequential()]
    for build in layers:
        assert repr(build(rustorch)) == repr(build(torch))


def test_parameter_repr_and_type():
    data = randn(2, 2)
    assert repr(rustorch.nn.Parameter(rustorch.from_numpy(data))) == \
        repr(torch.nn.Parameter(torch.from_numpy(data)))
    param = rustorch.nn.Parameter(rustorch.zeros(3), requires_grad=False)
    assert isinstance(param, rustorch.Tensor) and not param.requires_grad
    assert type(param * 2) is rustorch.Tensor


def test_train_eval_propagates():
    _, net = pair()
    net.eval()
    assert all(not module.training for module in net.modules())
    net.train()
    assert all(module.training for module in net.modules())
    net.blocks.eval()
    assert net.training and not net.blocks[1].fc.training
    with pytest.raises(ValueError):
        net.train("yes")


def test_to_float64_in_place_keeps_parameter_identity():
    _, net = pair()
    weight = net.features[0].weight
    result = net.to(rustorch.float64)
    assert result is net
    assert net.features[0].weight is weight and weight.dtype is rustorch.float64
    assert net.blocks[0].steps.dtype is rustorch.float64
    assert net.double() is net and net.float().features[0].weight.dtype is rustorch.float32
    net.half()
    assert weight.dtype is rustorch.float16
    with pytest.raises(TypeError):
        net.to(rustorch.int64)
    net.to("cpu")
    net.cpu()


def test_zero_grad_requires_grad_apply():
    _, net = pair()
    net(rustorch.randn(2, 3)).sum().backward()
    assert net.features[0].weight.grad is not None
    net.zero_grad(set_to_none=False)
    assert float(net.features[0].weight.grad.abs().sum()) == 0.0
    net.zero_grad()
    assert net.features[0].weight.grad is None
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    net.apply(lambda module: seen.append(type(module).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"


def test_registration_rules_and_errors():
    module = rustorch.nn.Module()
    module.weight = rustorch.nn.Parameter(rustorch.ones(2))
    assert "weight" in module._parameters
    with pytest.raises(TypeError):
        module.weight = rustorch.ones(2)
    module.weight = None
    assert module._parameters["weight"] is None and module.weight is None
    module.register_buffer("running", rustorch.zeros(2))
    module.running = rustorch.ones(2)  # assigning a tensor to a buffer name replaces it
    assert float(module._buffers["running"].sum()) == 2.0
    with pytest.raises(KeyError):
        module.register_buffer("a.b", rustorch.zeros(1))
    with pytest.raises(KeyError):
        module.register_parameter("", None)
    with pytest.raises(TypeError):
        module.register_buffer("x", 3)
    with pytest.raises(TypeError):
        module.add_module("child", object())
    module.child = rustorch.nn.Linear(1, 1)
    with pytest.raises(TypeError):
        module.child = 3
    del module.child
    assert "child" not in module._modules
    with pytest.raises(AttributeError):
        module.missing  # noqa: B018
    module.buffer = rustorch.nn.Buffer(rustorch.zeros(1), persistent=False)
    assert "buffer" in module._buffers and "buffer" not in module.state_dict()
    with pytest.raises(AttributeError):
        rustorch.nn.Module.__new__(rustorch.nn.Module).register_buffer("x", None)
    with pytest.raises(ValueError):
        module.register_parameter("y", _non_leaf_parameter())
    assert "running" in dir(module) and "weight" in dir(module)


def _non_leaf_parameter():
    base = rustorch.ones(1, requires_grad=True)
    param = rustorch.nn.Parameter(rustorch.ones(1))
    param.grad_fn = (base * 2).grad_fn
    return param


def test_get_submodule_parameter_buffer():
    torch_net, net = pair()
    assert net.get_submodule("blocks.1.fc") is net.blocks[1].fc
    assert net.get_parameter("blocks.0.scale") is net.blocks[0].scale
    assert net.get_buffer("blocks.0.steps") is net.blocks[0].steps
    for target in ("blocks.5", "features.0.weight"):
        with pytest.raises(AttributeError) as expected:
            torch_net.get_submodule(target)
        with pytest.raises(AttributeError) as actual:
            net.get_submodule(target)
        assert str(actual.value) == str(expected.value)
    with pytest.raises(AttributeError):
        net.get_parameter("blocks.0.steps")
    with pytest.raises(AttributeError):
        net.get_buffer("blocks.0.scale")
    net.set_submodule("blocks.0.fc", rustorch.nn.Identity())
    assert isinstance(net.blocks[0].fc, rustorch.nn.Identity)


def test_shared_modules_and_parameters_are_deduplicated():
    for m in (torch, rustorch):
        shared = m.nn.Linear(2, 2)
        seq = m.nn.Sequential(shared, shared)
        assert len(list(seq.parameters())) == 2
        assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
        assert len(list(seq.named_modules())) == 2
        assert len(list(seq.named_modules(remove_duplicate=False))) == 3


def test_forward_hooks_order_modification_and_removal():
    calls = []
    layer = rustorch.nn.Linear(2, 2)
    handle_pre = layer.register_forward_pre_hook(lambda m, args: calls.append("pre") or
                                                 (args[0] * 0,))
    handle_first = layer.register_forward_pre_hook(lambda m, args: calls.append("first"),
                                                   prepend=True)
    handle_post = layer.register_forward_hook(lambda m, args, out: calls.append("post") or
                                              out + 1)
    out = layer(rustorch.ones(1, 2))
    assert calls == ["first", "pre", "post"]
    assert_close(out, torch.from_numpy((as_numpy(layer.bias) + 1)[None]))
    for handle in (handle_pre, handle_first, handle_post):
        handle.remove()
    calls.clear()
    layer(rustorch.ones(1, 2))
    assert calls == []


def test_forward_hooks_with_kwargs_and_always_call():
    class Scale(rustorch.nn.Module):
        def forward(self, x, factor=1.0):
            if factor < 0:
                raise ValueError("negative")
            return x * factor

    module = Scale()
    module.register_forward_pre_hook(lambda m, args, kwargs: (args, {"factor": 3.0}),
                                     with_kwargs=True)
    seen = []
    module.register_forward_hook(lambda m, args, kwargs, out: seen.append(kwargs["factor"]),
                                 with_kwargs=True)
    assert float(module(rustorch.ones(1)).sum()) == 3.0 and seen == [3.0]
    failing = Scale()
    called = []
    failing.register_forward_hook(lambda m, args, out: called.append(out), always_call=True)
    with pytest.raises(ValueError):
        failing(rustorch.ones(1), factor=-1.0)
    assert called == [None]


def _backward_hook_record(m):
    layer = m.nn.Linear(3, 2)
    record = {}

    def pre_hook(module, grad_output):
        record["pre"] = [as_numpy(g).copy() for g in grad_output]
        return (grad_output[0] * 2,)

    def hook(module, grad_input, grad_output):
        record["input"] = [None if g is None else as_numpy(g).copy() for g in grad_input]
        record["output"] = [as_numpy(g).copy() for g in grad_output]
        return (grad_input[0] + 1,)

    handles = [layer.register_full_backward_pre_hook(pre_hook),
               layer.register_full_backward_hook(hook)]
    return layer, record, handles


def test_full_backward_hooks_match_torch():
    torch.manual_seed(0)
    torch_layer, torch_record, _ = _backward_hook_record(torch)
    rust_layer, rust_record, handles = _backward_hook_record(rustorch)
    copy_weights(torch_layer, rust_layer)
    x = randn(4, 3)
    weight = randn(4, 2)
    xt = torch.from_numpy(x).requires_grad_()
    xr = to_rustorch(x).requires_grad_()
    (torch_layer(xt) * torch.from_numpy(weight)).sum().backward()
    (rust_layer(xr) * to_rustorch(weight)).sum().backward()
    for key in ("pre", "input", "output"):
        for a, e in zip(rust_record[key], torch_record[key]):
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)
    assert_close(xr.grad, xt.grad)
    assert_close(rust_layer.weight.grad, torch_layer.weight.grad)
    for handle in handles:
        handle.remove()
    rust_record.clear()
    rust_layer(xr).sum().backward()
    assert rust_record == {}


def test_full_and_legacy_backward_hooks_cannot_mix():
    layer = rustorch.nn.Linear(1, 1)
    layer.register_full_backward_hook(lambda *args: None)
    with pytest.raises(RuntimeError):
        layer.register_backward_hook(lambda *args: None)


def test_state_dict_and_load_hooks():
    layer = rustorch.nn.Linear(2, 2)
    layer.register_state_dict_post_hook(
        lambda module, state, prefix, meta: state.__setitem__(prefix + "marker", 1))
    assert "marker" in layer.state_dict()
    seen = []
    layer.register_load_state_dict_post_hook(lambda module, keys: seen.append(keys))
    layer.load_state_dict({"weight": rustorch.zeros(2, 2), "bias": rustorch.zeros(2)})
    assert len(seen) == 1


def test_deepcopy_and_pickle_roundtrip():
    _, net = pair()
    clone = copy.deepcopy(net)
    assert clone.features[0].weight is not net.features[0].weight
    assert isinstance(clone.features[0].weight, rustorch.nn.Parameter)
    assert_close(clone.features[0].weight, torch.from_numpy(as_numpy(net.features[0].weight)))
    model = rustorch.nn.Sequential(rustorch.nn.Linear(3, 4), rustorch.nn.ReLU(),
                                   rustorch.nn.ModuleDict({"out": rustorch.nn.Linear(4, 2)}))
    model.register_buffer("counter", rustorch.zeros(1))
    restored = pickle.loads(pickle.dumps(model))
    assert list(restored.state_dict()) == list(model.state_dict())
    assert isinstance(restored[0].weight, rustorch.nn.Parameter)
    assert restored[0].weight.requires_grad
    x = rustorch.randn(2, 3)
    assert_close(restored[0](x), torch.from_numpy(as_numpy(model[0](x))))


def test_forward_not_implemented():
    with pytest.raises(NotImplementedError):
        rustorch.nn.Module()(rustorch.ones(1))


def test_extra_state_roundtrip():
    class WithState(rustorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 0

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    source, target = WithState(), WithState()
    source.value = 7
    state = source.state_dict()
    assert list(state) == ["_extra_state"]
    target.load_state_dict(state)
    assert target.value == 7


def test_global_hooks_run_for_every_module():
    from rustorch.nn.modules import module as module_module
    seen = []
    handle = module_module.register_module_forward_hook(
        lambda module, args, out: seen.append(type(module).__name__))
    try:
        rustorch.nn.Sequential(rustorch.nn.Linear(2, 2), rustorch.nn.ReLU())(rustorch.ones(1, 2))
    finally:
        handle.remove()
    assert seen == ["Linear", "ReLU", "Sequential"]
    rustorch.nn.ReLU()(rustorch.ones(1))
    assert len(seen) == 3


def test_parameter_defaults_and_module_to_tensor():
    empty = rustorch.nn.Parameter()
    assert tuple(empty.shape) == (0,) and empty.requires_grad
    layer = rustorch.nn.Linear(2, 2)
    layer.to(rustorch.zeros(1, dtype=rustorch.float64))
    assert layer.weight.dtype is rustorch.float64
    layer.type(rustorch.float32)
    assert layer.bias.dtype is rustorch.float32


def test_backward_hook_without_input_grad_and_tuple_outputs():
    records = {}
    for m in (torch, rustorch):
        class Split(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = m.nn.Linear(3, 4)

            def forward(self, x, scale):
                out = self.fc(x) * scale
                return out[:, :2], out[:, 2:]

        torch.manual_seed(0)
        module = Split()
        seen = []
        module.register_full_backward_hook(
            lambda mod, grad_input, grad_output, seen=seen: seen.append(
                (tuple(g is None for g in grad_input), len(grad_output))))
        x = m.ones(2, 3)
        first, second = module(x, 2.0)
        with pytest.warns(UserWarning):
            (first.sum() + second.sum() * 3).backward()
        records[m.__name__] = seen
    assert records["rustorch"] == records["torch"] == [((True, True), 2)]


def test_uninitialized_buffer_materializes_like_torch():
    for m in (torch, rustorch):
        buffer = m.nn.UninitializedBuffer(dtype=m.float64)
        buffer.materialize((2, 3))
        assert type(buffer) is m.Tensor and tuple(buffer.shape) == (2, 3)
        assert buffer.dtype == m.float64
