"""The window factories (``hann_window`` ... ``kaiser_window``) and ``torch.signal.windows``
against torch: values to float32/float64 rounding, dtypes, shapes, ``requires_grad``, the
default device, and the errors torch raises."""
from __future__ import annotations

import numpy as np
import pytest

from tests._oracle import as_numpy, assert_close, check, check_error, rustorch, torch

LENGTHS = [0, 1, 2, 3, 4, 7, 8, 101, 1000]
FACTORIES = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
             "kaiser_window"]
SIGNAL_WINDOWS = ["bartlett", "blackman", "cosine", "exponential", "gaussian",
                  "general_cosine", "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def ulps(dtype_name: str, count: float) -> float:
    """``count`` units in the last place of 1.0: windows peak at 1, so this is the absolute
    tolerance that "equal to rounding" means."""
    return count * float(np.finfo(dtype_name if dtype_name != "bfloat16" else np.float32).eps
                         ) * (2 ** 16 if dtype_name == "bfloat16" else 1)


def same_window(make, dtype_name: str, count: float = 2) -> None:
    check(make, grad=False, rtol=0, atol=ulps(dtype_name, count))


def kaiser_ulps(beta: float = 12.0) -> float:
    """Kaiser windows are I0(beta * sqrt(...)): an ulp in the argument (torch's float32 sqrt is
    MKL's, not always correctly rounded) moves the result by about beta ulps."""
    return 4 * max(4.0, abs(beta))


# ----------------------------------------------------------------- torch.*_window
@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_factory_values(name, periodic, length, dtype):
    # kaiser's Bessel function I0 is a few ulps apart between implementations
    count = kaiser_ulps() if name == "kaiser_window" else 2
    same_window(lambda m: getattr(m, name)(length, periodic, dtype=getattr(m, dtype)), dtype,
                count)


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("length", [1, 2, 5, 64, 300])
def test_factory_low_precision_rounds_each_step_like_torch(name, dtype, length):
    # every step is rounded to the dtype, so the result is not symmetric; one ulp of slack
    same_window(lambda m: getattr(m, name)(length, dtype=getattr(m, dtype)), dtype, 1)


def test_factories_use_the_default_dtype():
    previous = rustorch.get_default_dtype()
    rustorch.set_default_dtype(rustorch.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for name in FACTORIES:
            check(lambda m: getattr(m, name)(9), grad=False)
    finally:
        rustorch.set_default_dtype(previous)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("alpha, beta", [(0.54, 0.46), (0.5, 0.5), (0.3, 0.2), (1.0, 0.0),
                                         (-0.2, 1.5)])
@pytest.mark.parametrize("periodic", [True, False])
def test_hamming_alpha_beta(alpha, beta, periodic):
    same_window(lambda m: m.hamming_window(12, periodic, alpha, beta), "float32")
    same_window(lambda m: m.hamming_window(12, periodic, alpha), "float32")
    same_window(lambda m: m.hamming_window(12, periodic=periodic, alpha=alpha, beta=beta,
                                           dtype=m.float64), "float64")


@pytest.mark.parametrize("beta", [0.0, 0.5, 5.0, 12.0, 30.0, -3.0])
@pytest.mark.parametrize("periodic", [True, False])
def test_kaiser_beta(beta, periodic):
    count = kaiser_ulps(beta)
    same_window(lambda m: m.kaiser_window(15, periodic, beta), "float32", count)
    same_window(lambda m: m.kaiser_window(15, periodic, beta, dtype=m.float64), "float64",
                count)


@pytest.mark.parametrize("name", FACTORIES)
def test_factory_requires_grad_gives_a_leaf(name):
    result, expected = check(lambda m: getattr(m, name)(6, requires_grad=True), grad=False)
    assert result.requires_grad and result.is_leaf and result.grad_fn is None
    assert expected.requires_grad and expected.is_leaf
    result.sum().backward()
    np.testing.assert_array_equal(as_numpy(result.grad), np.ones(6, np.float32))


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("length", [0, 1])
def test_factory_complex_short_windows(name, length):
    check(lambda m: getattr(m, name)(length, dtype=m.complex64), grad=False)


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("make", [
    lambda m, f: f(5, dtype=m.complex64),  # arange has no complex kernel
    lambda m, f: f(5, dtype=m.int64),
    lambda m, f: f(5, dtype=m.bool),
    lambda m, f: f(-1),
    lambda m, f: f(5.0),
    lambda m, f: f(True),
    lambda m, f: f(5, 1),
    lambda m, f: f(5, layout=m.sparse_coo),
], ids=["complex", "int64", "bool", "negative", "float_length", "bool_length", "int_periodic",
        "sparse"])
def test_factory_errors(name, make):
    check_error(lambda m: make(m, getattr(m, name)))


@pytest.mark.parametrize("name", FACTORIES)
def test_factories_take_an_explicit_device_and_follow_the_default_one(name):
    factory = getattr(rustorch, name)
    assert factory(4, device="cpu").device.type == "cpu"
    with rustorch.device("cpu"):
        assert factory(4).device.type == "cpu"
    if not rustorch.cuda.is_available():
        with rustorch.device("cuda"), pytest.raises(rustorch.DeviceError, match="CUDA"):
            factory(4)
        with pytest.raises(rustorch.DeviceError, match="CUDA"):
            factory(4, device="cuda")
    else:
        with rustorch.device("cuda"):
            assert factory(4).device.type == "cuda"


# ----------------------------------------------------------------- torch.signal.windows
def signal_call(m, name, M, **kwargs):
    if name == "general_cosine":
        kwargs.setdefault("a", [0.46, 0.23, 0.31])
    return getattr(m.signal.windows, name)(M, **kwargs)


@pytest.mark.parametrize("name", SIGNAL_WINDOWS)
@pytest.mark.parametrize("sym", [True, False])
@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_signal_window_values(name, sym, length, dtype):
    count = kaiser_ulps() if name == "kaiser" else 2
    same_window(lambda m: signal_call(m, name, length, sym=sym, dtype=getattr(m, dtype)),
                dtype, count)


@pytest.mark.parametrize("name, kwargs", [
    ("exponential", {"tau": 0.5}), ("exponential", {"tau": 3.0}),
    ("exponential", {"center": 2.0, "sym": False}),
    ("exponential", {"center": -1.5, "sym": False, "tau": 2.0}),
    ("gaussian", {"std": 0.3}), ("gaussian", {"std": 7.0}),
    ("kaiser", {"beta": 0.0}), ("kaiser", {"beta": 2.5}), ("kaiser", {"beta": 40.0}),
    ("general_hamming", {"alpha": 0.3}), ("general_hamming", {"alpha": 1.0}),
    ("general_cosine", {"a": [1.0]}), ("general_cosine", {"a": (0.5, 0.5)}),
    ("general_cosine", {"a": [0.21557895, 0.41663158, 0.277263158, 0.083578947,
                              0.006947368]}),
])
@pytest.mark.parametrize("length", [1, 2, 9, 64])
def test_signal_window_parameters(name, kwargs, length):
    count = kaiser_ulps(kwargs.get("beta", 12.0)) if name == "kaiser" else 2
    same_window(lambda m: signal_call(m, name, length, **kwargs), "float32", count)
    same_window(lambda m: signal_call(m, name, length, dtype=m.float64, **kwargs), "float64",
                count)


@pytest.mark.parametrize("name", SIGNAL_WINDOWS)
def test_signal_window_requires_grad(name):
    result, expected = check(lambda m: signal_call(m, name, 6, requires_grad=True), grad=False)
    assert result.requires_grad and expected.requires_grad


@pytest.mark.parametrize("name", SIGNAL_WINDOWS)
@pytest.mark.parametrize("make", [
    lambda m, name: signal_call(m, name, -1),
    lambda m, name: signal_call(m, name, 5, dtype=m.float16),
    lambda m, name: signal_call(m, name, 5, dtype=m.complex64),
    lambda m, name: signal_call(m, name, 5, dtype=m.int64),
    lambda m, name: signal_call(m, name, 5, layout=m.sparse_coo),
    lambda m, name: signal_call(m, name, 5, layout=None),
], ids=["negative", "float16", "complex", "int64", "sparse", "layout_none"])
def test_signal_window_errors(name, make):
    check_error(lambda m: make(m, name))


@pytest.mark.parametrize("name", SIGNAL_WINDOWS)
def test_signal_window_options_are_keyword_only(name):
    for m in (torch, rustorch):
        with pytest.raises(TypeError, match="positional argument"):
            getattr(m.signal.windows, name)(5, True)


@pytest.mark.parametrize("make", [
    lambda m: m.signal.windows.exponential(5, tau=0),
    lambda m: m.signal.windows.exponential(5, tau=-1.0),
    lambda m: m.signal.windows.exponential(5, center=1.0),
    lambda m: m.signal.windows.gaussian(5, std=0),
    lambda m: m.signal.windows.kaiser(5, beta=-1),
    lambda m: m.signal.windows.general_cosine(5, a=3),
    lambda m: m.signal.windows.general_cosine(5, a=[]),
    lambda m: m.signal.windows.general_cosine(5, a=()),
], ids=["tau_zero", "tau_negative", "center_symmetric", "std_zero", "beta_negative",
        "a_not_iterable", "a_empty_list", "a_empty_tuple"])
def test_signal_window_parameter_errors(make):
    check_error(make)


def test_signal_windows_of_length_0_and_1_skip_the_parameter_checks_like_torch():
    for m in (torch, rustorch):
        assert m.signal.windows.general_cosine(1, a=[]).tolist() == [1.0]
        assert m.signal.windows.kaiser(0).shape == (0,)


def test_signal_windows_follow_the_default_device():
    assert rustorch.signal.windows.hann(4, device="cpu").device.type == "cpu"
    if not rustorch.cuda.is_available():
        with rustorch.device("cuda"), pytest.raises(rustorch.DeviceError, match="CUDA"):
            rustorch.signal.windows.hann(4)
    else:
        with rustorch.device("cuda"):
            assert rustorch.signal.windows.gaussian(4).device.type == "cuda"


def test_signal_windows_match_the_factories():
    # symmetric signal windows are the non-periodic factories (the same formulas)
    for factory, window in [("hann_window", "hann"), ("hamming_window", "hamming"),
                            ("blackman_window", "blackman"), ("bartlett_window", "bartlett")]:
        expected = getattr(torch, factory)(17, False, dtype=torch.float64)
        actual = getattr(rustorch.signal.windows, window)(17, dtype=rustorch.float64)
        assert_close(actual, expected, rtol=0, atol=1e-15)


def test_namespace():
    assert sorted(rustorch.signal.windows.__all__) == sorted(torch.signal.windows.__all__)
    assert rustorch.signal.__all__ == ["windows"]
