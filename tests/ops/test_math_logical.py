"""Predicates, nan_to_num, closeness, logical and bitwise ops (rustorch/_ops/math_logical.py)
against torch, including the Python operators and PyTorch's dtype errors."""
from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck
from tests._oracle import check, randint, randn, rustorch, torch

SPECIAL = np.array([-np.inf, -1.5, -0.0, 0.0, 2.0, np.inf, np.nan], dtype=np.float32)
PREDICATES = ["isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, ml_dtypes.bfloat16])
@pytest.mark.parametrize("name", PREDICATES)
def test_predicates_floating(name, dtype):
    values = SPECIAL.astype(dtype)
    check(lambda m, x: getattr(m, name)(x), values)
    check(lambda m, x: getattr(x, name)(), values)
    check(lambda m, x: getattr(m, name)(x.reshape(1, 7).t()), values)


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint8, np.bool_])
@pytest.mark.parametrize("name", PREDICATES)
def test_predicates_integers(name, dtype):
    check(lambda m, x: getattr(m, name)(x), randint(0, 3, (2, 3)).astype(dtype))


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isreal"])
def test_predicates_complex_and_empty(name):
    values = np.array([1 + 1j, np.nan + 0j, np.inf * 1j, 2.0 + 0j], dtype=np.complex64)
    check(lambda m, x: getattr(m, name)(x), values, grad=False)
    check(lambda m, x: getattr(m, name)(x), np.zeros((0, 2), np.float32))
    check(lambda m, x: getattr(m, name)(x), np.array(np.nan, np.float32))


def test_posinf_neginf_reject_complex():
    for module in (torch, rustorch):
        for name in ("isposinf", "isneginf"):
            with pytest.raises(RuntimeError):
                getattr(module, name)(module.tensor([1 + 1j]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, ml_dtypes.bfloat16])
@pytest.mark.parametrize("arguments", [{}, {"nan": 1.5}, {"posinf": 9.0},
                                       {"nan": -1.0, "posinf": 7.0, "neginf": -7.0}])
def test_nan_to_num(arguments, dtype):
    check(lambda m, x: m.nan_to_num(x, **arguments), SPECIAL.astype(dtype))
    check(lambda m, x: x.nan_to_num(**arguments), SPECIAL.astype(dtype))


def test_nan_to_num_integers_inplace_and_gradcheck():
    check(lambda m, x: m.nan_to_num(x), randint(-3, 3, (4,)))
    check(lambda m, x: m.nan_to_num(x), np.array([True, False]))
    check(lambda m, x: x.clone().nan_to_num_(nan=2.0), SPECIAL)
    x = rustorch.tensor(randn(5, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda t: rustorch.nan_to_num(t, posinf=1.0), (x,))


# ----------------------------------------------------------------- closeness
CLOSE_A = np.array([1.0, 1.0, 1.0, np.nan, np.inf, -np.inf, 0.0, 1e-9], dtype=np.float64)
CLOSE_B = np.array([1.0, 1.0 + 1e-6, 1.1, np.nan, np.inf, np.inf, 1e-9, 0.0], dtype=np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("arguments", [{}, {"equal_nan": True}, {"rtol": 0.2},
                                       {"rtol": 0, "atol": 0}, {"atol": 1e-3, "rtol": 0}])
def test_isclose(arguments, dtype):
    a, b = CLOSE_A.astype(dtype), CLOSE_B.astype(dtype)
    check(lambda m, x, y: m.isclose(x, y, **arguments), a, b)
    check(lambda m, x, y: x.isclose(y, **arguments), a, b)
    check(lambda m, x, y: m.isclose(x.reshape(2, 4), y[:4], **arguments), a, b)
    check(lambda m, x, y: m.allclose(x, y, **arguments), a, b)
    check(lambda m, x, y: m.allclose(x[:2], y[:2], **arguments), a, b)


@pytest.mark.parametrize("atol", [0, 1, 2])
def test_isclose_integers_and_bools(atol):
    check(lambda m, x, y: m.isclose(x, y, atol=atol), np.array([1, 2, 5, -3]),
          np.array([2, 2, 3, -3]))
    check(lambda m, x, y: m.isclose(x, y, atol=atol), np.array([True, False]),
          np.array([True, True]))


def test_isclose_errors():
    for module in (torch, rustorch):
        with pytest.raises(RuntimeError):
            module.isclose(module.ones(2), module.ones(2, dtype=module.float64))
        with pytest.raises(RuntimeError):
            module.isclose(module.ones(2), module.ones(2), rtol=-1)
        with pytest.raises(RuntimeError):
            module.isclose(module.ones(2), module.ones(2), atol=-1)
        with pytest.raises(RuntimeError):
            module.allclose(module.ones(2), module.ones(2, dtype=module.int64))
    with pytest.raises(rustorch.RusTorchError):
        rustorch.isclose(rustorch.ones(2), rustorch.ones(2, dtype=rustorch.float64))


@pytest.mark.parametrize("case", ["equal", "different", "shape", "nan", "dtypes", "empty"])
def test_equal(case):
    a = randn(3, 2)
    other = {"equal": a.copy(), "different": a + 1, "shape": a[:2], "dtypes":
             a.astype(np.float64), "nan": np.full((3, 2), np.nan, np.float32)}
    if case == "empty":
        check(lambda m, x, y: m.equal(x, y), np.zeros((0, 2)), np.zeros((0, 2)))
        return
    check(lambda m, x, y: m.equal(x, y), a, other[case])
    check(lambda m, x, y: x.equal(y), a, other[case])


# ----------------------------------------------------------------- logical
LOGICAL_INPUTS = {
    "bool": (np.array([True, False, True, False]), np.array([True, True, False, False])),
    "int": (np.array([0, 2, -1, 0]), np.array([3, 0, 1, 0])),
    "float": (np.array([0.0, 0.5, np.nan, -1.0], np.float32), np.array([1.0, 0.0, 0.0, 2.0])),
    "mixed": (np.array([0, 1, 2, 3], np.uint8), np.array([True, False, True, False])),
}


@pytest.mark.parametrize("inputs", LOGICAL_INPUTS)
@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical(name, inputs):
    a, b = LOGICAL_INPUTS[inputs]
    check(lambda m, x, y: getattr(m, name)(x, y), a, b, grad=False)
    check(lambda m, x, y: getattr(x, name)(y), a, b, grad=False)
    check(lambda m, x, y: getattr(m, name)(x.reshape(4, 1), y), a, b, grad=False)
    check(lambda m, x, y: getattr(x.clone(), name + "_")(y), a, b, grad=False)
    check(lambda m, x: m.logical_not(x), a, grad=False)


# ----------------------------------------------------------------- bitwise
BITWISE = ["bitwise_and", "bitwise_or", "bitwise_xor"]
INTEGER_DTYPES = [np.int64, np.int32, np.int16, np.int8, np.uint8]


@pytest.mark.parametrize("dtype", INTEGER_DTYPES + [np.bool_])
@pytest.mark.parametrize("name", BITWISE)
def test_bitwise_same_dtype(name, dtype):
    a, b = randint(0, 100, (3, 4)).astype(dtype), randint(0, 100, (4,)).astype(dtype)
    check(lambda m, x, y: getattr(m, name)(x, y), a, b)
    check(lambda m, x, y: getattr(x.t(), name)(y[:3]), a, b)
    check(lambda m, x, y: getattr(x.clone(), name + "_")(y), a, b)


@pytest.mark.parametrize("pair", [(np.int64, np.bool_), (np.uint8, np.int8),
                                  (np.int16, np.int32), (np.bool_, np.uint8)])
@pytest.mark.parametrize("name", BITWISE)
def test_bitwise_promotion(name, pair):
    a = randint(-50, 50, (5,)).astype(pair[0])
    b = randint(-50, 50, (5,)).astype(pair[1])
    check(lambda m, x, y: getattr(m, name)(x, y), a, b)
    check(lambda m, x, y: getattr(m, name)(x, y[0]), a, b)  # 0-d doesn't promote


@pytest.mark.parametrize("scalar", [True, False, 1, 6, -1])
@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.uint8])
def test_bitwise_operators_with_scalars(scalar, dtype):
    a = randint(0, 8, (5,)).astype(dtype)
    check(lambda m, x: x & scalar, a)
    check(lambda m, x: scalar & x, a)
    check(lambda m, x: x | scalar, a)
    check(lambda m, x: scalar | x, a)
    check(lambda m, x: x ^ scalar, a)
    check(lambda m, x: scalar ^ x, a)


@pytest.mark.parametrize("dtype", INTEGER_DTYPES + [np.bool_])
def test_operators_tensor_tensor_and_inplace(dtype):
    a, b = randint(0, 8, (5,)).astype(dtype), randint(0, 8, (5,)).astype(dtype)
    check(lambda m, x, y: (x & y, x | y, x ^ y, ~x), a, b)

    def inplace(m, x, y):
        x = x.clone()
        x &= y
        x |= y
        x ^= y
        return x
    check(inplace, a, b)


def test_invert():
    check(lambda m, x: ~x, np.array([0, 1, -2, 127], np.int8))
    check(lambda m, x: ~x, np.array([0, 1, 255], np.uint8))
    check(lambda m, x: m.bitwise_not(x), np.array([True, False]))
    check(lambda m, x: x.clone().bitwise_not_(), np.array([3, -4]))
    for module in (torch, rustorch):
        with pytest.raises(TypeError):
            ~module.ones(2)
        with pytest.raises(NotImplementedError):
            module.bitwise_not(module.ones(2, dtype=module.float16))
    with pytest.raises(rustorch.RusTorchError):
        ~rustorch.ones(2)


SHIFT_AMOUNTS = np.array([0, 1, 3, 7, 8, 15, 31, 63, 64, 70, -1])


@pytest.mark.parametrize("dtype", INTEGER_DTYPES)
def test_shifts(dtype):
    values = np.array([5, -3, 1, 127, -128, 64, 2, -1, 9, 100, 7]).astype(dtype)
    amounts = SHIFT_AMOUNTS.astype(dtype)
    for name in ("bitwise_left_shift", "bitwise_right_shift"):
        check(lambda m, x, y: getattr(m, name)(x, y), values, amounts)
        check(lambda m, x, y: getattr(x.clone(), name + "_")(y), values, amounts)
    check(lambda m, x, y: (x << y, x >> y), values, amounts)
    check(lambda m, x: (x << 2, x >> 1, 1 << x[:4], 256 >> x[:4]), values)

    def inplace(m, x):
        x = x.clone()
        x <<= 1
        x >>= 2
        return x
    check(inplace, values)


def test_shift_bool_tensor_with_int_scalar():
    check(lambda m, x: (x << 1, x >> 1), np.array([True, False]))


@pytest.mark.parametrize("name", BITWISE + ["bitwise_left_shift", "bitwise_right_shift"])
def test_bitwise_errors(name):
    for module in (torch, rustorch):
        with pytest.raises(NotImplementedError):
            getattr(module, name)(module.ones(2), module.ones(2))
        with pytest.raises(RuntimeError):
            getattr(module, name)(module.tensor([1, 2]), module.ones(2))
        with pytest.raises(RuntimeError):
            getattr(module, name)(module.ones(2, dtype=module.float64), 1)
        if "shift" in name:
            with pytest.raises(NotImplementedError):
                getattr(module, name)(module.tensor([True]), module.tensor([True]))
    with pytest.raises(rustorch.RusTorchError):
        getattr(rustorch, name)(rustorch.ones(2), rustorch.ones(2))


def test_bitwise_inplace_cast_error():
    for module in (torch, rustorch):
        with pytest.raises(RuntimeError):
            flags = module.tensor([True, False])
            flags &= module.tensor([1, 2])
