"""Dropout layers: statistics in training, identity in eval, gradients through the mask."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import rustorch
from tests._oracle import as_numpy


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_statistics_and_gradient(p):
    layer = rustorch.nn.Dropout(p)
    x = rustorch.ones(200, 500, requires_grad=True)
    out = layer(x)
    values = as_numpy(out)
    kept = values != 0
    assert abs(kept.mean() - (1 - p)) < 0.01
    np.testing.assert_allclose(values[kept], 1 / (1 - p), rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(as_numpy(x.grad), values, rtol=1e-6)


def test_eval_mode_is_identity_and_edge_probabilities():
    layer = rustorch.nn.Dropout(0.5).eval()
    x = rustorch.randn(3, 4)
    assert layer(x) is x
    assert rustorch.nn.functional.dropout(x, 0.0) is x
    assert float(rustorch.nn.functional.dropout(x, 1.0).abs().sum()) == 0.0
    assert float(rustorch.nn.functional.dropout(x, 0.5, training=False).sum()) == float(x.sum())


@pytest.mark.parametrize("build, shape, channel_dims", [
    (lambda m: m.nn.Dropout1d(0.5), (8, 64, 10), 2),
    (lambda m: m.nn.Dropout1d(0.5), (64, 10), 1),
    (lambda m: m.nn.Dropout2d(0.5), (8, 64, 4, 5), 2),
    (lambda m: m.nn.Dropout3d(0.5), (4, 64, 2, 3, 4), 2),
    (lambda m: m.nn.Dropout3d(0.5), (64, 2, 3, 4), 1)])
def test_channel_dropout_zeroes_whole_channels(build, shape, channel_dims):
    out = as_numpy(build(rustorch)(rustorch.ones(*shape)))
    flat = out.reshape(int(np.prod(shape[:channel_dims])), -1)
    assert np.all(flat.std(axis=1) == 0)  # each channel entirely kept or entirely dropped
    assert 0.25 < (flat[:, 0] != 0).mean() < 0.75
    assert repr(build(rustorch)) == repr(build(torch))


def test_alpha_dropout_keeps_mean_and_variance():
    x = rustorch.randn(200000)
    out = as_numpy(rustorch.nn.AlphaDropout(0.3)(x))
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    assert rustorch.nn.AlphaDropout(0.3).eval()(x) is x
    feature = as_numpy(rustorch.nn.FeatureAlphaDropout(0.5)(rustorch.randn(4, 8, 3)))
    assert feature.shape == (4, 8, 3)


def test_inplace_dropout():
    x = rustorch.ones(10, 10)
    out = rustorch.nn.functional.dropout(x, 0.5, inplace=True)
    assert out is x and (as_numpy(x) == 0).any()
    y = rustorch.ones(4, 4, requires_grad=True) * 1.0
    rustorch.nn.Dropout(0.5, inplace=True)(y).sum().backward()


def test_probability_validation():
    for p in (-0.1, 1.1):
        with pytest.raises(ValueError) as info:
            rustorch.nn.Dropout(p)
        assert isinstance(info.value, rustorch.RusTorchError)
        with pytest.raises(ValueError):
            torch.nn.Dropout(p)
        with pytest.raises(ValueError):
            rustorch.nn.functional.dropout(rustorch.ones(2), p)
    with pytest.raises(RuntimeError):
        rustorch.nn.functional.dropout1d(rustorch.ones(2, 3, 4, 5))


def test_repr():
    for build in (lambda m: m.nn.Dropout(), lambda m: m.nn.Dropout2d(0.1, True),
                  lambda m: m.nn.AlphaDropout(0.2)):
        assert repr(build(rustorch)) == repr(build(torch))
