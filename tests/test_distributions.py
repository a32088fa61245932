"""rustorch.distributions against torch.distributions: deterministic quantities and their
gradients through the oracle; sampling by shape, differentiability and statistics."""
from __future__ import annotations

import numpy as np
import pytest

from tests._oracle import as_numpy, check, check_error, rand, randn, rustorch, torch

loc_array, scale_array = randn(2, 3, seed=1), rand(2, 3, low=0.5, high=2.0, seed=2)
value_array = randn(4, 2, 3, seed=3)
low_array, high_array = rand(3, low=-2, high=-1, seed=4), rand(3, low=1, high=2, seed=5)
logits_array = randn(2, 5, seed=6)
probs_array = rand(2, 5, low=0.1, high=1.0, seed=7)


@pytest.mark.parametrize("quantity", ["log_prob", "cdf", "entropy", "mean", "mode",
                                      "variance", "stddev"])
def test_normal_quantities(quantity):
    def run(m, loc, scale, value):
        distribution = m.distributions.Normal(loc, scale)
        attribute = getattr(distribution, quantity)
        return attribute(value) if quantity in ("log_prob", "cdf") else \
            attribute() if quantity == "entropy" else attribute
    check(run, loc_array, scale_array, value_array)


def test_normal_icdf_and_scalar_parameters():
    check(lambda m, loc, scale, q: m.distributions.Normal(loc, scale).icdf(q),
          loc_array, scale_array, rand(2, 3, low=0.05, high=0.95, seed=8))
    check(lambda m, x: m.distributions.Normal(0.5, 2.0).log_prob(x), value_array)
    assert rustorch.distributions.Normal(0.0, 1.0).batch_shape == torch.Size([])
    assert rustorch.distributions.Normal(0.0, 1.0).loc.dtype == rustorch.float32


@pytest.mark.parametrize("quantity", ["log_prob", "cdf", "icdf", "entropy", "mean",
                                      "variance", "stddev"])
def test_uniform_quantities(quantity):
    def run(m, low, high, value):
        distribution = m.distributions.Uniform(low, high)
        if quantity in ("log_prob", "cdf"):
            return getattr(distribution, quantity)(value * 0.9)
        if quantity == "icdf":
            return distribution.icdf((value.clamp(-1.5, 1.5) + 1.5) / 3)
        return distribution.entropy() if quantity == "entropy" else getattr(distribution, quantity)
    check(run, low_array, high_array, randn(4, 3, seed=9).clip(-0.9, 0.9))


@pytest.mark.parametrize("quantity", ["log_prob", "cdf", "icdf", "entropy", "mean",
                                      "variance", "stddev", "mode"])
@pytest.mark.parametrize("family", ["Laplace", "Exponential"])
def test_laplace_exponential_quantities(family, quantity):
    def run(m, loc, scale, value):
        cls = getattr(m.distributions, family)
        distribution = cls(loc, scale) if family == "Laplace" else cls(scale)
        if quantity in ("log_prob", "cdf"):
            return getattr(distribution, quantity)(value.abs())
        if quantity == "icdf":
            return distribution.icdf(value.abs() / (value.abs() + 1))
        return distribution.entropy() if quantity == "entropy" else getattr(distribution, quantity)
    check(run, loc_array, scale_array, value_array)


@pytest.mark.parametrize("form", ["probs", "logits"])
@pytest.mark.parametrize("quantity", ["log_prob", "entropy", "mean", "variance", "mode",
                                      "logits", "probs"])
def test_bernoulli_quantities(form, quantity):
    parameter = rand(2, 3, low=0.05, high=0.95, seed=10) if form == "probs" else loc_array
    values = (rand(4, 2, 3, seed=11) > 0.5).astype(np.float32)

    def run(m, param, value):
        distribution = m.distributions.Bernoulli(**{form: param})
        if quantity == "log_prob":
            return distribution.log_prob(value)
        return distribution.entropy() if quantity == "entropy" else getattr(distribution, quantity)
    check(run, parameter, values, requires_grad=[True, False])


@pytest.mark.parametrize("form", ["probs", "logits"])
@pytest.mark.parametrize("quantity", ["log_prob", "entropy", "mode", "logits", "probs", "mean"])
def test_categorical_quantities(form, quantity):
    parameter = probs_array if form == "probs" else logits_array
    values = np.random.default_rng(12).integers(0, 5, (3, 2)).astype(np.int64)

    def run(m, param, value):
        distribution = m.distributions.Categorical(**{form: param})
        if quantity == "log_prob":
            return distribution.log_prob(value)
        return distribution.entropy() if quantity == "entropy" else getattr(distribution, quantity)
    check(run, parameter, values)


def test_independent_quantities_and_shapes():
    def run(m, loc, scale, value):
        distribution = m.distributions.Independent(m.distributions.Normal(loc, scale), 1)
        return (distribution.log_prob(value), distribution.entropy(), distribution.mean,
                distribution.variance)
    check(run, loc_array, scale_array, value_array)
    base = rustorch.distributions.Normal(rustorch.zeros(2, 3, 4), rustorch.ones(2, 3, 4))
    independent = rustorch.distributions.Independent(base, 2)
    assert independent.batch_shape == torch.Size([2]) and independent.event_shape == (3, 4)
    assert independent.sample((5,)).shape == (5, 2, 3, 4)
    assert independent.has_rsample
    assert repr(independent) == repr(torch.distributions.Independent(
        torch.distributions.Normal(torch.zeros(2, 3, 4), torch.ones(2, 3, 4)), 2))


def test_kl_divergences():
    d = "distributions"
    check(lambda m, a, b, c, e: getattr(m, d).kl_divergence(
        getattr(m, d).Normal(a, b), getattr(m, d).Normal(c, e)),
        loc_array, scale_array, randn(2, 3, seed=13), rand(2, 3, low=0.5, high=2, seed=14))
    check(lambda m, a, b: getattr(m, d).kl_divergence(
        getattr(m, d).Bernoulli(logits=a), getattr(m, d).Bernoulli(probs=b)),
        loc_array, rand(2, 3, low=0.1, high=0.9, seed=15))
    check(lambda m, a, b: getattr(m, d).kl_divergence(
        getattr(m, d).Categorical(logits=a), getattr(m, d).Categorical(probs=b)),
        logits_array, probs_array)
    check(lambda m, a, b, c, e: getattr(m, d).kl_divergence(
        getattr(m, d).Uniform(a, b), getattr(m, d).Uniform(c, e)),
        low_array, high_array, low_array - 1, high_array + np.array([1, -0.5, 1], np.float32))
    check(lambda m, a, b, c, e: getattr(m, d).kl_divergence(
        getattr(m, d).Independent(getattr(m, d).Normal(a, b), 1),
        getattr(m, d).Independent(getattr(m, d).Normal(c, e), 1)),
        loc_array, scale_array, randn(2, 3, seed=16), scale_array[::-1].copy())
    check(lambda m, a, b, c, e: getattr(m, d).kl_divergence(
        getattr(m, d).Laplace(a, b), getattr(m, d).Laplace(c, e)),
        loc_array, scale_array, randn(2, 3, seed=17), scale_array[::-1].copy())
    check(lambda m, a, b: getattr(m, d).kl_divergence(
        getattr(m, d).Exponential(a), getattr(m, d).Exponential(b)),
        scale_array, scale_array[::-1].copy())


def test_kl_infinite_and_register():
    rd = rustorch.distributions
    p = rd.Categorical(probs=rustorch.tensor([0.5, 0.5, 0.0]))
    q = rd.Categorical(probs=rustorch.tensor([1.0, 0.0, 0.0]))
    assert rd.kl_divergence(p, q).item() == float("inf")
    assert rd.kl_divergence(q, p).item() == pytest.approx(np.log(2))
    with pytest.raises(NotImplementedError):
        rd.kl_divergence(rd.Cauchy(0.0, 1.0), rd.Normal(0.0, 1.0))  # torch has no such pair

    class MyNormal(rd.Normal):
        pass

    @rd.register_kl(MyNormal, rd.Normal)
    def _constant(p, q):
        return rustorch.tensor(7.0)
    assert rd.kl_divergence(MyNormal(0.0, 1.0), rd.Normal(0.0, 2.0)).item() == 7.0
    # the closest registered ancestor is used for subclasses without their own entry
    assert rd.kl_divergence(rd.Normal(0.0, 2.0), MyNormal(0.0, 2.0)).item() == 0.0


def test_gamma_and_beta_sample_from_python_numbers():
    rd = rustorch.distributions
    for distribution in (rd.Gamma(2.0, 1.0), rd.Beta(2.0, 3.0), rd.Dirichlet(rustorch.ones(3))):
        sample = distribution.sample()
        assert tuple(sample.shape) == tuple(distribution.batch_shape + distribution.event_shape)


def test_lazy_probabilities_keep_their_gradient_after_sampling():
    """probs first computed inside sample() (no_grad) still differentiate, as in torch."""
    for m in (torch, rustorch):
        logits = m.zeros(3, requires_grad=True)
        distribution = m.distributions.Categorical(logits=logits)
        distribution.sample()
        assert distribution.probs.requires_grad


@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
def test_sample_shapes_and_dtypes(sample_shape):
    rd = rustorch.distributions
    rustorch.manual_seed(0)
    cases = [
        (rd.Normal(rustorch.zeros(4), rustorch.ones(4)), (4,), rustorch.float32),
        (rd.Normal(0.0, 1.0), (), rustorch.float32),
        (rd.Uniform(rustorch.zeros(2, 1, dtype=rustorch.float64), 1.0), (2, 1), rustorch.float64),
        (rd.Bernoulli(probs=rustorch.full((3,), 0.3)), (3,), rustorch.float32),
        (rd.Categorical(logits=rustorch.zeros(2, 3, 6)), (2, 3), rustorch.int64),
        (rd.Laplace(rustorch.zeros(3), 1.0), (3,), rustorch.float32),
        (rd.Exponential(rustorch.ones(3)), (3,), rustorch.float32),
    ]
    for distribution, batch, dtype in cases:
        sample = distribution.sample(sample_shape)
        assert sample.shape == tuple(sample_shape) + batch, distribution
        assert sample.dtype == dtype, distribution
        assert not sample.requires_grad
        if distribution.has_rsample:
            assert distribution.rsample(sample_shape).shape == tuple(sample_shape) + batch


def test_rsample_gradients():
    rd = rustorch.distributions
    rustorch.manual_seed(1)
    loc = rustorch.zeros(3, requires_grad=True)
    scale = rustorch.full((3,), 2.0, requires_grad=True)
    sample = rd.Normal(loc, scale).rsample((10,))
    sample.sum().backward()
    np.testing.assert_allclose(loc.grad.cpu().numpy(), np.full(3, 10.0))
    # d(loc + scale * noise)/d scale = noise = (sample - loc) / scale
    np.testing.assert_allclose(scale.grad.cpu().numpy(), (sample.detach().cpu().numpy() / 2).sum(0),
                               rtol=1e-5)
    low = rustorch.zeros(3, requires_grad=True)
    high = rustorch.ones(3, requires_grad=True)
    uniform_sample = rd.Uniform(low, high).rsample((4,))
    uniform_sample.sum().backward()
    np.testing.assert_allclose(as_numpy(high.grad), as_numpy(uniform_sample).sum(0),
                               rtol=1e-5)
    np.testing.assert_allclose(as_numpy(low.grad), 4 - as_numpy(uniform_sample).sum(0),
                               rtol=1e-5)
    rate = rustorch.full((2,), 2.0, requires_grad=True)
    exponential_sample = rd.Exponential(rate).rsample()
    exponential_sample.sum().backward()
    np.testing.assert_allclose(as_numpy(rate.grad), -as_numpy(exponential_sample) / 2,
                               rtol=1e-5)


def _assert_moments(samples, mean, variance, count):
    samples = samples.double().cpu().numpy()
    standard_error = np.sqrt(variance / count)
    assert np.all(np.abs(samples.mean(0) - mean) < 5 * standard_error), samples.mean(0)
    assert np.all(np.abs(samples.var(0) / variance - 1) < 0.1), samples.var(0)


def test_sample_statistics():
    rd = rustorch.distributions
    rustorch.manual_seed(2)
    count = 20000
    cases = [
        rd.Normal(rustorch.tensor([-1.0, 3.0]), rustorch.tensor([0.5, 2.0])),
        rd.Uniform(rustorch.tensor([-1.0, 2.0]), rustorch.tensor([1.0, 5.0])),
        rd.Bernoulli(probs=rustorch.tensor([0.2, 0.7])),
        rd.Laplace(rustorch.tensor([1.0, -2.0]), rustorch.tensor([0.5, 1.5])),
        rd.Exponential(rustorch.tensor([0.5, 3.0])),
    ]
    for distribution in cases:
        _assert_moments(distribution.sample((count,)), distribution.mean.cpu().numpy(),
                        distribution.variance.cpu().numpy(), count)
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    samples = rd.Categorical(probs=rustorch.tensor(probs)).sample((count,)).cpu().numpy()
    frequencies = np.bincount(samples, minlength=4) / count
    assert np.all(np.abs(frequencies - probs) < 5 * np.sqrt(probs * (1 - probs) / count))


def test_validation_errors():
    check_error(lambda m: m.distributions.Normal(m.zeros(2), -m.ones(2)))
    check_error(lambda m: m.distributions.Normal(m.zeros(2), m.ones(2)).log_prob(
        m.tensor([float("nan"), 0.0])))
    check_error(lambda m: m.distributions.Normal(0.0, 1.0).log_prob(0.5))
    check_error(lambda m: m.distributions.Normal(m.zeros(2), m.ones(2)).log_prob(m.zeros(3)))
    check_error(lambda m: m.distributions.Bernoulli(probs=m.tensor([1.5])))
    check_error(lambda m: m.distributions.Bernoulli(probs=m.tensor([0.5])).log_prob(
        m.tensor([0.5])))
    check_error(lambda m: m.distributions.Bernoulli(probs=m.tensor([0.5]),
                                                    logits=m.tensor([0.0])))
    check_error(lambda m: m.distributions.Categorical(probs=m.tensor([0.5, -0.5, 1.0])))
    check_error(lambda m: m.distributions.Categorical(logits=m.zeros(3)).log_prob(
        m.tensor(3)))
    check_error(lambda m: m.distributions.Uniform(m.ones(2), m.zeros(2)))
    check_error(lambda m: m.distributions.Uniform(0.0, 1.0).log_prob(m.tensor(1.5)))
    check_error(lambda m: m.distributions.Exponential(m.tensor([0.0])))
    check_error(lambda m: m.distributions.Independent(m.distributions.Normal(0.0, 1.0), 1))
    check_error(lambda m: m.distributions.Distribution.set_default_validate_args("yes"))


def test_validation_can_be_turned_off():
    rd = rustorch.distributions
    quiet = rd.Normal(rustorch.zeros(1), -rustorch.ones(1), validate_args=False)
    assert np.isnan(quiet.log_prob(rustorch.zeros(1)).item())
    rd.Distribution.set_default_validate_args(False)
    try:
        rd.Normal(rustorch.zeros(1), -rustorch.ones(1))
        assert rd.Uniform(0.0, 1.0).log_prob(rustorch.tensor(2.0)).item() == float("-inf")
    finally:
        rd.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        rd.Normal(rustorch.zeros(1), -rustorch.ones(1))


def test_repr_and_expand():
    for name, args in [("Normal", ((2,), (2,))), ("Uniform", ((3,), (3,)))]:
        rust = getattr(rustorch.distributions, name)(rustorch.zeros(*args[0]) - 1,
                                                     rustorch.ones(*args[1]))
        reference = getattr(torch.distributions, name)(torch.zeros(*args[0]) - 1,
                                                       torch.ones(*args[1]))
        assert repr(rust) == repr(reference)
    assert repr(rustorch.distributions.Normal(0.0, 1.0)) == \
        repr(torch.distributions.Normal(0.0, 1.0))
    assert repr(rustorch.distributions.Bernoulli(logits=rustorch.zeros(4))) == \
        repr(torch.distributions.Bernoulli(logits=torch.zeros(4)))

    def run(m, loc, scale, value):
        expanded = m.distributions.Normal(loc, scale).expand((4, 2, 3))
        assert tuple(expanded.batch_shape) == (4, 2, 3)
        return expanded.log_prob(value)
    check(run, loc_array[:1], scale_array[:1], value_array)
    categorical = rustorch.distributions.Categorical(logits=rustorch.zeros(3, 5)).expand((2, 3))
    assert categorical.batch_shape == (2, 3) and categorical.sample((4,)).shape == (4, 2, 3)
    independent = rustorch.distributions.Independent(
        rustorch.distributions.Normal(rustorch.zeros(3), 1.0), 1).expand((2,))
    assert independent.batch_shape == (2,) and independent.event_shape == (3,)
    assert independent.sample().shape == (2, 3)
    support = rustorch.distributions.Bernoulli(probs=rustorch.tensor([0.3, 0.6]))
    assert support.enumerate_support().tolist() == [[0.0, 0.0], [1.0, 1.0]]


# ---------------------------------------------------------------- gamma family, one-hot
concentration_array = rand(2, 3, low=0.6, high=3.0, seed=20)
rate_array = rand(2, 3, low=0.5, high=2.0, seed=21)
positive_values = rand(4, 2, 3, low=0.1, high=3.0, seed=22)


def _quantity(distribution, quantity, value):
    attribute = getattr(distribution, quantity)
    if quantity in ("log_prob", "cdf", "icdf"):
        return attribute(value)
    return attribute() if quantity == "entropy" else attribute


@pytest.mark.parametrize("quantity", ["log_prob", "entropy", "mean", "mode", "variance",
                                      "stddev"])
@pytest.mark.parametrize("family", ["Gamma", "Beta"])
def test_gamma_beta_quantities(family, quantity):
    first = concentration_array + (1.0 if quantity == "mode" else 0.0)
    value = positive_values / 3.1 if family == "Beta" else positive_values
    check(lambda m, a, b, x: _quantity(getattr(m.distributions, family)(a, b), quantity, x),
          first, rate_array + 0.6, value)


def test_gamma_cdf_and_scalars():
    check(lambda m, a, b, x: m.distributions.Gamma(a, b).cdf(x), concentration_array,
          rate_array, positive_values, requires_grad=[False, True, True])
    check(lambda m, x: m.distributions.Gamma(2.0, 0.5).log_prob(x), positive_values)
    assert rustorch.distributions.Gamma(1.0, 1.0).batch_shape == ()


@pytest.mark.parametrize("quantity", ["log_prob", "mean", "mode", "variance"])
def test_poisson_quantities(quantity):
    counts = np.random.default_rng(23).integers(0, 6, (4, 2, 3)).astype(np.float32)
    check(lambda m, rate, x: _quantity(m.distributions.Poisson(rate), quantity, x),
          rate_array * 2, counts, requires_grad=[True, False])


@pytest.mark.parametrize("form", ["probs", "logits"])
@pytest.mark.parametrize("quantity", ["log_prob", "entropy", "mean", "mode", "variance",
                                      "probs", "logits"])
def test_one_hot_categorical_quantities(form, quantity):
    parameter = probs_array if form == "probs" else logits_array
    index = np.random.default_rng(24).integers(0, 5, (3, 2))
    values = np.eye(5, dtype=np.float32)[index]
    check(lambda m, param, x: _quantity(m.distributions.OneHotCategorical(**{form: param}),
                                        quantity, x),
          parameter, values, requires_grad=[True, False])


def test_one_hot_categorical_support_and_shapes():
    rd = rustorch.distributions
    distribution = rd.OneHotCategorical(logits=rustorch.zeros(2, 4))
    reference = torch.distributions.OneHotCategorical(logits=torch.zeros(2, 4))
    assert distribution.batch_shape == (2,) and distribution.event_shape == (4,)
    assert distribution.enumerate_support().tolist() == reference.enumerate_support().tolist()
    assert distribution.enumerate_support(expand=False).shape == (4, 1, 4)
    assert repr(distribution) == repr(reference)
    assert distribution.expand((3, 2)).sample((5,)).shape == (5, 3, 2, 4)
    rustorch.manual_seed(3)
    sample = distribution.sample((6,))
    assert sample.shape == (6, 2, 4) and sample.dtype == rustorch.float32
    assert (sample.sum(-1) == 1).all()


def test_gamma_family_kl():
    d = "distributions"
    other_concentration = rand(2, 3, low=0.6, high=3.0, seed=25)
    for family in ("Gamma", "Beta"):
        check(lambda m, a, b, c, e: getattr(m, d).kl_divergence(
            getattr(getattr(m, d), family)(a, b), getattr(getattr(m, d), family)(c, e)),
            concentration_array, rate_array, other_concentration, rate_array[::-1].copy())
    check(lambda m, a, b: getattr(m, d).kl_divergence(getattr(m, d).Poisson(a),
                                                      getattr(m, d).Poisson(b)),
          rate_array, other_concentration)
    check(lambda m, a, b: getattr(m, d).kl_divergence(
        getattr(m, d).OneHotCategorical(logits=a), getattr(m, d).OneHotCategorical(probs=b)),
        logits_array, probs_array)


def test_gamma_family_sampling():
    rd = rustorch.distributions
    rustorch.manual_seed(4)
    count = 20000
    for distribution in (rd.Gamma(rustorch.tensor([0.5, 4.0]), rustorch.tensor([2.0, 0.5])),
                         rd.Beta(rustorch.tensor([0.5, 3.0]), rustorch.tensor([2.0, 1.5])),
                         rd.Poisson(rustorch.tensor([0.7, 6.0]))):
        assert distribution.sample((3, 1)).shape == (3, 1, 2)
        _assert_moments(distribution.sample((count,)), distribution.mean.cpu().numpy(),
                        distribution.variance.cpu().numpy(), count)
    assert not rd.Poisson(1.0).has_rsample and rd.Gamma(1.0, 1.0).has_rsample
    probs = np.array([0.1, 0.6, 0.3])
    one_hot = rd.OneHotCategorical(probs=rustorch.tensor(probs)).sample((count,)).cpu().numpy()
    assert np.all(np.abs(one_hot.mean(0) - probs) < 5 * np.sqrt(probs * (1 - probs) / count))


def test_gamma_beta_rsample_gradients():
    """Implicit reparameterisation: d E[sample] / d parameter matches the analytic derivative
    (and torch's rsample gradient) in expectation."""
    rd = rustorch.distributions
    rustorch.manual_seed(5)
    concentration = rustorch.tensor([0.5, 2.0, 5.0], requires_grad=True)
    rate = rustorch.tensor([2.0, 1.0, 0.5], requires_grad=True)
    sample = rd.Gamma(concentration, rate).rsample((20000,))
    sample.mean(0).sum().backward()
    np.testing.assert_allclose(as_numpy(concentration.grad), 1 / as_numpy(rate), rtol=0.05)
    expected_rate = -concentration.detach().cpu().numpy() / rate.detach().cpu().numpy() ** 2
    np.testing.assert_allclose(rate.grad.cpu().numpy(), expected_rate, rtol=0.05)
    first = rustorch.tensor([0.5, 2.0], requires_grad=True)
    second = rustorch.tensor([2.0, 3.0], requires_grad=True)
    rd.Beta(first, second).rsample((20000,)).mean(0).sum().backward()
    a, b = first.detach().cpu().numpy(), second.detach().cpu().numpy()
    np.testing.assert_allclose(first.grad.cpu().numpy(), b / (a + b) ** 2, rtol=0.05)
    np.testing.assert_allclose(second.grad.cpu().numpy(), -a / (a + b) ** 2, rtol=0.05)


def test_gamma_family_validation_errors():
    rd = "distributions"
    check_error(lambda m: getattr(m, rd).Gamma(m.tensor([0.0]), m.tensor([1.0])))
    check_error(lambda m: getattr(m, rd).Gamma(m.tensor([1.0]), m.tensor([-1.0])))
    check_error(lambda m: getattr(m, rd).Gamma(1.0, 1.0).log_prob(m.tensor(-0.5)))
    check_error(lambda m: getattr(m, rd).Beta(m.tensor([1.0]), m.tensor([0.0])))
    check_error(lambda m: getattr(m, rd).Beta(1.0, 1.0).log_prob(m.tensor(1.5)))
    check_error(lambda m: getattr(m, rd).Poisson(m.tensor([-1.0])))
    check_error(lambda m: getattr(m, rd).Poisson(m.tensor([1.0])).log_prob(m.tensor([0.5])))
    check_error(lambda m: getattr(m, rd).OneHotCategorical(probs=m.tensor([0.5, -0.5, 1.0])))
    check_error(lambda m: getattr(m, rd).OneHotCategorical(logits=m.zeros(3)).log_prob(
        m.tensor([1.0, 1.0, 0.0])))
    check_error(lambda m: getattr(m, rd).OneHotCategorical(logits=m.zeros(3)).log_prob(
        m.tensor([1.0, 0.0])))


# ---------------------------------------------------------------- multivariate normal
_factor = np.array([[1.0, 0, 0], [0.5, 2.0, 0], [0.1, -0.3, 0.7]], np.float32)
scale_tril_array = np.stack([_factor, _factor * 0.5 + np.eye(3, dtype=np.float32) * 0.5])
covariance_array = scale_tril_array @ scale_tril_array.transpose(0, 2, 1)
mvn_loc_array = randn(2, 3, seed=30)
mvn_values = randn(4, 2, 3, seed=31)


def _mvn(m, loc, matrix, form):
    if form == "scale_tril":
        matrix = matrix.tril()
    elif form == "covariance_matrix":
        matrix = (matrix + matrix.mT) / 2
    else:
        matrix = m.linalg.inv((matrix + matrix.mT) / 2)
        matrix = (matrix + matrix.mT) / 2
    return m.distributions.MultivariateNormal(loc, **{form: matrix})


@pytest.mark.parametrize("form", ["scale_tril", "covariance_matrix", "precision_matrix"])
def test_multivariate_normal_quantities(form):
    matrix = scale_tril_array if form == "scale_tril" else covariance_array

    def run(m, loc, matrix, value):
        distribution = _mvn(m, loc, matrix, form)
        return (distribution.log_prob(value), distribution.entropy(), distribution.mean,
                distribution.mode, distribution.variance, distribution.covariance_matrix,
                distribution.precision_matrix, distribution.scale_tril)
    check(run, mvn_loc_array, matrix, mvn_values, rtol=1e-4, atol=1e-4)


def test_multivariate_normal_shapes_kl_and_sampling():
    check(lambda m, a, b, c, e: m.distributions.kl_divergence(
        _mvn(m, a, b, "scale_tril"), _mvn(m, c, e, "covariance_matrix")),
        mvn_loc_array, scale_tril_array, randn(3, seed=32), covariance_array[:1],
        rtol=1e-4, atol=1e-4)
    rd = rustorch.distributions
    distribution = rd.MultivariateNormal(rustorch.zeros(3),
                                         scale_tril=rustorch.tensor(scale_tril_array))
    assert distribution.batch_shape == (2,) and distribution.event_shape == (3,)
    assert distribution.expand((4, 2)).sample((5,)).shape == (5, 4, 2, 3)
    rustorch.manual_seed(6)
    loc = rustorch.tensor([1.0, -1.0, 0.5], requires_grad=True)
    sampled = rd.MultivariateNormal(loc, covariance_matrix=rustorch.tensor(covariance_array[0]))
    draws = sampled.rsample((40000,))
    assert draws.shape == (40000, 3) and sampled.sample((2,)).shape == (2, 3)
    draws.sum().backward()
    np.testing.assert_allclose(loc.grad.cpu().numpy(), np.full(3, 40000.0))
    values = draws.detach().double().cpu().numpy()
    assert np.all(np.abs(values.mean(0) - [1.0, -1.0, 0.5]) < 5 * np.sqrt(
        np.diag(covariance_array[0]) / 40000))
    np.testing.assert_allclose(np.cov(values.T), covariance_array[0], atol=0.1)


def test_multivariate_normal_errors():
    rd = "distributions"
    check_error(lambda m: getattr(m, rd).MultivariateNormal(m.zeros(2)))
    check_error(lambda m: getattr(m, rd).MultivariateNormal(
        m.zeros(2), covariance_matrix=m.eye(2), scale_tril=m.eye(2)))
    check_error(lambda m: getattr(m, rd).MultivariateNormal(m.zeros(2),
                                                            covariance_matrix=-m.eye(2)))
    check_error(lambda m: getattr(m, rd).MultivariateNormal(m.zeros(2),
                                                            scale_tril=m.ones(2, 2)))
    check_error(lambda m: getattr(m, rd).MultivariateNormal(m.zeros(2), scale_tril=m.eye(2))
                .log_prob(m.zeros(3)))
