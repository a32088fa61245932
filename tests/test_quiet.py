"""Floating-point exceptions are quiet inside ops and backward, as in PyTorch (no numpy
RuntimeWarning, no FloatingPointError under ``np.seterr(all="raise")``), and the caller's
numpy error handling is back afterwards."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from rustorch import _quiet
from tests._oracle import check

INF, NAN = float("inf"), float("nan")
SPECIAL = np.array([INF, -INF, 0.0, -0.0, NAN, 1e38, -1e38, 2.0], dtype=np.float32)


def ops(m, x, y):
    """Every op here meets inf - inf, 0 / 0, log(0), overflow or a NaN for some value pair."""
    return (x + y, x - y, x * y, x / y, m.exp(x), m.log(x), m.sqrt(x), x.rsqrt(),
            x.reciprocal(), m.tanh(x), m.sigmoid(x), x.pow(y), m.softmax(x, 0),
            m.log_softmax(x, 0), x.sum(), x.mean(), m.nn.functional.silu(x),
            m.div(x, y, rounding_mode="floor"),
            m.nn.functional.cross_entropy(x.view(2, 4), m.tensor([0, 3])))


@pytest.mark.parametrize("numpy_setting", ["warn", "raise"])
def test_ops_and_gradients_with_special_values_are_quiet_and_equal_torch(numpy_setting):
    previous = np.seterr(divide=numpy_setting, over=numpy_setting, invalid=numpy_setting)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check(ops, SPECIAL, SPECIAL[::-1].copy())
            check(lambda m, x: (x * x).sum(), np.array([1e30, -1e30, INF], np.float32))
        assert np.geterr()["invalid"] == numpy_setting  # the caller's setting came back
        with pytest.raises(RuntimeWarning if numpy_setting == "warn" else FloatingPointError):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                np.array([INF]) - np.array([INF])  # numpy outside rustorch is untouched
    finally:
        np.seterr(**previous)


def test_enter_and_leave_nest():
    with np.errstate(divide="raise"):
        outer = _quiet.enter()
        inner = _quiet.enter()
        assert np.geterr()["divide"] == "ignore"
        _quiet.leave(inner)
        assert np.geterr()["divide"] == "ignore"
        _quiet.leave(outer)
        assert np.geterr()["divide"] == "raise"


def test_an_error_inside_an_op_restores_the_setting():
    import rustorch
    with np.errstate(invalid="raise"):
        with pytest.raises(RuntimeError):
            rustorch.ones(2, 3) + rustorch.ones(4, 5)
        assert np.geterr()["invalid"] == "raise"
