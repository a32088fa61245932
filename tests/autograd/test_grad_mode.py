"""Grad modes as context managers and decorators, compared with torch's behaviour."""
import pytest

from tests._oracle import rustorch, torch

MODULES = pytest.mark.parametrize("m", [torch, rustorch], ids=["torch", "rustorch"])


def make(m):
    return m.ones(3, requires_grad=True)


@MODULES
def test_no_grad_context(m):
    x = make(m)
    with m.no_grad():
        assert not m.is_grad_enabled()
        y = x * 2
    assert m.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


@MODULES
def test_enable_grad_inside_no_grad(m):
    x = make(m)
    with m.no_grad():
        with m.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


@MODULES
@pytest.mark.parametrize("parentheses", [True, False])
def test_no_grad_decorator(m, parentheses):
    def function(x):
        return x * 2, m.is_grad_enabled()
    decorated = m.no_grad()(function) if parentheses else m.no_grad(function)
    y, enabled = decorated(make(m))
    assert not enabled and not y.requires_grad and m.is_grad_enabled()
    assert decorated.__name__ == "function"


@MODULES
@pytest.mark.parametrize("parentheses", [True, False])
def test_enable_grad_decorator(m, parentheses):
    def function(x):
        return x * 2
    decorated = m.enable_grad()(function) if parentheses else m.enable_grad(function)
    with m.no_grad():
        y = decorated(make(m))
    assert y.requires_grad


@MODULES
def test_set_grad_enabled_function_and_context(m):
    x = make(m)
    m.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        m.set_grad_enabled(True)
    assert (x * 2).requires_grad
    with m.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert m.is_grad_enabled()
    with m.no_grad():
        with m.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not m.is_grad_enabled()


@MODULES
def test_set_grad_enabled_decorator(m):
    @m.set_grad_enabled(False)
    def function(x):
        return x * 2
    assert m.is_grad_enabled()
    assert not function(make(m)).requires_grad
    assert m.is_grad_enabled()


@MODULES
@pytest.mark.parametrize("parentheses", [True, False])
def test_inference_mode(m, parentheses):
    x = make(m)
    with m.inference_mode():
        assert m.is_inference_mode_enabled() and not m.is_grad_enabled()
        y = x * 2
    assert not y.requires_grad and not m.is_inference_mode_enabled()

    def function(t):
        return t * 2, m.is_inference_mode_enabled()
    decorated = m.inference_mode()(function) if parentheses else m.inference_mode(function)
    z, inside = decorated(x)
    assert inside and not z.requires_grad
    with m.inference_mode(False):
        assert m.is_grad_enabled() and (x * 2).requires_grad


@MODULES
def test_modes_restore_after_exceptions(m):
    with pytest.raises(ValueError):
        with m.no_grad():
            raise ValueError
    assert m.is_grad_enabled()

    @m.no_grad()
    def failing():
        raise KeyError
    with pytest.raises(KeyError):
        failing()
    assert m.is_grad_enabled()


@MODULES
def test_no_grad_generator_decorator(m):
    @m.no_grad()
    def generate():
        for _ in range(2):
            yield m.is_grad_enabled()
    assert list(generate()) == [False, False]
    assert m.is_grad_enabled()


@MODULES
def test_decorated_method(m):
    class Holder:
        @m.no_grad()
        def run(self, x):
            return x * 2
    assert not Holder().run(make(m)).requires_grad


@MODULES
def test_inplace_on_leaf_allowed_under_no_grad(m):
    x = make(m)
    with m.no_grad():
        x.mul_(3)
    assert x.requires_grad and x.is_leaf
    assert x.tolist() == [3.0, 3.0, 3.0]


def _modes_seen_by_threads(m) -> dict:
    """What new threads see while the main thread is in a mode, and what a thread's own switch
    does to the main thread."""
    import threading
    seen = {}

    def record(key):
        x = m.ones(2, requires_grad=True)
        seen[key] = (m.is_grad_enabled(), m.is_inference_mode_enabled(),
                     m.is_anomaly_enabled(), (x * 2).requires_grad)

    def run(target, *args):
        thread = threading.Thread(target=target, args=args)
        thread.start()
        thread.join()

    with m.no_grad():
        run(record, "no_grad")
    with m.inference_mode():
        run(record, "inference")
    m.autograd.set_detect_anomaly(True)
    try:
        run(record, "anomaly")
    finally:
        m.autograd.set_detect_anomaly(False)

    def switch_off():
        m.set_grad_enabled(False)
        seen["switched"] = m.is_grad_enabled()

    run(switch_off)
    seen["main after"] = m.is_grad_enabled()
    return seen


def test_grad_and_inference_modes_are_per_thread_anomaly_is_global():
    assert _modes_seen_by_threads(rustorch) == _modes_seen_by_threads(torch)


@MODULES
def test_set_anomaly_enabled_at_top_level(m):
    try:
        m.set_anomaly_enabled(True, False)
        assert (m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()) == (True, False)
        m.set_anomaly_enabled(True)
        assert m.is_anomaly_check_nan_enabled()
    finally:
        m.set_anomaly_enabled(False)
    assert not m.is_anomaly_enabled()
