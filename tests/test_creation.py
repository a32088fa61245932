"""Tensor creation compared with torch: dtype inference, memory sharing, filled tensors and
their ``_like``/``new_*`` forms, ranges, ``eye``, and the errors."""
import numpy as np
import pytest

import rustorch
from tests._oracle import ON_CPU, assert_close, check_error, torch

HAS_BFLOAT16 = ON_CPU or rustorch.cuda.is_bf16_supported()  # CuPy has no bfloat16 arrays


def _both(fn, **kwargs):
    expected = fn(torch)
    if isinstance(expected, torch.Tensor) and expected.dtype == torch.bfloat16 and \
            not HAS_BFLOAT16:
        pytest.skip("the test device has no bfloat16 arrays")  # as conftest does for parameters
    actual = fn(rustorch)
    if isinstance(expected, torch.dtype):
        assert str(actual) == str(expected)
        return actual, expected
    assert_close(actual, expected, **kwargs)
    return actual, expected


# ----------------------------------------------------------------- tensor() inference
DATA = [
    True, [True, False], 3, -7, [1, 2, 3], 2.5, [1.0, 2], [1, 2.0, True], [[1, 2], [3, 4]],
    [[True, 2], [3, 4]], 1 + 2j, [1, 2j], [[1.5, 2j], [3, 4]], [], [[]], [[], []], (1, 2),
    [(1, 2), (3, 4)], [[[1.0]]], 2 ** 40, [0.1, 0.2], [np.float32(1.5)], [np.int32(3), 4],
    float("inf"), [float("nan"), 1.0],
]


@pytest.mark.parametrize("data", DATA, ids=[repr(d) for d in DATA])
def test_tensor_inference(data):
    _both(lambda m: m.tensor(data))


@pytest.mark.parametrize("data", [[1, 2], [1.5, 2.5], [True]], ids=str)
@pytest.mark.parametrize("dtype", ["float64", "float16", "int32", "int8", "uint8", "bool",
                                   "complex64", "bfloat16"])
def test_tensor_with_dtype(data, dtype):
    _both(lambda m: m.tensor(data, dtype=getattr(m, dtype)))


NUMPY_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16,
                np.float32, np.float64, np.complex64, np.complex128]


@pytest.mark.parametrize("dtype", NUMPY_DTYPES, ids=lambda d: np.dtype(d).name)
def test_tensor_from_numpy_arrays(dtype):
    array = (np.arange(6).reshape(2, 3) % 3).astype(dtype)
    _both(lambda m: m.tensor(array))
    _both(lambda m: m.as_tensor(array))
    _both(lambda m: m.from_numpy(array))
    _both(lambda m: m.tensor(array[0, 1]))  # numpy scalar -> 0-d
    _both(lambda m: m.tensor(np.array(array[0, 1])))  # 0-d array


def test_tensor_0d_and_nested_tensors():
    _both(lambda m: m.tensor(5.0))
    _both(lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]))
    _both(lambda m: m.tensor([[m.tensor(1), 2]]))


def test_tensor_copies_and_flags():
    array = np.zeros(3, dtype=np.float32)
    result = rustorch.tensor(array, requires_grad=True)
    array[0] = 5
    assert result[0].item() == 0.0
    assert result.requires_grad and result.is_leaf
    with pytest.raises(RuntimeError):
        rustorch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2], requires_grad=True)


def test_default_dtype_affects_inference():
    previous = rustorch.get_default_dtype()
    try:
        rustorch.set_default_dtype(rustorch.float64)
        torch.set_default_dtype(torch.float64)
        _both(lambda m: m.tensor([1.0, 2.0]))
        _both(lambda m: m.tensor([1j]))
        _both(lambda m: m.zeros(2))
        _both(lambda m: m.arange(0.0, 1.0, 0.25))
        _both(lambda m: m.full((2,), 1.5))
    finally:
        rustorch.set_default_dtype(previous)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("bad", [[[1, 2], [3]], ["a"], [None], None, "abc", object()],
                         ids=lambda value: "object()" if type(value) is object else repr(value))
def test_tensor_errors(bad):
    with pytest.raises(Exception) as expected:
        torch.tensor(bad)
    with pytest.raises(rustorch.RusTorchError) as actual:
        rustorch.tensor(bad)
    assert isinstance(actual.value, expected.type)


# ----------------------------------------------------------------- memory sharing
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_, np.float64])
def test_from_numpy_shares_memory(dtype):
    array = np.zeros((2, 3), dtype=dtype)
    makers = (rustorch.from_numpy, rustorch.as_tensor, rustorch.asarray)
    if not ON_CPU:  # with a GPU default device, torch's as_tensor and asarray copy the array there
        makers = (rustorch.from_numpy,)
    for make in makers:
        result = make(array)
        array[1, 2] = 1
        assert result[1, 2].item() == 1
        result[0, 0] = 1
        assert array[0, 0] == 1
        array[...] = 0


def test_as_tensor_copies_when_dtype_changes():
    array = np.zeros(3, dtype=np.float32)
    result = rustorch.as_tensor(array, dtype=rustorch.float64)
    array[0] = 1
    assert result[0].item() == 0 and result.dtype is rustorch.float64
    source = rustorch.zeros(3)
    assert rustorch.as_tensor(source) is source


def test_from_numpy_views_and_errors():
    array = np.arange(12.0).reshape(3, 4)[:, ::2]
    result = rustorch.from_numpy(array)
    assert tuple(result.stride()) == tuple(torch.from_numpy(array).stride())
    with pytest.raises(TypeError):
        rustorch.from_numpy([1, 2])
    with pytest.raises(TypeError):
        torch.from_numpy([1, 2])


# ----------------------------------------------------------------- filled tensors
FILLED = [
    lambda m: m.zeros(2, 3), lambda m: m.zeros((2, 3)), lambda m: m.zeros([4]),
    lambda m: m.zeros(()), lambda m: m.zeros(0, 3), lambda m: m.ones(2, dtype=m.int32),
    lambda m: m.ones(m.Size([2, 2]), dtype=m.bool), lambda m: m.zeros(3, dtype=m.bfloat16),
    lambda m: m.full((2, 2), 7), lambda m: m.full((2,), 1.5), lambda m: m.full((2,), True),
    lambda m: m.full((2,), 1 + 1j), lambda m: m.full((), 3, dtype=m.float64),
    lambda m: m.full([2], m.tensor(4.0)), lambda m: m.empty(2, 3).shape,
    lambda m: m.empty(0).dtype, lambda m: m.ones(2, 3, requires_grad=True),
    lambda m: m.eye(3), lambda m: m.eye(2, 4), lambda m: m.eye(3, dtype=m.int64),
    lambda m: m.eye(0), lambda m: m.scalar_tensor(2),
]


@pytest.mark.parametrize("index", range(len(FILLED)))
def test_filled(index):
    actual, expected = _both(FILLED[index])
    if isinstance(expected, torch.Tensor):
        assert actual.requires_grad == expected.requires_grad


LIKE = [
    lambda m, x: m.zeros_like(x), lambda m, x: m.ones_like(x, dtype=m.int16),
    lambda m, x: m.full_like(x, 2.5), lambda m, x: m.full_like(x, 7, dtype=m.int64),
    lambda m, x: m.empty_like(x).shape, lambda m, x: m.empty_like(x).dtype,
    lambda m, x: x.new_zeros(2), lambda m, x: x.new_ones((1, 2), dtype=m.float64),
    lambda m, x: x.new_full((2,), 3), lambda m, x: x.new_empty(0, 2).shape,
    lambda m, x: x.new_tensor([1, 2]), lambda m, x: x.new_tensor([1.5], dtype=m.float16),
    lambda m, x: x.new_tensor(np.array([1, 2], dtype=np.int32)),
    lambda m, x: m.zeros_like(x, dtype=m.float64, requires_grad=True),
    lambda m, x: x.new_tensor(m.tensor([1, 2], dtype=m.int16)),
]


@pytest.mark.parametrize("index", range(len(LIKE)))
@pytest.mark.parametrize("dtype", ["float32", "int64", "float64"])
def test_like_and_new(index, dtype):
    _both(lambda m: LIKE[index](m, m.arange(6, dtype=getattr(m, dtype)).reshape(2, 3)))


# ----------------------------------------------------------------- ranges
RANGES = [
    (5,), (2, 7), (7, 2, -1), (0, 10, 3), (-3, 3), (0.0, 1.0, 0.1), (0, 1, 0.1),
    (1, 2.5, 0.5), (-1.0, 1.0, 0.3), (0.0, 2.0, 2.0 / 3.0), (10, 0, -2.5), (0, 0), (3, 3, 1),
    (0, 5.5), (-0.5, 0.5, 0.1), (1e6, 1e6 + 10, 1.1), (0, 1, 1 / 49),
]


@pytest.mark.parametrize("args", RANGES, ids=str)
def test_arange(args):
    _both(lambda m: m.arange(*args))


@pytest.mark.parametrize("dtype", ["float64", "int32", "float16", "bfloat16", "uint8"])
def test_arange_dtypes(dtype):
    _both(lambda m: m.arange(0, 10, 2, dtype=getattr(m, dtype)))
    _both(lambda m: m.arange(0.5, 5, dtype=getattr(m, dtype)))


def test_arange_integer_dtype_truncates_float_arguments():
    for args in [(0.0, -8.000001, -4.0), (1.0, 5.000001, 2.0), (0.5, 5.7, 1.5), (-0.5, 3),
                 (0, 5.5, 2.5), (0, -7.9, -2.6), (0.0, 3.5, 1.0)]:
        _both(lambda m: m.arange(*args, dtype=m.int64))
        _both(lambda m: m.arange(*args, dtype=m.int32))


def test_arange_keywords_and_tensors():
    _both(lambda m: m.arange(start=1, end=4))
    _both(lambda m: m.arange(m.tensor(3)))
    _both(lambda m: m.arange(m.tensor(1.0), 3))
    _both(lambda m: m.arange(4, requires_grad=False, dtype=m.float32))


LINSPACE = [(0, 1, 5), (0, 1, 1), (0, 1, 0), (-2.0, 3.0, 7), (5, -5, 4), (0, 10, 10),
            (1, 1, 3), (0.1, 0.9, 33), (0, 10, 2)]


@pytest.mark.parametrize("args", LINSPACE, ids=str)
def test_linspace(args):
    _both(lambda m: m.linspace(*args))
    _both(lambda m: m.linspace(*args, dtype=m.float64))


def test_linspace_dtypes():
    _both(lambda m: m.linspace(0, 10, 6, dtype=m.int64))
    _both(lambda m: m.linspace(-3, 3, 4, dtype=m.int32))
    _both(lambda m: m.linspace(0, 1, 5, dtype=m.float16))


LINSPACE_DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8",
                   "complex64", "complex128"]


def _random_ends(rng, dtype):
    start, end = rng.standard_normal(2) * rng.choice([1, 10, 100])
    if dtype == "uint8":
        start, end = abs(start) % 200, abs(end) % 200
    if dtype.startswith("complex"):
        start, end = complex(start, rng.standard_normal()), complex(end, rng.standard_normal())
    return start, end, int(rng.integers(0, 40))


@pytest.mark.parametrize("dtype", LINSPACE_DTYPES)
def test_linspace_is_bit_exact(dtype):
    """PyTorch's kernel arithmetic per dtype (fused multiply-adds, half-type rounding, double
    steps for integers, complex parts), over random ends and lengths."""
    rng = np.random.default_rng(7)
    for _ in range(60):
        start, end, steps = _random_ends(rng, dtype)
        expected = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
        actual = rustorch.linspace(start, end, steps, dtype=getattr(rustorch, dtype))
        assert_close(actual, expected, rtol=0, atol=0)


def test_linspace_complex_ends_give_a_complex_tensor():
    _both(lambda m: m.linspace(0, 1j, 5))
    _both(lambda m: m.linspace(1 + 2j, 3, 4, dtype=m.complex128))


@pytest.mark.parametrize("dtype", LINSPACE_DTYPES + ["int8", "int16"])
def test_logspace_is_bit_exact(dtype):
    """PyTorch's logspace kernel per dtype (double exponents from dtype-rounded ends, C's
    pow, half types through float32, c10 complex arithmetic), over random ends, lengths
    (single points included) and bases; the values must not depend on numpy's SIMD pow."""
    rng = np.random.default_rng(8)
    small = dtype in ("uint8", "int8")
    for _ in range(60):
        start, end, steps = _random_ends(rng, "uint8" if dtype.startswith(("int", "uint"))
                                         else dtype)
        start, end = start / (100 if small else 40), end / (100 if small else 40)
        base = float(rng.choice([2.0, 10.0, 2.5, 0.5, 3.3]))
        expected = torch.logspace(start, end, steps, base=base, dtype=getattr(torch, dtype))
        actual = rustorch.logspace(start, end, steps, base=base, dtype=getattr(rustorch, dtype))
        assert_close(actual, expected, rtol=0, atol=0)


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex64", "complex128"])
def test_logspace_special_values_like_torch(dtype):
    """Overflow, zero and negative bases, integral exponents (where numpy's complex power
    multiplies instead of calling C's cpow), single points: C's values, bit for bit."""
    for start, end, steps, base in [(0, 400, 3, 10.0), (0, 401, 3, -10.0), (0, -5, 3, 0.0),
                                    (0, 1.5, 3, -2.0), (-400, 0, 3, 10.0), (2, 2, 1, -3.0),
                                    (0, 3, 4, -3.0), (0, 2, 3, 10.0), (1, 1, 1, 3.3),
                                    (0, 40, 41, 10.0), (-2, 2, 5, 0.0), (2, 2, 13, 3.3)]:
        expected = torch.logspace(start, end, steps, base=base, dtype=getattr(torch, dtype))
        actual = rustorch.logspace(start, end, steps, base=base, dtype=getattr(rustorch, dtype))
        assert_close(actual, expected, rtol=0, atol=0)


@pytest.mark.parametrize("args", [(0, 2, 3), (-1, 1, 5), (0, 3, 4, 2), (1, 0, 3, 0.5),
                                  (0, 2, 1)], ids=str)
def test_logspace(args):
    _both(lambda m: m.logspace(*args))
    _both(lambda m: m.logspace(*args, dtype=m.float64))


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(-1), lambda m: m.ones(2, -3), lambda m: m.empty(-2),
    lambda m: m.full((-1,), 2.0), lambda m: m.arange(0, 10, 0), lambda m: m.arange(0, 10, -1),
    lambda m: m.linspace(0, 1, -1), lambda m: m.eye(-1), lambda m: m.zeros(3).new_zeros(-1),
])
def test_errors(fn):
    with pytest.raises(RuntimeError):
        fn(torch)
    with pytest.raises(rustorch.RusTorchError) as error:
        fn(rustorch)
    assert isinstance(error.value, RuntimeError)


def test_legacy_constructor():
    _both(lambda m: m.Tensor([1, 2]))
    _both(lambda m: m.Tensor(2, 3).shape)
    _both(lambda m: m.Tensor(m.Size([2])).dtype)


def test_python_floats_round_once_into_the_requested_dtype():
    """``tensor(0.1, dtype=float64)`` is 0.1 (not float32's 0.1 widened); half types round
    from the exact double as well."""
    for name in ("float64", "float16", "bfloat16", "complex128", "int64"):
        if name == "bfloat16" and not HAS_BFLOAT16:
            continue
        large = [0.1, 1e300, -2.7] if name != "int64" else [0.1, -2.7]
        for data in (0.1, large, [[1 / 3]], [0.1 + 0.2j] if "complex" in name else [1e-8]):
            expected, result = (m.tensor(data, dtype=getattr(m, name)) for m in (torch, rustorch))
            assert result.dtype.name == str(expected.dtype).replace("torch.", "")
            assert result.tolist() == expected.tolist(), (name, data)
            as_tensor = rustorch.as_tensor(data, dtype=getattr(rustorch, name))
            assert as_tensor.tolist() == expected.tolist()


_FILL_CASES = [(-1.5, "uint8"), (-0.5, "uint8"), (255.5, "uint8"), (256, "uint8"), (-256, "uint8"),
               (-1, "uint8"), (-255, "uint8"), (300, "int8"), (-129, "int8"), (2 ** 63, "int64"),
               (float("nan"), "int32"), (float("inf"), "int64"), (3.7, "int32"), (1e39, "float32"),
               (-1e39, "float32"), (1e39, "float64"), (float("inf"), "float32"),
               (1e39, "bfloat16"), (2.5 + 1j, "float32"), (1e39, "complex64"), (-1.5, "bool"),
               (2.5 + 1j, "complex128")]
_FILLERS = {
    "full": lambda m, v, dt: m.full((2,), v, dtype=dt),
    "fill_": lambda m, v, dt: m.zeros(2, dtype=dt).fill_(v),
    "new_full": lambda m, v, dt: m.zeros(1, dtype=dt).new_full((2,), v),
    "scalar_tensor": lambda m, v, dt: m.scalar_tensor(v, dtype=dt),
}


@pytest.mark.parametrize("how", sorted(_FILLERS))
@pytest.mark.parametrize("value, dtype", _FILL_CASES)
def test_fill_values_the_dtype_cannot_hold_raise_like_torch(how, value, dtype):
    fill = _FILLERS[how]
    if dtype == "bfloat16" and how == "scalar_tensor":
        pytest.skip("torch checks half-type fills on tensors of 2+ elements only (rustorch always)")
    try:
        expected = fill(torch, value, getattr(torch, dtype))
    except RuntimeError:
        check_error(lambda m: fill(m, value, getattr(m, dtype)))
        return
    assert_close(fill(rustorch, value, getattr(rustorch, dtype)), expected)
