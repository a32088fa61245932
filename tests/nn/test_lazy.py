"""Lazy modules against torch: reprs and state-dict keys before the first call, the shapes and
class they take on, initialisation bounds, outputs and gradients with weights copied across, and
materialising through load_state_dict."""
import math

import numpy as np
import pytest

from tests._oracle import (as_numpy, assert_close, check_error, randn, rustorch, to_rustorch,
                           to_torch, torch)
from tests.nn._helpers import compare_module

CASES = [
    ("LazyLinear", (5,), (3, 4)), ("LazyLinear", (5,), (2, 3, 4)),
    ("LazyConv1d", (4, 3), (2, 3, 9)), ("LazyConv1d", (4, 3), (3, 9)),
    ("LazyConv2d", (6, 3), (2, 4, 7, 7)), ("LazyConv2d", (6, 3, 2, 1, 1, 2), (2, 4, 7, 7)),
    ("LazyConv3d", (2, 2), (1, 3, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3), (2, 3, 6)), ("LazyConvTranspose2d", (4, 3, 2), (2, 2, 5, 5)),
    ("LazyConvTranspose3d", (2, 2), (1, 2, 3, 3, 3)),
    ("LazyBatchNorm1d", (), (6, 3)), ("LazyBatchNorm1d", (), (6, 3, 5)),
    ("LazyBatchNorm2d", (), (4, 3, 5, 5)), ("LazyBatchNorm3d", (), (2, 3, 2, 3, 3)),
    ("LazyInstanceNorm1d", (), (2, 3, 7)), ("LazyInstanceNorm2d", (), (2, 3, 5, 5)),
    ("LazyInstanceNorm3d", (), (2, 3, 2, 3, 3)),
]


@pytest.mark.parametrize("name, args, shape", CASES)
def test_before_the_first_call_like_torch(name, args, shape):
    torch_module, rust_module = getattr(torch.nn, name)(*args), getattr(rustorch.nn, name)(*args)
    assert repr(rust_module) == repr(torch_module)
    assert list(rust_module.state_dict()) == list(torch_module.state_dict())
    assert rust_module.has_uninitialized_params() and torch_module.has_uninitialized_params()
    assert isinstance(rust_module, rustorch.nn.modules.lazy.LazyModuleMixin)


@pytest.mark.parametrize("name, args, shape", CASES)
def test_first_call_materialises_like_torch(name, args, shape):
    torch_module, rust_module = getattr(torch.nn, name)(*args), getattr(rustorch.nn, name)(*args)
    values = randn(*shape)
    torch_module(torch.from_numpy(values))
    rust_module(to_rustorch(values))
    assert type(rust_module).__name__ == type(torch_module).__name__ == name[4:]
    assert repr(rust_module) == repr(torch_module)
    assert [(k, tuple(v.shape), str(v.dtype)) for k, v in rust_module.state_dict().items()] == \
        [(k, tuple(v.shape), str(v.dtype)) for k, v in torch_module.state_dict().items()]
    assert not rust_module.has_uninitialized_params() if hasattr(
        rust_module, "has_uninitialized_params") else True


@pytest.mark.parametrize("name, args, shape", CASES)
def test_outputs_and_gradients_after_materialising(name, args, shape):
    values = randn(*shape)

    def build(m):
        module = getattr(m.nn, name)(*args)
        module(to_torch(values) if m is torch else to_rustorch(values))  # materialise
        return module

    compare_module(build, values)


def test_initialisation_matches_the_eager_layer_bounds():
    rustorch.manual_seed(0)
    layer = rustorch.nn.LazyConv2d(64, 3)
    layer(rustorch.randn(1, 16, 5, 5))
    bound = 1 / math.sqrt(16 * 9)
    weight = as_numpy(layer.weight)
    assert weight.max() <= bound and weight.min() >= -bound and weight.std() > bound / 3
    norm = rustorch.nn.LazyBatchNorm2d().eval()  # eval: the call leaves the statistics alone
    norm(rustorch.randn(2, 5, 3, 3))
    np.testing.assert_array_equal(as_numpy(norm.weight), np.ones(5, np.float32))
    np.testing.assert_array_equal(as_numpy(norm.running_var), np.ones(5, np.float32))


@pytest.mark.parametrize("name, args", [("LazyLinear", (5,)), ("LazyConv2d", (6, 3)),
                                        ("LazyBatchNorm2d", ())])
def test_load_state_dict_materialises_from_the_checkpoint(name, args):
    eager = {"LazyLinear": lambda m: m.nn.Linear(4, 5),
             "LazyConv2d": lambda m: m.nn.Conv2d(2, 6, 3),
             "LazyBatchNorm2d": lambda m: m.nn.BatchNorm2d(3)}[name]
    source = eager(torch)
    state = {k: rustorch.from_numpy(v.detach().numpy().copy()) for k, v in
             source.state_dict().items()}
    module = getattr(rustorch.nn, name)(*args)
    module.load_state_dict(state)
    assert [(k, tuple(v.shape)) for k, v in module.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in source.state_dict().items()]
    for key, value in source.state_dict().items():
        assert_close(module.state_dict()[key], value, what=key)


def test_groups_must_divide_the_inferred_channels():
    check_error(lambda m: m.nn.LazyConv2d(4, 3, groups=2)(m.ones(1, 3, 5, 5)))
    check_error(lambda m: m.nn.LazyConv2d(4, 3)(m.ones(1, 1, 3, 5, 5)))


def test_optimizer_sees_the_materialised_parameters():
    module = rustorch.nn.Sequential(rustorch.nn.LazyLinear(3), rustorch.nn.ReLU(),
                                    rustorch.nn.LazyLinear(1))
    module(rustorch.randn(2, 4))
    optimizer = rustorch.optim.SGD(module.parameters(), lr=0.1)
    before = module[0].weight.detach().clone()
    module(rustorch.randn(2, 4)).sum().backward()
    optimizer.step()
    assert tuple(module[0].weight.shape) == (3, 4)
    assert not np.allclose(as_numpy(before), as_numpy(module[0].weight))
