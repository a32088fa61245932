"""``rustorch.special`` against ``torch.special``: values (special values included), dtypes,
broadcasting, gradients, float64 gradcheck/gradgradcheck, and the errors torch raises."""
from __future__ import annotations

import types

import numpy as np
import pytest

import rustorch
from rustorch.autograd import gradcheck, gradgradcheck
from tests._oracle import check, check_error, rand, randn, torch

SPECIAL_VALUES = np.array([-np.inf, -700, -100, -30, -10, -3.5, -1, -0.5, -1e-30, -0.0, 0.0,
                           1e-30, 1e-8, 0.3, 0.5, 0.9999, 1, 1.5, 3, 10, 30, 100, 700, np.inf,
                           np.nan])

NOT_DIFFERENTIABLE = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1",
                      "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
                      "modified_bessel_k1", "scaled_modified_bessel_k0",
                      "scaled_modified_bessel_k1", "spherical_bessel_j0"]
DIFFERENTIABLE = ["entr", "erfcx", "i0e", "i1", "i1e", "log_ndtr", "ndtr", "ndtri"]
HALF_SUPPORTED = {"entr", "i0e", "i1", "i1e", "ndtr"}
POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
               "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
               "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
               "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
               "laguerre_polynomial_l", "legendre_polynomial_p"]
ALIASES = {"expit": "sigmoid", "gammaln": "lgamma", "psi": "digamma", "multigammaln": "mvlgamma",
           "digamma": "digamma", "erf": "erf", "erfc": "erfc", "erfinv": "erfinv",
           "exp2": "exp2", "expm1": "expm1", "i0": "i0", "log1p": "log1p", "logit": "logit",
           "polygamma": "polygamma", "sinc": "sinc", "xlogy": "xlogy"}


def _special(name):
    return lambda m, *args, **kwargs: getattr(m.special, name)(*args, **kwargs)


# ----------------------------------------------------------------- namespace
def test_every_torch_special_function_exists():
    public = {name for name in dir(torch.special) if not name.startswith("_")
              and callable(getattr(torch.special, name))} - {"Tensor"}
    missing = sorted(name for name in public if not callable(getattr(rustorch.special, name,
                                                                      None)))
    assert not missing
    assert set(rustorch.special.__all__) == public


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_top_level_functions_are_reexported(name):
    assert getattr(rustorch.special, name) is getattr(rustorch, ALIASES[name])


# ----------------------------------------------------------------- unary forward
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NOT_DIFFERENTIABLE + DIFFERENTIABLE)
def test_unary_special_values(name, dtype):
    values = np.concatenate([SPECIAL_VALUES, randn(20, dtype=np.float64, seed=3) * 5])
    if name == "ndtri":  # a probability
        values = np.concatenate([values, [1e-300, 1e-10, 0.025, 0.975, 1 - 1e-10]])
    tolerance = {}
    if name.startswith(("bessel", "airy")):
        # torch's float64 Bessel and Airy kernels are off by up to ~3e-6 (absolute); scipy's
        # agree with mpmath to double precision
        tolerance = {"rtol": 1e-5, "atol": 1e-5}
    check(_special(name), values.astype(dtype), grad=False, **tolerance)


@pytest.mark.parametrize("name", NOT_DIFFERENTIABLE + DIFFERENTIABLE)
def test_unary_integer_and_bool_inputs_compute_in_default_float(name):
    check(_special(name), np.array([[-3, 0], [1, 5]]), grad=False)
    check(_special(name), np.array([True, False]), grad=False)


@pytest.mark.parametrize("name", sorted(HALF_SUPPORTED))
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_unary_half_precision(name, dtype):
    values = rand(7, low=0.05, high=3.0, dtype=np.float32)
    check(lambda m, x: getattr(m.special, name)(x.to(getattr(m, dtype))), values, grad=False)


@pytest.mark.parametrize("name", sorted(set(NOT_DIFFERENTIABLE + DIFFERENTIABLE)
                                        - HALF_SUPPORTED))
def test_unary_without_half_kernels_raise(name):
    check_error(lambda m: getattr(m.special, name)(m.ones(2, dtype=m.float16)))
    check_error(lambda m: getattr(m.special, name)(m.ones(2, dtype=m.complex64)))


def test_unary_rejects_numbers_and_writes_out():
    check_error(lambda m: m.special.i1e(2.0))
    check_error(lambda m: m.special.bessel_j0(1))

    def with_out(m, x):
        out = m.empty(0)
        result = m.special.i0e(x, out=out)
        assert result is out
        return out
    check(with_out, randn(5), grad=False)


def test_airy_ai_far_right_underflows_to_zero_not_nan():
    # scipy's routine gives up (NaN) beyond ~1e6; PyTorch returns the underflowed 0
    check(_special("airy_ai"), np.array([1e5, 1e7, 1e30, np.inf], np.float64), grad=False)


def test_ndtr_composes_erf_like_torch():
    # PyTorch's ndtr is (1 + erf(x / sqrt 2)) / 2: it rounds to 0 far to the left
    result, expected = check(_special("ndtr"), np.array([-40.0, -10.0, -5.0]), grad=False)
    assert result[0].item() == 0.0 and result[1].item() == expected[1].item()


# ----------------------------------------------------------------- unary gradients
GRADIENT_DOMAINS = {"entr": (0.05, 3.0), "erfcx": (-2.0, 5.0), "i0e": (-4.0, 4.0),
                    "i1": (-4.0, 4.0), "i1e": (-4.0, 4.0), "log_ndtr": (-6.0, 4.0),
                    "ndtr": (-4.0, 4.0), "ndtri": (0.02, 0.98)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_unary_gradients_match_torch(name, dtype):
    low, high = GRADIENT_DOMAINS[name]
    check(_special(name), rand(3, 4, low=low, high=high, dtype=dtype, seed=5))


@pytest.mark.parametrize("name, values", [
    ("entr", [0.0, -1.0, np.inf, np.nan]),
    ("i1", [0.0, -0.0, 1e-30, -50.0, np.nan]),
    ("i1e", [0.0, -0.0, 1e-30, -50.0, 700.0]),
    ("i0e", [0.0, -0.0, -30.0, 700.0]),
    ("erfcx", [-30.0, 0.0, 1e5, np.inf]),
    ("log_ndtr", [-40.0, 0.0, 30.0, -np.inf]),
    ("ndtri", [0.0, 1.0, 1e-300, 0.5]),
    ("ndtr", [-np.inf, -10.0, 10.0, np.inf]),
])
def test_unary_gradients_at_edges(name, values):
    check(_special(name), np.array(values, np.float64))


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_unary_gradcheck_and_gradgradcheck(name):
    low, high = GRADIENT_DOMAINS[name]
    x = rustorch.from_numpy(rand(5, low=low, high=high, dtype=np.float64, seed=7))
    x.requires_grad_(True)
    function = getattr(rustorch.special, name)
    assert gradcheck(function, (x,))
    assert gradgradcheck(function, (x,))


def test_unary_grad_fn_names():
    x = rustorch.ones(2, requires_grad=True)
    for name in ("entr", "erfcx", "i0e", "i1", "i1e", "log_ndtr", "ndtri"):
        assert getattr(rustorch.special, name)(x).grad_fn.name() == \
            getattr(torch.special, name)(torch.ones(2, requires_grad=True)).grad_fn.name()


@pytest.mark.parametrize("name", NOT_DIFFERENTIABLE)
def test_unary_without_derivatives_record_no_graph(name):
    result = getattr(rustorch.special, name)(rustorch.ones(3, requires_grad=True))
    expected = getattr(torch.special, name)(torch.ones(3, requires_grad=True))
    assert result.requires_grad is expected.requires_grad is False
    check_error(lambda m: getattr(m.special, name)(m.ones(3, requires_grad=True)).sum()
                .backward())


# ----------------------------------------------------------------- binary functions
BINARY = ["xlog1py", "zeta", "gammainc", "gammaincc"]
BINARY_VALUES = np.array([-np.inf, -3, -1.5, -1, -0.5, -0.0, 0.0, 1e-10, 0.3, 0.5, 1, 1.5, 2,
                          3, 10, 30, 1e5, np.inf, np.nan])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", BINARY)
def test_binary_special_values(name, dtype):
    first, second = np.meshgrid(BINARY_VALUES, BINARY_VALUES)
    first, second = first.ravel(), second.ravel()
    if name == "gammaincc" and dtype == np.float32:
        # torch's float32 kernel loses digits for a ~ 1e-10 (scipy is right)
        keep = first != 1e-10
        first, second = first[keep], second[keep]
    check(_special(name), first.astype(dtype), second.astype(dtype), grad=False)


@pytest.mark.parametrize("name", BINARY)
def test_binary_broadcasting_and_promotion(name):
    a = rand(3, 1, low=0.5, high=4.0, seed=11)
    b = rand(4, low=0.5, high=4.0, seed=12)
    check(_special(name), a, b, grad=False)
    check(_special(name), a, b.astype(np.float64), grad=False)
    check(_special(name), a.astype(np.float64), np.array(2.5, np.float32), grad=False)
    check(lambda m, x, y: getattr(m.special, name)(x, y.to(m.float64)), a, np.array(2.5),
          grad=False)  # a 0-d float64 does not promote a float32 tensor
    check(_special(name), np.array([[1, 2, 3]]), b[:1].astype(np.float64), grad=False)


@pytest.mark.parametrize("name", ["xlog1py", "zeta"])
def test_binary_accept_one_python_number(name):
    x = rand(5, low=1.2, high=4.0, seed=13)
    check(lambda m, t: getattr(m.special, name)(t, 2), x, grad=False)
    check(lambda m, t: getattr(m.special, name)(3.5, t), x, grad=False)
    check(lambda m, t: getattr(m.special, name)(t, True), x, grad=False)
    check(lambda m, t: getattr(m.special, name)(2.5, t), np.array([1, 2, 3]), grad=False)
    check(lambda m, t: getattr(m.special, name)(t, 2), np.array([2, 3]), grad=False)
    check_error(lambda m: getattr(m.special, name)(2.0, 3.0))


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma_errors(name):
    check_error(lambda m: getattr(m.special, name)(m.ones(2), 2.0))
    check_error(lambda m: getattr(m.special, name)(1, m.ones(2)))
    check_error(lambda m: getattr(m.special, name)(m.ones(2, dtype=m.int64),
                                                   m.ones(2, dtype=m.int64)))
    check(lambda m, a, x: getattr(m.special, name)(a.half(), x.half()),
          rand(4, low=0.5, high=3.0, seed=14), rand(4, low=0.5, high=3.0, seed=15), grad=False)


def test_zeta_half_raises():
    check_error(lambda m: m.special.zeta(m.ones(2, dtype=m.float16), m.ones(2, dtype=m.float16)))
    check_error(lambda m: m.special.xlog1py(m.ones(2, dtype=m.complex64), m.ones(2)))


def test_binary_out():
    def with_out(m, x, y):
        out = m.empty(0)
        assert m.special.xlog1py(x, y, out=out) is out
        return out
    check(with_out, rand(3, low=0.1, high=1.0), rand(3, low=0.1, high=1.0), grad=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_xlog1py_gradients(dtype):
    check(_special("xlog1py"), randn(3, 1, dtype=dtype, seed=16),
          rand(4, low=-0.9, high=3.0, dtype=dtype, seed=17))
    check(_special("xlog1py"), np.array([0.0, 0.0, 0.0, 2.0, 0.0, 1.5], dtype),
          np.array([-1.0, -2.0, 0.5, -1.0, np.nan, np.inf], dtype))


def test_binary_gradients_in_the_second_argument():
    a = rand(3, 1, low=1.5, high=4.0, dtype=np.float64, seed=18)
    x = rand(4, low=0.3, high=4.0, dtype=np.float64, seed=19)
    for name in ("zeta", "gammainc", "gammaincc"):
        check(_special(name), a, x, requires_grad=[False, True])
        check(_special(name), a.astype(np.float32), x.astype(np.float32),
              requires_grad=[False, True])


@pytest.mark.parametrize("name", ["gammainc", "gammaincc", "zeta"])
def test_binary_gradients_at_edges(name):
    # x = 0 with a = 1 gives 0 * log(0) = NaN in torch's formula; infinities and NaN pass through
    a = np.array([1.0, 0.5, 2.0, 2.0, np.inf, 3.0, 2.0])
    x = np.array([0.0, 0.0, 0.0, np.inf, 1.0, np.nan, -1.5])
    check(_special(name), a, x, requires_grad=[False, True])


def test_binary_gradcheck_and_gradgradcheck():
    a = rustorch.from_numpy(rand(4, low=1.5, high=4.0, dtype=np.float64, seed=20))
    x = rustorch.from_numpy(rand(4, low=0.3, high=3.0, dtype=np.float64, seed=21))
    a_grad, x_grad = a.clone().requires_grad_(True), x.clone().requires_grad_(True)
    assert gradcheck(rustorch.special.xlog1py, (a_grad, x_grad))
    assert gradgradcheck(rustorch.special.xlog1py, (a_grad, x_grad))
    for name in ("zeta", "gammainc", "gammaincc"):
        function = getattr(rustorch.special, name)
        assert gradcheck(lambda second: function(a, second), (x_grad,))
        assert gradgradcheck(lambda second: function(a, second), (x_grad,))


@pytest.mark.parametrize("name", ["zeta", "gammainc", "gammaincc"])
def test_first_argument_derivative_not_implemented(name):
    def backward(m):
        first = m.tensor([2.0, 3.0], requires_grad=True)
        getattr(m.special, name)(first, m.tensor([1.5, 0.5])).sum().backward()
    check_error(backward)
    with pytest.raises(RuntimeError, match="derivative for"):
        backward(rustorch)


def test_binary_grad_fn_names():
    def names(m):
        a = m.tensor([2.0], requires_grad=True)
        return [getattr(m.special, name)(a, a).grad_fn.name() for name in BINARY]
    assert names(rustorch) == names(torch)


# ----------------------------------------------------------------- polynomials
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_integer_degrees(name, dtype):
    x = np.concatenate([np.linspace(-2.0, 2.0, 17), [-1.0, 1.0, 0.0, -0.0, 0.5]])[:, None]
    degree = np.array([0, 1, 2, 3, 4, 5, 6, 7, 9, 12])
    check(_special(name), x.astype(dtype), degree, grad=False, rtol=1e-4 if dtype ==
          np.float32 else 1e-9, atol=1e-4 if dtype == np.float32 else 1e-9)


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_degree_truncation_and_special_values(name):
    # fractional degrees truncate toward zero, negative ones give 0; infinite x follows the
    # recurrence (NaN from the third degree on)
    x = np.array([0.3, -0.7, 1.5, np.inf, -np.inf])[:, None]
    degree = np.array([-3.0, -0.5, 0.5, 1.9, 2.0, 3.7, 5.0])
    check(_special(name), x, degree, grad=False)
    check(_special(name), x, np.array([-np.inf, np.inf, np.nan]), grad=False)


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_scalar_operands_and_dtypes(name):
    x = rand(6, low=-1.5, high=1.5, seed=22)
    check(lambda m, t: getattr(m.special, name)(t, 3), x, grad=False)
    check(lambda m, t: getattr(m.special, name)(t, 2.5), x, grad=False)
    check(lambda m, t: getattr(m.special, name)(t, 4), np.array([-2, 0, 1, 3]), grad=False)
    check(lambda m, n: getattr(m.special, name)(0.5, n), np.array([0, 1, 2, 5]), grad=False)
    check(lambda m, n: getattr(m.special, name)(2, n), np.array([0, 1, 2, 5]), grad=False)
    check(_special(name), np.array([-1, 0, 2]), np.array([3.0, 1.0, 2.0]), grad=False)
    check_error(lambda m: getattr(m.special, name)(2.0, 3))
    check_error(lambda m: getattr(m.special, name)(m.ones(2, dtype=m.float16), 3))


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_record_no_graph(name):
    result = getattr(rustorch.special, name)(rustorch.ones(3, requires_grad=True), 3)
    expected = getattr(torch.special, name)(torch.ones(3, requires_grad=True), 3)
    assert result.requires_grad is expected.requires_grad is False


def test_large_inputs_take_the_threaded_numpy_path():
    # past rustorch._parallel.MIN_ELEMENTS the forward gets the threaded numpy wrapper as xp
    x = rand(1 << 18, low=-1.5, high=1.5, dtype=np.float64, seed=26)
    check(lambda m, t: m.special.chebyshev_polynomial_v(t, 5), x, grad=False)
    check(lambda m, t: m.special.gammaincc(t.abs() + 0.5, t.abs()), x, grad=False)
    check(_special("i1e"), x)


def test_missing_backend_function_raises_not_supported(monkeypatch):
    # the path CUDA tensors take where cupyx.scipy.special lacks a function
    from rustorch.special import _common
    monkeypatch.setattr(_common, "special_module",
                        lambda xp: types.ModuleType("cupyx.scipy.special"))
    with pytest.raises(rustorch.errors.NotSupportedError, match="has no 'airy'"):
        rustorch.special.airy_ai(rustorch.ones(2))


# ----------------------------------------------------------------- wrappers of top-level ops
def test_softmax_family_signatures():
    x = randn(3, 4, seed=23)
    check(lambda m, t: m.special.softmax(t, 1), x)
    check(lambda m, t: m.special.log_softmax(t, 0), x)
    check(lambda m, t: m.special.softmax(t, -1, dtype=m.float64), x)
    check(lambda m, t: m.special.log_softmax(t, 1, dtype=m.float64), np.array([[1, 2, 3]]))
    check(lambda m, t: m.special.logsumexp(t, 1), x)
    check(lambda m, t: m.special.logsumexp(t, (0, 1), keepdim=True), x)
    check(lambda m, t: m.special.logsumexp(t, 0), np.array([1, 2, 3]))
    check_error(lambda m: m.special.softmax(m.tensor([1, 2]), 0))
    for name in ("softmax", "log_softmax", "logsumexp"):
        with pytest.raises(TypeError):
            getattr(rustorch.special, name)(rustorch.ones(3))


def test_round_decimals_and_integer_inputs():
    x = randn(6, seed=24) * 10
    check(lambda m, t: m.special.round(t), x)
    check(lambda m, t: m.special.round(t, decimals=2), x)
    check(lambda m, t: m.special.round(t, decimals=-1), x.astype(np.float64))
    check_error(lambda m: m.special.round(m.tensor([1, 2])))
    check_error(lambda m: m.special.round(m.tensor([True])))


def test_other_reexports_keep_torch_special_signatures():
    x = rand(5, low=1.5, high=4.0, seed=25)
    check(lambda m, t: m.special.polygamma(2, t), x)
    check(lambda m, t: m.special.multigammaln(t, 3), x)
    check(lambda m, t: m.special.expit(t), randn(5))
    check(lambda m, t: m.special.gammaln(t), x)
    check(lambda m, t: m.special.psi(t), x)
    check(lambda m, t: m.special.logit(t, eps=1e-3), rand(5))
    check(lambda m, a, b: m.special.xlogy(a, b), randn(4), rand(4, low=0.1))
    check(lambda m, t: m.special.exp2(t), np.array([1, 2, 3]))
