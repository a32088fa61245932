"""autograd.functional (vjp, jvp, jacobian, hessian, vhp, hvp) and anomaly detection vs torch."""
import warnings

import numpy as np
import pytest

from tests._oracle import assert_close, randn, rustorch, torch

X = randn(3, dtype=np.float64, seed=50)
Y = randn(3, dtype=np.float64, seed=51)
V = randn(3, dtype=np.float64, seed=52)
W = randn(2, 3, dtype=np.float64, seed=53)


def t(m, array):
    return m.tensor(array.copy())


def both(fn):
    expected = fn(torch)
    actual = fn(rustorch)
    assert type(actual) is type(expected) or isinstance(expected, torch.Tensor)
    assert_close(actual, expected)
    return actual, expected


FUNCTIONS = {
    "cube": lambda m: (lambda x: x ** 3),
    "matrix": lambda m: (lambda x: t(m, W) @ x.exp()),
    "two_in": lambda m: (lambda x, y: x * y.tanh() + y ** 2),
    "two_out": lambda m: (lambda x: (x.exp(), (x * x).sum())),
    "two_in_two_out": lambda m: (lambda x, y: (x * y, (x + y).sum() * x)),
    "unused_input": lambda m: (lambda x, y: x * 2),
}
SCALAR_FUNCTIONS = {
    "cube_sum": lambda m: (lambda x: (x ** 3).sum()),
    "quadratic": lambda m: (lambda x: (x * (t(m, W).t() @ (t(m, W) @ x))).sum()),
    "two_in": lambda m: (lambda x, y: (x.exp() * y * y).sum()),
    "softplus_like": lambda m: (lambda x: (1 + x.exp()).log().sum()),
}


def inputs_for(m, name, table):
    arity = 2 if "two_in" in name or "unused" in name else 1
    return (t(m, X),) if arity == 1 else (t(m, X), t(m, Y))


def single(inputs):
    return inputs[0] if len(inputs) == 1 else inputs


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_jacobian(name, create_graph):
    def run(m):
        inputs = single(inputs_for(m, name, FUNCTIONS))
        return m.autograd.functional.jacobian(FUNCTIONS[name](m), inputs,
                                              create_graph=create_graph)
    actual, _ = both(run)


def test_jacobian_single_input_in_tuple():
    both(lambda m: m.autograd.functional.jacobian(lambda x: x ** 2, (t(m, X),)))


def test_jacobian_create_graph_is_differentiable():
    def run(m):
        x = m.tensor(X.copy(), requires_grad=True)
        jac = m.autograd.functional.jacobian(lambda z: z ** 3, x, create_graph=True)
        assert jac.requires_grad
        jac.sum().backward()
        return jac, x.grad
    both(run)


def test_jacobian_strict_raises():
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError):
            m.autograd.functional.jacobian(lambda x, y: x * 2, (t(m, X), t(m, Y)), strict=True)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_vjp(name):
    def run(m):
        inputs = inputs_for(m, name, FUNCTIONS)
        outputs = FUNCTIONS[name](m)(*inputs)
        v = tuple(m.ones_like(o) * 0.5 for o in outputs) if isinstance(outputs, tuple) \
            else m.ones_like(outputs) * 0.5 + m.arange(outputs.numel()).reshape(outputs.shape)
        return m.autograd.functional.vjp(FUNCTIONS[name](m), single(inputs), v)
    both(run)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_jvp(name):
    def run(m):
        inputs = inputs_for(m, name, FUNCTIONS)
        v = tuple(t(m, V) for _ in inputs)
        return m.autograd.functional.jvp(FUNCTIONS[name](m), single(inputs), single(v))
    both(run)


def test_vjp_jvp_default_v_for_scalars():
    both(lambda m: m.autograd.functional.vjp(lambda x: (x ** 2).sum(), t(m, X)))
    both(lambda m: m.autograd.functional.jvp(lambda x: x ** 2 * 3, m.tensor(2.0)))
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError):
            m.autograd.functional.vjp(lambda x: x ** 2, t(m, X))


@pytest.mark.parametrize("name", sorted(SCALAR_FUNCTIONS))
def test_hessian(name):
    def run(m):
        inputs = single(inputs_for(m, name, SCALAR_FUNCTIONS))
        return m.autograd.functional.hessian(SCALAR_FUNCTIONS[name](m), inputs)
    both(run)


@pytest.mark.parametrize("product", ["hvp", "vhp"])
@pytest.mark.parametrize("name", sorted(SCALAR_FUNCTIONS))
def test_hessian_vector_products(name, product):
    def run(m):
        inputs = inputs_for(m, name, SCALAR_FUNCTIONS)
        v = tuple(t(m, V) for _ in inputs)
        return getattr(m.autograd.functional, product)(SCALAR_FUNCTIONS[name](m),
                                                       single(inputs), single(v))
    both(run)


def test_hvp_create_graph():
    def run(m):
        x = m.tensor(X.copy(), requires_grad=True)
        _, product = m.autograd.functional.hvp(lambda z: (z ** 4).sum(), x, t(m, V),
                                               create_graph=True)
        product.sum().backward()
        return product, x.grad
    both(run)


def test_bad_arguments():
    for m in (torch, rustorch):
        with pytest.raises(TypeError):
            m.autograd.functional.jacobian(lambda x: x, [1.0])
        with pytest.raises(RuntimeError):
            m.autograd.functional.vjp(lambda x: x * 2, t(m, X), m.ones(2, dtype=m.float64))
        with pytest.raises(RuntimeError):
            m.autograd.functional.hessian(lambda x: x * 2, t(m, X))


# ------------------------------------------------------------------ anomaly detection
class NanBackward(rustorch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * float("nan")


def test_detect_anomaly_names_the_node_and_attaches_forward_trace():
    x = rustorch.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with rustorch.autograd.detect_anomaly():
            assert rustorch.autograd.is_anomaly_enabled()
            y = NanBackward.apply(x)
            with pytest.raises(RuntimeError, match="Function 'NanBackwardBackward' returned nan "
                                                   "values in its 0th output.") as info:
                y.sum().backward()
    assert not rustorch.autograd.is_anomaly_enabled()
    assert isinstance(info.value, rustorch.RusTorchError)
    notes = "".join(getattr(info.value, "__notes__", []))
    assert "Traceback of forward call that caused the error" in notes
    assert "test_functional.py" in notes
    assert any("Error detected in NanBackwardBackward" in str(w.message) for w in caught)


def test_detect_anomaly_builtin_op_nan():
    x = rustorch.tensor([-1.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with rustorch.autograd.detect_anomaly():
            y = x.sqrt()
            with pytest.raises(RuntimeError, match="SqrtBackward0"):
                y.sum().backward()


def test_without_anomaly_nan_passes_silently():
    x = rustorch.ones(2, requires_grad=True)
    NanBackward.apply(x).sum().backward()
    assert np.isnan(x.grad.cpu().numpy()).all()


def test_set_detect_anomaly_function_and_context():
    rustorch.autograd.set_detect_anomaly(True)
    try:
        assert rustorch.autograd.is_anomaly_enabled()
    finally:
        rustorch.autograd.set_detect_anomaly(False)
    assert not rustorch.autograd.is_anomaly_enabled()
    with rustorch.autograd.set_detect_anomaly(True, check_nan=False):
        x = rustorch.ones(2, requires_grad=True)
        NanBackward.apply(x).sum().backward()  # check_nan=False: no error
        assert rustorch.autograd.is_anomaly_enabled()
    assert not rustorch.autograd.is_anomaly_enabled()


def test_anomaly_trace_on_other_backward_errors():
    x = rustorch.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with rustorch.autograd.detect_anomaly():
            h = x * 2
            y = h * h
            h.add_(1)
            with pytest.raises(RuntimeError, match="modified by an inplace operation") as info:
                y.sum().backward()
    assert "Traceback of forward call" in "".join(getattr(info.value, "__notes__", []))
