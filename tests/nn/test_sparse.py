"""Embedding and EmbeddingBag against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import rustorch
from tests._oracle import as_numpy, assert_close, randint, randn, to_rustorch
from tests.nn._helpers import compare_module


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1},
                                    {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True}])
@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 3, 4), ()])
def test_embedding_matches_torch(kwargs, shape):
    indices = randint(0, 10, shape)
    rust_module, torch_module = compare_module(lambda m: m.nn.Embedding(10, 3, **kwargs),
                                               indices)
    assert repr(rust_module) == repr(torch_module)


def test_padding_row_starts_at_zero_and_gets_no_gradient():
    layer = rustorch.nn.Embedding(5, 2, padding_idx=1)
    np.testing.assert_array_equal(as_numpy(layer.weight)[1], [0.0, 0.0])
    layer(rustorch.tensor([1, 1, 3])).sum().backward()
    np.testing.assert_array_equal(as_numpy(layer.weight.grad)[1], [0.0, 0.0])
    assert as_numpy(layer.weight.grad)[3].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0])
def test_max_norm_renormalises_in_place(norm_type):
    indices = np.array([[0, 2, 2], [5, 1, 0]])
    rust_module, torch_module = compare_module(
        lambda m: m.nn.Embedding(6, 4, max_norm=1.0, norm_type=norm_type), indices)
    assert_close(rust_module.weight, torch_module.weight, rtol=1e-5)


def test_embedding_float64_and_functional_double_backward():
    weight = randn(6, 3, dtype=np.float64)
    indices = np.array([0, 3, 3, 5])
    wr = to_rustorch(weight, requires_grad=True)
    wt = torch.from_numpy(weight.copy()).requires_grad_()
    out_r = rustorch.nn.functional.embedding(to_rustorch(indices), wr)
    out_t = torch.nn.functional.embedding(torch.from_numpy(indices), wt)
    (gr,) = rustorch.autograd.grad((out_r ** 2).sum(), [wr], create_graph=True)
    (gt,) = torch.autograd.grad((out_t ** 2).sum(), [wt], create_graph=True)
    assert_close(gr, gt)
    (gr * gr).sum().backward()
    (gt * gt).sum().backward()
    assert_close(wr.grad, wt.grad)


def test_from_pretrained():
    weights = randn(4, 3)
    for freeze in (True, False):
        layer = rustorch.nn.Embedding.from_pretrained(to_rustorch(weights), freeze=freeze)
        expected = torch.nn.Embedding.from_pretrained(torch.from_numpy(weights.copy()),
                                                      freeze=freeze)
        assert layer.weight.requires_grad is expected.weight.requires_grad
        assert_close(layer(rustorch.tensor([3, 0])), expected(torch.tensor([3, 0])))


def test_embedding_errors():
    layer = rustorch.nn.Embedding(4, 2)
    with pytest.raises(RuntimeError) as info:
        layer(rustorch.tensor([1.0]))
    assert isinstance(info.value, rustorch.RusTorchError)
    with pytest.raises(IndexError):
        layer(rustorch.tensor([4]))
    with pytest.raises(AssertionError):
        rustorch.nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(NotImplementedError) as info:
        rustorch.nn.Embedding(4, 2, sparse=True)
    assert isinstance(info.value, rustorch.NotSupportedError)
    with pytest.raises(AssertionError):
        rustorch.nn.Embedding(4, 2, _weight=rustorch.zeros(3, 2))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d(mode):
    indices = randint(0, 8, (3, 4))
    rust_module, torch_module = compare_module(lambda m: m.nn.EmbeddingBag(8, 3, mode=mode),
                                               indices)
    assert repr(rust_module) == repr(torch_module)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_embedding_bag_offsets(mode, include_last_offset):
    indices = np.array([1, 2, 4, 5, 4, 3, 2, 7])
    offsets = np.array([0, 2, 2, 5] + ([8] if include_last_offset else []))
    compare_module(lambda m: m.nn.EmbeddingBag(8, 3, mode=mode,
                                               include_last_offset=include_last_offset),
                   indices, offsets)


def test_embedding_bag_per_sample_weights_and_padding():
    indices = np.array([1, 2, 4, 5, 4, 3])
    offsets = np.array([0, 3])
    compare_module(lambda m: m.nn.EmbeddingBag(8, 3, mode="sum"), indices, offsets,
                   rng_weights(6), input_grad=[False, False, True])
    compare_module(lambda m: m.nn.EmbeddingBag(8, 3, mode="mean", padding_idx=4),
                   indices, offsets)


def rng_weights(count):
    return np.linspace(0.5, 1.5, count).astype(np.float32)
