"""Linear, Bilinear, Identity, LazyLinear, Flatten/Unflatten, distances against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import rustorch
from tests._oracle import as_numpy, check, randn, to_rustorch
from tests.nn._helpers import compare_module


@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4), (0, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(shape, bias):
    compare_module(lambda m: m.nn.Linear(4, 3, bias=bias), randn(*shape))


def test_linear_float64_and_noncontiguous():
    compare_module(lambda m: m.nn.Linear(4, 3, dtype=m.float64), randn(5, 4, dtype=np.float64))
    check(lambda m, x, w, b: m.nn.functional.linear(x.t(), w, b), randn(4, 5), randn(3, 4),
          randn(3))


def test_linear_double_backward():
    x = to_rustorch(randn(3, 4, dtype=np.float64), requires_grad=True)
    w = to_rustorch(randn(2, 4, dtype=np.float64), requires_grad=True)
    xt = torch.from_numpy(as_numpy(x).copy()).requires_grad_()
    wt = torch.from_numpy(as_numpy(w).copy()).requires_grad_()
    (gx,) = rustorch.autograd.grad((rustorch.nn.functional.linear(x, w) ** 2).sum(), [x],
                                   create_graph=True)
    (gxt,) = torch.autograd.grad((torch.nn.functional.linear(xt, wt) ** 2).sum(), [xt],
                                 create_graph=True)
    gx.sum().backward()
    gxt.sum().backward()
    np.testing.assert_allclose(as_numpy(w.grad), wt.grad.numpy(), rtol=1e-10)


def test_linear_errors():
    layer = rustorch.nn.Linear(4, 3)
    with pytest.raises(RuntimeError) as info:
        layer(rustorch.zeros(2, 5))
    assert isinstance(info.value, rustorch.RusTorchError)
    assert "mat1 and mat2 shapes cannot be multiplied (2x5 and 4x3)" in str(info.value)
    with pytest.raises(RuntimeError):
        layer(rustorch.zeros(2, 4, dtype=rustorch.float64))


def test_linear_default_init_distribution():
    layer = rustorch.nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    weight = as_numpy(layer.weight)
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.95 * bound
    assert abs(weight.std() - bound / np.sqrt(3)) < 0.02 * bound
    assert np.abs(as_numpy(layer.bias)).max() <= bound
    assert repr(layer) == repr(torch.nn.Linear(400, 300))


def test_bilinear_matches_torch():
    compare_module(lambda m: m.nn.Bilinear(3, 4, 2), randn(5, 3), randn(5, 4))
    compare_module(lambda m: m.nn.Bilinear(3, 4, 2, bias=False), randn(2, 5, 3), randn(2, 5, 4))
    assert repr(rustorch.nn.Bilinear(3, 4, 2)) == repr(torch.nn.Bilinear(3, 4, 2))


def test_identity_and_lazy_linear():
    x = rustorch.randn(2, 3)
    assert rustorch.nn.Identity(54, unused="x")(x) is x
    lazy = rustorch.nn.LazyLinear(5)
    out = lazy(rustorch.randn(4, 7))
    assert tuple(out.shape) == (4, 5) and type(lazy) is rustorch.nn.Linear
    assert tuple(lazy.weight.shape) == (5, 7) and lazy.in_features == 7


@pytest.mark.parametrize("start, end, shape", [(1, -1, (2, 3, 4, 5)), (0, 2, (2, 3, 4)),
                                               (2, 3, (2, 3, 4, 5))])
def test_flatten(start, end, shape):
    compare_module(lambda m: m.nn.Flatten(start, end), randn(*shape))
    assert repr(rustorch.nn.Flatten(start, end)) == repr(torch.nn.Flatten(start, end))


def test_unflatten():
    compare_module(lambda m: m.nn.Unflatten(1, (2, 3)), randn(4, 6, 2))
    assert repr(rustorch.nn.Unflatten(1, (2, 3))) == repr(torch.nn.Unflatten(1, (2, 3)))
    with pytest.raises(TypeError):
        rustorch.nn.Unflatten(1, (2, 3.0))


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_pairwise_distance_and_module(p):
    check(lambda m, a, b: m.nn.functional.pairwise_distance(a, b, p), randn(4, 5), randn(4, 5))
    compare_module(lambda m: m.nn.PairwiseDistance(p, keepdim=True), randn(3, 4), randn(3, 4))


def test_cosine_similarity_and_normalize():
    check(lambda m, a, b: m.nn.functional.cosine_similarity(a, b), randn(4, 5), randn(4, 5))
    check(lambda m, a, b: m.nn.functional.cosine_similarity(a, b, dim=0), randn(4, 5), randn(5))
    check(lambda m, a, b: m.nn.CosineSimilarity(dim=-1)(a, b), randn(2, 3, 4), randn(2, 3, 4))
    check(lambda m, a: m.nn.functional.normalize(a), randn(4, 5))
    check(lambda m, a: m.nn.functional.normalize(a, p=1.0, dim=0), randn(4, 5))
    zero = np.zeros((2, 3), dtype=np.float32)
    check(lambda m, a: m.nn.functional.normalize(a), zero)


def test_pdist():
    check(lambda m, a: m.nn.functional.pdist(a), randn(5, 3, dtype=np.float64))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_linear_half_precision(dtype):
    import ml_dtypes
    numpy_dtype = np.float16 if dtype == "float16" else ml_dtypes.bfloat16
    check(lambda m, x, w, b: m.nn.functional.linear(x, w, b), randn(3, 4, dtype=numpy_dtype),
          randn(2, 4, dtype=numpy_dtype), randn(2, dtype=numpy_dtype))
