"""User-defined ``autograd.Function`` against torch: ctx API, dirty/non-differentiable outputs,
materialize_grads, setup_context, once_differentiable, double backward."""
import numpy as np
import pytest

from tests._oracle import assert_close, randn, rustorch, torch

X = randn(3, 4, dtype=np.float64, seed=10)
Y = randn(3, 4, dtype=np.float64, seed=11)


def both(fn):
    expected = fn(torch)
    actual = fn(rustorch)
    assert_close(actual, expected)
    return actual, expected


def leaf(m, array):
    return m.tensor(array.copy(), requires_grad=True)


def functions(m):
    """The same custom Functions, defined against module ``m``."""

    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x ** 3 * scale

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2 * ctx.scale, None

    class MulAdd(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, bias):
            ctx.save_for_backward(x, y)
            ctx.flags = ctx.needs_input_grad
            return x * y + bias

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            return (grad * y if ctx.needs_input_grad[0] else None,
                    grad * x if ctx.needs_input_grad[1] else None, None)

    class AddOneInPlace(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    class SortWithIndex(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, indices = x.sort(dim=-1) if hasattr(x, "sort") else x.max(-1)
            ctx.mark_non_differentiable(indices)
            ctx.save_for_backward(indices)
            return values, indices

        @staticmethod
        def backward(ctx, grad_values, grad_indices):
            (indices,) = ctx.saved_tensors
            result = m.zeros_like(grad_values)
            return result.scatter(-1, indices, grad_values)

    class TwoOutputs(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            ctx.seen = (grad_a is None, grad_b is None)
            total = None
            if grad_a is not None:
                total = grad_a * 2
            if grad_b is not None:
                total = grad_b * 3 if total is None else total + grad_b * 3
            return total

    class Identity(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    class NonTensorOutput(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, factor):
            return x * factor, "label", factor

        @staticmethod
        def backward(ctx, grad, grad_label, grad_factor):
            return grad * 2, None

    class SetupStyle(m.autograd.Function):
        @staticmethod
        def forward(x, y):
            return x * y.exp()

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y = inputs
            ctx.save_for_backward(x, y, output)

        @staticmethod
        def backward(ctx, grad):
            x, y, output = ctx.saved_tensors
            return grad * y.exp(), grad * output

    class OnceSquare(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @m.autograd.function.once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            ctx.grad_mode = m.is_grad_enabled()
            return 2 * x * grad

    return dict(Cube=Cube, MulAdd=MulAdd, AddOneInPlace=AddOneInPlace,
                SortWithIndex=SortWithIndex, TwoOutputs=TwoOutputs, Identity=Identity,
                NonTensorOutput=NonTensorOutput, SetupStyle=SetupStyle, OnceSquare=OnceSquare)


def test_save_for_backward_and_non_tensor_args():
    def run(m):
        x = leaf(m, X)
        y = functions(m)["Cube"].apply(x, 0.5)
        assert type(y.grad_fn).__name__ == "CubeBackward"
        (y * m.tensor(Y)).sum().backward()
        return y, x.grad
    both(run)


def test_needs_input_grad():
    def run(m):
        x, y = leaf(m, X), m.tensor(Y)
        out = functions(m)["MulAdd"].apply(x, y, 2.0)
        assert out.grad_fn.flags == (True, False, False)
        out.sum().backward()
        return out, x.grad
    both(run)


def test_mark_dirty_inplace():
    def run(m):
        x = leaf(m, X)
        h = x * 2
        out = functions(m)["AddOneInPlace"].apply(h)
        assert out is h and h.grad_fn is out.grad_fn
        assert type(h.grad_fn).__name__ == "AddOneInPlaceBackward"
        (out * out).sum().backward()
        return out, x.grad
    both(run)


def test_mark_dirty_on_leaf_raises():
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError, match="leaf Variable"):
            functions(m)["AddOneInPlace"].apply(leaf(m, X))


def test_mark_non_differentiable():
    def run(m):
        x = leaf(m, X)
        values, indices = functions(m)["SortWithIndex"].apply(x)
        assert values.requires_grad and not indices.requires_grad
        (values * m.tensor(Y)).sum().backward()
        return values, indices, x.grad
    both(run)


def test_set_materialize_grads_false():
    def run(m):
        x = leaf(m, X)
        a, b = functions(m)["TwoOutputs"].apply(x)
        a.sum().backward()
        assert a.grad_fn.seen == (False, True)
        return x.grad
    both(run)


def test_materialized_zero_grads_by_default():
    for m in (torch, rustorch):
        class Two(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, grad_a, grad_b):
                assert grad_b is not None and float(grad_b.abs().sum()) == 0
                return grad_a * 2 + grad_b * 3
        x = leaf(m, X)
        Two.apply(x)[0].sum().backward()
        np.testing.assert_allclose(x.grad.cpu().numpy(), 2.0)


def test_returning_an_input_unchanged():
    def run(m):
        x = leaf(m, X)
        y = functions(m)["Identity"].apply(x)
        assert y is not x and not y.is_leaf and x.is_leaf
        y.sum().backward()
        return y, x.grad
    both(run)


def test_non_tensor_outputs():
    def run(m):
        x = leaf(m, X)
        y, label, factor = functions(m)["NonTensorOutput"].apply(x, 3.0)
        assert label == "label" and factor == 3.0
        y.sum().backward()
        return y, x.grad
    both(run)


def test_setup_context_style():
    def run(m):
        x, y = leaf(m, X), leaf(m, Y)
        out = functions(m)["SetupStyle"].apply(x, y)
        (out * out).sum().backward()
        return out, x.grad, y.grad
    both(run)


def test_once_differentiable_runs_without_grad():
    def run(m):
        x = leaf(m, X)
        out = functions(m)["OnceSquare"].apply(x)
        (gradient,) = m.autograd.grad(out.sum(), x, create_graph=True)
        assert out.grad_fn.grad_mode is False
        return gradient
    both(run)


def test_double_backward_through_custom_function():
    def run(m):
        x = leaf(m, X)
        out = functions(m)["Cube"].apply(x, 2.0)
        (gradient,) = m.autograd.grad(out.sum(), x, create_graph=True)
        (second,) = m.autograd.grad((gradient * m.tensor(Y)).sum(), x)
        return gradient, second
    both(run)


def test_saved_tensors_freed_after_backward():
    for m in (torch, rustorch):
        x = leaf(m, X)
        out = functions(m)["Cube"].apply(x, 1.0)
        out.sum().backward()
        with pytest.raises(RuntimeError, match="second time"):
            out.sum().backward()


def test_function_without_saved_tensors_backward_twice():
    def run(m):
        x = leaf(m, X)
        out = functions(m)["Identity"].apply(x + 0)
        out.sum().backward(retain_graph=False)
        out.sum().backward()
        return x.grad
    both(run)


def test_no_grad_inputs_give_plain_outputs():
    for m in (torch, rustorch):
        out = functions(m)["Cube"].apply(m.tensor(X), 1.0)
        assert not out.requires_grad and out.grad_fn is None
        with m.no_grad():
            out = functions(m)["Cube"].apply(leaf(m, X), 1.0)
        assert not out.requires_grad


def test_wrong_number_of_gradients_raises():
    for m in (torch, rustorch):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, grad):
                return grad

        with pytest.raises(RuntimeError, match="incorrect number of gradients"):
            Bad.apply(leaf(m, X), leaf(m, Y)).sum().backward()


def test_gradcheck_of_custom_function():
    x = leaf(rustorch, X)
    cube = functions(rustorch)["Cube"]
    assert rustorch.autograd.gradcheck(lambda t: cube.apply(t, 1.5), (x,))
    assert rustorch.autograd.gradgradcheck(lambda t: cube.apply(t, 1.5), (x,))
