"""Pooling (functional and modules) against torch."""
from __future__ import annotations

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import assert_close, check, randn, rustorch, to_rustorch, torch


def F(m):
    return m.nn.functional


MAX_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, ceil_mode=True),
    dict(kernel_size=3, stride=1, padding=1, dilation=1),
    dict(kernel_size=2, stride=3, dilation=2, ceil_mode=True),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", MAX_CASES)
def test_max_pool2d(kwargs, dtype):
    check(lambda m, x: F(m).max_pool2d(x, return_indices=True, **kwargs),
          randn(2, 3, 7, 6, dtype=dtype))
    check(lambda m, x: F(m).max_pool2d(x, **kwargs), randn(3, 8, 9, dtype=dtype))


def test_max_pool_1d_3d_and_noncontiguous():
    check(lambda m, x: F(m).max_pool1d(x, 3, 2, 1, 2, True, True), randn(3, 11))
    check(lambda m, x: F(m).max_pool1d(x, 2), randn(2, 3, 10))
    check(lambda m, x: F(m).max_pool3d(x, 2, return_indices=True), randn(2, 2, 4, 5, 4))
    check(lambda m, x: F(m).max_pool3d(x, (3, 2, 2), (2, 1, 2), 1), randn(1, 2, 5, 5, 4))
    check(lambda m, x: F(m).max_pool2d(x.transpose(2, 3), 2), randn(2, 3, 6, 8))


def test_max_pool_ties_integer_and_nan():
    x = np.zeros((1, 1, 4, 4), np.float32)
    check(lambda m, x: F(m).max_pool2d(x, 2, return_indices=True), x)
    check(lambda m, x: F(m).max_pool2d(x, 3, 1, 1, return_indices=True), x)
    ints = (np.arange(32).reshape(1, 2, 4, 4) * 7 % 11).astype(np.int64)
    check(lambda m, x: F(m).max_pool2d(x, 2, return_indices=True), ints)
    nan = randn(1, 1, 4, 4)
    nan[0, 0, 1, 1] = np.nan
    check(lambda m, x: F(m).max_pool2d(x, 2), nan, grad=False)


AVG_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, divisor_override=5),
    dict(kernel_size=2, ceil_mode=True),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", AVG_CASES)
def test_avg_pool2d(kwargs, dtype):
    check(lambda m, x: F(m).avg_pool2d(x, **kwargs), randn(2, 3, 7, 6, dtype=dtype))


def test_avg_pool_1d_3d():
    check(lambda m, x: F(m).avg_pool1d(x, 3, 2, 1, True, False), randn(2, 3, 10))
    check(lambda m, x: F(m).avg_pool1d(x, 4), randn(3, 9))
    check(lambda m, x: F(m).avg_pool3d(x, (2, 3, 2), padding=1), randn(2, 2, 4, 5, 4))
    check(lambda m, x: F(m).avg_pool3d(x, 2, ceil_mode=True, count_include_pad=False),
          randn(1, 2, 5, 5, 3))


@pytest.mark.parametrize("output_size", [1, 2, (3, 2), (5, 4), (2, None), (7, 6), (4, 9)])
def test_adaptive_pools(output_size):
    check(lambda m, x: F(m).adaptive_avg_pool2d(x, output_size), randn(2, 3, 7, 6))
    check(lambda m, x: F(m).adaptive_max_pool2d(x, output_size, True), randn(2, 3, 7, 6))


def test_adaptive_pools_1d_3d():
    check(lambda m, x: F(m).adaptive_avg_pool1d(x, 4), randn(2, 3, 7))
    check(lambda m, x: F(m).adaptive_max_pool1d(x, 3, True), randn(3, 8))
    check(lambda m, x: F(m).adaptive_avg_pool3d(x, (2, 3, 3)), randn(2, 2, 5, 7, 4))
    check(lambda m, x: F(m).adaptive_max_pool3d(x, (2, 3, 3), True), randn(2, 2, 5, 7, 4))


def test_lp_pool():
    check(lambda m, x: F(m).lp_pool2d(x, 2, 3, 2), randn(2, 3, 7, 6))
    check(lambda m, x: F(m).lp_pool1d(x, 3, 2), rand_positive(2, 3, 8))
    check(lambda m, x: F(m).lp_pool2d(x, 1.5, (2, 3), ceil_mode=True), rand_positive(1, 2, 5, 7))


def rand_positive(*shape):
    return np.abs(randn(*shape)) + 0.1


@pytest.mark.parametrize("spatial,shape", [(1, (2, 3, 9)), (2, (2, 3, 7, 6)),
                                           (3, (1, 2, 4, 5, 6))])
def test_max_unpool(spatial, shape):
    pool = getattr(F(torch), f"max_pool{spatial}d")

    def run(m, x):
        values, indices = getattr(F(m), f"max_pool{spatial}d")(x, 2, return_indices=True)
        size = shape[2:]
        return getattr(F(m), f"max_unpool{spatial}d")(values, indices, 2, output_size=size)
    assert pool is not None
    check(run, randn(*shape))


def test_pool_gradcheck_float64():
    x = to_rustorch(randn(2, 2, 5, 6, dtype=np.float64), True)
    functional = F(rustorch)
    assert gradcheck(lambda x: functional.max_pool2d(x, 3, 2, 1), (x,))
    assert gradcheck(lambda x: functional.avg_pool2d(x, 3, 2, 1, True, False), (x,))
    assert gradgradcheck(lambda x: functional.avg_pool2d(x, 3, 2, 1), (x,))
    assert gradgradcheck(lambda x: functional.max_pool2d(x, 2), (x,))
    assert gradgradcheck(lambda x: functional.max_pool2d(x, 3, 1, 1), (x,))
    assert gradgradcheck(lambda x: functional.adaptive_max_pool2d(x, (3, 4)), (x,))
    assert gradcheck(lambda x: functional.adaptive_max_pool2d(x, (3, 4)), (x,))
    assert gradcheck(lambda x: functional.adaptive_avg_pool2d(x, (3, 4)), (x,))


ERROR_CASES = [
    lambda m, x: F(m).max_pool2d(x, 3, padding=2),
    lambda m, x: F(m).avg_pool2d(x, 3, padding=2),
    lambda m, x: F(m).max_pool2d(x, 7),
    lambda m, x: F(m).max_pool2d(x[0, 0], 2),
    lambda m, x: F(m).avg_pool2d(x, 2, stride=0),
    lambda m, x: F(m).adaptive_avg_pool2d(x, (2,)),
    lambda m, x: F(m).max_unpool2d(*F(m).max_pool2d(x, 2, return_indices=True), 2),
]


@pytest.mark.parametrize("fn", ERROR_CASES)
def test_pool_errors(fn):
    x = randn(2, 3, 5, 5)
    with pytest.raises(RuntimeError):
        fn(torch, torch.from_numpy(x))
    with pytest.raises(rustorch.RusTorchError):
        fn(rustorch, to_rustorch(x))


MODULE_CASES = [
    ("MaxPool1d", (3,), dict(stride=2, padding=1), (2, 3, 9)),
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("MaxPool2d", (3,), dict(stride=2, ceil_mode=True, dilation=1), (2, 3, 8, 7)),
    ("MaxPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("AvgPool1d", (3,), dict(stride=2, count_include_pad=False, padding=1), (2, 3, 9)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, divisor_override=4), (2, 3, 8, 8)),
    ("AvgPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("LPPool1d", (2, 3), {}, (2, 3, 9)),
    ("LPPool2d", (2, 2), dict(stride=1), (2, 3, 6, 6)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveAvgPool2d", ((1, 1),), {}, (2, 3, 8, 8)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 5, 4, 4)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, 5),), {}, (2, 3, 8, 8)),
    ("AdaptiveMaxPool3d", (2,), {}, (1, 2, 5, 4, 4)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", MODULE_CASES)
def test_pool_modules(name, args, kwargs, shape):
    torch_module = getattr(torch.nn, name)(*args, **kwargs)
    rust_module = getattr(rustorch.nn, name)(*args, **kwargs)
    assert repr(rust_module) == repr(torch_module)
    check(lambda m, x: (torch_module if m is torch else rust_module)(x), randn(*shape))


def test_pool_modules_with_indices_and_unpool():
    def run(m, x):
        pool = m.nn.MaxPool2d(2, return_indices=True)
        unpool = m.nn.MaxUnpool2d(2)
        values, indices = pool(x)
        return unpool(values, indices), indices
    check(run, randn(2, 3, 6, 6))
    assert repr(rustorch.nn.MaxUnpool2d(2)) == repr(torch.nn.MaxUnpool2d(2))
    assert repr(rustorch.nn.MaxUnpool1d(2, 1)) == repr(torch.nn.MaxUnpool1d(2, 1))


def test_nonoverlapping_pool_is_fast_enough_to_run():
    x = rustorch.randn(8, 16, 32, 32, requires_grad=True) if hasattr(rustorch, "randn") else \
        to_rustorch(randn(8, 16, 32, 32), True)
    y = F(rustorch).max_pool2d(x, 2)
    y.sum().backward()
    assert x.grad.shape == x.shape
    assert_close(x.grad.sum(), torch.tensor(float(y.numel())))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_pools_half_precision(dtype):
    import ml_dtypes
    numpy_dtype = np.float16 if dtype == "float16" else ml_dtypes.bfloat16
    x = randn(2, 3, 7, 6).astype(numpy_dtype)
    check(lambda m, x: F(m).max_pool2d(x, 2, return_indices=True), x)
    check(lambda m, x: F(m).avg_pool2d(x, 3, 2, 1), x)
    check(lambda m, x: F(m).adaptive_avg_pool2d(x, (3, 2)), x)
