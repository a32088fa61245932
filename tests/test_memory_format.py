"""Memory formats against torch: ``contiguous``/``clone``/``to``/``*_like``/``empty`` with
``channels_last``, ``channels_last_3d``, ``contiguous_format`` and ``preserve_format`` give
PyTorch's strides and values; ``is_contiguous(memory_format=...)``, ``empty_strided``, the
errors, and a channels-last model trains as the row-major one does."""
from __future__ import annotations

import numpy as np
import pytest

from tests._oracle import (as_numpy, check, check_error, randn, rustorch, to_rustorch, to_torch,
                           torch)


def tensor_of(m, array):
    """``array`` as a tensor of ``m``: torch's on the CPU, rustorch's on the test device."""
    return (to_torch if m is torch else to_rustorch)(array)


def both(make):
    """``make(module)`` for torch and rustorch."""
    return make(torch), make(rustorch)


def assert_same_layout(make):
    expected, result = both(make)
    assert tuple(result.shape) == tuple(expected.shape)
    assert result.stride() == expected.stride(), (result.stride(), expected.stride())
    return result, expected


@pytest.mark.parametrize("ndim,name", [(4, "channels_last"), (5, "channels_last_3d")])
def test_contiguous_clone_and_to_in_channels_last(ndim, name):
    values = randn(*(2, 3, 4, 5, 6)[:ndim])

    def source(m):
        return tensor_of(m, values)

    for make in (lambda m: source(m).contiguous(memory_format=getattr(m, name)),
                 lambda m: source(m).clone(memory_format=getattr(m, name)),
                 lambda m: source(m).to(memory_format=getattr(m, name)),
                 lambda m: source(m).to(m.float64, memory_format=getattr(m, name)),
                 lambda m: source(m).double(memory_format=getattr(m, name)),
                 lambda m: source(m).contiguous(memory_format=getattr(m, name)).contiguous(),
                 lambda m: source(m).contiguous(memory_format=getattr(m, name)) * 2 + 1,
                 lambda m: source(m).contiguous(memory_format=getattr(m, name)).float(),
                 lambda m: source(m).contiguous(memory_format=getattr(m, name)).clone(),
                 lambda m: m.empty_like(source(m), memory_format=getattr(m, name)),
                 lambda m: m.zeros_like(source(m).contiguous(memory_format=getattr(m, name))),
                 lambda m: m.full_like(source(m).contiguous(memory_format=getattr(m, name)), 3),
                 lambda m: m.empty(*values.shape, memory_format=getattr(m, name))):
        result, expected = assert_same_layout(make)
        if "empty" not in make.__code__.co_names and "empty_like" not in make.__code__.co_names:
            np.testing.assert_array_equal(as_numpy(result), as_numpy(expected))
    for memory_format in ("contiguous_format", name, "preserve_format"):
        for make in (lambda m: source(m), lambda m: source(m).contiguous(
                memory_format=getattr(m, name))):
            result, expected = both(lambda m: make(m).is_contiguous(
                memory_format=getattr(m, memory_format)))
            assert result == expected
    check(lambda m, x: x.contiguous(memory_format=getattr(m, name)).sin(), values)


def test_preserve_format_follows_the_source_layout():
    values = randn(4, 6, 8)

    def permuted(m):
        return tensor_of(m, values).permute(2, 0, 1)

    for make in (lambda m: permuted(m).clone(), lambda m: m.empty_like(permuted(m)),
                 lambda m: m.ones_like(permuted(m)), lambda m: m.empty_like(permuted(m)[::2]),
                 lambda m: permuted(m)[::2].clone(), lambda m: permuted(m).contiguous(),
                 lambda m: permuted(m).clone(memory_format=m.contiguous_format),
                 lambda m: permuted(m).contiguous(memory_format=m.contiguous_format)):
        assert_same_layout(make)
    result, expected = both(lambda m: permuted(m).clone())
    np.testing.assert_array_equal(as_numpy(result), as_numpy(expected))


def test_empty_strided_has_the_given_strides():
    for size, stride in (((2, 3), (1, 2)), ((2, 3, 4), (12, 1, 3)), ((3, 3), (0, 1)),
                         ((0, 4), (4, 1)), ((), ())):
        result, _ = assert_same_layout(lambda m: m.empty_strided(size, stride))
    assert rustorch.empty_strided((2, 2), (2, 1), requires_grad=True).requires_grad


def test_memory_format_errors():
    check_error(lambda m: m.randn(2, 3, 4).contiguous(memory_format=m.channels_last))
    check_error(lambda m: m.randn(2, 3, 4, 5).clone(memory_format=m.channels_last_3d))
    check_error(lambda m: m.randn(2, 3).t().contiguous(memory_format=m.preserve_format))
    check_error(lambda m: m.randn(2, 3, 4, 5).contiguous(memory_format="channels_last"))
    check_error(lambda m: m.empty_strided((2, 3), (1,)))
    with pytest.raises(RuntimeError, match="rank 4"):
        rustorch.randn(2, 3, 4).to(memory_format=rustorch.channels_last)


def _model(m, memory_format=None):
    model = m.nn.Sequential(m.nn.Conv2d(3, 4, 3, padding=1), m.nn.BatchNorm2d(4), m.nn.ReLU(),
                            m.nn.Flatten(), m.nn.Linear(4 * 6 * 6, 2))
    for index, parameter in enumerate(model.parameters()):
        parameter.data = tensor_of(m, randn(*parameter.shape, seed=index))
    return model.to(memory_format=memory_format) if memory_format is not None else model


def test_a_channels_last_model_trains_like_torch_and_loads_back():
    inputs, targets = randn(5, 3, 6, 6, seed=9), np.array([0, 1, 1, 0, 1])
    losses = {}
    for m in (torch, rustorch):
        model = _model(m, m.channels_last)
        assert model[0].weight.stride() == (27, 1, 9, 3) and model[0].bias.stride() == (1,)
        optimizer = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = tensor_of(m, inputs).contiguous(memory_format=m.channels_last)
        history = []
        for _ in range(3):
            optimizer.zero_grad()
            loss = m.nn.functional.cross_entropy(model(x), tensor_of(m, targets))
            loss.backward()
            optimizer.step()
            history.append(loss.item())
        losses[m.__name__] = history
        restored = _model(m)
        restored.load_state_dict(model.state_dict())
        np.testing.assert_array_equal(as_numpy(restored[0].weight), as_numpy(model[0].weight))
    np.testing.assert_allclose(losses["rustorch"], losses["torch"], rtol=1e-5)


def test_random_like_samplers_follow_the_memory_format():
    """``rand_like``/``randn_like``/``randint_like`` keep the source layout by default and take
    ``memory_format`` (values are random: only layouts, shapes and dtypes are compared)."""
    values = randn(2, 3, 4, 5)

    def source(m):
        return tensor_of(m, values)

    for make in (lambda m: m.rand_like(source(m).permute(2, 0, 3, 1)),
                 lambda m: m.randn_like(source(m).contiguous(memory_format=m.channels_last)),
                 lambda m: m.randint_like(source(m).transpose(1, 3), 7),
                 lambda m: m.rand_like(source(m).permute(2, 0, 3, 1),
                                       memory_format=m.contiguous_format),
                 lambda m: m.randn_like(source(m), memory_format=m.channels_last)):
        result, expected = assert_same_layout(make)
        assert result.dtype.name == str(expected.dtype).replace("torch.", "")
    sample = rustorch.randint_like(source(rustorch).transpose(1, 3), 7)
    assert int(sample.min()) >= 0 and int(sample.max()) < 7


def test_layouts_and_memory_formats_stay_singletons_through_pickle_and_copy():
    import copy
    import pickle
    for value in (rustorch.strided, rustorch.sparse_coo, rustorch.contiguous_format,
                  rustorch.channels_last, rustorch.channels_last_3d, rustorch.preserve_format):
        assert pickle.loads(pickle.dumps(value)) is value
        assert copy.deepcopy({"format": value})["format"] is value
