"""The newer rustorch.distributions families against torch.distributions: deterministic
quantities with their gradients through the oracle, shapes, ``expand``, validation errors,
float64 gradchecks; sampling by moments, Kolmogorov-Smirnov tests and rsample gradients.
(Transforms, TransformedDistribution and KL divergences: tests/test_distributions_transforms.py.)"""
from __future__ import annotations

import numpy as np
import pytest

from tests._oracle import (as_numpy, check, check_error, rand, randn, rustorch, to_rustorch,
                           to_torch, torch)

loc_array, scale_array = randn(2, 3, seed=40), rand(2, 3, low=0.5, high=2.0, seed=41)
df_array = np.array([[0.7, 1.5, 3.0], [4.0, 2.5, 6.0]], np.float32)  # nan/inf/finite moments
real_values = randn(4, 2, 3, seed=42) * 2
positive_values = rand(4, 2, 3, low=0.05, high=4.0, seed=43)
levels = rand(4, 2, 3, low=0.02, high=0.98, seed=44)
concentration_array = np.array([[0.5, 2.0, 3.0, 1.5], [0.3, 0.6, 0.9, 0.2]], np.float32)
simplex_values = rand(5, 2, 4, low=0.05, high=1.0, seed=45)
simplex_values /= simplex_values.sum(-1, keepdims=True)
probs_array = rand(2, 3, low=0.1, high=0.9, seed=46)
counts = np.random.default_rng(47).integers(0, 6, (4, 2, 3)).astype(np.float32)

ALL = ("log_prob", "cdf", "icdf", "entropy", "mean", "mode", "variance", "stddev")

# name -> (build(distributions, *parameters), parameter arrays, value array)
CONTINUOUS = {
    "StudentT": (lambda d, df, loc, scale: d.StudentT(df, loc, scale),
                 [df_array, loc_array, scale_array], real_values),
    "Cauchy": (lambda d, loc, scale: d.Cauchy(loc, scale), [loc_array, scale_array],
               real_values),
    "HalfNormal": (lambda d, scale: d.HalfNormal(scale), [scale_array], positive_values),
    "Gumbel": (lambda d, loc, scale: d.Gumbel(loc, scale), [loc_array, scale_array],
               real_values),
    "LogNormal": (lambda d, loc, scale: d.LogNormal(loc, scale), [loc_array, scale_array],
                  positive_values),
    "Chi2": (lambda d, df: d.Chi2(df), [df_array * 2], positive_values),
    "StudentTScalars": (lambda d: d.StudentT(3.0, 0.5, 2.0), [], real_values),
    "GumbelScalars": (lambda d: d.Gumbel(0.5, 2.0), [], real_values),
}


def _quantity(distribution, quantity, value):
    attribute = getattr(distribution, quantity)
    if quantity in ("log_prob", "cdf", "icdf"):
        return attribute(value)
    return attribute() if quantity == "entropy" else attribute


def _compare(build, parameters, value, quantity, parameter_grad=True, value_grad=True, **tol):
    """Compare one quantity with torch; where torch raises NotImplementedError, so must we."""
    def run(m, *tensors):
        return _quantity(build(m.distributions, *tensors[:-1]), quantity, tensors[-1])
    try:
        run(torch, *[to_torch(a) for a in parameters + [value]])
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            run(rustorch, *[to_rustorch(a) for a in parameters + [value]])
        return
    check(run, *parameters, value, requires_grad=[parameter_grad] * len(parameters)
          + [value_grad and value.dtype.kind == "f"], **tol)


@pytest.mark.parametrize("quantity", ALL)
@pytest.mark.parametrize("family", list(CONTINUOUS))
def test_continuous_quantities(family, quantity):
    build, parameters, values = CONTINUOUS[family]
    value = levels if quantity == "icdf" else values
    # torch has no derivative of the regularised incomplete gamma in its first argument
    parameter_grad = not (family == "Chi2" and quantity == "cdf")
    _compare(build, parameters, value, quantity, parameter_grad=parameter_grad)


@pytest.mark.parametrize("quantity", ["log_prob", "entropy", "mean", "mode", "variance",
                                      "stddev", "cdf"])
def test_dirichlet_quantities(quantity):
    _compare(lambda d, c: d.Dirichlet(c), [concentration_array + 0.0], simplex_values, quantity)
    _compare(lambda d, c: d.Dirichlet(c), [concentration_array + 1.2], simplex_values, quantity)


@pytest.mark.parametrize("form", ["probs", "logits"])
@pytest.mark.parametrize("quantity", ["log_prob", "entropy", "mean", "mode", "variance",
                                      "stddev", "probs", "logits", "cdf"])
def test_geometric_quantities(form, quantity):
    parameter = probs_array if form == "probs" else loc_array
    _compare(lambda d, p: d.Geometric(**{form: p}), [parameter], counts, quantity)


@pytest.mark.parametrize("form", ["probs", "logits"])
@pytest.mark.parametrize("quantity", ["log_prob", "entropy", "mean", "mode", "variance",
                                      "stddev", "probs", "logits", "enumerate_support"])
def test_binomial_quantities(form, quantity):
    parameter = probs_array if form == "probs" else loc_array

    def build(d, p):
        return d.Binomial(6, **{form: p})
    if quantity == "enumerate_support":
        check(lambda m, p: build(m.distributions, p).enumerate_support(), parameter, grad=False)
        check(lambda m, p: build(m.distributions, p).enumerate_support(False), parameter,
              grad=False)
        return
    _compare(build, [parameter], counts, quantity)
    check(lambda m, n, p: m.distributions.Binomial(n, p).log_prob(m.zeros(4, 2, 3) + 2),
          np.array([2.0, 5.0, 9.0], np.float32), probs_array, requires_grad=[False, True])


@pytest.mark.parametrize("form", ["probs", "logits"])
@pytest.mark.parametrize("quantity", ["log_prob", "entropy", "mean", "variance", "probs",
                                      "logits"])
def test_multinomial_quantities(form, quantity):
    parameter = rand(2, 4, low=0.1, high=1.0, seed=48) if form == "probs" else randn(2, 4)
    values = np.random.default_rng(49).multinomial(7, [0.1, 0.2, 0.3, 0.4], (3, 2))
    _compare(lambda d, p: d.Multinomial(7, **{form: p}), [parameter],
             values.astype(np.float32), quantity)


def test_multinomial_zero_probability_category():
    def run(m, logits):
        distribution = m.distributions.Multinomial(3, probs=m.tensor([0.5, 0.0, 0.5]))
        other = m.distributions.Multinomial(3, logits=logits)
        value = m.tensor([2.0, 0.0, 1.0])
        return distribution.log_prob(value), other.log_prob(value), distribution.entropy()
    check(run, np.array([0.1, -0.3, 0.7], np.float32))


def test_edge_values_match_torch():
    """A certain success (probs 1) at k = 0, and values outside the support unvalidated."""
    def run(m, probs, scale):
        d = m.distributions
        geometric = d.Geometric(probs=probs)
        half_normal = d.HalfNormal(scale, validate_args=False)
        return (geometric.log_prob(m.tensor([0.0, 0.0, 2.0])), geometric.mean,
                half_normal.log_prob(m.tensor([-1.0, 0.0, 1.0])))
    check(run, np.array([1.0, 0.5, 0.25], np.float32), np.array([1.0, 2.0, 0.5], np.float32))


def test_shapes_match_torch():
    def cases(d, m):
        return [d.StudentT(m.ones(3), 0.0, 1.0), d.StudentT(2.0), d.Cauchy(0.0, m.ones(2, 1)),
                d.HalfNormal(m.ones(3)), d.HalfNormal(1.0), d.Gumbel(m.zeros(2), 1.0),
                d.Gumbel(0.0, 1.0), d.LogNormal(m.zeros(2, 3), 1.0), d.Chi2(m.ones(4)),
                d.Chi2(3.0), d.Dirichlet(m.ones(2, 3, 4)), d.Geometric(probs=m.full((3,), 0.2)),
                d.Geometric(logits=0.5), d.Binomial(5, probs=m.full((2,), 0.3)),
                d.Multinomial(4, logits=m.zeros(2, 5)), d.LogisticNormal(m.zeros(3), 1.0),
                d.LogisticNormal(0.0, 1.0)]
    for mine, theirs in zip(cases(rustorch.distributions, rustorch),
                            cases(torch.distributions, torch)):
        assert tuple(mine.batch_shape) == tuple(theirs.batch_shape), theirs
        assert tuple(mine.event_shape) == tuple(theirs.event_shape), theirs
        assert mine.has_rsample == theirs.has_rsample, theirs
        assert mine.has_enumerate_support == theirs.has_enumerate_support, theirs
        assert repr(mine) == repr(theirs)
        rustorch.manual_seed(0)
        for sample_shape in [(), (5,), (2, 3)]:
            sample = mine.sample(sample_shape)
            expected = theirs.sample(sample_shape)
            assert tuple(sample.shape) == tuple(expected.shape), theirs
            assert sample.dtype.name == str(expected.dtype).replace("torch.", ""), theirs
            assert not sample.requires_grad
        assert bool(mine.support.check(mine.sample((10,))).all()), theirs


EXPANDABLE = {
    "StudentT": (lambda d, a, b: d.StudentT(b + 2, a, b), real_values),
    "Cauchy": (lambda d, a, b: d.Cauchy(a, b), real_values),
    "HalfNormal": (lambda d, a, b: d.HalfNormal(b), positive_values),
    "Gumbel": (lambda d, a, b: d.Gumbel(a, b), real_values),
    "LogNormal": (lambda d, a, b: d.LogNormal(a, b), positive_values),
    "Chi2": (lambda d, a, b: d.Chi2(b), positive_values),
    "Geometric": (lambda d, a, b: d.Geometric(logits=a), counts),
    "Binomial": (lambda d, a, b: d.Binomial(6, logits=a), counts),
}


@pytest.mark.parametrize("family", list(EXPANDABLE))
def test_expand(family):
    build, values = EXPANDABLE[family]

    def run(m, loc, scale, value):
        expanded = build(m.distributions, loc, scale).expand((4, 2, 3))
        assert tuple(expanded.batch_shape) == (4, 2, 3)
        assert tuple(expanded.sample((5,)).shape) == (5, 4, 2, 3)
        return expanded.log_prob(value), expanded.mean
    check(run, loc_array[:1], scale_array[:1], values, requires_grad=[True, True, False])


def test_expand_vector_families():
    def run(m, concentration, logits, loc, simplex, count):
        d = m.distributions
        dirichlet = d.Dirichlet(concentration).expand((3, 2))
        multinomial = d.Multinomial(7, logits=logits).expand((3, 2))
        logistic = d.LogisticNormal(loc, 1.0).expand((3, 2))
        for distribution in (dirichlet, multinomial, logistic):
            assert tuple(distribution.batch_shape) == (3, 2)
            assert tuple(distribution.sample((5,)).shape) == (5, 3, 2, 4)
        return (dirichlet.log_prob(simplex), multinomial.log_prob(count), multinomial.mean,
                logistic.log_prob(simplex))
    draws = np.random.default_rng(50).multinomial(7, [0.1, 0.2, 0.3, 0.4], (3, 2))
    check(run, concentration_array[:1] + 1, randn(1, 4), randn(1, 3), simplex_values[:3],
          draws.astype(np.float32), requires_grad=[True, True, True, False, False],
          rtol=1e-4, atol=1e-5)


def test_validation_errors():
    d = "distributions"
    check_error(lambda m: getattr(m, d).StudentT(m.tensor([0.0])))
    check_error(lambda m: getattr(m, d).StudentT(m.tensor([1.0]), 0.0, m.tensor([-1.0])))
    check_error(lambda m: getattr(m, d).Cauchy(m.zeros(2), -m.ones(2)))
    check_error(lambda m: getattr(m, d).HalfNormal(m.tensor([-1.0])))
    check_error(lambda m: getattr(m, d).HalfNormal(m.tensor([1.0])).log_prob(m.tensor([-1.0])))
    check_error(lambda m: getattr(m, d).Gumbel(m.zeros(2), m.zeros(2)))
    check_error(lambda m: getattr(m, d).LogNormal(m.zeros(2), -m.ones(2)))
    check_error(lambda m: getattr(m, d).LogNormal(0.0, 1.0).log_prob(m.tensor(-1.0)))
    check_error(lambda m: getattr(m, d).Chi2(m.tensor([-1.0])))
    check_error(lambda m: getattr(m, d).Dirichlet(m.tensor([1.0, 0.0])))
    check_error(lambda m: getattr(m, d).Dirichlet(m.tensor(1.0)))
    check_error(lambda m: getattr(m, d).Dirichlet(m.ones(3)).log_prob(m.tensor([0.5, 0.6, 0.1])))
    check_error(lambda m: getattr(m, d).Dirichlet(m.ones(3)).log_prob(m.tensor([0.5, 0.5])))
    check_error(lambda m: getattr(m, d).Geometric(probs=m.tensor([0.0, 0.5])))
    check_error(lambda m: getattr(m, d).Geometric(probs=m.tensor([1.5])))
    check_error(lambda m: getattr(m, d).Geometric(probs=m.tensor([0.5]), logits=m.zeros(1)))
    check_error(lambda m: getattr(m, d).Geometric(logits=m.zeros(1)).log_prob(m.tensor([-1.0])))
    check_error(lambda m: getattr(m, d).Geometric(logits=m.zeros(1)).log_prob(m.tensor([0.5])))
    check_error(lambda m: getattr(m, d).Binomial(2.5, probs=m.tensor([0.5])))
    check_error(lambda m: getattr(m, d).Binomial(-1, probs=m.tensor([0.5])))
    check_error(lambda m: getattr(m, d).Binomial(3, probs=m.tensor([1.5])))
    check_error(lambda m: getattr(m, d).Binomial(3, probs=m.tensor([0.5])).log_prob(
        m.tensor([4.0])))
    check_error(lambda m: getattr(m, d).Binomial(m.tensor([2.0, 3.0]), logits=m.zeros(2))
                .entropy())
    check_error(lambda m: getattr(m, d).Multinomial(m.tensor(3), probs=m.ones(3)))
    check_error(lambda m: getattr(m, d).Multinomial(3, probs=m.tensor([0.5, -0.5, 1.0])))
    check_error(lambda m: getattr(m, d).Multinomial(3, logits=m.zeros(3)).log_prob(
        m.tensor([2.0, 2.0, 0.0])))
    check_error(lambda m: getattr(m, d).Multinomial(3, logits=m.zeros(3)).log_prob(
        m.tensor([2.0, -1.0, 0.0])))
    quiet = rustorch.distributions.Geometric(probs=rustorch.tensor([0.0]), validate_args=False)
    assert quiet.mean.item() == float("inf")


@pytest.mark.parametrize("family", ["StudentT", "Gumbel", "LogNormal", "Dirichlet", "Binomial",
                                    "Cauchy", "HalfNormal"])
def test_log_prob_gradcheck(family):
    rd = rustorch.distributions
    generator = np.random.default_rng(51)
    first = rustorch.tensor(generator.uniform(0.5, 2.0, (2, 3)), dtype=rustorch.float64,
                            requires_grad=True)
    second = rustorch.tensor(generator.uniform(0.5, 2.0, (2, 3)), dtype=rustorch.float64,
                             requires_grad=True)
    value = rustorch.tensor(generator.uniform(0.2, 3.0, (2, 3)), dtype=rustorch.float64)
    builders = {
        "StudentT": lambda a, b: rd.StudentT(a + 1, b, a),
        "Gumbel": lambda a, b: rd.Gumbel(b, a), "LogNormal": lambda a, b: rd.LogNormal(b, a),
        "Dirichlet": lambda a, b: rd.Dirichlet(a + b),
        "Binomial": lambda a, b: rd.Binomial(5, logits=a - b),
        "Cauchy": lambda a, b: rd.Cauchy(b, a), "HalfNormal": lambda a, b: rd.HalfNormal(a),
    }
    if family == "Dirichlet":
        value = value / value.sum(-1, keepdim=True)
    elif family == "Binomial":
        value = value.round()

    def log_prob(a, b):
        return builders[family](a, b).log_prob(value)
    assert rustorch.autograd.gradcheck(log_prob, (first, second))


def _assert_moments(samples, mean, variance, count):
    samples = as_numpy(samples.double())
    standard_error = np.sqrt(variance / count)
    assert np.all(np.abs(samples.mean(0) - mean) < 5 * standard_error), samples.mean(0)
    assert np.all(np.abs(samples.var(0) / variance - 1) < 0.1), samples.var(0)


def test_sample_moments():
    rd = rustorch.distributions
    rustorch.manual_seed(7)
    count = 20000
    cases = [rd.HalfNormal(rustorch.tensor([0.5, 2.0])),
             rd.Gumbel(rustorch.tensor([1.0, -2.0]), rustorch.tensor([0.5, 1.5])),
             rd.LogNormal(rustorch.tensor([0.0, 0.5]), rustorch.tensor([0.3, 0.5])),
             rd.Chi2(rustorch.tensor([1.5, 6.0])),
             rd.StudentT(rustorch.tensor([9.0, 12.0]), rustorch.tensor([1.0, -1.0]), 2.0),
             rd.Dirichlet(rustorch.tensor([0.5, 2.0, 3.0])),
             rd.Geometric(probs=rustorch.tensor([0.3, 0.8])),
             rd.Binomial(rustorch.tensor([5.0, 12.0]), probs=rustorch.tensor([0.3, 0.6])),
             rd.Multinomial(9, probs=rustorch.tensor([0.2, 0.3, 0.5]))]
    for distribution in cases:
        _assert_moments(distribution.sample((count,)), as_numpy(distribution.mean),
                        as_numpy(distribution.variance), count)
    simplex = rd.Dirichlet(rustorch.ones(2, 4)).sample((10,))
    np.testing.assert_allclose(as_numpy(simplex.sum(-1)), 1.0, rtol=1e-5)
    multinomial = rd.Multinomial(9, logits=rustorch.zeros(3, 5)).sample((10,))
    assert (multinomial.sum(-1) == 9).all() and multinomial.dtype == rustorch.float32


@pytest.mark.parametrize("family", ["Cauchy", "StudentT", "Gumbel", "HalfNormal", "LogNormal",
                                    "Chi2"])
def test_samples_pass_kolmogorov_smirnov(family):
    """The samples' empirical cdf is close to torch's cdf (scipy's for StudentT)."""
    from scipy import stats
    rustorch.manual_seed(8)
    parameters = {"Cauchy": (0.5, 2.0), "StudentT": (3.0, 0.5, 2.0), "Gumbel": (0.5, 2.0),
                  "HalfNormal": (2.0,), "LogNormal": (0.5, 0.7), "Chi2": (3.0,)}[family]
    samples = getattr(rustorch.distributions, family)(*parameters).sample((4000,)).double()
    if family == "StudentT":
        def cdf(x):
            return stats.t.cdf(x, parameters[0], parameters[1], parameters[2])
    else:
        reference = getattr(torch.distributions, family)(
            *[torch.tensor(p, dtype=torch.float64) for p in parameters])

        def cdf(x):
            return reference.cdf(torch.from_numpy(np.asarray(x, np.float64))).numpy()
    assert stats.kstest(as_numpy(samples), cdf).pvalue > 1e-3


def test_rsample_gradients_in_expectation():
    """d E[f(sample)] / d parameter from rsample matches the analytic derivative."""
    rd = rustorch.distributions
    rustorch.manual_seed(9)
    count = 40000
    loc = rustorch.tensor([0.5, -1.0], requires_grad=True)
    scale = rustorch.tensor([0.4, 0.6], requires_grad=True)
    rd.LogNormal(loc, scale).rsample((count,)).mean(0).sum().backward()
    mean = np.exp(as_numpy(loc.detach()) + as_numpy(scale.detach()) ** 2 / 2)
    np.testing.assert_allclose(as_numpy(loc.grad), mean, rtol=0.05)
    np.testing.assert_allclose(as_numpy(scale.grad), mean * as_numpy(scale.detach()), rtol=0.05)
    for family, expected in [("Gumbel", (1.0, 0.5772156649)),
                             ("HalfNormal", (None, np.sqrt(2 / np.pi)))]:
        loc = rustorch.tensor([0.3], requires_grad=True)
        scale = rustorch.tensor([1.5], requires_grad=True)
        distribution = rd.Gumbel(loc, scale) if family == "Gumbel" else rd.HalfNormal(scale)
        distribution.rsample((count,)).mean().backward()
        if expected[0] is not None:
            np.testing.assert_allclose(as_numpy(loc.grad), expected[0], rtol=1e-5)
        np.testing.assert_allclose(as_numpy(scale.grad), expected[1], rtol=0.05)
    concentration = rustorch.tensor([0.5, 2.0, 3.5], requires_grad=True)
    rd.Dirichlet(concentration).rsample((count,)).mean(0)[0].backward()
    alpha = as_numpy(concentration.detach())
    total = alpha.sum()
    expected = np.array([total - alpha[0], -alpha[0], -alpha[0]]) / total ** 2
    np.testing.assert_allclose(as_numpy(concentration.grad), expected, rtol=0.1, atol=2e-3)
    df = rustorch.tensor([5.0], requires_grad=True)
    scale = rustorch.tensor([2.0], requires_grad=True)
    rd.StudentT(df, 1.0, scale).rsample((count,)).abs().mean().backward()
    # E|T| = 2 sqrt(df) / ((df - 1) B(1/2, df/2)) for the standard t, times scale
    torch_df = torch.tensor([5.0], dtype=torch.float64, requires_grad=True)
    torch_scale = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    torch.manual_seed(0)
    torch.distributions.StudentT(torch_df, 1.0, torch_scale).rsample((200000,)).abs().mean()\
        .backward()
    np.testing.assert_allclose(as_numpy(scale.grad), torch_scale.grad.numpy(), rtol=0.05)
    np.testing.assert_allclose(as_numpy(df.grad), torch_df.grad.numpy(), rtol=0.3, atol=0.01)
