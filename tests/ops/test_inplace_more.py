"""The in-place spellings and small Tensor facts of ``_ops/inplace_more.py``, against torch:
values, dtypes and gradients through the in-place op (applied to a non-leaf; ``logical_not_``
to a detached tensor: torch leaves the graph as it was, as if nothing changed the values)."""
import numpy as np
import pytest
import torch

import rustorch
from tests._oracle import as_numpy

A = np.array([[1.0, -2.0, 3.0], [0.5, 2.0, -1.0]])
B = np.array([[2.0, -2.0, 1.0], [0.5, 1.0, 0.0]])
CASES = {
    "eq_": lambda m, x, y: x.eq_(y), "ne_": lambda m, x, y: x.ne_(2.0),
    "lt_": lambda m, x, y: x.lt_(y), "le_": lambda m, x, y: x.le_(y),
    "gt_": lambda m, x, y: x.gt_(0.5), "ge_": lambda m, x, y: x.ge_(y),
    "greater_": lambda m, x, y: x.greater_(y), "less_equal_": lambda m, x, y: x.less_equal_(y),
    "not_equal_": lambda m, x, y: x.not_equal_(y),
    "logical_not_": lambda m, x, y: x.detach().logical_not_(),
    "cumsum_": lambda m, x, y: x.cumsum_(1), "cumprod_": lambda m, x, y: x.cumprod_(0),
    "sgn_": lambda m, x, y: x.sgn_(),
    "addmm_": lambda m, x, y: x.addmm_(y[:, :2], y, beta=0.5, alpha=2.0),
    "addmv_": lambda m, x, y: x[0].addmv_(y.t(), y[:, 1], beta=2.0),
    "addr_": lambda m, x, y: x.addr_(y[:, 0], y[1], alpha=-1.0),
    "baddbmm_": lambda m, x, y: x.unsqueeze(0).baddbmm_(y.unsqueeze(0)[:, :, :2],
                                                        y.unsqueeze(0)[:, :2, :]),
    "addbmm_": lambda m, x, y: x.addbmm_(m.stack([y[:, :2], y[:, 1:]]),
                                         m.stack([y[:2], y[:2] * 2])),
    "true_divide": lambda m, x, y: x.true_divide(y + 3),
}


def _run(module, name):
    x_leaf = module.tensor(A, requires_grad=True)
    y_leaf = module.tensor(B, requires_grad=True)
    x, y = x_leaf * 1.0, y_leaf * 1.0
    result = CASES[name](module, x, y)
    if result.requires_grad:
        (result * module.tensor(np.arange(result.numel(), dtype=np.float64).reshape(
            result.shape) + 1)).sum().backward()
    # force=True: torch's gradient of sgn_ is a ZeroTensor, which plain numpy() refuses
    grads = [None if leaf.grad is None else leaf.grad.numpy(force=True) if module is torch else
             as_numpy(leaf.grad) for leaf in (x_leaf, y_leaf)]
    return as_numpy(result), str(result.dtype).split(".")[-1], grads


@pytest.mark.parametrize("name", sorted(CASES))
def test_inplace_spellings_as_torch(name):
    (expected, expected_dtype, expected_grads) = _run(torch, name)
    (actual, actual_dtype, actual_grads) = _run(rustorch, name)
    assert actual_dtype == expected_dtype
    np.testing.assert_allclose(actual, expected, rtol=1e-12)
    for mine, theirs in zip(actual_grads, expected_grads):
        if theirs is None or not theirs.any():
            assert mine is None or not mine.any()
        else:
            np.testing.assert_allclose(mine, theirs, rtol=1e-12)


def test_inplace_comparison_on_integers_and_leaf_refusal():
    for m in (torch, rustorch):
        values = m.tensor([1, 2, 3])
        assert values.lt_(2.5).tolist() == [1, 1, 0] and values.dtype == m.int64
        with pytest.raises(RuntimeError):
            m.ones(2, requires_grad=True).eq_(1)
        with pytest.raises(RuntimeError):  # bool result of cumsum can't hold 2
            m.tensor([True, True]).cumsum_(0)


def test_tensor_facts():
    for m in (torch, rustorch):
        grid = m.ones(2, 3, 4)
        assert grid.permute(2, 0, 1).dim_order() == (1, 2, 0)
        assert grid.dim_order() == (0, 1, 2)
        assert grid.is_same_size(m.zeros(2, 3, 4)) and not grid.is_same_size(m.zeros(3))
        assert grid.const_data_ptr() == grid.data_ptr()
        fresh = grid.new_empty_strided((2, 2), (1, 2))
        assert fresh.stride() == (1, 2) and fresh.dtype == m.float32
        assert not (grid.is_mps or grid.is_xpu or grid.is_nested or grid.is_sparse_csr)


def test_dim_order_ambiguity_check_as_torch():
    for m in (torch, rustorch):
        assert m.ones(2, 3, 4).dim_order(ambiguity_check=True) == (0, 1, 2)
        assert m.ones(2, 3).t().dim_order(ambiguity_check=True) == (1, 0)
        with pytest.raises(RuntimeError, match="does not have unique dim order"):
            m.ones(2, 1, 4).dim_order(ambiguity_check=True)
    with pytest.raises(NotImplementedError, match="ambiguity_check"):
        rustorch.ones(2).dim_order(ambiguity_check=[rustorch.contiguous_format])
