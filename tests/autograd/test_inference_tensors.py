"""Inference tensors (made in ``inference_mode``): which tensors are, and what they may not do
outside inference mode, compared with torch scenario by scenario."""
import numpy as np
import pytest

from tests._oracle import as_numpy, rustorch, torch


def _outcome(action):
    """What ``action()`` gives: its value, or the builtin class of the error it raised."""
    try:
        value = action()
    except (RuntimeError, TypeError, ValueError) as error:
        return ("raised", next(kind for kind in (RuntimeError, TypeError, ValueError)
                               if isinstance(error, kind)))
    if hasattr(value, "shape") and not isinstance(value, np.ndarray):
        return ("tensor", as_numpy(value).tolist(), value.is_inference())
    return ("value", value)


def _which_are_inference(m):
    normal = m.ones(3)
    with m.inference_mode():
        made = m.ones(3)
        computed = normal * 2
        view_of_inference = made[1:]
        view_of_normal = normal.view(3)
        from_data = m.tensor([1.0, 2.0])
        with m.inference_mode(False):
            outside = m.ones(1)
    return [t.is_inference() for t in (normal, made, computed, view_of_inference,
                                       view_of_normal, from_data, outside,
                                       made.detach(), made.clone(), made.to(m.float64),
                                       made.float())] + [m.is_inference(made)]


def test_which_tensors_are_inference_tensors():
    assert _which_are_inference(rustorch) == _which_are_inference(torch)


def _scenarios(m):
    with m.inference_mode():
        made = m.arange(3.0)
        inside_inplace = made.add_(1)  # allowed inside inference mode
        normal = m.ones(2)
        normal.mul_(3)  # a normal tensor may change in place in inference mode too
        view_of_normal = normal.view(2)
        view_of_normal.add_(1)
    weights = m.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def saved_by_backward():  # mul saves both operands
        return (weights * made).sum().backward()

    def not_saved():  # add saves neither
        return (weights + made).requires_grad

    def setitem():
        made[0] = 5.0

    def inplace_in_no_grad():
        with m.no_grad():
            made.add_(1)

    def out_argument():
        return m.add(m.ones(3), 1, out=made)

    def requires_grad_inside():
        with m.inference_mode():
            tensor = m.ones(2, requires_grad=True)
            return tensor.requires_grad, tensor.is_inference(), (tensor * 2).requires_grad

    actions = {
        "inside in-place": lambda: inside_inplace,
        "normal in place in inference mode": lambda: normal,
        "view of normal in place in inference mode": lambda: view_of_normal.is_inference(),
        "saved for backward": saved_by_backward,
        "not saved": not_saved,
        "add_": lambda: made.add_(1),
        "mul_ with a tensor": lambda: made.mul_(m.ones(3)),
        "zero_": lambda: made.zero_(),
        "fill_": lambda: made.fill_(2.0),
        "copy_": lambda: made.copy_(m.zeros(3)),
        "setitem": setitem,
        "in no_grad": inplace_in_no_grad,
        "requires_grad_": lambda: made.requires_grad_(),
        "requires_grad_(False)": lambda: made.requires_grad_(False).requires_grad,
        "Parameter": lambda: m.nn.Parameter(made),
        "Parameter without grad": lambda: m.nn.Parameter(made, requires_grad=False).requires_grad,
        "_version": lambda: made._version,
        "out=": out_argument,  # torch writes out before it raises; rustorch does not write
        "requires grad inside": requires_grad_inside,
        "is_inference of a number": lambda: m.is_inference(3),
        "clone is normal": lambda: made.clone().is_inference(),
        "inference linear": lambda: m.nn.functional.linear(m.ones(1, 3), made.view(1, 3)),
    }
    return {name: _outcome(action) for name, action in actions.items()}, made


def test_inference_tensors_refuse_what_torch_refuses():
    expected, _ = _scenarios(torch)
    actual, made = _scenarios(rustorch)
    for name, outcome in expected.items():
        assert actual[name] == outcome, name
    # torch writes some refused in-place results (fill_, zero_, copy_, out= ...) before it
    # raises; rustorch refuses before writing
    assert made.tolist() == [1.0, 2.0, 3.0]


def test_errors_are_rustorch_errors_with_torch_messages():
    with rustorch.inference_mode():
        made = rustorch.ones(2)
    weights = rustorch.ones(2, requires_grad=True)
    with pytest.raises(rustorch.AutogradError, match="cannot be saved for backward"):
        weights * made
    with pytest.raises(rustorch.AutogradError, match="Inplace update to inference tensor"):
        made.add_(1)
    with pytest.raises(rustorch.AutogradError, match="Setting requires_grad=True"):
        made.requires_grad_()
    with pytest.raises(rustorch.AutogradError, match="do not track version counter"):
        made._version
    with pytest.raises(rustorch.ArgumentTypeError, match="must be Tensor"):
        rustorch.is_inference([1])
    assert made.tolist() == [1.0, 1.0]  # nothing was written by the refused calls


def test_custom_function_cannot_save_an_inference_tensor():
    class Square(rustorch.autograd.Function):
        @staticmethod
        def forward(ctx, x, other):
            ctx.save_for_backward(x, other)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            x, _ = ctx.saved_tensors
            return 2 * x * grad, None

    with rustorch.inference_mode():
        made = rustorch.ones(2)
    with pytest.raises(rustorch.AutogradError, match="cannot be saved for backward"):
        Square.apply(rustorch.ones(2, requires_grad=True), made)


def _grad_modes_in_inference(m):
    x = m.ones(2, requires_grad=True)
    seen = []
    with m.inference_mode():
        with m.enable_grad():
            seen.append((m.is_grad_enabled(), (x * 2).requires_grad))
        with m.no_grad():
            with m.enable_grad():
                seen.append((m.is_grad_enabled(), (x * 2).requires_grad))
        with m.set_grad_enabled(True):
            seen.append((m.is_grad_enabled(), (x * 2).requires_grad))
        with m.inference_mode(False):
            seen.append((m.is_grad_enabled(), (x * 2).requires_grad, m.is_inference_mode_enabled()))
            with m.no_grad():
                seen.append((m.is_grad_enabled(), (x * 2).requires_grad))
        seen.append((m.is_grad_enabled(), (x * 2).requires_grad, m.is_inference_mode_enabled()))
    with m.no_grad():
        with m.inference_mode(False):  # turns grad mode on, even inside no_grad
            seen.append((m.is_grad_enabled(), (x * 2).requires_grad))
        seen.append(m.is_grad_enabled())

    @m.set_grad_enabled(True)
    def decorated():
        return m.is_grad_enabled(), (x * 2).requires_grad
    with m.inference_mode():
        seen.append(decorated())
    seen.append((m.is_grad_enabled(), m.is_inference_mode_enabled()))
    return seen


def test_grad_mode_inside_inference_mode_records_nothing():
    assert _grad_modes_in_inference(rustorch) == _grad_modes_in_inference(torch)
