"""Random numbers: generators and seeding, sampling functions and in-place samplers.

The numbers cannot match torch's, so the tests check what can be compared: dtypes and shapes
(against torch), ranges, moments of large samples, reproducibility and state round-trips."""
import re

import numpy as np
import pytest

import rustorch
from tests._oracle import DEVICE, ON_CPU, as_numpy, check_error, torch

N = 200_000


def _same_meta(actual, expected):
    assert str(actual.dtype) == str(expected.dtype)
    assert tuple(actual.shape) == tuple(expected.shape)
    assert actual.requires_grad == expected.requires_grad


# ----------------------------------------------------------------- dtypes and shapes
CALLS = [
    lambda m: m.rand(2, 3), lambda m: m.rand((4,)), lambda m: m.rand(()),
    lambda m: m.rand(2, dtype=m.float64), lambda m: m.rand(3, dtype=m.float16),
    lambda m: m.rand(3, dtype=m.bfloat16), lambda m: m.rand(2, dtype=m.complex64),
    lambda m: m.rand(2, 2, requires_grad=True), lambda m: m.randn(3, 4),
    lambda m: m.randn(0), lambda m: m.randn(2, dtype=m.complex128),
    lambda m: m.randn([2, 3], dtype=m.float64, requires_grad=True),
    lambda m: m.randint(10, (3,)), lambda m: m.randint(-5, 5, (2, 2)),
    lambda m: m.randint(3, 10, (4,), dtype=m.int32), lambda m: m.randint(0, 2, (2,), dtype=m.bool),
    lambda m: m.randint(10, (2,), dtype=m.float32), lambda m: m.randint(low=2, high=4, size=(3,)),
    lambda m: m.randperm(5), lambda m: m.randperm(0), lambda m: m.randperm(4, dtype=m.int32),
    lambda m: m.normal(0.0, 1.0, (3,)), lambda m: m.normal(2.0, 3.0, size=(2, 2)),
    lambda m: m.normal(m.zeros(3), m.ones(3)), lambda m: m.normal(m.zeros(3, 1), 2.0),
    lambda m: m.normal(1.0, m.ones(2, 2, dtype=m.float64)),
    lambda m: m.normal(m.zeros(3, requires_grad=True), m.ones(3)),
    lambda m: m.bernoulli(m.full((3,), 0.5)), lambda m: m.bernoulli(m.rand(4, dtype=m.float64)),
    lambda m: m.bernoulli(m.zeros(3), 0.3), lambda m: m.multinomial(m.ones(5), 3),
    lambda m: m.multinomial(m.ones(2, 4), 6, replacement=True),
    lambda m: m.poisson(m.ones(3) * 2), lambda m: m.poisson(m.ones(2, dtype=m.float64)),
    lambda m: m.rand_like(m.zeros(2, 3)), lambda m: m.randn_like(m.zeros(2, dtype=m.float64)),
    lambda m: m.rand_like(m.zeros(2), dtype=m.float16),
    lambda m: m.randint_like(m.zeros(3), 10), lambda m: m.randint_like(m.zeros(3), 2, 10),
    lambda m: m.randint_like(m.zeros(3, dtype=m.int32), 5),
    lambda m: m.ones(3).bernoulli(), lambda m: m.ones(4).multinomial(2),
]


@pytest.mark.parametrize("index", range(len(CALLS)))
def test_dtypes_and_shapes(index):
    expected = CALLS[index](torch)
    if not ON_CPU and expected.dtype == torch.bfloat16 and not rustorch.cuda.is_bf16_supported():
        pytest.skip("the test device has no bfloat16 arrays")  # as conftest does for parameters
    _same_meta(CALLS[index](rustorch), expected)


INPLACE = [
    lambda t: t.uniform_(), lambda t: t.uniform_(-2, 3), lambda t: t.normal_(),
    lambda t: t.normal_(2, 0.5), lambda t: t.random_(), lambda t: t.random_(10),
    lambda t: t.random_(-3, 3), lambda t: t.exponential_(), lambda t: t.bernoulli_(),
    lambda t: t.bernoulli_(0.2), lambda t: t.geometric_(0.3), lambda t: t.log_normal_(),
    lambda t: t.cauchy_(),
]


@pytest.mark.parametrize("index", range(len(INPLACE)))
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_inplace_keeps_dtype(index, dtype):
    tensor = rustorch.zeros(3, 4, dtype=getattr(rustorch, dtype))
    version = tensor._version
    result = INPLACE[index](tensor)
    assert result is tensor and tensor.dtype is getattr(rustorch, dtype)
    assert tensor._version > version


@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "uint8", "bool"])
def test_random_integers(dtype):
    tensor = rustorch.zeros(1000, dtype=getattr(rustorch, dtype))
    tensor.random_()
    info = np.iinfo(tensor.dtype.numpy) if dtype != "bool" else None
    values = tensor.cpu().numpy()
    assert values.min() >= 0
    if info is not None:
        assert values.max() <= info.max
    if dtype != "bool":
        tensor.random_(2, 5)
        assert set(np.unique(tensor.cpu().numpy()).tolist()) == {2, 3, 4}


# ----------------------------------------------------------------- distributions
def _moments(tensor):
    values = tensor.double().cpu().numpy()
    return values.mean(), values.std()


def test_rand_uniform():
    sample = rustorch.rand(N)
    values = sample.cpu().numpy()
    assert values.min() >= 0 and values.max() < 1
    mean, std = _moments(sample)
    assert abs(mean - 0.5) < 0.01 and abs(std - (1 / 12) ** 0.5) < 0.01


def test_randn_normal():
    mean, std = _moments(rustorch.randn(N))
    assert abs(mean) < 0.01 and abs(std - 1) < 0.01
    complex_sample = rustorch.randn(N, dtype=rustorch.complex64).cpu().numpy()
    assert abs(np.mean(np.abs(complex_sample) ** 2) - 1) < 0.02  # E|z|^2 = 1, as torch


def test_normal_overloads():
    mean, std = _moments(rustorch.normal(3.0, 2.0, (N,)))
    assert abs(mean - 3) < 0.03 and abs(std - 2) < 0.03
    means = rustorch.tensor([0.0, 10.0, -10.0]).repeat(N // 3)
    sample = rustorch.normal(means, rustorch.tensor(0.5)).cpu().numpy().reshape(-1, 3)
    np.testing.assert_allclose(sample.mean(0), [0, 10, -10], atol=0.02)
    np.testing.assert_allclose(sample.std(0), [0.5] * 3, atol=0.02)
    sample = rustorch.normal(1.0, rustorch.tensor([1.0, 3.0]).repeat(N // 2)).cpu().numpy()
    np.testing.assert_allclose(sample.reshape(-1, 2).std(0), [1.0, 3.0], rtol=0.03)


def test_normal_gradient_is_zero_like_torch():
    for m in (torch, rustorch):
        mean = m.zeros(3, requires_grad=True)
        std = m.ones(3, requires_grad=True)
        m.normal(mean, std).sum().backward()
        assert not mean.grad.cpu().numpy().any() and not std.grad.cpu().numpy().any()


def test_randint_range_and_uniformity():
    sample = rustorch.randint(-3, 4, (N,)).cpu().numpy()
    assert sample.min() == -3 and sample.max() == 3
    counts = np.bincount(sample + 3)
    assert np.all(np.abs(counts / N - 1 / 7) < 0.01)


def test_randperm_is_permutation():
    permutation = rustorch.randperm(1000).cpu().numpy()
    assert sorted(permutation.tolist()) == list(range(1000))
    assert not np.array_equal(permutation, np.arange(1000))


def test_bernoulli_and_poisson():
    probabilities = rustorch.tensor([0.0, 0.25, 1.0]).repeat(N // 3)
    sample = rustorch.bernoulli(probabilities).cpu().numpy().reshape(-1, 3)
    np.testing.assert_allclose(sample.mean(0), [0.0, 0.25, 1.0], atol=0.01)
    assert abs(rustorch.zeros(N).bernoulli_(0.7).cpu().numpy().mean() - 0.7) < 0.01
    rates = rustorch.tensor([0.5, 4.0]).repeat(N // 2)
    sample = rustorch.poisson(rates).cpu().numpy().reshape(-1, 2)
    np.testing.assert_allclose(sample.mean(0), [0.5, 4.0], rtol=0.02)
    np.testing.assert_allclose(sample.var(0), [0.5, 4.0], rtol=0.05)


def test_multinomial():
    weights = rustorch.tensor([[1.0, 0.0, 3.0], [0.0, 1.0, 0.0]])
    sample = rustorch.multinomial(weights, 20000, replacement=True).cpu().numpy()
    assert sample.shape == (2, 20000)
    np.testing.assert_allclose(np.bincount(sample[0], minlength=3) / 20000, [0.25, 0, 0.75],
                               atol=0.015)
    assert (sample[1] == 1).all()
    without = rustorch.multinomial(rustorch.ones(3, 10), 10).cpu().numpy()
    for row in without:
        assert sorted(row.tolist()) == list(range(10))
    # without replacement, heavier categories come first more often
    firsts = rustorch.multinomial(rustorch.tensor([1.0, 9.0]).expand(5000, 2), 1).cpu().numpy()
    assert abs(firsts.mean() - 0.9) < 0.02


def test_inplace_moments():
    tensor = rustorch.empty(N, dtype=rustorch.float64)
    values = tensor.uniform_(-2, 4).cpu().numpy()
    assert values.min() >= -2 and values.max() < 4 and abs(values.mean() - 1) < 0.03
    mean, std = _moments(tensor.normal_(5, 0.1))
    assert abs(mean - 5) < 0.002 and abs(std - 0.1) < 0.002
    mean, _ = _moments(tensor.exponential_(4.0))
    assert abs(mean - 0.25) < 0.005
    mean, _ = _moments(tensor.geometric_(0.25))
    assert abs(mean - 4) < 0.05 and tensor.cpu().numpy().min() >= 1
    log_values = np.log(tensor.log_normal_(1.0, 0.5).cpu().numpy())
    assert abs(log_values.mean() - 1) < 0.01 and abs(log_values.std() - 0.5) < 0.01
    median = np.median(tensor.cauchy_(2.0, 1.0).cpu().numpy())
    assert abs(median - 2) < 0.02
    values = tensor.random_(0, 10).cpu().numpy()
    assert set(np.unique(values).tolist()) == set(range(10))


# ----------------------------------------------------------------- seeding and state
def test_manual_seed_reproducible():
    rustorch.manual_seed(123)
    first = (rustorch.rand(5), rustorch.randn(5), rustorch.randint(100, (5,)),
             rustorch.randperm(5), rustorch.empty(5).normal_())
    rustorch.manual_seed(123)
    second = (rustorch.rand(5), rustorch.randn(5), rustorch.randint(100, (5,)),
              rustorch.randperm(5), rustorch.empty(5).normal_())
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    assert rustorch.initial_seed() == 123
    rustorch.manual_seed(124)
    assert not np.array_equal(rustorch.rand(5).cpu().numpy(), first[0].cpu().numpy())


def test_generator_api():
    generator = rustorch.Generator(device=DEVICE)
    assert generator.manual_seed(7) is generator
    assert generator.initial_seed() == 7
    assert rustorch.Generator().device == rustorch.device("cpu")  # the default device aside
    assert generator.device.type == DEVICE
    a = rustorch.rand(4, generator=generator)
    generator.manual_seed(7)
    np.testing.assert_array_equal(as_numpy(rustorch.rand(4, generator=generator)), as_numpy(a))
    seed = generator.seed()
    assert isinstance(seed, int) and generator.initial_seed() == seed
    assert rustorch.Generator(device="cpu").device == rustorch.device("cpu")


@pytest.mark.parametrize("sample", [
    lambda m, g: m.rand(3, generator=g), lambda m, g: m.randn(3, generator=g),
    lambda m, g: m.randint(0, 5, (3,), generator=g), lambda m, g: m.randperm(4, generator=g),
    lambda m, g: m.normal(0.0, 1.0, (3,), generator=g),
    lambda m, g: m.ones(3).uniform_(generator=g), lambda m, g: m.ones(3).normal_(generator=g),
    lambda m, g: m.bernoulli(m.full((3,), 0.5), generator=g),
    lambda m, g: m.multinomial(m.ones(3), 2, generator=g),
], ids=["rand", "randn", "randint", "randperm", "normal", "uniform_", "normal_", "bernoulli",
        "multinomial"])
def test_generator_of_another_device_type_is_refused(sample):
    """torch: "Expected a 'cuda' device type for generator but found 'cpu'" (and the reverse);
    samples go to the requested or default device, never silently to the generator's."""
    if not rustorch.cuda.is_available():
        pytest.skip("needs a CUDA device (or RUSTORCH_FAKE_CUDA=1)")
    other = "cuda" if DEVICE == "cpu" else "cpu"
    with pytest.raises(RuntimeError, match=f"Expected a '{DEVICE}' device type for generator"):
        sample(rustorch, rustorch.Generator(device=other))
    assert sample(rustorch, rustorch.Generator(device=DEVICE)).device.type == DEVICE


def test_generators_are_independent():
    one = rustorch.Generator(device=DEVICE).manual_seed(1)
    two = rustorch.Generator(device=DEVICE).manual_seed(1)
    rustorch.manual_seed(5)
    expected = rustorch.rand(3)
    rustorch.manual_seed(5)
    a = rustorch.rand(3, generator=one)  # must not advance the default generator
    np.testing.assert_array_equal(rustorch.rand(3).cpu().numpy(), expected.cpu().numpy())
    np.testing.assert_array_equal(rustorch.rand(3, generator=two).cpu().numpy(), a.cpu().numpy())


def test_state_round_trip():
    generator = rustorch.Generator(device=DEVICE).manual_seed(99)
    rustorch.rand(10, generator=generator)
    state = generator.get_state()
    assert state.dtype is rustorch.uint8 and state.ndim == 1
    first = rustorch.randn(6, generator=generator)
    generator.set_state(state)
    np.testing.assert_array_equal(as_numpy(rustorch.randn(6, generator=generator)),
                                  as_numpy(first))
    assert generator.initial_seed() == 99
    other = rustorch.Generator(device=DEVICE).set_state(state)
    np.testing.assert_array_equal(as_numpy(rustorch.randn(6, generator=other)), as_numpy(first))
    saved = rustorch.get_rng_state()
    values = rustorch.rand(3)
    rustorch.set_rng_state(saved)
    np.testing.assert_array_equal(rustorch.rand(3).cpu().numpy(), values.cpu().numpy())
    with pytest.raises(RuntimeError):
        generator.set_state(rustorch.zeros(5, dtype=rustorch.uint8))
    with pytest.raises(TypeError):
        generator.set_state(rustorch.zeros(len(state)))


def test_seed_matches_torch_mt19937_state():
    # the mt19937 key after manual_seed is PyTorch's (samples differ, the engine does not)
    # torch's state: seed (u64), left, seeded (i32), next (u64), then 624 words as u64
    torch_state = torch.Generator().manual_seed(2024).get_state().numpy()
    torch_key = np.frombuffer(torch_state[24:24 + 8 * 624].tobytes(), dtype=np.uint64)
    key = rustorch.Generator().manual_seed(2024).get_state().numpy()[16:].view(np.uint32)
    np.testing.assert_array_equal(key.astype(np.uint64), torch_key)


def test_fork_rng():
    rustorch.manual_seed(3)
    with rustorch.random.fork_rng():
        rustorch.rand(100)
    after = rustorch.rand(3)
    rustorch.manual_seed(3)
    np.testing.assert_array_equal(rustorch.rand(3).cpu().numpy(), after.cpu().numpy())


def test_module_namespace():
    assert rustorch.random.manual_seed is rustorch.manual_seed
    assert isinstance(rustorch.random.default_generator, rustorch.Generator)
    assert rustorch.default_generator is rustorch.random.default_generator


# ----------------------------------------------------------------- errors and autograd
@pytest.mark.parametrize("fn", [
    lambda m: m.rand(2, dtype=m.int64), lambda m: m.randint(5, 5, (2,)),
    lambda m: m.rand(-1), lambda m: m.normal(m.zeros(2), -m.ones(2)),
    lambda m: m.multinomial(m.ones(3), 4), lambda m: m.multinomial(-m.ones(3), 1),
    lambda m: m.multinomial(m.ones(2, 2, 2), 1), lambda m: m.zeros(2).uniform_(3, 2),
    lambda m: m.zeros(2).exponential_(-1.0), lambda m: m.zeros(2).geometric_(1.5),
    lambda m: m.zeros(3).random_(5, 2), lambda m: m.zeros(2).bernoulli_(1.5),
])
def test_errors(fn):
    with pytest.raises(RuntimeError):
        fn(torch)
    with pytest.raises(rustorch.RusTorchError):
        fn(rustorch)


def test_inplace_sampling_on_leaf():
    for m in (torch, rustorch):
        leaf = m.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError):
            leaf.uniform_()
        with m.no_grad():
            leaf.normal_()
        assert leaf.is_leaf and leaf.requires_grad


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_uniform_samples_stay_below_the_upper_bound_after_rounding(dtype):
    """In half types many samples round up to the upper bound; PyTorch never returns it."""
    rustorch.manual_seed(3)
    kind = getattr(rustorch, dtype)
    samples = (rustorch.rand(200_000, dtype=kind),
               rustorch.empty(200_000, dtype=kind).uniform_(-9, 9))
    for sample, (low, high) in zip(samples, ((0, 1), (-9, 9))):
        values = sample.float().cpu().numpy()
        assert values.min() >= low and values.max() < high
        assert values.max() > high - 0.1  # still reaches the top of the range


def test_zero_dim_samples_on_a_device_argument():
    for sampler in (rustorch.randn, rustorch.rand):
        sample = sampler((), device="cpu")
        assert sample.shape == () and sample.dtype is rustorch.float32
    assert rustorch.randn((), dtype=rustorch.complex64, device="cpu").shape == ()


@pytest.mark.parametrize("dtype", ["complex64", "int64", "int8", "bool"])
@pytest.mark.parametrize("op", ["uniform_", "normal_", "exponential_", "cauchy_", "log_normal_"])
def test_in_place_samplers_refuse_dtypes_as_torch(dtype, op):
    try:
        getattr(torch.empty(2, dtype=getattr(torch, dtype)), op)()
    except (RuntimeError, NotImplementedError) as error:
        with pytest.raises(type(error), match=re.escape(str(error))):
            getattr(rustorch.empty(2, dtype=getattr(rustorch, dtype)), op)()
    else:
        assert getattr(rustorch.empty(2, dtype=getattr(rustorch, dtype)), op)().shape == (2,)


def test_complex_normal_splits_the_variance_between_parts():
    rustorch.manual_seed(3)
    sample = rustorch.empty(100_000, dtype=rustorch.complex64).normal_(1.0, 2.0)
    for part in (sample.real, sample.imag):
        assert abs(float(part.mean()) - 1.0) < 0.02
        assert abs(float(part.std()) - 2.0 * np.sqrt(0.5)) < 0.02


# ----------------------------------------------------------------- binomial
def test_binomial_moments_and_reproducibility():
    counts = rustorch.full((40000,), 12.0)
    chances = rustorch.full((40000,), 0.25)
    generator = rustorch.Generator(device=DEVICE).manual_seed(5)
    sample = rustorch.binomial(counts, chances, generator=generator)
    assert sample.dtype is rustorch.float32 and sample.shape == counts.shape
    values = as_numpy(sample)
    assert abs(values.mean() - 3.0) < 0.05 and abs(values.var() - 2.25) < 0.1
    assert (values == np.floor(values)).all() and values.min() >= 0 and values.max() <= 12
    generator.manual_seed(5)
    assert (rustorch.binomial(counts, chances, generator=generator) == sample).all()


def test_binomial_edges_broadcast_and_errors_like_torch():
    # deterministic edges: prob <= 0 gives 0, prob >= 1 the count itself, count < 0 nothing
    for m in (torch, rustorch):
        result = m.binomial(m.tensor([7.0, 7.0, 3.5, -2.0, 2.5, -2.0]),
                            m.tensor([0.0, 1.0, 1.0, 0.5, 1.7, 1.0]))
        assert result.tolist() == [0.0, 7.0, 3.5, 0.0, 2.5, 0.0], m.__name__
    values = rustorch.binomial(rustorch.full((20000,), 3.5), rustorch.full((20000,), 0.5))
    assert set(np.unique(as_numpy(values))) <= {0.0, 1.0, 2.0, 3.0}  # floor(3.5) trials
    for m in (torch, rustorch):
        assert tuple(m.binomial(m.ones(2, 1), m.full((3,), 0.5)).shape) == (2, 3)
    check_error(lambda m: m.binomial(m.tensor([3, 4]), m.tensor([0.5, 0.5])))
    check_error(lambda m: m.binomial(m.tensor([3.0]), m.tensor([0.5], dtype=m.float64)))
    check_error(lambda m: m.binomial(m.tensor([3.0], requires_grad=True),
                                     m.tensor([0.5])).sum().backward())
