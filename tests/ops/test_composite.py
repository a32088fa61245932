"""Composite ops (rustorch/_ops/composite.py) against torch: histc, bincount, isin, gradient,
vander, ravel/unravel_index, conj and the conj/neg bits, view_as_real/view_as_complex,
is_nonzero (values, dtypes, shapes, gradients, errors); addcmul/addcdiv and renorm are in
test_composite_pointwise.py."""
from __future__ import annotations

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import check, check_error, randint, randn, rustorch, torch
from tests.ops.test_composite_pointwise import F64, _float, _long


# ----------------------------------------------------------------- histc
HISTC = {
    "auto_range": (_float(1, 2, 1, 4, 2.5, 3), 4, 0, 0),
    "given_range": (_float(1, 2, 1, 4, 2.5, 3), 4, 0, 3),
    "right_edge_closed": (_float(0, 1, 2, 3), 3, 0, 3),
    "outside_ignored": (_float(1, 2, 1, 4, 2.5, 3), 3, 1.5, 2.6),
    "constant": (_float(2, 2, 2), 4, 0, 0),
    "equal_nonzero_bounds": (_float(1, 2, 1, 4, 2.5, 3), 3, 2, 2),
    "empty": (_float(), 4, 0, 0),
    "zero_dim": (np.array(1.0, np.float32), 3, 0, 0),
    "two_dim": (_float(1, 2, 3, 4, 5, 6).reshape(2, 3), 3, 0, 0),
    "tenths": (_float(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0), 10, 0.1, 1.0),
    "nan_outside_range": (_float(1, np.nan, 2), 4, 0, 3),
    "inf_outside_range": (_float(1, np.inf, -np.inf), 4, 0, 3),
}


@pytest.mark.parametrize("case", HISTC)
def test_histc(case):
    data, bins, low, high = HISTC[case]
    check(lambda m, x: m.histc(x, bins=bins, min=low, max=high), data, grad=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, "bfloat16"])
@pytest.mark.parametrize("bins, low, high", [(7, 0, 0), (10, -1, 1.3), (13, 0.1, 0.9)])
def test_histc_bin_edges_match_torch(dtype, bins, low, high):
    """Values on or near bin edges fall into the same bins as in torch."""
    values = np.concatenate([np.linspace(-1.2, 1.4, 101), randint(-10, 11, (50,)) / 10])
    if dtype == "bfloat16":
        values = values.astype(rustorch.bfloat16.numpy)
    check(lambda m, x: m.histc(x, bins, low, high), values.astype(
        values.dtype if dtype == "bfloat16" else dtype), grad=False)


def test_histc_method_out_and_no_gradient():
    x = randn(20)
    check(lambda m, a: a.histc(5, -1, 1), x, grad=False)
    check(lambda m, a: m.histc(a, 5, out=m.empty(5)), x, grad=False)
    result = rustorch.histc(rustorch.tensor(x, requires_grad=True), 5)
    assert not result.requires_grad


@pytest.mark.parametrize("case", [
    lambda m: m.histc(m.tensor([1, 2, 3]), bins=4),
    lambda m: m.histc(m.tensor([1j]), bins=4),
    lambda m: m.histc(m.ones(3), bins=0),
    lambda m: m.histc(m.ones(3), bins=-1),
    lambda m: m.histc(m.ones(3), bins=3.0),
    lambda m: m.histc(m.ones(3), bins=3, min=3, max=1),
    lambda m: m.histc(m.ones(3), bins=3, min=2),
    lambda m: m.histc(m.tensor([1.0, float("nan")]), bins=3),
    lambda m: m.histc(m.tensor([1.0, float("inf")]), bins=3),
    lambda m: m.histc(m.ones(3), bins=3, min=0, max=float("inf")),
])
def test_histc_errors(case):
    check_error(case)


# ----------------------------------------------------------------- bincount
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8])
@pytest.mark.parametrize("minlength", [0, 2, 9])
def test_bincount(dtype, minlength):
    check(lambda m, x: m.bincount(x, minlength=minlength), randint(0, 6, (20,)).astype(dtype),
          grad=False)


@pytest.mark.parametrize("weight_dtype", [np.float32, np.float64, np.float16, "bfloat16",
                                          np.int64, np.int32, np.uint8, np.bool_])
def test_bincount_weights_dtype(weight_dtype):
    """float32 weights give float32, every other weight dtype float64 (as torch)."""
    weights = randint(0, 5, (4,))
    weights = weights.astype(rustorch.bfloat16.numpy if weight_dtype == "bfloat16"
                             else weight_dtype)
    check(lambda m, x, w: m.bincount(x, weights=w), _long(0, 1, 1, 3), weights, grad=False)


@pytest.mark.parametrize("case", [
    lambda m: m.bincount(m.tensor([], dtype=m.int64)),
    lambda m: m.bincount(m.tensor([], dtype=m.int64), minlength=3),
    lambda m: m.bincount(m.tensor([], dtype=m.int64), weights=m.tensor([])),
    lambda m: m.bincount(m.tensor([], dtype=m.int64), weights=m.tensor([]), minlength=2),
    lambda m: m.bincount(m.tensor([0, 1, 1, 3]), m.tensor([0.5, np.nan, 1.0, 2.0]), 6),
    lambda m: m.tensor([0, 1, 1, 3]).bincount(None, 2),
])
def test_bincount_cases(case):
    check(lambda m: case(m), grad=False)


@pytest.mark.parametrize("case", [
    lambda m: m.bincount(m.tensor([-1, 2])),
    lambda m: m.bincount(m.tensor([[1, 2]])),
    lambda m: m.bincount(m.tensor(1)),
    lambda m: m.bincount(m.tensor([1.0, 2.0])),
    lambda m: m.bincount(m.tensor([True, False])),
    lambda m: m.bincount(m.tensor([0, 1]), minlength=-1),
    lambda m: m.bincount(m.tensor([0, 1]), minlength=2.0),
    lambda m: m.bincount(m.tensor([0, 1]), weights=m.ones(3)),
    lambda m: m.bincount(m.tensor([0, 1]), weights=m.ones(2, 1)),
    lambda m: m.bincount(m.tensor([0, 1]), weights=[1.0, 2.0]),
    lambda m: m.bincount([0, 1]),
    lambda m: m.bincount(m.tensor([0, 1]), weights=m.ones(2, requires_grad=True)).sum()
    .backward(),
])
def test_bincount_errors(case):
    check_error(case)


# ----------------------------------------------------------------- isin
ISIN = {
    "basic": lambda m: m.isin(m.tensor([[1, 2], [3, 4]]), m.tensor([2, 3])),
    "invert": lambda m: m.isin(m.tensor([[1, 2], [3, 4]]), m.tensor([2, 3]), invert=True),
    "assume_unique": lambda m: m.isin(m.tensor([1, 2, 3]), m.tensor([3, 1]),
                                      assume_unique=True),
    "scalar_test": lambda m: m.isin(m.tensor([[1, 2], [3, 4]]), 2),
    "scalar_element": lambda m: m.isin(2, m.tensor([2, 3])),
    "float_scalar_test": lambda m: m.isin(m.tensor([1, 2]), 2.0),
    "fractional_scalar": lambda m: m.isin(m.tensor([1, 2]), 2.5),
    "mixed_dtypes": lambda m: m.isin(m.tensor([1, 2, 3]), m.tensor([2.0, 3.5])),
    "float_vs_double": lambda m: m.isin(m.tensor([0.1]), m.tensor(np.array([0.1]))),
    "float_vs_python_float": lambda m: m.isin(m.tensor([0.1]), 0.1),
    "int8_wraps_scalar": lambda m: m.isin(m.tensor([1], dtype=m.int8), 257),
    "uint8_vs_long": lambda m: m.isin(m.tensor([255], dtype=m.uint8), m.tensor([-1])),
    "nan_never_matches": lambda m: m.isin(m.tensor([np.nan, 1.0]), m.tensor([np.nan, 1.0])),
    "signed_zero": lambda m: m.isin(m.tensor([-0.0]), m.tensor([0.0])),
    "empty_elements": lambda m: m.isin(m.tensor([]), m.tensor([1.0])),
    "empty_test": lambda m: m.isin(m.tensor([1.0]), m.tensor([])),
    "zero_dim": lambda m: m.isin(m.tensor(2), m.tensor([2, 3])),
    "two_dim_test": lambda m: m.isin(m.tensor([1, 2, 3, 4]), m.tensor([[2], [4]])),
    "half": lambda m: m.isin(m.tensor([1.0, 2.0], dtype=m.float16), m.tensor([1.0])),
    "bfloat16": lambda m: m.isin(m.tensor([1.0, 2.5], dtype=m.bfloat16), m.tensor([2.5])),
    "out": lambda m: m.isin(m.tensor([1, 2]), m.tensor([2]), out=m.empty(2, dtype=m.bool)),
}


@pytest.mark.parametrize("case", ISIN)
def test_isin(case):
    check(lambda m: ISIN[case](m), grad=False)


def test_isin_random_and_no_gradient():
    elements, test_elements = randint(0, 20, (5, 6)), randint(0, 20, (7,))
    check(lambda m, a, b: m.isin(a, b), elements, test_elements, grad=False)
    result = rustorch.isin(rustorch.ones(2, requires_grad=True), rustorch.ones(1))
    assert result.dtype is rustorch.bool and not result.requires_grad


@pytest.mark.parametrize("case", [
    lambda m: m.isin(2, 3),
    lambda m: m.isin(m.tensor([1, 2]), [2]),
    lambda m: m.isin(m.tensor([True]), m.tensor([True])),
    lambda m: m.isin(m.tensor([1, 2]), m.tensor([True])),
    lambda m: m.isin(m.tensor([1, 2]), True),
    lambda m: m.isin(m.tensor([1j]), m.tensor([1j])),
    lambda m: m.isin(m.tensor([1.0]), 1j),
])
def test_isin_errors(case):
    check_error(case)


# ----------------------------------------------------------------- gradient
COORDINATES = _float(0, 1, 3, 4, 7)
GRADIENT = {
    "default": (lambda m, x: m.gradient(x), (5,)),
    "scalar_spacing": (lambda m, x: m.gradient(x, spacing=2.0), (5,)),
    "int_spacing": (lambda m, x: m.gradient(x, spacing=2), (5,)),
    "negative_spacing": (lambda m, x: m.gradient(x, spacing=-0.5), (5,)),
    "zero_dim_tensor_spacing": (lambda m, x: m.gradient(x, spacing=m.tensor(2.0)), (5,)),
    "list_spacing": (lambda m, x: m.gradient(x, spacing=[2.0]), (5,)),
    "coordinates": (lambda m, x: m.gradient(x, spacing=(m.tensor(COORDINATES),)), (5,)),
    "edge_order_2": (lambda m, x: m.gradient(x, edge_order=2), (5,)),
    "coordinates_edge_2": (lambda m, x: m.gradient(x, spacing=[m.tensor(COORDINATES)],
                                                   edge_order=2), (5,)),
    "size_two": (lambda m, x: m.gradient(x), (2,)),
    "size_three_edge_2": (lambda m, x: m.gradient(x, edge_order=2), (3,)),
    "matrix": (lambda m, x: m.gradient(x), (3, 4)),
    "matrix_dim": (lambda m, x: m.gradient(x, dim=1), (3, 4)),
    "matrix_dim_list": (lambda m, x: m.gradient(x, dim=[-1]), (3, 4)),
    "matrix_dims_reordered": (lambda m, x: m.gradient(x, dim=(1, 0), edge_order=2), (3, 4)),
    "matrix_spacings": (lambda m, x: m.gradient(x, spacing=[2.0, 3]), (3, 4)),
    "matrix_spacing_and_dim": (lambda m, x: m.gradient(x, spacing=[0.5], dim=1), (3, 4)),
    "matrix_coordinates": (lambda m, x: m.gradient(x, spacing=(
        m.tensor([0.0, 1, 3]), m.tensor([0.0, 2, 3, 5])), edge_order=2), (3, 4)),
    "three_dim": (lambda m, x: m.gradient(x, dim=(0, 2)), (3, 2, 4)),
    "empty_other_dim": (lambda m, x: m.gradient(x, dim=1), (0, 3)),
    "singleton_other_dim": (lambda m, x: m.gradient(x, dim=1), (1, 3)),
    "zero_dim_input": (lambda m, x: m.gradient(x), ()),
    "no_dims": (lambda m, x: m.gradient(x, dim=[]), (3, 4)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", GRADIENT)
def test_gradient(case, dtype):
    function, shape = GRADIENT[case]
    result, expected = check(function, randn(*shape, dtype=dtype))
    assert type(result) is tuple and len(result) == len(expected)


GRADIENT_DTYPES = {
    "int": lambda m: m.gradient(m.tensor([1, 2, 4, 8])),
    "int_edge_2": lambda m: m.gradient(m.tensor([1, 2, 4, 9]), edge_order=2),
    "int32_float_spacing": lambda m: m.gradient(m.tensor([1, 5, 2], dtype=m.int32),
                                                spacing=2.5),
    "int8": lambda m: m.gradient(m.tensor([1, 2, 4], dtype=m.int8)),
    "int_coordinates": lambda m: m.gradient(m.tensor([1, 2, 4, 8]),
                                            spacing=[m.tensor([0, 1, 3, 4])]),
    "int_coordinates_edge_2": lambda m: m.gradient(m.tensor([1, 2, 4]),
                                                   spacing=[m.tensor([0, 1, 3])], edge_order=2),
    "float_double_coordinates": lambda m: m.gradient(
        m.tensor([1.0, 2, 4, 8]), spacing=(m.tensor([0, 1, 3, 4.0], dtype=m.float64),)),
    "double_float_coordinates": lambda m: m.gradient(
        m.tensor([1.0, 2, 4, 8], dtype=m.float64), spacing=(m.tensor([0, 1, 3, 4.0]),)),
    "half_float_coordinates": lambda m: m.gradient(m.tensor([1.0, 2, 4], dtype=m.float16),
                                                   spacing=[m.tensor([0.0, 1, 3])]),
    "half": lambda m: m.gradient(m.tensor([1.0, 2, 4], dtype=m.float16)),
    "complex": lambda m: m.gradient(m.tensor([1j, 2, 3 + 1j])),
    "complex_spacing": lambda m: m.gradient(m.tensor([1.0, 2, 4]), spacing=1j),
    "spacing_zero": lambda m: m.gradient(m.tensor([1.0, 2, 4]), spacing=0.0),
    "spacing_none": lambda m: m.gradient(m.tensor([1.0, 2, 4]), spacing=None),
}


@pytest.mark.parametrize("case", GRADIENT_DTYPES)
def test_gradient_dtypes(case):
    check(lambda m: GRADIENT_DTYPES[case](m), grad=False)


@pytest.mark.parametrize("case", [
    lambda m: m.gradient(m.ones(5), edge_order=3),
    lambda m: m.gradient(m.ones(5), edge_order=0),
    lambda m: m.gradient(m.ones(3, 4), spacing=[2.0]),
    lambda m: m.gradient(m.ones(3, 4), spacing=[1.0, 2.0, 3.0], dim=1),
    lambda m: m.gradient(m.ones(3, 4), spacing=[m.arange(4.0), m.arange(3.0)], dim=1),
    lambda m: m.gradient(m.ones(3, 4), spacing=[2.0, m.arange(4.0)]),
    lambda m: m.gradient(m.ones(5), spacing=(m.ones(5, 1),)),
    lambda m: m.gradient(m.ones(5), spacing=(m.tensor(2.0),)),
    lambda m: m.gradient(m.ones(5), spacing=m.arange(5.0)),
    lambda m: m.gradient(m.ones(3, 4), dim=(1, 1)),
    lambda m: m.gradient(m.ones(3, 4), dim=2),
    lambda m: m.gradient(m.tensor(1.0), dim=0),
    lambda m: m.gradient(m.ones(1)),
    lambda m: m.gradient(m.ones(2), edge_order=2),
    lambda m: m.gradient(m.ones(1, 3)),
    lambda m: m.gradient(m.ones(0, 3), dim=0),
    lambda m: m.gradient(m.ones(3, dtype=m.uint8)),
    lambda m: m.gradient(m.tensor([True, False, True])),
])
def test_gradient_errors(case):
    check_error(case)


def test_gradient_coordinates_of_wrong_length_are_refused():
    # torch silently returns a wrongly shaped result here; rustorch says what is wrong
    with pytest.raises(RuntimeError, match="one coordinate per element"):
        rustorch.gradient(rustorch.ones(3, 4), spacing=(rustorch.arange(2.0),
                                                         rustorch.arange(4.0)))


# ----------------------------------------------------------------- vander
VANDER_INPUTS = {"float": _float(1, 2, 3), "with_zero": _float(0, 2, -1.5),
                 "double": _float(0.5, -2, 3, 1, dtype=F64), "half": _float(1, 2, 3,
                                                                            dtype=np.float16),
                 "int": _long(1, 2, 3), "int8": np.array([1, -2, 3], np.int8),
                 "uint8": np.array([1, 2, 3], np.uint8), "bool": np.array([True, False]),
                 "complex": np.array([1j, 2 - 1j], np.complex64),
                 "empty": _float()}


@pytest.mark.parametrize("increasing", [False, True])
@pytest.mark.parametrize("count", [None, 0, 1, 2, 5])
@pytest.mark.parametrize("case", VANDER_INPUTS)
def test_vander_values(case, count, increasing):
    check(lambda m, x: m.vander(x, N=count, increasing=increasing), VANDER_INPUTS[case],
          grad=False)


def _vander_reference(module, x, count, increasing):
    """torch.vander's own backward fails in torch 2.13; compare with powers built by hand."""
    if module is rustorch:
        return rustorch.vander(x, count, increasing)
    exponents = range(count) if increasing else range(count - 1, -1, -1)
    return torch.stack([x ** k if k else torch.ones_like(x) for k in exponents], 1)


@pytest.mark.parametrize("increasing", [False, True])
@pytest.mark.parametrize("count", [1, 2, 4])
def test_vander_gradient(count, increasing):
    check(lambda m, x: _vander_reference(m, x, count, increasing), _float(0, 2, -1.5, 0.5))


def test_vander_gradcheck():
    x = rustorch.tensor([0.0, 0.7, -1.3, 2.0], dtype=rustorch.float64, requires_grad=True)
    assert gradcheck(lambda t: rustorch.vander(t, N=4), (x,))
    assert gradgradcheck(lambda t: rustorch.vander(t, N=3, increasing=True), (x,))


@pytest.mark.parametrize("case", [
    lambda m: m.vander(m.ones(3), N=-1),
    lambda m: m.vander(m.ones(2, 2)),
    lambda m: m.vander(m.tensor(2.0)),
])
def test_vander_errors(case):
    check_error(case)


# ----------------------------------------------------------------- ravel / unravel_index
@pytest.mark.parametrize("view", [lambda x: x, lambda x: x.t(), lambda x: x[:, ::2],
                                  lambda x: x[0, 0]])
def test_ravel(view):
    check(lambda m, x: m.ravel(view(x)), randn(3, 4))
    check(lambda m, x: view(x).ravel(), randn(3, 4))


def test_ravel_shares_memory_when_contiguous():
    base = rustorch.arange(6.0).reshape(2, 3)
    flat = base.ravel()
    assert flat.data_ptr() == base.data_ptr()
    flat[0] = 100.0
    assert base[0, 0].item() == 100.0
    copied = base.t().ravel()
    assert copied.is_contiguous() and copied.tolist() == [100.0, 3, 1, 4, 2, 5]
    copied[0] = -1.0
    assert base[0, 0].item() == 100.0


UNRAVEL = {
    "vector": lambda m: m.unravel_index(m.tensor([4, 1]), (2, 3)),
    "zero_dim": lambda m: m.unravel_index(m.tensor(4), (2, 3)),
    "wraps_past_end": lambda m: m.unravel_index(m.tensor([6, 13]), (2, 3)),
    "negative": lambda m: m.unravel_index(m.tensor([-1, -7]), (2, 3)),
    "int32": lambda m: m.unravel_index(m.tensor([1, 5], dtype=m.int32), (2, 3)),
    "uint8": lambda m: m.unravel_index(m.tensor([1, 5], dtype=m.uint8), [2, 3]),
    "int_shape": lambda m: m.unravel_index(m.tensor([4]), 6),
    "size_shape": lambda m: m.unravel_index(m.tensor([[4, 1], [0, 5]]), m.Size([2, 3])),
    "three_dims": lambda m: m.unravel_index(m.arange(24), (2, 3, 4)),
    "empty_shape": lambda m: m.unravel_index(m.tensor(0), ()),
    "zero_size_no_indices": lambda m: m.unravel_index(m.tensor([], dtype=m.int64), (2, 0)),
    "huge": lambda m: m.unravel_index(m.tensor([4, 1]), (2**40, 2**40)),
}


@pytest.mark.parametrize("case", UNRAVEL)
def test_unravel_index(case):
    result, _ = check(lambda m: UNRAVEL[case](m), grad=False)
    assert type(result) is tuple


@pytest.mark.parametrize("case", [
    lambda m: m.unravel_index(m.tensor([1.0]), (2, 3)),
    lambda m: m.unravel_index(m.tensor([True]), (2, 3)),
    lambda m: m.unravel_index(m.tensor([1]), (2, -3)),
    lambda m: m.unravel_index(m.tensor([1]), (2.0, 3)),
    lambda m: m.unravel_index(m.tensor([1]), m.tensor([2, 3])),
    lambda m: m.unravel_index(m.tensor(0), (2, 0)),
])
def test_unravel_index_errors(case):
    check_error(case)


# ----------------------------------------------------------------- conj and the lazy bits
def test_conj_and_resolve():
    z = np.array([1 + 2j, -3j], np.complex64)
    check(lambda m, x: m.conj(x).resolve_conj(), z, grad=False)
    check(lambda m, x: m.resolve_conj(m.conj(x)), z, grad=False)
    gradients = []
    for module in (torch, rustorch):  # torch's gradient carries its conj bit: compare by hand
        x = module.tensor(z, requires_grad=True)
        (module.conj(x) * module.tensor([2 + 1j, -1j])).real.sum().backward()
        gradients.append(x.grad.resolve_conj().tolist())
    assert gradients[0] == gradients[1]
    check(lambda m, x: m.resolve_neg(x).resolve_conj(), z)
    real, integer = rustorch.ones(3), rustorch.tensor([1, 2])
    assert rustorch.conj(real) is real and rustorch.conj(integer) is integer
    for tensor in (real, rustorch.tensor(z)):
        assert rustorch.resolve_conj(tensor) is tensor and tensor.resolve_neg() is tensor
        assert rustorch.is_conj(tensor) is False and tensor.is_neg() is False
        assert tensor.is_conj() is False and rustorch.is_neg(tensor) is False


@pytest.mark.parametrize("name", ["conj", "resolve_conj", "resolve_neg", "is_conj", "is_neg",
                                  "is_nonzero", "view_as_real", "view_as_complex"])
def test_tensor_arguments_are_required(name):
    check_error(lambda m: getattr(m, name)(1))


# ----------------------------------------------------------------- view_as_real / complex
def test_view_as_real_values_gradients_and_memory():
    z = np.array([[1 + 2j, 3 - 1j], [0.5j, -2]], np.complex64)
    check(lambda m, x: m.view_as_real(x), z)
    check(lambda m, x: m.view_as_real(x.t()), z)
    check(lambda m, x: m.view_as_real(x[0, 1]), z)
    check(lambda m, x: m.view_as_real(x), z.astype(np.complex128))
    check(lambda m, x: m.view_as_real(x), np.zeros((0, 3), np.complex64))
    source = rustorch.tensor(z)
    real = rustorch.view_as_real(source)
    assert real.data_ptr() == source.data_ptr() and real.stride() == (4, 2, 1)
    real[0, 1, 1] = 9.0
    assert source[0, 1].item() == 3 + 9j
    assert source._version == real._version == 1
    assert rustorch.view_as_real(source.t()).stride() == (2, 4, 1)


def test_view_as_complex_values_gradients_and_memory():
    pairs = randn(3, 2)
    check(lambda m, x: m.view_as_complex(x), pairs)
    check(lambda m, x: m.view_as_complex(x[0]), pairs)
    check(lambda m, x: m.view_as_complex(x), pairs.astype(F64))
    check(lambda m, x: m.view_as_complex(x[:, :2]), randn(3, 4))
    check(lambda m: m.view_as_complex(m.zeros(0, 2)))
    source = rustorch.tensor(pairs)
    complex_view = rustorch.view_as_complex(source)
    assert complex_view.data_ptr() == source.data_ptr()
    complex_view[0] = 5 + 6j
    assert source[0].tolist() == [5.0, 6.0]
    assert rustorch.view_as_real(complex_view).data_ptr() == source.data_ptr()


def test_complex_views_round_trip_gradients():
    check(lambda m, x: m.view_as_real(m.view_as_complex(x) * m.tensor(2j)), randn(4, 2))
    check(lambda m, x: m.view_as_complex(m.view_as_real(x) * 3).abs(),
          np.array([1 + 2j, -1j], np.complex64))
    x = rustorch.tensor(randn(3, 2).astype(F64), requires_grad=True)

    def square(t):
        complex_view = rustorch.view_as_complex(t)
        return rustorch.view_as_real(complex_view * complex_view)

    assert gradcheck(square, (x,))


def test_inplace_writes_through_complex_views_keep_gradients():
    def scale_real_view(m, x):
        result = x * 1
        m.view_as_real(result)[:, 1].mul_(2)  # doubles the imaginary parts
        return result

    def rotate_complex_view(m, x):
        result = x * 1
        m.view_as_complex(result)[1:].mul_(m.tensor(1j))
        return result

    check(scale_real_view, (randn(3) + 1j * randn(3)).astype(np.complex64))
    check(rotate_complex_view, randn(3, 2))


@pytest.mark.parametrize("case", [
    lambda m: m.view_as_real(m.ones(2)),
    lambda m: m.view_as_complex(m.ones(2, 3)),
    lambda m: m.view_as_complex(m.tensor(1.0)),
    lambda m: m.view_as_complex(m.ones(2, 2, dtype=m.int64)),
    lambda m: m.view_as_complex(m.ones(2, 2, dtype=m.bfloat16)),
    lambda m: m.view_as_complex(m.ones(2, 2, dtype=m.complex64)),
    lambda m: m.view_as_complex(m.ones(2, 2).t()),
    lambda m: m.view_as_complex(m.ones(3, 4)[:, ::2]),
    lambda m: m.view_as_complex(m.ones(7)[1:].reshape(3, 2)),
    lambda m: m.view_as_complex(m.ones(3, 3)[:, :2]),
])
def test_complex_view_errors(case):
    check_error(case)


def test_view_as_complex_half_is_refused_clearly():
    # torch gives complex32, a dtype rustorch does not have
    with pytest.raises(rustorch.NotSupportedError, match="complex32"):
        rustorch.view_as_complex(rustorch.ones(2, 2, dtype=rustorch.float16))


# ----------------------------------------------------------------- is_nonzero
@pytest.mark.parametrize("value", [[1.0], [[0]], 0.5, float("nan"), -0.0, False, True, 1j,
                                   [0j]])
def test_is_nonzero(value):
    expected = torch.is_nonzero(torch.tensor(value))
    assert rustorch.is_nonzero(rustorch.tensor(value)) is expected
    assert rustorch.tensor(value).is_nonzero() is expected


@pytest.mark.parametrize("value", [[], [1, 2], [[0.0, 0.0]]])
def test_is_nonzero_errors(value):
    check_error(lambda m: m.is_nonzero(m.tensor(value)))
    with pytest.raises(RuntimeError, match="ambiguous"):
        rustorch.tensor(value).is_nonzero()


def test_every_name_is_public():
    from rustorch._ops import composite
    for name in composite.__all__:
        assert getattr(rustorch, name) is getattr(composite, name)
    for name in ("addcmul", "addcdiv", "addcmul_", "addcdiv_", "renorm", "renorm_", "histc",
                 "bincount", "ravel", "resolve_conj", "resolve_neg", "is_conj", "is_neg",
                 "is_nonzero"):
        assert hasattr(rustorch.Tensor, name) and hasattr(torch.Tensor, name)
