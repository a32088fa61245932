"""``tensor.grad = value`` checks the value as PyTorch does (type, dtype, device, size)."""
import numpy as np
import pytest

from tests._oracle import DEVICE, as_numpy, check_error, rustorch, torch


@pytest.mark.parametrize("make_grad", [
    lambda m: m.ones(3, dtype=m.float64),          # dtype
    lambda m: m.ones(4),                           # size
    lambda m: m.ones(1, 3),                        # shape with the same count
    lambda m: 3,                                   # not a tensor
    lambda m: np.ones(3, np.float32),              # not a tensor
    lambda m: m.ones(3, dtype=m.int64),            # integer gradient
], ids=["dtype", "size", "shape", "int", "ndarray", "int64"])
def test_bad_assignment_raises_like_torch_and_keeps_the_old_grad(make_grad):
    def assign(m):
        param = m.zeros(3, requires_grad=True)
        param.grad = m.full((3,), 2.0)
        try:
            param.grad = make_grad(m)
        finally:
            np.testing.assert_array_equal(as_numpy(param.grad), [2.0, 2.0, 2.0])
    check_error(assign)


def test_good_assignment_and_delete_match_torch():
    for m in (torch, rustorch):
        param = m.zeros(2, 3, requires_grad=True)
        value = m.ones(2, 3)
        param.grad = value
        assert param.grad is value
        del param.grad
        assert param.grad is None
        param.grad = None
        assert param.grad is None


def test_integer_tensor_takes_an_integer_grad_like_torch():
    for m in (torch, rustorch):
        values = m.ones(3, dtype=m.int64)
        values.grad = m.ones(3, dtype=m.int64)
        assert values.grad.dtype == m.int64


def test_a_gradient_on_another_device_is_refused():
    other = "cpu" if DEVICE != "cpu" else None
    if other is None and not rustorch.cuda.is_available():
        pytest.skip("needs a second device: run with RUSTORCH_FAKE_CUDA=1 or on a GPU")
    param = rustorch.zeros(3, requires_grad=True, device=DEVICE)
    with pytest.raises(RuntimeError, match="same device"):
        param.grad = rustorch.ones(3, device=other or "cuda")
    assert param.grad is None


def test_backward_still_accumulates_after_assignment():
    param = rustorch.ones(3, requires_grad=True)
    param.grad = rustorch.full((3,), 10.0)
    (param * 2).sum().backward()
    np.testing.assert_array_equal(as_numpy(param.grad), [12.0, 12.0, 12.0])
