"""rustorch.distributions transforms, ``transform_to``/``biject_to``, TransformedDistribution
and the KL divergences of kl_more.py against torch.distributions (values and gradients)."""
from __future__ import annotations

import numpy as np
import pytest

from tests._oracle import (as_numpy, check, check_error, rand, randn, rustorch, to_rustorch,
                           to_torch, torch)

real_array = randn(4, 3, seed=60) * 2
positive_array = rand(4, 3, low=0.2, high=3.0, seed=61)
unit_array = rand(4, 3, low=0.02, high=0.98, seed=62)
loc_array, scale_array = randn(3, seed=63), rand(3, low=0.5, high=2.0, seed=64)
negative_scale = -scale_array
simplex_array = rand(4, 4, low=0.05, high=1.0, seed=65)
simplex_array /= simplex_array.sum(-1, keepdims=True)

# name -> (build(transforms module, *parameters), parameters, domain value, codomain value)
TRANSFORMS = {
    "Exp": (lambda t: t.ExpTransform(), [], real_array, positive_array),
    "ExpInverse": (lambda t: t.ExpTransform().inv, [], positive_array, real_array),
    "Affine": (lambda t, a, b: t.AffineTransform(a, b), [loc_array, scale_array], real_array,
               real_array),
    "AffineDecreasing": (lambda t, a, b: t.AffineTransform(a, b), [loc_array, negative_scale],
                         real_array, real_array),
    "AffineNumbers": (lambda t: t.AffineTransform(1.5, -2.0), [], real_array, real_array),
    "AffineEvent": (lambda t, a, b: t.AffineTransform(a, b, event_dim=1),
                    [loc_array, scale_array], real_array, real_array),
    "Sigmoid": (lambda t: t.SigmoidTransform(), [], real_array, unit_array),
    "Tanh": (lambda t: t.TanhTransform(), [], real_array, unit_array * 2 - 1),
    "Softplus": (lambda t: t.SoftplusTransform(), [], real_array, positive_array),
    "Power": (lambda t, b: t.PowerTransform(b), [scale_array], positive_array, positive_array),
    "Abs": (lambda t: t.AbsTransform(), [], real_array, positive_array),
    "Softmax": (lambda t: t.SoftmaxTransform(), [], real_array, simplex_array),
    "StickBreaking": (lambda t: t.StickBreakingTransform(), [], real_array, simplex_array),
    "Compose": (lambda t, a, b: t.ComposeTransform([t.ExpTransform(), t.AffineTransform(a, b)]),
                [loc_array, scale_array], real_array, real_array + 10),
    "ComposeInverse": (lambda t, a, b: t.ComposeTransform(
        [t.AffineTransform(a, b), t.SigmoidTransform()]).inv, [loc_array, scale_array],
        unit_array, real_array),
    "Independent": (lambda t: t.IndependentTransform(t.SigmoidTransform(), 1), [], real_array,
                    unit_array),
    "Identity": (lambda t: t.identity_transform, [], real_array, real_array),
}


def _run_transform(name, quantity):
    build, parameters, domain_value, codomain_value = TRANSFORMS[name]

    def run(m, *tensors):
        transform = build(m.distributions.transforms, *tensors[:-1])
        value = tensors[-1]
        if quantity == "forward":
            return transform(value)
        if quantity == "inverse":
            return transform.inv(value)
        return transform.log_abs_det_jacobian(value, transform(value))
    value = codomain_value if quantity == "inverse" else domain_value
    return run, parameters + [value]


@pytest.mark.parametrize("quantity", ["forward", "inverse", "log_abs_det_jacobian"])
@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transform_values_and_gradients(name, quantity):
    run, inputs = _run_transform(name, quantity)
    try:
        run(torch, *[to_torch(a) for a in inputs])
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            run(rustorch, *[to_rustorch(a) for a in inputs])
        return
    check(run, *inputs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transform_metadata(name):
    build, parameters, domain_value, _ = TRANSFORMS[name]
    mine = build(rustorch.distributions.transforms, *[to_rustorch(a) for a in parameters])
    theirs = build(torch.distributions.transforms, *[to_torch(a) for a in parameters])
    for attribute in ("bijective", "domain", "codomain"):
        assert repr(getattr(mine, attribute)) == repr(getattr(theirs, attribute)), attribute
    assert mine.domain.event_dim == theirs.domain.event_dim
    assert mine.codomain.event_dim == theirs.codomain.event_dim
    assert repr(mine) == repr(theirs)
    assert mine.inv.inv is mine
    assert mine == build(rustorch.distributions.transforms,
                         *[to_rustorch(a) for a in parameters]) or not parameters
    try:
        expected_sign = theirs.sign
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            _ = mine.sign
    else:
        if isinstance(expected_sign, torch.Tensor):
            np.testing.assert_array_equal(as_numpy(mine.sign), as_numpy(expected_sign))
        else:
            assert mine.sign == expected_sign
    for shape in [(4, 3), (2, 4, 3)]:
        assert tuple(mine.forward_shape(shape)) == tuple(theirs.forward_shape(shape))
        assert tuple(mine.inverse_shape(shape)) == tuple(theirs.inverse_shape(shape))


def test_transform_equality_and_event_dim():
    t = rustorch.distributions.transforms
    assert t.ExpTransform() == t.ExpTransform() and t.ExpTransform() != t.SigmoidTransform()
    assert t.ExpTransform().inv == t.ExpTransform().inv
    assert t.AffineTransform(1.0, 2.0) != t.AffineTransform(1.0, 3.0)
    assert t.ComposeTransform([t.ExpTransform()]) == t.ComposeTransform([t.ExpTransform()])
    assert t.AffineTransform(0.0, 1.0, event_dim=2).event_dim == 2
    assert t.StickBreakingTransform().event_dim == 1
    compose = t.ComposeTransform([t.ExpTransform(), t.StickBreakingTransform()])
    reference = torch.distributions.transforms.ComposeTransform(
        [torch.distributions.ExpTransform(), torch.distributions.StickBreakingTransform()])
    assert repr(compose.domain) == repr(reference.domain)
    assert compose.domain.event_dim == 1 and compose.codomain.event_dim == 1


def test_transform_caching():
    t = rustorch.distributions.transforms
    x = rustorch.randn(3)
    cached = t.ExpTransform(cache_size=1)
    y = cached(x)
    assert cached(x) is y and cached.inv(y) is x
    uncached = t.ExpTransform()
    assert uncached.inv(uncached(x)) is not x
    assert uncached.with_cache(1)._cache_size == 1 and cached.with_cache(1) is cached
    affine = t.AffineTransform(1.0, 2.0).with_cache()
    z = affine(x)
    assert affine.inv(z) is x and affine.inv.with_cache(1).inv is affine
    compose = t.ComposeTransform([t.SigmoidTransform(), t.AffineTransform(0.0, 3.0)],
                                 cache_size=1)
    assert all(part._cache_size == 1 for part in compose.parts)
    assert compose.inv(compose(x)) is x
    inverse = t.SigmoidTransform(cache_size=1).inv
    u = rustorch.rand(3)
    assert inverse.inv(inverse(u)) is u
    check_error(lambda m: m.distributions.transforms.ExpTransform(cache_size=2))
    check_error(lambda m: m.distributions.transforms.PowerTransform(m.tensor(2.0)).with_cache(3))


CONSTRAINTS = {
    "positive": lambda c: c.positive, "nonnegative": lambda c: c.nonnegative,
    "greater_than": lambda c: c.greater_than(2.0), "unit_interval": lambda c: c.unit_interval,
    "interval": lambda c: c.interval(-1.0, 2.0),
    "half_open_interval": lambda c: c.half_open_interval(0.0, 1.0),
    "tensor_interval": lambda c: c.interval(c_low[c], c_high[c]),
    "real": lambda c: c.real, "real_vector": lambda c: c.real_vector,
    "simplex": lambda c: c.simplex,
    "independent_positive": lambda c: c.independent(c.positive, 1),
}
c_low = {rustorch.distributions.constraints: rustorch.tensor([-1.0, 0.0, 1.0]),
         torch.distributions.constraints: torch.tensor([-1.0, 0.0, 1.0])}
c_high = {rustorch.distributions.constraints: rustorch.tensor([0.0, 2.0, 5.0]),
          torch.distributions.constraints: torch.tensor([0.0, 2.0, 5.0])}


@pytest.mark.parametrize("registry", ["transform_to", "biject_to"])
@pytest.mark.parametrize("name", list(CONSTRAINTS))
def test_constraint_registries(registry, name):
    def build(m):
        distributions = m.distributions
        return getattr(distributions, registry)(CONSTRAINTS[name](distributions.constraints))
    assert repr(build(rustorch)) == repr(build(torch))

    def run(m, x):
        transform = build(m)
        y = transform(x)
        assert bool(CONSTRAINTS[name](m.distributions.constraints).check(y).all())
        outputs = [y, transform.inv(y)]
        if name != "simplex" or registry == "biject_to":
            outputs.append(transform.log_abs_det_jacobian(x, y))
        return outputs
    check(run, real_array, rtol=1e-4, atol=1e-5)


def test_registry_lookup_errors_and_registration():
    rd = rustorch.distributions
    check_error(lambda m: m.distributions.transform_to(m.distributions.constraints.boolean))
    check_error(lambda m: m.distributions.biject_to(
        m.distributions.constraints.nonnegative_integer))
    registry = rd.constraint_registry.ConstraintRegistry()

    @registry.register(rd.constraints.boolean)
    def _to_boolean(constraint):
        return rd.transforms.SigmoidTransform()
    assert isinstance(registry(rd.constraints.boolean), rd.transforms.SigmoidTransform)
    with pytest.raises(TypeError):
        registry.register(int, _to_boolean)


def test_transformed_distribution_quantities():
    def run(m, loc, scale, value, level, simplex):
        d, t = m.distributions, m.distributions.transforms
        logistic = d.TransformedDistribution(
            d.Uniform(m.zeros(3), 1.0), [t.SigmoidTransform().inv, t.AffineTransform(loc, scale)])
        decreasing = d.TransformedDistribution(d.Normal(loc, scale),
                                               [t.ExpTransform(), t.AffineTransform(1.0, -2.0)])
        coupled = d.TransformedDistribution(d.Normal(loc, scale),
                                            t.AffineTransform(loc, scale, event_dim=1))
        stick = d.TransformedDistribution(d.Normal(loc, scale), t.StickBreakingTransform())
        assert tuple(coupled.batch_shape) == () and tuple(coupled.event_shape) == (3,)
        assert tuple(stick.event_shape) == (4,) and stick.has_rsample
        shifted = 1 - value.abs()
        return (logistic.log_prob(value), logistic.cdf(value), logistic.icdf(level),
                decreasing.log_prob(shifted), decreasing.cdf(shifted), decreasing.icdf(level),
                coupled.log_prob(value), stick.log_prob(simplex),
                d.LogisticNormal(loc, scale).log_prob(simplex))
    check(run, loc_array, scale_array, real_array, unit_array, simplex_array,
          requires_grad=[True, True, True, False, False], rtol=1e-4, atol=1e-5)


def test_transformed_distribution_shapes_sampling_and_errors():
    rd, t = rustorch.distributions, rustorch.distributions.transforms
    base = rd.Normal(rustorch.zeros(2, 1), 1.0)
    distribution = rd.TransformedDistribution(base, t.AffineTransform(rustorch.zeros(3), 2.0))
    assert distribution.batch_shape == (2, 3) and distribution.base_dist.batch_shape == (2, 3)
    expanded = distribution.expand((4, 2, 3))
    assert expanded.batch_shape == (4, 2, 3) and expanded.sample((5,)).shape == (5, 4, 2, 3)
    assert repr(distribution.support) == "Real()"
    stick = rd.TransformedDistribution(rd.Normal(rustorch.zeros(3), 1.0),
                                       [t.StickBreakingTransform()])
    assert isinstance(stick.base_dist, rd.Independent)
    rustorch.manual_seed(10)
    sample = stick.sample((6,))
    assert sample.shape == (6, 4) and bool(rd.constraints.simplex.check(sample).all())
    loc = rustorch.zeros(3, requires_grad=True)
    logistic = rd.TransformedDistribution(rd.Normal(loc, 1.0), t.SigmoidTransform())
    draws = logistic.rsample((20000,))
    assert draws.requires_grad and not logistic.sample().requires_grad
    draws.mean().backward()  # d E[sigmoid(Z + loc)] / d loc = E[sigmoid'(Z)] ~ 0.2066
    np.testing.assert_allclose(as_numpy(loc.grad), 0.2066 / 3, rtol=0.05)
    d = "distributions"
    check_error(lambda m: getattr(m, d).TransformedDistribution(getattr(m, d).Normal(0.0, 1.0),
                                                                "exp"))
    check_error(lambda m: getattr(m, d).TransformedDistribution(getattr(m, d).Normal(0.0, 1.0),
                                                                [m.exp]))
    check_error(lambda m: getattr(m, d).TransformedDistribution(
        getattr(m, d).Normal(0.0, 1.0), getattr(m, d).StickBreakingTransform()))
    check_error(lambda m: getattr(m, d).TransformedDistribution(
        getattr(m, d).Normal(m.zeros(2), 1.0), getattr(m, d).ExpTransform()).log_prob(
        m.tensor([-1.0, 1.0])))


# ---------------------------------------------------------------- KL divergences
first_real, second_real = randn(2, 3, seed=66), randn(2, 3, seed=67)
first_positive = rand(2, 3, low=0.5, high=2.0, seed=68)
second_positive = rand(2, 3, low=0.5, high=2.0, seed=69)
uniform_low = np.array([[-0.5, 0.1, 0.2], [0.05, -1.0, 0.3]], np.float32)
uniform_high = np.array([[1.5, 0.9, 0.8], [0.95, 1.2, 0.7]], np.float32)

BUILDERS = {
    "Normal": lambda d, a, b: d.Normal(a, b), "Laplace": lambda d, a, b: d.Laplace(a, b),
    "Gumbel": lambda d, a, b: d.Gumbel(a, b), "Cauchy": lambda d, a, b: d.Cauchy(a, b),
    "LogNormal": lambda d, a, b: d.LogNormal(a, b), "HalfNormal": lambda d, a, b: d.HalfNormal(b),
    "Exponential": lambda d, a, b: d.Exponential(b), "Gamma": lambda d, a, b: d.Gamma(b + 0.5, b),
    "Chi2": lambda d, a, b: d.Chi2(b * 2), "Beta": lambda d, a, b: d.Beta(b, b + 0.3),
    "Poisson": lambda d, a, b: d.Poisson(b), "Bernoulli": lambda d, a, b: d.Bernoulli(logits=a),
    "Binomial": lambda d, a, b: d.Binomial(6, logits=a),
    "Geometric": lambda d, a, b: d.Geometric(logits=a),
    "Dirichlet": lambda d, a, b: d.Dirichlet(b.exp()), "Uniform": None,
}

KL_PAIRS = [("Binomial", "Binomial"), ("Dirichlet", "Dirichlet"), ("Gumbel", "Gumbel"),
            ("Geometric", "Geometric"), ("HalfNormal", "HalfNormal"), ("LogNormal", "LogNormal"),
            ("Cauchy", "Cauchy"), ("Chi2", "Chi2"), ("Chi2", "Exponential"),
            ("Poisson", "Bernoulli"), ("Poisson", "Binomial"), ("Exponential", "Beta"),
            ("Exponential", "Uniform"), ("Gamma", "Beta"), ("Gamma", "Uniform"),
            ("Gumbel", "Beta"), ("Gumbel", "Exponential"), ("Gumbel", "Gamma"),
            ("Gumbel", "Uniform"), ("Laplace", "Beta"), ("Laplace", "Exponential"),
            ("Laplace", "Gamma"), ("Laplace", "Uniform"), ("Normal", "Beta"),
            ("Normal", "Exponential"), ("Normal", "Gamma"), ("Bernoulli", "Poisson"),
            ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Normal"), ("Beta", "Uniform"),
            ("Exponential", "Gamma"), ("Exponential", "Gumbel"), ("Exponential", "Normal"),
            ("Gamma", "Exponential"), ("Gamma", "Gumbel"), ("Gamma", "Normal"),
            ("Gumbel", "Normal"), ("Laplace", "Normal"), ("Normal", "Gumbel"),
            ("Normal", "Laplace"), ("Uniform", "Beta"), ("Uniform", "Exponential"),
            ("Uniform", "Gamma"), ("Uniform", "Gumbel"), ("Uniform", "Normal")]


def _build(d, family, real, positive, low, high):
    if family == "Uniform":
        return d.Uniform(low, high)
    return BUILDERS[family](d, real, positive)


@pytest.mark.parametrize("pair", KL_PAIRS, ids=["-".join(pair) for pair in KL_PAIRS])
def test_kl_divergence(pair):
    def run(m, a, b, c, e, low, high):
        d = m.distributions
        p = _build(d, pair[0], a, b, low, high)
        q = _build(d, pair[1], c, e, low * 0.5 + 0.1, high * 2)
        return d.kl_divergence(p, q)
    check(run, first_real, first_positive, second_real, second_positive, uniform_low,
          uniform_high, rtol=1e-4, atol=1e-5)


def test_kl_errors_and_infinite_binomial():
    d = "distributions"
    check_error(lambda m: getattr(m, d).kl_divergence(
        getattr(m, d).Binomial(3, probs=m.tensor([0.5])),
        getattr(m, d).Binomial(5, probs=m.tensor([0.5]))))
    check_error(lambda m: getattr(m, d).kl_divergence(getattr(m, d).LogNormal(0.0, 1.0),
                                                      getattr(m, d).HalfNormal(1.0)))
    check_error(lambda m: getattr(m, d).kl_divergence(getattr(m, d).Cauchy(0.0, 1.0),
                                                      getattr(m, d).Normal(0.0, 1.0)))
    check(lambda m, p, q: m.distributions.kl_divergence(
        m.distributions.Binomial(m.tensor([5.0, 4.0]), probs=p),
        m.distributions.Binomial(4, probs=q)),
        np.array([0.3, 0.6], np.float32), np.array([0.5, 0.2], np.float32))
