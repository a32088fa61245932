"""PyTorch's other spellings (torch.conv2d, torch.dropout, Tensor.divide ...) and the small ops
of rustorch/_ops/aliases.py, against torch."""
import numpy as np
import pytest

from tests._oracle import assert_close, check, check_error, randn, rustorch, torch


@pytest.mark.parametrize("call, shapes", [
    (lambda m, x, w, b: m.conv1d(x, w, b, 1, 1), [(2, 3, 8), (4, 3, 3), (4,)]),
    (lambda m, x, w, b: m.conv2d(x, w, b, 2, 1, 1, 1), [(2, 3, 6, 6), (4, 3, 3, 3), (4,)]),
    (lambda m, x, w, b: m.conv3d(x, w, b, padding=1), [(1, 2, 4, 4, 4), (3, 2, 3, 3, 3), (3,)]),
    (lambda m, x, y, w, b: m.bilinear(x, y, w, b), [(4, 3), (4, 2), (5, 3, 2), (5,)]),
    (lambda m, x: m.celu(x, 0.7), [(3, 4)]), (lambda m, x: m.selu(x), [(3, 4)]),
    (lambda m, x, w: m.prelu(x, w), [(2, 3, 4), (3,)]),
    (lambda m, x, w: x.prelu(w), [(2, 3, 4), (1,)]),
    (lambda m, x: m.rrelu(x), [(3, 4)]), (lambda m, x: m.threshold(x, 0.1, -2.0), [(3, 4)]),
    (lambda m, x: m.hardshrink(x, 0.3), [(3, 4)]), (lambda m, x: x.hardshrink(), [(3, 4)]),
    (lambda m, x: m.pdist(x), [(5, 3)]), (lambda m, x: m.pdist(x, 1.5), [(5, 3)]),
    (lambda m, x: m.dropout(x, 0.3, False), [(3, 4)]),
    (lambda m, x: m.feature_dropout(x, 0.3, False), [(2, 3, 4)]),
    (lambda m, x: m.alpha_dropout(x, 0.3, False), [(3, 4)]),
    (lambda m, x: m.feature_alpha_dropout(x, 0.3, False), [(2, 3, 4)]),
    (lambda m, x: m.adjoint(x), [(2, 3, 4)]), (lambda m, x: x.adjoint(), [(3, 2)]),
    (lambda m, x: m.fill(x, 2.5), [(3, 4)]),
    (lambda m, x, y: x.divide(y), [(3, 4), (4,)]),
    (lambda m, x, y: x.multiply(y), [(3, 4), (4,)]),
    (lambda m, x, y: x.subtract(y, alpha=2), [(3, 4), (4,)]),
    (lambda m, x: m.detach(x) * 1, [(3,)]),
    (lambda m, x: m.frexp(x), [(3, 5)]), (lambda m, x: x.frexp().mantissa, [(4,)]),
])
def test_matches_torch(call, shapes):
    check(call, *[randn(*shape) for shape in shapes])


def test_embedding_takes_weight_first():
    weight, indices = randn(6, 3), np.array([[0, 2, 5], [2, 2, 1]], dtype=np.int64)
    check(lambda m, w, i: m.embedding(w, i), weight, indices)
    check(lambda m, w, i: m.embedding(w, i, 2), weight, indices)
    check(lambda m, w, i: m.embedding(w, i, -1, True), weight, indices)


def test_in_place_functional_spellings():
    for name, args in (("celu_", (0.5,)), ("selu_", ()), ("threshold_", (0.0, 3.0)),
                       ("rrelu_", ()), ("dropout_", (0.0, True)), ("alpha_dropout_", (0.0, True))):
        values = randn(3, 4)
        expected, actual = torch.from_numpy(values.copy()), rustorch.from_numpy(values.copy())
        assert getattr(torch, name)(expected, *args) is expected
        assert getattr(rustorch, name)(actual, *args) is actual
        assert_close(actual, expected, what=name)


def test_real_and_imag_functions():
    values = (randn(3) + 1j * randn(3)).astype(np.complex64)
    check(lambda m, z: (m.real(z), m.imag(z)), values)
    check_error(lambda m: m.imag(m.ones(2)))


def test_frexp_special_values_and_integers():
    values = np.array([0.0, -0.0, 1.5, -3.0, np.inf, -np.inf, np.nan, 1e-40, 6e4],
                      dtype=np.float32)
    check(lambda m, x: m.frexp(x), values, grad=False)
    check(lambda m, x: m.frexp(x), values.astype(np.float64), grad=False)
    check_error(lambda m: m.frexp(m.arange(3)))


@pytest.mark.parametrize("options", [
    {"bins": 4, "range": (0.0, 4.0)}, {"bins": 7}, {"bins": 3, "density": True},
    {"bins": 5, "weight": True}, {"bins": "edges"}, {"bins": "edges", "density": True,
                                                     "weight": True}])
def test_histogram(options):
    values = randn(40, dtype=np.float64) * 2
    weight = np.abs(randn(40, dtype=np.float64))
    results = []
    for m in (torch, rustorch):
        kwargs = dict(options)
        if kwargs.pop("weight", False):
            kwargs["weight"] = m.from_numpy(weight.copy())
        bins = kwargs.pop("bins")
        if bins == "edges":
            bins = m.tensor([-3.0, -1.0, 0.0, 0.5, 4.0], dtype=m.float64)
        results.append(m.histogram(m.from_numpy(values.copy()), bins, **kwargs))
    assert_close((results[1].hist, results[1].bin_edges), (results[0].hist, results[0].bin_edges))
    same = [m.histogram(m.full((3,), 2.0), bins=2) for m in (torch, rustorch)]
    assert_close(same[1], same[0])  # a single value: the range widens by a half on each side


def test_igamma_and_igammac():
    a, x = np.abs(randn(3, 4)) + 0.1, np.abs(randn(3, 4))
    check(lambda m, p, q: (m.igamma(p, q), m.igammac(p, q), p.igamma(q)), a, x, grad=False)
    expected, actual = torch.from_numpy(a.copy()), rustorch.from_numpy(a.copy())
    expected.igammac_(torch.from_numpy(x))
    actual.igammac_(rustorch.from_numpy(x))
    assert_close(actual, expected)


def test_legacy_new_and_empty_constructor():
    for make in (lambda m: m.ones(2, 3, dtype=m.float64).new(), lambda m: m.Tensor(),
                 lambda m: m.ones(2, dtype=m.int32).new(4, 2).shape,
                 lambda m: m.ones(2, dtype=m.float64).new([1, 2]),
                 lambda m: m.ones(1, dtype=m.int64).new(m.Size([2, 1])).shape):
        expected, actual = make(torch), make(rustorch)
        if isinstance(expected, torch.Tensor):
            assert_close(actual, expected)
        else:
            assert tuple(actual) == tuple(expected)


def test_out_of_memory_error_is_a_runtime_error():
    assert issubclass(rustorch.OutOfMemoryError, RuntimeError)
    assert issubclass(rustorch.OutOfMemoryError, rustorch.RusTorchError)
    assert issubclass(torch.OutOfMemoryError, RuntimeError)
