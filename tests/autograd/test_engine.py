"""The backward engine against torch: backward/grad API, retain/create graph, accumulation,
views and in-place (CopySlices), deep graphs, multi-output nodes."""
import numpy as np
import pytest

from tests._oracle import assert_close, randn, rustorch, torch

X = randn(3, 4, dtype=np.float64, seed=3)
Y = randn(3, 4, dtype=np.float64, seed=4)
M = randn(4, 2, dtype=np.float64, seed=5)


def leaf(module, array, requires_grad=True):
    return module.tensor(array.copy(), requires_grad=requires_grad)


def both(fn):
    """Run ``fn(module)`` with torch and rustorch and compare the (nested) results."""
    expected = fn(torch)
    actual = fn(rustorch)
    assert_close(actual, expected)
    return actual, expected


def raises_both(fn, exception=RuntimeError, match=None):
    with pytest.raises(exception, match=match):
        fn(torch)
    with pytest.raises(exception, match=match) as info:
        fn(rustorch)
    assert isinstance(info.value, rustorch.RusTorchError)


# ------------------------------------------------------------------ backward basics
def test_backward_with_gradient_argument():
    def run(m):
        x = leaf(m, X)
        (x * x).backward(m.tensor(Y))
        return x.grad
    both(run)


def test_non_scalar_backward_error():
    raises_both(lambda m: (leaf(m, X) * 2).backward(),
                match="grad can be implicitly created only for scalar outputs")


def test_backward_of_tensor_without_grad_raises():
    raises_both(lambda m: m.tensor(X).sum().backward(), match="does not require grad")


def test_gradient_shape_mismatch_raises():
    raises_both(lambda m: (leaf(m, X) * 2).backward(m.ones(2, 2, dtype=m.float64)),
                match="Mismatch in shape")


def test_second_backward_without_retain_graph_raises():
    def run(m):
        x = leaf(m, X)
        y = x.exp().sum()
        y.backward()
        y.backward()
    raises_both(run, match="Trying to backward through the graph a second time")


def test_second_backward_without_saved_tensors_is_fine():
    def run(m):
        x = leaf(m, X)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    both(run)


def test_retain_graph_and_accumulation():
    def run(m):
        x = leaf(m, X)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        first = x.grad.clone()
        y.backward()
        return first, x.grad
    both(run)


def test_autograd_backward_function_several_roots():
    def run(m):
        x = leaf(m, X)
        a, b = x.tanh(), x * x
        m.autograd.backward([a, b], [m.ones_like(a), m.tensor(Y)])
        return x.grad
    both(run)


# ------------------------------------------------------------------ create_graph
SECOND_ORDER = {
    "cube": lambda m, x: (x ** 3).sum(),
    "exp": lambda m, x: x.exp().sum(),
    "tanh": lambda m, x: m.tanh(x).sum(),
    "sigmoid": lambda m, x: m.sigmoid(x).sum(),
    "matmul": lambda m, x: ((x @ m.tensor(M)) ** 2).sum(),
    "mean": lambda m, x: (x.mean(1) ** 2).sum(),
    "sum_dim": lambda m, x: (x.sum(0) ** 3).sum(),
    "indexing": lambda m, x: (x[1:, ::2] ** 3).sum() + (x[[0, 2], [1, 3]] ** 2).sum(),
    "max": lambda m, x: (x.max(1).values ** 3).sum(),
    "where": lambda m, x: m.where(x > 0, x ** 2, x ** 3).sum(),
    "div": lambda m, x: (1 / (x * x + 1)).sum(),
    "log": lambda m, x: (x * x + 1).log().sum(),
    "sqrt": lambda m, x: (x * x + 1).sqrt().sum(),
    "product": lambda m, x: (x * x.tanh()).sum(),
    "softmax_like": lambda m, x: (x.exp() / x.exp().sum(1, keepdim=True)).pow(2).sum(),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_create_graph_second_derivative(name):
    function = SECOND_ORDER[name]

    def run(m):
        x = leaf(m, X)
        (gradient,) = m.autograd.grad(function(m, x), x, create_graph=True)
        (second,) = m.autograd.grad((gradient * m.tensor(Y)).sum(), x)
        return gradient, second
    both(run)


def test_backward_create_graph_then_grad_of_grad():
    def run(m):
        x = leaf(m, X)
        (x ** 4).sum().backward(create_graph=True)
        first = x.grad
        assert first.requires_grad
        (second,) = m.autograd.grad(first.sum(), x)
        return first, second
    both(run)


# ------------------------------------------------------------------ autograd.grad
def test_grad_allow_unused():
    def run(m):
        x, z = leaf(m, X), leaf(m, Y)
        gx, gz = m.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
        assert gz is None
        return gx
    both(run)
    raises_both(lambda m: m.autograd.grad((leaf(m, X) * 2).sum(), [leaf(m, X)]),
                match="appears to not have been used in the graph")


def test_grad_materialize_grads():
    def run(m):
        x, z = leaf(m, X), leaf(m, Y)
        return m.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    both(run)
    with pytest.raises(ValueError):
        x = leaf(rustorch, X)
        rustorch.autograd.grad(x.sum(), [x], materialize_grads=True, allow_unused=False)


def test_grad_grad_outputs_and_non_leaf_inputs():
    def run(m):
        x = leaf(m, X)
        h = x.tanh()
        y = h * h
        gx, gh = m.autograd.grad(y, [x, h], grad_outputs=m.tensor(Y))
        return gx, gh, x.grad
    both(run)


def test_grad_retain_graph():
    def run(m):
        x = leaf(m, X)
        y = x.exp().sum()
        first = m.autograd.grad(y, x, retain_graph=True)
        second = m.autograd.grad(y, x)
        return first, second
    both(run)
    raises_both(lambda m: [m.autograd.grad(y, x) for x in [leaf(m, X)] for y in [x.exp().sum()]
                           for _ in range(2)], match="second time")


def test_grad_leaves_grad_attribute_alone():
    x = leaf(rustorch, X)
    rustorch.autograd.grad((x * x).sum(), x)
    assert x.grad is None


def test_backward_inputs_argument():
    def run(m):
        x, z = leaf(m, X), leaf(m, Y)
        h = x * z
        h.retain_grad()
        y = (h * h).sum()
        y.backward(inputs=[x], retain_graph=True)
        first = (x.grad.clone(), z.grad)
        y.backward(inputs=[h])
        return first[0], first[1], x.grad, h.grad
    actual, expected = both(lambda m: run(m)[::2])
    assert run(rustorch)[1] is None


def test_backward_empty_inputs_raises():
    raises_both(lambda m: leaf(m, X).sum().backward(inputs=[]), match="cannot be empty")


# ------------------------------------------------------------------ non-leaf grads, flags
def test_retain_grad_on_non_leaf():
    def run(m):
        x = leaf(m, X)
        h = x * 3
        h.retain_grad()
        assert h.retains_grad and not x.retains_grad
        (h * h).sum().backward()
        return h.grad, x.grad
    both(run)


def test_non_leaf_grad_is_none_without_retain():
    x = leaf(rustorch, X)
    h = x * 3
    h.sum().backward()
    assert h.grad is None


def test_is_leaf_requires_grad_and_next_functions():
    for m in (torch, rustorch):
        x = leaf(m, X)
        c = m.tensor(X)
        y = x * c
        assert x.is_leaf and c.is_leaf and not y.is_leaf
        assert y.requires_grad and not c.requires_grad
        (first, _), (second, _) = y.grad_fn.next_functions
        assert type(first).__name__ == "AccumulateGrad" or "AccumulateGrad" in first.name()
        assert second is None
        assert first.variable is x
        z = y.exp().sum()
        assert z.grad_fn.next_functions[0][0].next_functions[0][0] is y.grad_fn


def test_requires_grad_():
    for m in (torch, rustorch):
        x = m.tensor(X)
        assert x.requires_grad_() is x and x.requires_grad
        x.requires_grad_(False)
        assert not x.requires_grad
        y = leaf(m, X) * 2
        with pytest.raises(RuntimeError):
            y.requires_grad_(False)
        with pytest.raises(RuntimeError):
            m.tensor([1, 2]).requires_grad_()


def test_detach_shares_storage_and_version():
    for m in (torch, rustorch):
        x = leaf(m, X)
        y = x * 1
        d = y.detach()
        assert not d.requires_grad and d.grad_fn is None
        d.add_(1)
        assert y._version == d._version == 1
        assert float(y[0, 0]) == float(d[0, 0])
        y.detach_()
        assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_same_tensor_used_twice_and_diamond():
    def run(m):
        x = leaf(m, X)
        a = x.exp()
        b = a * x
        c = a.tanh()
        return m.autograd.grad((b * c + x * x).sum(), x)
    both(run)


def test_unused_branch_and_constant_inputs():
    def run(m):
        x = leaf(m, X)
        unused = x.exp() * 7  # noqa: F841
        y = (x * m.tensor(Y)).sum()
        y.backward()
        return x.grad
    both(run)


@pytest.mark.parametrize("pick", [0, 1, 2])
def test_multi_output_functions_partially_used(pick):
    def run(m):
        x = leaf(m, X)
        parts = [x.split(1, dim=0), x.unbind(1), x.max(1)]
        chosen = parts[pick]
        (chosen[0] * 2).sum().backward()
        return x.grad
    both(run)


def test_unbind_both_outputs_used():
    def run(m):
        x = leaf(m, X)
        a, b, c = x.unbind(0)
        (a * b + c).sum().backward()
        return x.grad
    both(run)


def test_deep_chain_does_not_recurse():
    x = rustorch.ones(3, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), 1.0001 ** 5000, rtol=1e-4)


def test_long_gradient_free_chain_is_skipped_without_recursion():
    x = rustorch.ones(3, requires_grad=True)
    w = rustorch.ones(3, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y + 1
    (grad,) = rustorch.autograd.grad((y * w).sum(), [w])
    np.testing.assert_allclose(grad.cpu().numpy(), 20001.0)
    (y * w).sum().backward(inputs=[w])
    np.testing.assert_allclose(w.grad.cpu().numpy(), 20001.0)
    assert x.grad is None


def test_gradient_dtype_and_broadcast_handled_by_engine():
    def run(m):
        x = m.tensor(X[0].astype(np.float32), requires_grad=True)
        b = m.tensor(Y, requires_grad=True)
        (x * b).sum().backward()
        return x.grad, b.grad
    both(run)


# ------------------------------------------------------------------ in-place and versions
def test_modified_saved_tensor_raises_version_error():
    def run(m):
        x = leaf(m, X)
        h = x * 2
        y = h.exp()  # saves its output
        z = (h * h).sum()  # saves h
        h.add_(1)
        z.backward()
        del y
    raises_both(run, match="modified by an inplace operation")


def test_modified_saved_output_raises():
    def run(m):
        x = leaf(m, X)
        y = x.exp()
        y.mul_(2)
        y.sum().backward()
    raises_both(run, match="modified by an inplace operation")


def test_leaf_inplace_error_and_no_grad_escape():
    raises_both(lambda m: leaf(m, X).add_(1), match="leaf Variable that requires grad")
    raises_both(lambda m: leaf(m, X)[0].mul_(2), match="leaf Variable that requires grad")
    for m in (torch, rustorch):
        x = leaf(m, X)
        with m.no_grad():
            x.mul_(2)
        assert x._version == 1 and x.requires_grad


INPLACE_VIEW_CASES = {
    "row_mul": lambda m, h, x: h[0].mul_(x[1]),
    "slice_add": lambda m, h, x: h[:, 1:3].add_(x[:, :2] * 2),
    "transpose_exp": lambda m, h, x: h.t()[1].exp_(),
    "setitem": lambda m, h, x: h.__setitem__((slice(None), 0), x[:, 3] ** 2),
    "copy": lambda m, h, x: h[1:].copy_(x[:2].tanh()),
    "zero": lambda m, h, x: h[2].zero_(),
    "view_of_view": lambda m, h, x: h[1:][:, 2].mul_(3),
}


@pytest.mark.parametrize("name", sorted(INPLACE_VIEW_CASES))
def test_inplace_on_view_of_non_leaf(name):
    operation = INPLACE_VIEW_CASES[name]

    def run(m):
        x = leaf(m, X)
        h = x * 1.5
        operation(m, h, x)
        assert h.requires_grad and not h.is_leaf
        (h * m.tensor(Y)).sum().backward()
        return h, x.grad
    both(run)


def test_inplace_on_non_leaf_then_backward():
    def run(m):
        x = leaf(m, X)
        h = x * 2
        h.add_(x).mul_(x)
        h.sum().backward()
        return h, x.grad
    both(run)


def test_inplace_view_of_tensor_without_grad():
    def run(m):
        x = leaf(m, X)
        buffer = m.zeros(3, 4, dtype=m.float64)
        buffer[1] = x[0] * 2
        buffer[:, 2].add_(x[:, 1])
        (buffer * buffer).sum().backward()
        return buffer, x.grad
    both(run)


def test_version_counter_shared_by_views():
    for m in (torch, rustorch):
        base = m.zeros(4)
        view = base[1:3]
        view.add_(1)
        assert base._version == view._version == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_array_backward_path_equals_tensor_path_and_torch(dtype):
    """Without create_graph the elementwise nodes compute gradients on arrays; with it, in
    Tensor ops: both agree, and with torch."""
    values = X.astype(dtype)

    def run(m, create_graph):
        x = m.tensor(values, requires_grad=True)
        w = m.tensor(values[::-1].copy(), requires_grad=True)
        y = (m.sigmoid(x * w) + m.tanh(x).exp() * m.relu(w - 0.1) * 3.0).sum()
        return m.autograd.grad(y, (x, w), create_graph=create_graph)

    fast = run(rustorch, False)
    graph = run(rustorch, True)
    expected = run(torch, False)
    for ours, reference, theirs in zip(fast, graph, expected):
        np.testing.assert_array_equal(ours.detach().cpu().numpy(), reference.detach().cpu().numpy())
        tolerance = 1e-2 if dtype == np.float16 else 1e-5
        np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs.detach().cpu().numpy(),
                                   rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("shape", [(), (5,), (600, 600)])
def test_gradients_meeting_at_a_node_are_summed(shape):
    """Several paths into one tensor: the engine sums the gradients (on arrays outside a graph,
    0-d and threaded sizes included; as a recorded add with create_graph)."""
    from tests._oracle import check
    check(lambda m, x: (x * x + x.exp() - x * 3).sum(), randn(*shape, dtype=np.float64))
    x = rustorch.tensor(randn(*shape, dtype=np.float64), requires_grad=True)
    (gradient,) = rustorch.autograd.grad((x * x + x * 2).sum(), x, create_graph=True)
    assert gradient.requires_grad and gradient.shape == x.shape
    (second,) = rustorch.autograd.grad(gradient.sum(), x)
    np.testing.assert_allclose(second.cpu().numpy(), np.full(shape, 2.0))
