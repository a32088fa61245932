"""Tensor and Node hooks against torch: modifying grads, leaf and non-leaf, removal."""
import numpy as np
import pytest

from tests._oracle import assert_close, randn, rustorch, torch

X = randn(3, 4, dtype=np.float64, seed=20)


def leaf(m):
    return m.tensor(X.copy(), requires_grad=True)


def both(fn):
    expected = fn(torch)
    actual = fn(rustorch)
    assert_close(actual, expected)
    return actual, expected


def test_leaf_hook_modifies_grad():
    def run(m):
        x = leaf(m)
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()) or g * 2)
        (x * x).sum().backward()
        return seen[0], x.grad
    both(run)


def test_non_leaf_hook_modifies_upstream_grad():
    def run(m):
        x = leaf(m)
        h = x * 3
        h.register_hook(lambda g: g + 1)
        (h * h).sum().backward()
        return x.grad
    both(run)


def test_hook_returning_none_observes_only():
    def run(m):
        x = leaf(m)
        seen = []
        h = x.exp()
        h.register_hook(lambda g: seen.append(g.clone()))
        (h * 2).sum().backward()
        return seen[0], x.grad
    both(run)


def test_handle_remove():
    def run(m):
        x = leaf(m)
        handle = x.register_hook(lambda g: g * 100)
        handle.remove()
        (x * x).sum().backward()
        return x.grad
    both(run)


def test_several_hooks_run_in_order():
    def run(m):
        x = leaf(m)
        x.register_hook(lambda g: g + 1)
        x.register_hook(lambda g: g * 3)
        x.sum().backward()
        return x.grad
    both(run)


def test_hook_with_retain_grad_sees_modified_grad():
    def run(m):
        x = leaf(m)
        h = x * 2
        h.retain_grad()
        h.register_hook(lambda g: g * 10)
        h.sum().backward()
        return h.grad, x.grad
    both(run)


def test_hook_in_autograd_grad():
    def run(m):
        x = leaf(m)
        h = x * 2
        h.register_hook(lambda g: g * 5)
        return m.autograd.grad(h.sum(), x)
    both(run)


def test_register_hook_without_grad_raises():
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError):
            m.tensor(X).register_hook(lambda g: g)


def test_node_hook_and_prehook():
    def run(m):
        x = leaf(m)
        h = x.exp()
        calls = []

        def prehook(grad_outputs):
            calls.append("pre")
            return (grad_outputs[0] * 2,)

        def hook(grad_inputs, grad_outputs):
            calls.append("post")
            return (grad_inputs[0] + 1,)
        h.grad_fn.register_prehook(prehook)
        handle = h.grad_fn.register_hook(hook)
        h.sum().backward(retain_graph=True)
        assert calls == ["pre", "post"]
        first = x.grad.clone()
        handle.remove()
        x.grad = None
        h.sum().backward()
        return first, x.grad
    both(run)


def test_removable_handle_context_manager():
    x = leaf(rustorch)
    with x.register_hook(lambda g: g * 0):
        pass
    x.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), 1.0)


def _post_accumulate_record(m) -> list:
    """When post-accumulate-grad hooks run, with which gradient and grad mode."""
    x = m.ones(3, requires_grad=True)
    calls = []
    handle = x.register_post_accumulate_grad_hook(
        lambda t: calls.append((t.grad.tolist(), m.is_grad_enabled())))
    (x * 2).sum().backward()
    (x * x).sum().backward()
    ((x * 3) + x).sum().backward()           # two paths: one call with the summed gradient
    m.autograd.grad((x * 2).sum(), x)         # accumulates nothing: no call
    (x * 2).sum().backward(inputs=[x])
    x.grad = None
    (x * x).sum().backward(create_graph=True)  # the hook sees grad mode on
    handle.remove()
    (x * 2).sum().backward()
    return calls


def test_post_accumulate_grad_hooks_match_torch():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about create_graph in backward
        assert _post_accumulate_record(rustorch) == _post_accumulate_record(torch)
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError):
            m.ones(2).register_post_accumulate_grad_hook(lambda t: None)
        with pytest.raises(RuntimeError):
            (m.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(
                lambda t: None)
        x = m.ones(2, requires_grad=True)
        x.register_post_accumulate_grad_hook(lambda t: 1)
        with pytest.raises(TypeError):
            (x * 2).sum().backward()
