"""The shared torch-comparison helper: run the same op in torch and rustorch, compare values,
dtypes, shapes and gradients.

Typical use::

    from tests._oracle import check, randn

    def test_add():
        check(lambda m, x, y: m.add(x, y), randn(3, 4), randn(4))

``fn(module, *tensors)`` is called once with ``torch`` and once with ``rustorch``; arrays are
turned into tensors of each framework (floating ones require grad unless ``grad=False``).

``RUSTORCH_TEST_DEVICE=cuda`` puts rustorch's side on that device (inputs, and through
``tests/conftest.py`` the default device of factory functions); torch stays on the CPU as the
oracle, and results are brought back to the CPU to compare.
"""
from __future__ import annotations

import os

import numpy as np
import torch

import rustorch

__all__ = ["DEVICE", "ON_CPU", "check", "check_error", "randn", "rand", "randint", "to_torch",
           "to_rustorch", "as_numpy", "assert_close", "TOLERANCES", "torch", "rustorch"]

_rng = np.random.default_rng(0)
DEVICE = os.environ.get("RUSTORCH_TEST_DEVICE", "cpu")
ON_CPU = DEVICE == "cpu"

TOLERANCES = {
    "float64": (1e-7, 1e-7), "float32": (1e-4, 1e-5), "float16": (1e-2, 1e-2),
    "bfloat16": (3e-2, 3e-2), "complex64": (1e-4, 1e-5), "complex128": (1e-7, 1e-7),
}


def randn(*shape, dtype=np.float32, seed=None):
    rng = np.random.default_rng(seed) if seed is not None else _rng
    return rng.standard_normal(shape).astype(dtype)


def rand(*shape, low=0.0, high=1.0, dtype=np.float32, seed=None):
    rng = np.random.default_rng(seed) if seed is not None else _rng
    return rng.uniform(low, high, shape).astype(dtype)


def randint(low, high, shape, dtype=np.int64, seed=None):
    rng = np.random.default_rng(seed) if seed is not None else _rng
    return rng.integers(low, high, shape).astype(dtype)


def _torch_dtype(array):
    if array.dtype.name == "bfloat16":
        return torch.bfloat16
    return None


def to_torch(value, requires_grad: bool = False):
    if isinstance(value, np.ndarray):
        if value.dtype.name == "bfloat16":
            tensor = torch.from_numpy(value.astype(np.float32)).to(torch.bfloat16)
        else:
            tensor = torch.from_numpy(value.copy())
        if requires_grad and (tensor.is_floating_point() or tensor.is_complex()):
            tensor.requires_grad_(True)
        return tensor
    return value


def to_rustorch(value, requires_grad: bool = False):
    if isinstance(value, np.ndarray):
        tensor = rustorch.from_numpy(value.copy())
        if DEVICE != "cpu":
            tensor = tensor.to(DEVICE)
        if requires_grad and (tensor.is_floating_point() or tensor.is_complex()):
            tensor.requires_grad_(True)
        return tensor
    return value


def as_numpy(tensor):
    """A host numpy array of a torch or rustorch tensor (detached, copied off a GPU, bfloat16
    widened to float32), or of anything ``numpy.asarray`` takes."""
    if isinstance(tensor, torch.Tensor):
        tensor = tensor.detach().resolve_conj().resolve_neg()  # torch's lazy conjugate views
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        return tensor.numpy()
    array = tensor.detach().cpu().numpy() if isinstance(tensor, rustorch.Tensor) \
        else np.asarray(tensor)
    if array.dtype.name == "bfloat16":
        array = array.astype(np.float32)
    return array


def assert_close(actual, expected, rtol=None, atol=None, what: str = "output",
                 check_dtype: bool = True) -> None:
    """Compare a rustorch result (tensor, number, or nested tuple/list) with torch's."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)), f"{what}: expected a sequence, got {actual!r}"
        assert len(actual) == len(expected), f"{what}: length {len(actual)} != {len(expected)}"
        for index, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, rtol, atol, f"{what}[{index}]", check_dtype)
        return
    if not isinstance(expected, torch.Tensor):
        if isinstance(expected, float) and isinstance(actual, float):
            np.testing.assert_allclose(actual, expected, rtol=rtol or 1e-6, atol=atol or 1e-7)
        else:
            assert actual == expected, f"{what}: {actual!r} != {expected!r}"
        return
    assert isinstance(actual, rustorch.Tensor), f"{what}: expected a Tensor, got {type(actual)}"
    assert tuple(actual.shape) == tuple(expected.shape), \
        f"{what}: shape {tuple(actual.shape)} != torch's {tuple(expected.shape)}"
    expected_dtype = str(expected.dtype).replace("torch.", "")
    if check_dtype:
        assert actual.dtype.name == expected_dtype, \
            f"{what}: dtype {actual.dtype.name} != torch's {expected_dtype}"
    default_rtol, default_atol = TOLERANCES.get(expected_dtype, (0, 0))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    actual_array, expected_array = as_numpy(actual), as_numpy(expected)
    if expected_array.dtype.kind in "fc":
        np.testing.assert_allclose(actual_array, expected_array, rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(actual_array, expected_array, err_msg=what)


def _flatten_outputs(output):
    if isinstance(output, (tuple, list)):
        result = []
        for item in output:
            result.extend(_flatten_outputs(item))
        return result
    return [output]


def check(fn, *inputs, grad: bool = True, rtol=None, atol=None, grad_rtol=None,
          grad_atol=None, check_dtype: bool = True, requires_grad=None, seed: int = 1):
    """Run ``fn(module, *tensors)`` in both frameworks; compare outputs and input gradients.

    ``requires_grad`` may be a list of booleans, one per input (default: every floating
    numpy input). Gradients are taken of ``sum(output * w)`` for fixed random ``w``.
    Returns (rustorch_output, torch_output).
    """
    if requires_grad is None:
        requires_grad = [grad and isinstance(v, np.ndarray) and v.dtype.kind in "fc"
                         or (grad and isinstance(v, np.ndarray) and v.dtype.name == "bfloat16")
                         for v in inputs]
    torch_inputs = [to_torch(v, r) for v, r in zip(inputs, requires_grad)]
    rust_inputs = [to_rustorch(v, r) for v, r in zip(inputs, requires_grad)]
    expected = fn(torch, *torch_inputs)
    actual = fn(rustorch, *rust_inputs)
    assert_close(actual, expected, rtol, atol, "forward", check_dtype)
    if not grad or not any(requires_grad):
        return actual, expected
    rng = np.random.default_rng(seed)
    torch_terms, rust_terms = [], []
    for a, e in zip(_flatten_outputs(actual), _flatten_outputs(expected)):
        if isinstance(e, torch.Tensor) and e.requires_grad and \
                (e.is_floating_point() or e.is_complex()):
            weight = rng.standard_normal(tuple(e.shape)).astype(np.float64)
            torch_terms.append((e * torch.from_numpy(weight).to(e.dtype)).sum())
            rust_terms.append((a * rustorch.from_numpy(weight).to(a.device, a.dtype)).sum())
    if not torch_terms:
        return actual, expected
    torch_total = sum(torch_terms)  # complex when any output is: differentiate its real part
    (torch_total.real if torch_total.is_complex() else torch_total).backward()
    rust_total = rust_terms[0]
    for term in rust_terms[1:]:
        rust_total = rust_total + term
    if rust_total.dtype.is_complex:
        rust_total = rust_total.real
    rust_total.backward()
    for index, (t, r) in enumerate(zip(torch_inputs, rust_inputs)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert r.grad is None or not np.any(as_numpy(r.grad)), \
                    f"input {index}: torch has no gradient but rustorch has one"
                continue
            assert r.grad is not None, f"input {index}: rustorch produced no gradient"
            assert_close(r.grad, t.grad, grad_rtol if grad_rtol is not None else rtol,
                         grad_atol if grad_atol is not None else atol,
                         f"grad of input {index}", check_dtype)
    return actual, expected


def check_error(fn) -> None:
    """``fn(torch)`` raises; ``fn(rustorch)`` must raise a RusTorchError that is also an instance
    of the builtin exception class torch raised (so ``except RuntimeError`` code keeps working)."""
    import pytest
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(rustorch.RusTorchError) as actual:
        fn(rustorch)
    builtin = [c for c in type(expected.value).__mro__ if c.__module__ == "builtins"][0]
    assert isinstance(actual.value, builtin), \
        f"torch raised {type(expected.value).__name__}, rustorch {type(actual.value).__name__}"
