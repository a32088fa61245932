"""repr/str of tensors must match PyTorch's output character for character (on a GPU test
device: what torch prints for the tensor on that device, derived from its CPU repr)."""
import re

import numpy as np
import pytest

from tests._oracle import rustorch, torch
from tests.nn._helpers import on_device_tensor_repr

rng = np.random.default_rng(7)

ARRAYS = {
    "int_valued": np.array([1.0, 2.0, -3.0]),
    "fractions": np.array([1.5, -2.25, 3.125]),
    "precision": np.array([1.123456789, 22.5, -0.001]),
    "tiny_sci": np.array([1e-5, 1.0]),
    "big_sci": np.array([1e9, 1.0, -2.5]),
    "ratio_sci": np.array([0.5, 2000.0]),
    "big_ints": np.array([1e7, 2.0, 3.0]),
    "zeros": np.zeros(4),
    "negative_zero": np.array([-0.0, 1.0, 2.5]),
    "negative_zero_only": np.array([-0.0, 0.0]),
    "nan_inf": np.array([np.nan, np.inf, -np.inf, 1.5]),
    "nan_inf_ints": np.array([np.nan, np.inf, 2.0]),
    "only_nan": np.array([np.nan, np.nan]),
    "scalar": np.array(3.0),
    "scalar_fraction": np.array(-0.125),
    "scalar_sci": np.array(1.5e-7),
    "matrix": rng.standard_normal((3, 4)),
    "matrix_ints": np.arange(12.0).reshape(3, 4),
    "cube": rng.standard_normal((2, 3, 4)),
    "four_d": rng.standard_normal((2, 2, 2, 3)),
    "wide_row": rng.standard_normal(30),
    "wide_matrix": rng.standard_normal((3, 25)) * 100,
    "summarized_vector": np.arange(2000.0),
    "summarized_matrix": rng.standard_normal((50, 40)),
    "summarized_cube": rng.standard_normal((20, 10, 10)),
    "summarized_one_long_dim": rng.standard_normal((2, 600)),
    "empty": np.zeros(0),
    "empty_2d": np.zeros((0, 3)),
    "empty_3d": np.zeros((2, 0, 4)),
    "single": np.array([7.0]),
    "column": rng.standard_normal((4, 1)),
    "mixed_sign_sci": np.array([-1e-8, 3e5, 1.0]),
}

DTYPES = ["float32", "float64", "float16", "bfloat16"]


def make(module, array, dtype, requires_grad=False):
    tensor = module.tensor(array.copy(), dtype=getattr(module, dtype))
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def strip_grad_fn(text):
    return re.sub(r"grad_fn=<\w+>", "grad_fn=<>", text)


def assert_same_repr(torch_tensor, rust_tensor):
    expected = strip_grad_fn(on_device_tensor_repr(repr(torch_tensor)))
    actual = strip_grad_fn(repr(rust_tensor))
    assert actual == expected, f"\nrustorch:\n{actual}\ntorch:\n{expected}"
    assert str(rust_tensor) == repr(rust_tensor)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ARRAYS))
def test_float_repr(name, dtype):
    array = ARRAYS[name]
    assert_same_repr(make(torch, array, dtype), make(rustorch, array, dtype))


INTEGER_CASES = {
    "vector": np.array([1, -20, 300]),
    "scalar": np.array(5),
    "matrix": np.arange(-6, 6).reshape(3, 4),
    "long_vector": np.arange(1500),
    "big": np.array([2 ** 40, -1]),
    "empty": np.zeros(0, dtype=np.int64),
    "empty_2d": np.zeros((2, 0), dtype=np.int64),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
@pytest.mark.parametrize("name", sorted(INTEGER_CASES))
def test_integer_repr(name, dtype):
    array = INTEGER_CASES[name]
    if dtype in ("int8", "uint8", "int16") and np.abs(array).max(initial=0) > 100:
        array = array % 100
    assert_same_repr(make(torch, array, dtype), make(rustorch, array, dtype))


@pytest.mark.parametrize("array", [np.array([True, False, True]), np.array(True),
                                   np.array([[True], [False]]), np.zeros(0, dtype=bool),
                                   np.array([True, True])])
def test_bool_repr(array):
    assert_same_repr(torch.tensor(array), rustorch.tensor(array))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("array", [
    np.array([1 + 2j, -3.5 - 0.25j]), np.array(2 - 1j), np.array([[1j, 2], [3, -4j]]),
    np.array([1e-6 + 1j, 3 + 0j]), np.zeros(0, dtype=complex),
], ids=["vector", "scalar", "matrix", "sci", "empty"])
def test_complex_repr(array, dtype):
    assert_same_repr(make(torch, array, dtype), make(rustorch, array, dtype))


def test_requires_grad_and_grad_fn_suffixes():
    array = np.array([[1.5, 2.0], [3.0, 4.0]])
    for dtype in ("float32", "float64"):
        assert_same_repr(make(torch, array, dtype, True), make(rustorch, array, dtype, True))
        torch_result = make(torch, array, dtype, True) * 2
        rust_result = make(rustorch, array, dtype, True) * 2
        assert_same_repr(torch_result, rust_result)
    assert repr(make(rustorch, array, "float32", True) * 2).endswith(
        "grad_fn=<MulBackward0>)")


def test_common_grad_fn_names_match_torch():
    array = np.array([1.0, 2.0])
    for function in (lambda m, x: x * 2, lambda m, x: x + 1, lambda m, x: x.sum(),
                     lambda m, x: x.exp(), lambda m, x: x.mean(), lambda m, x: x / 3,
                     lambda m, x: x - 1, lambda m, x: -x):
        expected = on_device_tensor_repr(repr(function(torch, make(torch, array, "float32",
                                                                     True))))
        actual = repr(function(rustorch, make(rustorch, array, "float32", True)))
        assert actual == expected


def test_suffix_wraps_past_linewidth():
    array = rng.standard_normal((2, 9))
    torch_tensor = make(torch, array, "float64", True)
    rust_tensor = make(rustorch, array, "float64", True)
    assert_same_repr(torch_tensor, rust_tensor)
    assert_same_repr(torch_tensor[0] * 1, rust_tensor[0] * 1)


def test_non_contiguous_and_views():
    array = rng.standard_normal((4, 5))
    torch_tensor, rust_tensor = make(torch, array, "float32"), make(rustorch, array, "float32")
    assert_same_repr(torch_tensor.t(), rust_tensor.t())
    assert_same_repr(torch_tensor[::2, 1:], rust_tensor[::2, 1:])


SETTINGS = [
    dict(precision=2), dict(precision=8), dict(threshold=5), dict(edgeitems=1, threshold=10),
    dict(linewidth=40), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"),
    dict(profile="full"), dict(edgeitems=0, threshold=3),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=[str(s) for s in SETTINGS])
def test_set_printoptions(settings):
    arrays = [np.arange(12.0).reshape(3, 4) / 7, np.arange(20.0), np.array([1e-5, 1.0]),
              rng.standard_normal((3, 4, 5)), np.arange(1200.0).reshape(40, 30)]
    try:
        torch.set_printoptions(**settings)
        rustorch.set_printoptions(**settings)
        assert rustorch.get_printoptions() == torch._tensor_str.get_printoptions()
        for array in arrays:
            assert_same_repr(make(torch, array, "float32"), make(rustorch, array, "float32"))
            int_array = (array * 10).astype(np.int64)
            assert_same_repr(torch.tensor(int_array), rustorch.tensor(int_array))
    finally:
        torch.set_printoptions(profile="default")
        rustorch.set_printoptions(profile="default")


def test_printoptions_context_manager():
    from rustorch._tensor_str import printoptions
    with printoptions(precision=1):
        assert repr(rustorch.tensor([1.25])) == on_device_tensor_repr("tensor([1.2])")
    assert repr(rustorch.tensor([1.25])) == on_device_tensor_repr("tensor([1.2500])")


def test_default_dtype_changes_suffix():
    array = np.array([1.5, 2.0])
    try:
        torch.set_default_dtype(torch.float64)
        rustorch.set_default_dtype(rustorch.float64)
        for dtype in ("float32", "float64", "complex128", "complex64"):
            assert_same_repr(make(torch, array, dtype), make(rustorch, array, dtype))
        assert_same_repr(torch.zeros(0), rustorch.zeros(0))
    finally:
        torch.set_default_dtype(torch.float32)
        rustorch.set_default_dtype(rustorch.float32)


def test_format_protocol():
    assert f"{rustorch.tensor(2.5):.2f}" == f"{torch.tensor(2.5):.2f}"
    assert f"{rustorch.tensor([1.0, 2.0])}" == on_device_tensor_repr(f"{torch.tensor([1.0, 2.0])}")
