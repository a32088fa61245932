"""Binary math (rustorch/_ops/math_binary.py) against torch: atan2, hypot, logaddexp,
copysign, xlogy-style promotion, fmod/remainder/floor_divide and the ``%``/``//`` operators,
lerp, heaviside, nextafter, float_power, fmax/fmin, gcd/lcm."""
from __future__ import annotations

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import check, rand, randint, randn, rustorch, torch

# ----------------------------------------------------------------- binary float functions
BINARY_FLOAT = {
    "atan2": ((-2, 2), (-2, 2)), "arctan2": ((-2, 2), (-2, 2)), "hypot": ((-2, 2), (-2, 2)),
    "logaddexp": ((-5, 5), (-5, 5)), "logaddexp2": ((-5, 5), (-5, 5)),
    "copysign": ((-2, 2), (-2, 2)), "ldexp": ((-2, 2), (-3, 3)),
    "fmod": ((-5, 5), (0.5, 2)), "remainder": ((-5, 5), (-2, -0.5)),
    "xlogy": ((-2, 2), (0.2, 3)), "float_power": ((0.5, 2), (-2, 2)),
}
BINARY_SHAPES = {
    "same": ((3, 4), (3, 4)), "broadcast": ((3, 1), (1, 4)), "row": ((2, 3, 4), (4,)),
    "zero_dim": ((3, 4), ()), "both_zero_dim": ((), ()), "empty": ((0, 4), (4,)),
}


@pytest.mark.parametrize("shapes", BINARY_SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", BINARY_FLOAT)
def test_binary_float(name, dtype, shapes):
    (low_a, high_a), (low_b, high_b) = BINARY_FLOAT[name]
    shape_a, shape_b = BINARY_SHAPES[shapes]
    check(lambda m, a, b: getattr(m, name)(a, b), rand(*shape_a, low=low_a, high=high_a,
                                                       dtype=dtype),
          rand(*shape_b, low=low_b, high=high_b, dtype=dtype))


@pytest.mark.parametrize("name", BINARY_FLOAT)
def test_binary_float_transposed_method_and_gradcheck(name):
    (low_a, high_a), (low_b, high_b) = BINARY_FLOAT[name]
    a = rand(4, 3, low=low_a, high=high_a, dtype=np.float64)
    b = rand(3, 4, low=low_b, high=high_b, dtype=np.float64)
    check(lambda m, x, y: getattr(x.t(), name)(y), a, b)
    inputs = (rustorch.tensor(a, requires_grad=True), rustorch.tensor(b.T, requires_grad=True))
    assert gradcheck(getattr(rustorch, name), inputs)
    if name not in ("copysign",):
        assert gradgradcheck(getattr(rustorch, name), inputs)


@pytest.mark.parametrize("name", ["atan2", "hypot", "copysign", "fmod", "remainder", "ldexp",
                                  "xlogy", "float_power", "nextafter"])
def test_binary_inplace(name):
    a = rand(3, 4, low=0.5, high=2)
    b = rand(4, low=0.5, high=2)
    if name == "float_power":
        a = a.astype(np.float64)
    check(lambda m, x, y: getattr(x.clone(), name + "_")(y), a, b)


MIXED = {"int_int": (np.int64, np.int64), "int_float": (np.int32, np.float32),
         "float_int": (np.float64, np.int64), "half_float": (np.float16, np.float32),
         "bool_bool": (np.bool_, np.bool_), "uint8_int8": (np.uint8, np.int8)}


@pytest.mark.parametrize("dtypes", MIXED)
@pytest.mark.parametrize("name", ["atan2", "hypot", "logaddexp", "logaddexp2", "copysign",
                                  "xlogy", "fmod", "remainder", "floor_divide", "float_power",
                                  "nextafter", "ldexp"])
def test_binary_dtypes(name, dtypes):
    """Result dtype (or the error) follows torch for integer, bool and mixed inputs."""
    dtype_a, dtype_b = MIXED[dtypes]
    a = randint(1, 5, (4,)).astype(dtype_a)
    b = randint(1, 5, (4,)).astype(dtype_b)
    try:
        expected = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
    except (RuntimeError, TypeError) as error:
        with pytest.raises(type(error)):
            getattr(rustorch, name)(rustorch.from_numpy(a), rustorch.from_numpy(b))
        with pytest.raises(rustorch.RusTorchError):
            getattr(rustorch, name)(rustorch.from_numpy(a), rustorch.from_numpy(b))
        return
    assert expected is not None
    check(lambda m, x, y: getattr(m, name)(x, y), a, b, grad=False)


# ----------------------------------------------------------------- modulo, floor division
def _signed_pairs(dtype):
    a = np.array([-7, 7, -7, 7, 5, -5, 0, 6], dtype=dtype)
    b = np.array([3, -3, -3, 3, 2, 2, 4, -4], dtype=dtype)
    return a, b


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.float32, np.float64])
@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide"])
def test_modulo_signs(name, dtype):
    a, b = _signed_pairs(dtype)
    # torch's floor_divide records a graph but has no derivative
    check(lambda m, x, y: getattr(m, name)(x, y), a, b, grad=name != "floor_divide")


@pytest.mark.parametrize("scalar", [2, -3, 2.5, -1.5])
def test_modulo_operators_with_scalars(scalar):
    ints = randint(-9, 9, (6,))
    floats = randn(6) * 4
    for values in (ints, floats):
        check(lambda m, x: x % scalar, values)
        check(lambda m, x: x // scalar, values, grad=False)
        check(lambda m, x: m.fmod(x, scalar), values)
    nonzero = np.array([-3, -2, -1, 1, 2, 3])
    check(lambda m, x: scalar % x, nonzero)
    check(lambda m, x: scalar // x, nonzero)
    check(lambda m, x: scalar // x, nonzero.astype(np.float64), grad=False)
    # torch has no derivative for remainder(Scalar, Tensor)
    check(lambda m, x: scalar % x, nonzero.astype(np.float32), grad=False)


def test_floor_divide_python_semantics():
    values = np.array([1.0, -1.0, 7.0, 0.7], dtype=np.float64)
    check(lambda m, x: x // 0.1, values, grad=False)
    check(lambda m, x: m.floor_divide(x, 0.0), np.array([1.0, -1.0, 0.0]), grad=False)
    check(lambda m, x: m.remainder(x, 0.0), np.array([1.0, -1.0, 0.0]), grad=False)


def test_modulo_inplace_operators():
    check(lambda m, x: x.clone().__imod__(3), randint(-9, 9, (5,)))
    check(lambda m, x: x.clone().__ifloordiv__(3), randint(-9, 9, (5,)))

    def inplace(m, x):
        y = x.clone()
        y %= 2.5
        y //= 0.5
        return y
    check(inplace, randn(4), grad=False)


@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide"])
def test_integer_division_by_zero(name):
    for module in (torch, rustorch):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            getattr(module, name)(module.tensor([1, 2]), 0)
    with pytest.raises(rustorch.RusTorchError):
        getattr(rustorch, name)(rustorch.tensor([1, 2]), rustorch.tensor([1, 0]))
    with pytest.raises(ZeroDivisionError):
        rustorch.tensor([3]) // 0


@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide"])
def test_modulo_bool_not_implemented(name):
    for module in (torch, rustorch):
        with pytest.raises(NotImplementedError):
            getattr(module, name)(module.tensor([True]), module.tensor([True]))


# ----------------------------------------------------------------- lerp, heaviside, nextafter
@pytest.mark.parametrize("weight", ["scalar_low", "scalar_high", "tensor", "broadcast"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lerp(weight, dtype):
    start, end = randn(3, 4, dtype=dtype), randn(3, 4, dtype=dtype)
    if weight == "scalar_low":
        check(lambda m, a, b: m.lerp(a, b, 0.25), start, end)
    elif weight == "scalar_high":
        check(lambda m, a, b: a.lerp(b, 0.75), start, end)
    elif weight == "tensor":
        check(lambda m, a, b, w: m.lerp(a, b, w), start, end, rand(3, 4, low=-1, high=2,
                                                                   dtype=dtype))
    else:
        check(lambda m, a, b, w: m.lerp(a, b.t(), w), start, end.reshape(4, 3), rand(
            4, low=0, high=1, dtype=dtype))


def test_lerp_gradcheck_inplace_half_and_errors():
    tensors = [rustorch.tensor(randn(3, dtype=np.float64), requires_grad=True) for _ in range(3)]
    assert gradcheck(rustorch.lerp, tuple(tensors))
    assert gradgradcheck(rustorch.lerp, tuple(tensors))
    check(lambda m, a, b: a.clone().lerp_(b, 0.3), randn(4), randn(4))
    check(lambda m, a, b: m.lerp(a, b, 0.3), randn(4).astype(np.float16),
          randn(4).astype(np.float16), grad=False)
    for module in (torch, rustorch):
        with pytest.raises(RuntimeError):
            module.lerp(module.ones(2), module.ones(2, dtype=module.float64), 0.5)
        with pytest.raises(RuntimeError):
            module.lerp(module.ones(2), module.ones(2), module.ones(2, dtype=module.float64))
        with pytest.raises(NotImplementedError):
            module.lerp(module.tensor([1, 2]), module.tensor([1, 2]), 0.5)


def test_heaviside():
    x = np.array([-1.5, 0.0, 2.0, 0.0, -0.0], dtype=np.float32)
    check(lambda m, a, v: m.heaviside(a, v), x, np.array([0.5], dtype=np.float32), grad=False)
    check(lambda m, a, v: a.heaviside(v), x, rand(5), grad=False)
    check(lambda m, a, v: m.heaviside(a, v), np.array([-2, 0, 3]), np.array([7]))
    for module in (torch, rustorch):
        with pytest.raises(RuntimeError):
            module.heaviside(module.tensor([1.0]), module.tensor([1]))


def test_nextafter():
    a = np.array([0.0, 1.0, -1.0, 1.0], dtype=np.float32)
    b = np.array([1.0, 2.0, -2.0, 0.0], dtype=np.float32)
    check(lambda m, x, y: m.nextafter(x, y), a, b, rtol=0, atol=0)
    check(lambda m, x, y: m.nextafter(x, y), a.astype(np.float64), b.astype(np.float64),
          rtol=0, atol=0)


def test_float_power_complex_and_scalars():
    check(lambda m, x: m.float_power(x, 2), randn(3))
    check(lambda m, x: m.float_power(2, x), randn(3))
    check(lambda m, x: m.float_power(x, 0.5), rand(3, low=0.1, high=2))
    check(lambda m, x: m.float_power(x, 2), randint(-3, 3, (4,)))
    check(lambda m, x: m.float_power(x, 2), (randn(3) + 1j * randn(3)).astype(np.complex64),
          grad=False)
    for module in (torch, rustorch):
        with pytest.raises(RuntimeError):
            module.ones(2).float_power_(2)


def test_binary_out_argument():
    def run(m, x, y):
        out = m.empty(3, 4)
        assert m.atan2(x, y, out=out) is out
        return out
    check(run, randn(3, 4), randn(4), grad=False)


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin(name):
    a = np.array([1.0, np.nan, 2.0, 3.0, np.nan, -1.0], dtype=np.float64)
    b = np.array([np.nan, 1.0, 2.0, 1.0, np.nan, 0.5], dtype=np.float64)
    check(lambda m, x, y: getattr(m, name)(x, y), a, b)
    check(lambda m, x, y: getattr(x, name)(y), a.astype(np.float32), b.astype(np.float32))
    check(lambda m, x, y: getattr(m, name)(x.reshape(2, 3), y[:3]), a, b)
    check(lambda m, x, y: getattr(m, name)(x, y), randint(-3, 3, (5,)), randn(5))
    check(lambda m, x, y: getattr(m, name)(x, y), randint(-3, 3, (5,)), randint(-3, 3, (5,)))
    inputs = (rustorch.tensor(randn(5, dtype=np.float64), requires_grad=True),
              rustorch.tensor(randn(5, dtype=np.float64), requires_grad=True))
    assert gradcheck(getattr(rustorch, name), inputs)


@pytest.mark.parametrize("name", ["gcd", "lcm"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.uint8])
def test_gcd_lcm(name, dtype):
    a = np.array([12, 8, 0, 7, 9, 0], dtype=dtype)
    b = np.array([18, 4, 5, 3, 6, 0], dtype=dtype)
    check(lambda m, x, y: getattr(m, name)(x, y), a, b)
    check(lambda m, x, y: getattr(x.clone(), name + "_")(y), a, b)
    if dtype is np.int64:
        check(lambda m, x, y: getattr(m, name)(-x, y), a, b)
    for module in (torch, rustorch):
        with pytest.raises(RuntimeError):
            getattr(module, name)(module.ones(2), module.ones(2))


def test_angle():
    values = np.array([-2.0, 0.0, 3.0, -0.5, np.nan], dtype=np.float64)
    check(lambda m, x: m.angle(x), values)
    check(lambda m, x: x.angle(), values.astype(np.float32))
    check(lambda m, x: m.angle(x), np.array([-2, 0, 3]))
    complex_values = np.array([1 + 1j, -1j, -2 + 0.5j, 3 - 4j], dtype=np.complex128)
    check(lambda m, x: m.angle(x), complex_values)  # complex gradients compared with torch
