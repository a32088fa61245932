"""gradcheck / gradgradcheck: the API (as PyTorch's) and float64 checks of core primitives."""
import warnings

import numpy as np
import pytest

import rustorch
from rustorch.autograd import gradcheck, gradgradcheck
from rustorch.autograd.gradcheck import GradcheckError
from tests._oracle import randn, torch

rng = np.random.default_rng(40)


def leaf(*shape, positive=False, requires_grad=True):
    array = rng.standard_normal(shape)
    if positive:
        array = np.abs(array) + 0.5
    return rustorch.tensor(array, requires_grad=requires_grad)


def away_from_kinks(*shape):
    """Values at least 0.1 from 0 and from each other (for abs, relu, max, sort ...)."""
    values = rng.permutation(np.arange(1, int(np.prod(shape)) + 1)) * 0.37 - 2.01
    values[np.abs(values) < 0.1] += 0.2
    return rustorch.tensor(values.reshape(shape), requires_grad=True)


INDEX = rustorch.tensor([[0, 2, 1], [1, 0, 2]])

CASES = {
    "add_broadcast": (lambda a, b: a + b, lambda: (leaf(3, 4), leaf(4))),
    "sub": (lambda a, b: a - b, lambda: (leaf(3, 1), leaf(1, 4))),
    "mul": (lambda a, b: a * b, lambda: (leaf(3, 4), leaf(3, 4))),
    "div": (lambda a, b: a / b, lambda: (leaf(3, 4), leaf(3, 4, positive=True))),
    "pow": (lambda a, b: a ** b, lambda: (leaf(3, positive=True), leaf(3))),
    "pow_scalar": (lambda a: a ** 3, lambda: (leaf(2, 3),)),
    "neg": (lambda a: -a, lambda: (leaf(4),)),
    "exp": (rustorch.exp, lambda: (leaf(3, 2),)),
    "log": (rustorch.log, lambda: (leaf(3, 2, positive=True),)),
    "sqrt": (rustorch.sqrt, lambda: (leaf(5, positive=True),)),
    "rsqrt": (rustorch.rsqrt, lambda: (leaf(5, positive=True),)),
    "abs": (rustorch.abs, lambda: (away_from_kinks(2, 3),)),
    "relu": (rustorch.relu, lambda: (away_from_kinks(2, 3),)),
    "sigmoid": (rustorch.sigmoid, lambda: (leaf(4),)),
    "tanh": (rustorch.tanh, lambda: (leaf(4),)),
    "reciprocal": (rustorch.reciprocal, lambda: (leaf(4, positive=True),)),
    "square": (rustorch.square, lambda: (leaf(4),)),
    "where": (lambda a, b: rustorch.where(a > 0, a, b), lambda: (leaf(3, 3), leaf(3, 3))),
    "maximum": (rustorch.maximum, lambda: (away_from_kinks(6), away_from_kinks(6) * 1.01)),
    "clamp": (lambda a: a.clamp(-1, 1), lambda: (away_from_kinks(8),)),
    "sum_dim": (lambda a: a.sum(1), lambda: (leaf(3, 4),)),
    "sum_keepdim": (lambda a: a.sum((0, 2), keepdim=True), lambda: (leaf(2, 3, 2),)),
    "mean": (lambda a: a.mean(0), lambda: (leaf(3, 4),)),
    "amax": (lambda a: a.amax(1), lambda: (away_from_kinks(3, 4),)),
    "max_dim": (lambda a: a.max(1).values, lambda: (away_from_kinks(3, 4),)),
    "reshape_permute": (lambda a: a.reshape(2, 6).t().reshape(3, 2, 2).permute(2, 0, 1),
                        lambda: (leaf(3, 4),)),
    "expand": (lambda a: a.expand(3, 4) * 2, lambda: (leaf(1, 4),)),
    "narrow_select": (lambda a: a.narrow(1, 1, 2).select(0, 1), lambda: (leaf(3, 4),)),
    "split_chunk": (lambda a: tuple(a.split(2, 1)) + tuple(a.chunk(3, 0)),
                    lambda: (leaf(3, 4),)),
    "unbind": (lambda a: a.unbind(1), lambda: (leaf(2, 3),)),
    "cat_stack": (lambda a, b: (rustorch.cat([a, b], 0), rustorch.stack([a, b], 1)),
                  lambda: (leaf(2, 3), leaf(2, 3))),
    "getitem_basic": (lambda a: a[1:, ::2], lambda: (leaf(3, 4),)),
    "getitem_advanced": (lambda a: a[[0, 2, 0], [1, 1, 3]], lambda: (leaf(3, 4),)),
    "getitem_bool": (lambda a: a[a.detach() > 0], lambda: (leaf(3, 4),)),
    "gather": (lambda a: a.gather(1, INDEX), lambda: (leaf(2, 3),)),
    "scatter_add": (lambda a, b: a.scatter_add(1, INDEX, b), lambda: (leaf(2, 4), leaf(2, 3))),
    "matmul": (lambda a, b: a @ b, lambda: (leaf(3, 4), leaf(4, 2))),
    "bmm": (rustorch.bmm, lambda: (leaf(2, 3, 4), leaf(2, 4, 2))),
    "mv_dot_outer": (lambda a, v: (rustorch.mv(a, v), rustorch.dot(v, v), rustorch.outer(v, v)),
                     lambda: (leaf(3, 4), leaf(4))),
    "addmm": (rustorch.addmm, lambda: (leaf(3, 2), leaf(3, 4), leaf(4, 2))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_primitive(name):
    function, make_inputs = CASES[name]
    assert gradcheck(function, make_inputs())


SECOND_ORDER = ["mul", "div", "pow", "exp", "log", "sqrt", "sigmoid", "tanh", "matmul",
                "sum_dim", "mean", "getitem_advanced", "gather", "where", "max_dim",
                "cat_stack", "reciprocal", "rsqrt"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_gradgradcheck_primitive(name):
    function, make_inputs = CASES[name]
    assert gradgradcheck(function, make_inputs())


def test_fast_mode():
    function, make_inputs = CASES["matmul"]
    assert gradcheck(function, make_inputs(), fast_mode=True)


# ------------------------------------------------------------------ failures and API
class WrongBackward(rustorch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


def test_mismatch_raises_gradcheck_error_with_jacobians():
    x = leaf(3)
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongBackward.apply, (x,))
    message = str(info.value)
    assert "Jacobian mismatch for output 0 with respect to input 0" in message
    assert "numerical:tensor([[2." in message and "analytical:tensor([[3." in message
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, rustorch.RusTorchError)
    assert not gradcheck(WrongBackward.apply, (x,), raise_exception=False)
    with pytest.raises(GradcheckError):
        gradcheck(WrongBackward.apply, (x,), fast_mode=True)


def test_message_format_matches_torch():
    x_t = torch.zeros(2, dtype=torch.float64, requires_grad=True)

    class TorchWrong(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 3
    with pytest.raises(RuntimeError) as expected:
        torch.autograd.gradcheck(TorchWrong.apply, (x_t,))
    with pytest.raises(RuntimeError) as actual:
        gradcheck(WrongBackward.apply, (rustorch.zeros(2, dtype=rustorch.float64,
                                                       requires_grad=True),))
    first_line = str(expected.value).splitlines()[0]
    assert str(actual.value).splitlines()[0] == first_line


def test_gradgradcheck_catches_wrong_double_backward():
    class NotTwiceDifferentiable(rustorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x.detach() ** 2  # detach: second derivative is lost
    x = leaf(3)
    assert gradcheck(NotTwiceDifferentiable.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(NotTwiceDifferentiable.apply, (x,))


def test_requires_some_input_with_grad():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(rustorch.exp, (leaf(3, requires_grad=False),))


def test_float32_warns():
    x = rustorch.tensor(randn(3), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gradcheck(lambda t: t * 2, (x,), eps=1e-3, atol=1e-2, raise_exception=False)
    assert any("double precision" in str(w.message) for w in caught)


def test_non_tensor_and_integer_inputs_are_skipped():
    x = leaf(2, 3)
    assert gradcheck(lambda t, index, scale: t.gather(1, index) * scale,
                     (x, rustorch.tensor([[0], [2]]), 2.5))


def test_single_tensor_input_and_unused_input():
    assert gradcheck(rustorch.tanh, leaf(4))
    assert gradcheck(lambda a, b: a * 2, (leaf(3), leaf(3)))


def test_module_and_function_names():
    import importlib
    module = importlib.import_module("rustorch.autograd.gradcheck")
    assert callable(rustorch.autograd.gradcheck)
    assert rustorch.autograd.gradcheck.gradcheck is rustorch.autograd.gradcheck
    from rustorch.autograd.gradcheck import gradcheck as imported
    assert imported is gradcheck and module.GradcheckError is GradcheckError
    assert rustorch.autograd.gradgradcheck is gradgradcheck


def test_unsupported_options_raise():
    with pytest.raises(rustorch.NotSupportedError):
        gradcheck(rustorch.exp, (leaf(2),), check_forward_ad=True)
