"""fractional_max_pool2d/3d and FractionalMaxPool2d/3d against torch with the same
``_random_samples``: values, indices and gradients, output_ratio, ties and NaN, half precision,
the default samples drawn from rustorch's generator, argument errors; float64 gradcheck."""
from __future__ import annotations

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import (as_numpy, assert_close, check, check_error, rand, randn, rustorch,
                           to_rustorch, torch)
from tests.nn._helpers import from_numpy


def F(m):
    return m.nn.functional


def _samples(batch, channels, spatial, dtype=np.float32, seed=0):
    return rand(batch, channels, spatial, dtype=dtype, seed=seed)


CASES_2D = [
    ((2, 3, 7, 6), 2, dict(output_size=3)),
    ((2, 3, 17, 16), (3, 2), dict(output_size=(5, 9))),
    ((2, 2, 17, 16), 3, dict(output_size=(15, 14))),  # the largest output that fits
    ((1, 2, 9, 11), (2, 3), dict(output_ratio=(0.5, 0.7))),
    ((3, 8, 8), 2, dict(output_size=(4, 5))),  # unbatched
    ((2, 3, 10, 12), 1, dict(output_size=(10, 6))),
    ((2, 3, 6, 6), 2, dict(output_size=1)),
]
CASES_3D = [
    ((2, 3, 7, 6, 9), 2, dict(output_size=(3, 2, 4))),
    ((3, 7, 6, 9), (2, 3, 1), dict(output_size=(5, 3, 8))),  # unbatched
    ((1, 2, 9, 8, 10), 3, dict(output_ratio=0.5)),
    ((1, 2, 9, 8, 10), (1, 2, 3), dict(output_ratio=(0.4, 0.5, 0.6))),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,kernel,kwargs", CASES_2D)
def test_fractional_max_pool2d(shape, kernel, kwargs, dtype):
    batch = shape[0] if len(shape) == 4 else 1
    samples = _samples(batch, shape[-3], 2, dtype)
    check(lambda m, x, s: F(m).fractional_max_pool2d(x, kernel, return_indices=True,
                                                     _random_samples=s, **kwargs),
          randn(*shape, dtype=dtype), samples, requires_grad=[True, False])
    check(lambda m, x, s: F(m).fractional_max_pool2d(x, kernel, _random_samples=s, **kwargs),
          randn(*shape, dtype=dtype), samples, requires_grad=[True, False])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,kernel,kwargs", CASES_3D)
def test_fractional_max_pool3d(shape, kernel, kwargs, dtype):
    batch = shape[0] if len(shape) == 5 else 1
    samples = _samples(batch, shape[-4], 3, dtype)
    check(lambda m, x, s: F(m).fractional_max_pool3d(x, kernel, return_indices=True,
                                                     _random_samples=s, **kwargs),
          randn(*shape, dtype=dtype), samples, requires_grad=[True, False])


def test_fractional_max_pool_with_indices_functions_and_extra_samples():
    samples = _samples(4, 3, 2)  # more sample rows than the batch: the first ones are used
    check(lambda m, x, s: F(m).fractional_max_pool2d_with_indices(x, 2, (4, 3),
                                                                  _random_samples=s),
          randn(2, 3, 8, 7), samples, requires_grad=[True, False])
    check(lambda m, x, s: F(m).fractional_max_pool3d_with_indices(x, 2, 2, _random_samples=s),
          randn(2, 3, 5, 5, 5), _samples(2, 3, 3), requires_grad=[True, False])


def test_fractional_max_pool_ties_nan_and_empty():
    ties = np.round(randn(2, 3, 9, 9) * 0.7).astype(np.float32)
    check(lambda m, x, s: F(m).fractional_max_pool2d(x, 3, 4, return_indices=True,
                                                     _random_samples=s),
          ties, _samples(2, 3, 2), requires_grad=[True, False])
    nan = randn(2, 3, 9, 9)
    nan.reshape(-1)[::5] = np.nan
    check(lambda m, x, s: F(m).fractional_max_pool2d(x, 3, 4, return_indices=True,
                                                     _random_samples=s),
          nan, _samples(2, 3, 2), grad=False)
    check(lambda m, x, s: F(m).fractional_max_pool2d(x, 2, (0, 3), return_indices=True,
                                                     _random_samples=s),
          randn(2, 3, 6, 6), _samples(2, 3, 2), requires_grad=[True, False])
    check(lambda m, x, s: F(m).fractional_max_pool2d(x, 2, 3, return_indices=True,
                                                     _random_samples=s),
          randn(0, 3, 6, 6), _samples(1, 3, 2), requires_grad=[True, False])
    # an empty window (kernel 0): -inf at the window start, as ATen's loop leaves it
    check(lambda m, x, s: F(m).fractional_max_pool2d(x, (1, 0), 3, return_indices=True,
                                                     _random_samples=s),
          randn(1, 2, 6, 6), _samples(1, 2, 2), grad=False)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_fractional_max_pool_half_precision(dtype):
    x = torch.randn(2, 3, 13, 11).to(getattr(torch, dtype))
    samples = torch.rand(2, 3, 2).to(x.dtype)
    expected = torch.nn.functional.fractional_max_pool2d(x, 3, (6, 5), return_indices=True,
                                                         _random_samples=samples)
    cast = getattr(rustorch, dtype)
    actual = F(rustorch).fractional_max_pool2d(
        to_rustorch(x.float().numpy()).to(cast), 3, (6, 5), return_indices=True,
        _random_samples=to_rustorch(samples.float().numpy()).to(cast))
    assert_close(actual, expected)


def test_fractional_max_pool_default_samples_come_from_rustorch_generator():
    x = rustorch.randn(2, 3, 9, 8)
    for spatial, shape, function in ((2, (2, 3, 9, 8), F(rustorch).fractional_max_pool2d),
                                     (3, (3, 6, 7, 8), F(rustorch).fractional_max_pool3d)):
        x = rustorch.randn(*shape, dtype=rustorch.float64)
        rustorch.manual_seed(7)
        values, indices = function(x, 2, 3, return_indices=True)
        rustorch.manual_seed(7)
        batch = 1 if x.dim() == spatial + 1 else x.size(0)
        samples = rustorch.rand(batch, x.size(-spatial - 1), spatial, dtype=x.dtype)
        expected_values, expected_indices = function(x, 2, 3, return_indices=True,
                                                     _random_samples=samples)
        assert np.array_equal(as_numpy(values), as_numpy(expected_values))
        assert np.array_equal(as_numpy(indices), as_numpy(expected_indices))
        flat = x.flatten(-spatial).gather(-1, indices.flatten(-spatial))
        assert np.array_equal(as_numpy(flat), as_numpy(values.flatten(-spatial)))


def test_fractional_max_pool_gradcheck_float64():
    x = to_rustorch(randn(2, 2, 7, 8, dtype=np.float64), True)
    samples = to_rustorch(_samples(2, 2, 2, np.float64))
    assert gradcheck(lambda x: F(rustorch).fractional_max_pool2d(
        x, 2, (4, 5), _random_samples=samples), (x,))
    assert gradgradcheck(lambda x: F(rustorch).fractional_max_pool2d(
        x, 3, 3, _random_samples=samples), (x,))
    x3 = to_rustorch(randn(1, 2, 5, 6, 5, dtype=np.float64), True)
    samples3 = to_rustorch(_samples(1, 2, 3, np.float64))
    assert gradcheck(lambda x: F(rustorch).fractional_max_pool3d(
        x, 2, (3, 4, 3), _random_samples=samples3), (x3,))
    out = F(rustorch).fractional_max_pool3d(x3, 2, 2, _random_samples=samples3)
    assert out.grad_fn.name() == "FractionalMaxPool3DBackward0"


MODULE_CASES = [
    ("FractionalMaxPool2d", (2,), dict(output_size=3), (2, 3, 7, 6), 2),
    ("FractionalMaxPool2d", ((3, 2),), dict(output_ratio=0.5), (2, 3, 12, 9), 2),
    ("FractionalMaxPool2d", (2,), dict(output_ratio=(0.5, 0.25), return_indices=True),
     (3, 12, 9), 2),
    ("FractionalMaxPool3d", (2,), dict(output_size=(3, 2, 4)), (2, 3, 7, 6, 9), 3),
    ("FractionalMaxPool3d", (2,), dict(output_ratio=0.5, return_indices=True),
     (1, 2, 8, 8, 8), 3),
]


@pytest.mark.parametrize("name,args,kwargs,shape,spatial", MODULE_CASES)
def test_fractional_pool_modules(name, args, kwargs, shape, spatial):
    batch = shape[0] if len(shape) == spatial + 2 else 1
    samples = _samples(batch, shape[-spatial - 1], spatial)
    torch_module = getattr(torch.nn, name)(*args, _random_samples=torch.from_numpy(samples),
                                           **kwargs)
    rust_module = getattr(rustorch.nn, name)(*args,
                                             _random_samples=to_rustorch(samples),
                                             **kwargs)
    assert repr(rust_module) == repr(torch_module)
    for attribute in ("kernel_size", "output_size", "output_ratio", "return_indices"):
        assert getattr(rust_module, attribute) == getattr(torch_module, attribute)
    assert list(rust_module.state_dict()) == list(torch_module.state_dict()) == \
        ["_random_samples"]
    check(lambda m, x: (torch_module if m is torch else rust_module)(x), randn(*shape))
    # without fixed samples: shapes only
    plain = {k: v for k, v in kwargs.items()}
    expected = getattr(torch.nn, name)(*args, **plain)(torch.from_numpy(randn(*shape)))
    actual = getattr(rustorch.nn, name)(*args, **plain)(to_rustorch(randn(*shape)))
    if isinstance(expected, tuple):
        expected, actual = expected[0], actual[0]
    assert tuple(actual.shape) == tuple(expected.shape)
    assert getattr(rustorch.nn, name)(*args, **plain).state_dict() == {}


MODULE_ERRORS = [
    lambda m: m.nn.FractionalMaxPool2d(2),
    lambda m: m.nn.FractionalMaxPool2d(2, 3, 0.5),
    lambda m: m.nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda m: m.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 0.0)),
    lambda m: m.nn.FractionalMaxPool3d(0, 3),
    lambda m: m.nn.FractionalMaxPool3d((1, 0, 1), 3),
    lambda m: m.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 1, 0.5)),
]


@pytest.mark.parametrize("fn", MODULE_ERRORS)
def test_fractional_pool_module_errors(fn):
    check_error(fn)


ERROR_CASES = [
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, output_ratio=0.5, _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5, 0.5),
                                               _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, [3], _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, [3, 3, 3], _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x, (2, 2, 2), 3, _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, 6, _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 7, 1, _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, -1, _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x[0, 0], 2, 3),
    lambda m, x, s: F(m).fractional_max_pool2d(x[0, 0], 2, 3, _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x[None], 2, 3, _random_samples=s),
    lambda m, x, s: F(m).fractional_max_pool2d(x[:, :0], 2, 3),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, 3, _random_samples=s.double()),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, 3, _random_samples=s[0]),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, 3, _random_samples=s[:1]),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, 3, _random_samples=s[:, :2]),
    lambda m, x, s: F(m).fractional_max_pool2d(x, 2, 3, _random_samples=m.cat([s, s], 2)),
    lambda m, x, s: F(m).fractional_max_pool2d(x.long(), 2, 3),
    lambda m, x, s: F(m).fractional_max_pool2d(x.long(), 2, 3, _random_samples=s.long()),
    lambda m, x, s: F(m).fractional_max_pool3d(x[None], 2),
    # the 3-d pool wants output + kernel - 1 < input (the 2-d one allows equality)
    lambda m, x, s: F(m).fractional_max_pool3d(x[None], 2, (2, 2, 2)),
    lambda m, x, s: F(m).fractional_max_pool3d(x[None], 2, (1, 6, 2)),
    lambda m, x, s: F(m).fractional_max_pool3d(x[None], 2, (1, 2, 5)),
    lambda m, x, s: F(m).fractional_max_pool3d(x[0, 0], 2, 2),
    lambda m, x, s: F(m).fractional_max_pool3d(x[None], (2, 2), 1),
]


@pytest.mark.parametrize("fn", ERROR_CASES)
def test_fractional_pool_errors(fn):
    x, samples = randn(2, 3, 7, 6), _samples(2, 3, 2)
    check_error(lambda m: fn(m, from_numpy(m, x), from_numpy(m, samples)))


# CPU autocast: autocast("cpu") leaves CUDA tensors alone in torch, and CUDA has no bfloat16 here.
@pytest.mark.cpu_only
def test_fractional_max_pool_autocast_runs_in_float32():
    def run(m, x, s):
        with m.autocast("cpu", dtype=m.bfloat16):
            return (F(m).fractional_max_pool2d(x.bfloat16(), 2, 3, return_indices=True,
                                               _random_samples=s.bfloat16()),
                    F(m).fractional_max_pool3d(x[None].bfloat16(), 2, (1, 3, 3),
                                               _random_samples=m.ones(1, 2, 3) * 0.5))
    check(run, randn(2, 3, 7, 6), _samples(2, 3, 2), requires_grad=[True, False])
