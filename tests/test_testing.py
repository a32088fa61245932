"""``rustorch.testing`` (``assert_close``, ``assert_allclose``, ``make_tensor``) and
``frombuffer``, each compared with torch side by side: the same scenario runs in both, and the
outcomes (pass, the exception's builtin class, the message) must agree."""
import array
import collections
import warnings

import numpy as np
import pytest

import rustorch
from rustorch import _frombuffer
from rustorch._frombuffer import frombuffer
from tests._oracle import ON_CPU, torch

#: whether rustorch's test device holds bfloat16 tensors (CuPy has no bfloat16 arrays)
BFLOAT16 = ON_CPU or rustorch.cuda.is_bf16_supported()


def _message(error: Exception) -> str:
    """The message with rustorch's class paths written as torch's."""
    return (str(error).replace("rustorch.tensor.Tensor", "torch.Tensor")
            .replace("rustorch.nn.parameter.Parameter", "torch.nn.parameter.Parameter"))


def _outcome(module, scenario):
    actual, expected, options = scenario(module)
    try:
        module.testing.assert_close(actual, expected, **options)
    except Exception as error:  # the outcome under test
        return error
    return None


def _noisy(dtype: str, scale: float, seed: int):
    """Values and values moved by noise on the scale of the default tolerances, so that some
    elements sit on either side of the closeness boundary."""
    rng = np.random.default_rng(seed)
    expected = rng.standard_normal(2000)
    actual = expected + scale * rng.standard_normal(2000)
    if dtype.startswith("complex"):
        actual, expected = actual * (1 + 1j), expected * (1 + 1j)
    return actual, expected


def _boundary(dtype: str, tolerances: tuple, seed: int):
    """Values moved by about the allowed error ``atol + rtol * |expected|``: thousands of
    elements within rounding of the closeness boundary, where the precision of each step of
    the computation decides."""
    rtol, atol = tolerances
    rng = np.random.default_rng(seed)
    expected = rng.standard_normal(60000) * 10 ** rng.uniform(-3, 3, 60000)
    direction = rng.choice([-1.0, 1.0], expected.size)
    if dtype.startswith("complex"):
        expected = expected * np.exp(1j * rng.uniform(0, 2 * np.pi, expected.size))
        direction = np.exp(1j * rng.uniform(0, 2 * np.pi, expected.size))
    allowed = atol + rtol * np.abs(expected)
    return expected + direction * allowed * rng.uniform(0.97, 1.03, expected.size), expected


def _noisy_pair(dtype: str, spread, seed: int, boundary: bool = False):
    actual, expected = (_boundary if boundary else _noisy)(dtype, spread, seed)
    if dtype not in ("float64", "complex128"):
        # one rounding step (via float32) in both frameworks: torch and NumPy round float64
        # to float16 differently
        single = np.complex64 if dtype.startswith("complex") else np.float32
        actual, expected = actual.astype(single), expected.astype(single)

    def build(m):
        kind = getattr(m, dtype)
        return m.tensor(actual).to(kind), m.tensor(expected).to(kind), {}
    return build


def _pair(actual, expected, dtype=None, **options):
    def build(m):
        kind = None if dtype is None else getattr(m, dtype)
        return m.tensor(actual, dtype=kind), m.tensor(expected, dtype=kind), options
    return build


def _plain(actual, expected, **options):
    return lambda m: (actual, expected, options)


NAN, INF = float("nan"), float("inf")
SCENARIOS = {
    "equal": _pair([1.0, 2.0], [1.0, 2.0]),
    "within_default_float32": _pair([1.0, 2.0], [1.0, 2.0 + 2e-6]),
    "one_mismatch": _pair([1.0, 2.0, 3.0], [1.0, 2.5, 3.0]),
    "two_mismatches": _pair([1.0, 2.0, 3.0], [1.0, 4.0, 5.0]),
    "two_dimensional": _pair([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 5.0]]),
    "three_dimensional": _pair([[[1.0, 2.0]], [[3.0, 9.0]]], [[[1.0, 2.5]], [[3.0, 4.0]]]),
    "nan_not_equal": _pair([1.0, NAN], [1.0, NAN]),
    "nan_equal": _pair([1.0, NAN], [1.0, NAN], equal_nan=True),
    "nan_against_number": _pair([1.0, NAN, 3.0], [1.0, 2.0, NAN], equal_nan=True),
    "infinity_equal": _pair([INF, -INF], [INF, -INF]),
    "infinity_sign": _pair([INF, 1.0], [-INF, 1.0]),
    "infinity_against_number": _pair([1.0, INF], [1.0, 2.0]),
    "zero_expected": _pair([0.0, 1.0], [1.0, 0.0]),
    "ties_first_index": _pair([3.0, 3.0], [1.0, 1.0]),
    "float64_default": _pair([1.0, 2.0], [1.0, 2.0 + 1e-6], "float64"),
    "float64_within": _pair([1.0, 2.0], [1.0, 2.0 + 1e-8], "float64"),
    "float16_within": _pair([1.0], [1.0009765625], "float16"),
    "float16_outside": _pair([1.0], [1.01], "float16"),
    "bfloat16_outside": _pair([1.0], [1.1], "bfloat16"),
    "complex": _pair([1 + 1j], [1 + 2j]),
    "complex_nan_equal": _pair([1 + 1j, complex(NAN, 0)], [1 + 1j, complex(NAN, 0)],
                               equal_nan=True),
    "int_equal": _pair([1, 2], [1, 2]),
    "int_mismatch": _pair([1, 2], [1, 3]),
    "uint8_mismatch": _pair([1, 2], [1, 3], "uint8"),
    "uint8_with_tolerance": _pair([1, 2], [3, 2], "uint8", rtol=0.1, atol=0.5),
    "int8_no_wraparound": _pair([100], [-100], "int8", rtol=0.0, atol=100.0),
    "int64_compared_in_float32": _pair([2 ** 25 + 3], [2 ** 25], rtol=0.0, atol=3.5),
    "int64_rounded_to_float32": _pair([2 ** 40 + 1, 2], [2 ** 40, 2], rtol=0.0, atol=0.5),
    "bool_mismatch": _pair([True, False], [True, True]),
    "bool_with_tolerance": _pair([True, False], [False, False], rtol=0.1, atol=0.5),
    "zero_dim_float": _pair(1.0, 2.0),
    "zero_dim_int": _pair(1, 2),
    "zero_dim_bool": _pair(True, False),
    "zero_dim_complex": _pair(1 + 1j, 0j),
    "zero_tolerances": _pair([1.0], [1.1], rtol=0, atol=0),
    "integer_tolerances": _pair([1.0, 5.0], [1.5, 2.0], rtol=1, atol=0),
    "empty": _pair([], []),
    "dtype_mismatch": lambda m: (m.tensor(1.0), m.tensor(2.0, dtype=m.float64), {}),
    "dtype_unchecked": lambda m: (m.tensor(1.0), m.tensor(2.0, dtype=m.float64),
                                  {"check_dtype": False}),
    "int_float_unchecked": lambda m: (m.tensor([1.0], dtype=m.float64), m.tensor([2]),
                                      {"check_dtype": False}),
    "uint16_int8_unchecked": lambda m: (m.tensor([1, 2], dtype=m.uint16),
                                        m.tensor([1, 3], dtype=m.int8), {"check_dtype": False}),
    "float16_float32_unchecked": lambda m: (m.tensor([1.0], dtype=m.float16),
                                            m.tensor([1.0005]), {"check_dtype": False}),
    "shape_mismatch": _pair([1.0], [1.0, 2.0]),
    "stride_same": lambda m: (m.ones(2, 2), m.ones(2, 2).t(), {"check_stride": True}),
    "stride_mismatch": lambda m: (m.ones(2, 3), m.ones(3, 2).t(), {"check_stride": True}),
    "stride_unchecked": lambda m: (m.ones(2, 3), m.ones(3, 2).t(), {}),
    "requires_grad": lambda m: (m.tensor([1.0], requires_grad=True), m.tensor([2.0]), {}),
    "parameter_allowed": lambda m: (m.nn.Parameter(m.ones(2)), m.ones(2), {}),
    "parameter_refused": lambda m: (m.nn.Parameter(m.ones(2)), m.ones(2),
                                    {"allow_subclasses": False}),
    "msg_string": _pair([1.0, 2.0], [1.0, 3.0], msg="custom message"),
    "msg_callable": _pair([1.0, 2.0, 3.0], [1.0, 4.0, 5.0],
                          msg=lambda text: f"Header\n\n{text}\n\nFooter"),
    "rtol_alone": _pair([1.0], [1.0], rtol=1e-3),
    "atol_alone": _pair([1.0], [1.0], atol=1e-3),
    "tensor_and_float": lambda m: (m.tensor(1.0), 1.0, {}),
    "tensor_and_array": lambda m: (m.tensor([1.0]), np.array([1.0]), {}),
    "arrays": _plain(np.array([1.0, 2.0]), np.array([1.0, 2.5])),
    "arrays_of_two_dtypes": _plain(np.array([1.0]), np.array([1.0], dtype=np.float32)),
    "arrays_of_strings": _plain(np.array(["a"]), np.array(["a"])),
    "strings": _plain("a", "a"),
    "floats": _plain(1.0, 1.0 + 1e-8),
    "floats_mismatch": _plain(1.0, 0.0),
    "floats_zero_tolerance": _plain(1e-9, 1e-10, rtol=0, atol=0),
    "ints_mismatch": _plain(1, 2),
    "int_and_float": _plain(1, 1.0),
    "int_and_float_unchecked": _plain(1, 1.0, check_dtype=False),
    "complex_numbers": _plain(1 + 1j, 1 + 2j),
    "nan_numbers": _plain(NAN, NAN),
    "nan_numbers_equal": _plain(NAN, NAN, equal_nan=True),
    "infinite_numbers": _plain(INF, INF),
    "numpy_number": _plain(np.float32(1.0), 1.0),
    "numpy_bool": _plain(np.bool_(True), True),
    "booleans": _plain(True, False),
    "none": _plain(None, None),
    "none_and_number": _plain(None, 1),
    "none_with_rtol_alone": _plain(None, None, rtol=1.0),
    "number_with_rtol_alone": _plain(1.0, 1.0, rtol=1.0),
    "sequence_lengths": _plain([1.0, 2.0], (1.0,)),
    "sequence_lengths_msg_ignored": _plain([1.0, 2.0], (1.0,), msg="ignored"),
    "nested_numbers": _plain([1.0, [2.0, 3]], [1.0, [2.0, 3.0]]),
    "mapping_keys": _plain({"a": 1, "b": 2}, {"a": 1, "c": 2}),
    "mapping_order": _plain(collections.OrderedDict([("a", 1.0), ("b", 2.0)]),
                            {"b": 2.0, "a": 1.0}),
    "sequence_of_tensors": lambda m: ([m.tensor([1.0, 2.0])], [m.tensor([1.0, 3.0])], {}),
    "mapping_of_tensors": lambda m: ({"x": [m.tensor([1.0, 2.0])]},
                                     {"x": [m.tensor([1.0, 3.0])]}, {}),
    "mapping_callable_msg": lambda m: ({"x": [m.tensor([1.0, 2.0])]},
                                       {"x": [m.tensor([1.0, 3.0])]},
                                       {"msg": lambda text: "H\n" + text}),
    "structure_before_values": lambda m: ([m.tensor([1.0]), m.tensor([1.0])],
                                          [m.tensor([2.0]), m.tensor([1.0])], {"rtol": 1.0}),
    "noisy_float16": _noisy_pair("float16", 1e-3, 1),
    "noisy_bfloat16": _noisy_pair("bfloat16", 1e-2, 2),
    "noisy_float32": _noisy_pair("float32", 1e-5, 3),
    "noisy_float64": _noisy_pair("float64", 1e-7, 4),
    "noisy_complex64": _noisy_pair("complex64", 1e-5, 5),
    "boundary_float16": _noisy_pair("float16", (1e-3, 1e-5), 6, boundary=True),
    "boundary_bfloat16": _noisy_pair("bfloat16", (1.6e-2, 1e-5), 7, boundary=True),
    "boundary_float32": _noisy_pair("float32", (1.3e-6, 1e-5), 8, boundary=True),
    "boundary_float64": _noisy_pair("float64", (1e-7, 1e-7), 9, boundary=True),
    "boundary_complex64": _noisy_pair("complex64", (1.3e-6, 1e-5), 10, boundary=True),
}
#: torch raises an internal RuntimeError for these; rustorch says it in its own words
CLASS_ONLY = {
    "negative_rtol": _pair([1.0, 2.0], [1.0, 3.0], rtol=-1.0, atol=0.0),
    "bool_and_int": _plain(True, 1),
    "int_and_bool": _plain(1, True),
}


@pytest.mark.parametrize("name", list(SCENARIOS) + list(CLASS_ONLY))
def test_assert_close_matches_torch(name):
    if "bfloat16" in name and not BFLOAT16:
        pytest.skip("the test device has no bfloat16 tensors")
    scenario = SCENARIOS.get(name) or CLASS_ONLY[name]
    expected, actual = _outcome(torch, scenario), _outcome(rustorch, scenario)
    if expected is None:
        assert actual is None, f"rustorch raised {actual!r} where torch passed"
        return
    assert actual is not None, f"rustorch passed where torch raised {expected!r}"
    assert isinstance(actual, type(expected)), (type(actual), type(expected))
    if type(expected) is AssertionError:
        assert type(actual) is AssertionError  # a plain AssertionError, as torch's
    if name not in CLASS_ONLY:
        assert _message(actual) == _message(expected)


def test_scenarios_cover_passing_and_failing():
    """The table exercises both outcomes and every kind of error torch raises."""
    outcomes = {type(_outcome(torch, scenario)).__name__ for scenario in SCENARIOS.values()}
    assert {"NoneType", "AssertionError", "TypeError", "ValueError"} <= outcomes


def test_noisy_scenarios_sit_on_the_boundary():
    """Each noisy comparison fails with some, but not all, elements mismatched."""
    for name in [name for name in SCENARIOS if name.startswith(("noisy", "boundary"))]:
        if "bfloat16" in name and not BFLOAT16:
            continue  # the test device has no bfloat16 tensors
        message = str(_outcome(rustorch, SCENARIOS[name]))
        counts = message.split("Mismatched elements: ")[1].split(" (")[0]
        mismatched, total = (int(part) for part in counts.split(" / "))
        assert 0 < mismatched < total, (name, counts)


def test_assert_close_on_other_device():
    if not rustorch.cuda.is_available():
        pytest.skip("needs CUDA")
    cpu = rustorch.tensor([1.0, 2.0], device="cpu")
    cuda = rustorch.tensor([1.0, 2.0], device="cpu").cuda()
    with pytest.raises(AssertionError, match="attribute 'device' do not match: cpu != cuda:0"):
        rustorch.testing.assert_close(cpu, cuda)
    rustorch.testing.assert_close(cpu, cuda, check_device=False)
    with pytest.raises(AssertionError, match=r"Mismatched elements: 1 / 2 \(50.0%\)"):
        rustorch.testing.assert_close(cuda, rustorch.tensor([1.0, 3.0]).cuda())


@pytest.mark.parametrize("args", [
    ([1.0, 2.0], [1.0, 2.1], {}),
    ([1.0, 2.0], [1.0, 2.00001], {}),
    ([1.0, NAN], [1.0, NAN], {}),
    ([1.0, 2.0], [1, 3], {"msg": "boom"}),
    ([1, 2], [1.0, 2.0], {}),
], ids=str)
def test_assert_allclose_matches_torch(args):
    actual, expected, options = args
    outcomes = []
    for module in (torch, rustorch):
        with pytest.warns(FutureWarning, match="assert_allclose"):
            try:
                module.testing.assert_allclose(actual, expected, **options)
                outcomes.append(None)
            except AssertionError as error:
                outcomes.append(str(error))
    assert outcomes[0] == outcomes[1]


# ----------------------------------------------------------------- make_tensor
def _make(module, *shape, **options):
    dtype = options.pop("dtype", "float32")
    return module.testing.make_tensor(*shape, dtype=getattr(module, dtype), device="cpu",
                                      **options)


@pytest.mark.parametrize("shape", [(2, 3), ((2, 3),), ([2, 3],), (), ((),), (0, 4), (5,)],
                         ids=str)
def test_make_tensor_shapes(shape):
    expected = _make(torch, *shape)
    actual = _make(rustorch, *shape)
    assert tuple(actual.shape) == tuple(expected.shape)
    assert actual.stride() == expected.stride() and actual.is_contiguous()
    sized = rustorch.testing.make_tensor(rustorch.Size([2, 3]), dtype=rustorch.float32)
    assert tuple(sized.shape) == (2, 3)


DEFAULT_RANGES = {
    "bool": (0, 2), "uint8": (0, 10), "uint16": (0, 10), "uint32": (0, 10), "uint64": (0, 10),
    "int8": (-9, 10), "int16": (-9, 10), "int32": (-9, 10), "int64": (-9, 10),
    "float16": (-9, 9), "bfloat16": (-9, 9), "float32": (-9, 9), "float64": (-9, 9),
    "complex64": (-9, 9), "complex128": (-9, 9),
}


@pytest.mark.parametrize("dtype", list(DEFAULT_RANGES))
def test_make_tensor_default_ranges(dtype):
    low, high = DEFAULT_RANGES[dtype]
    result = _make(rustorch, 4000, dtype=dtype)
    assert result.dtype is getattr(rustorch, dtype)
    assert str(result.dtype) == str(_make(torch, 2, dtype=dtype).dtype)
    values = result.to(rustorch.complex128 if dtype.startswith("complex") else rustorch.float64)
    values = values.numpy()
    parts = [values.real, values.imag] if dtype.startswith("complex") else [values]
    for part in parts:
        assert part.min() >= low and part.max() < high
        if dtype in ("bool", "uint8") or "int" in dtype:
            assert set(np.unique(part)) == set(range(low, high))  # every integer drawn
        else:
            assert part.min() < low + 0.5 and part.max() > high - 0.5  # the whole range used


def test_make_tensor_narrow_floats_stay_below_high():
    # rounding a wider draw to float16 lands on 9.0 about once in 4600 draws
    for dtype in ("float16", "bfloat16"):
        assert float(_make(rustorch, 40000, dtype=dtype).max()) < 9


@pytest.mark.parametrize("dtype,low,high,allowed", [
    ("uint8", -5, 5, (0, 5)), ("int8", -1000, 1000, (-128, 128)), ("int64", 0.5, 3.2, (1, 4)),
    ("bool", None, 1, (0, 1)), ("float32", -1e300, 1e300, (-3.5e38, 3.5e38)),
    ("float64", -1.0, 1.0, (-1, 1)), ("float32", 2.0, 2.5, (2.0, 2.5)),
], ids=str)
def test_make_tensor_custom_ranges(dtype, low, high, allowed):
    for module in (torch, rustorch):
        values = _make(module, 3000, dtype=dtype, low=low, high=high).double().numpy()
        assert np.isfinite(values).all()
        assert values.min() >= allowed[0] and values.max() < allowed[1], module.__name__


@pytest.mark.parametrize("options", [
    {"low": 3, "high": 2}, {"low": 3, "high": 3, "dtype": "int32"}, {"low": NAN},
    {"low": -5, "high": -1, "dtype": "uint8"}, {"low": 300, "high": 400, "dtype": "uint8"},
    {"requires_grad": True, "dtype": "int32"}, {"requires_grad": True, "dtype": "bool"},
    {"noncontiguous": True, "memory_format": "channels_last"},
    {"memory_format": "channels_last"}, {"dtype": "qint8"},
    {"low": 0.5, "high": 0.7, "dtype": "int64"},
], ids=str)
def test_make_tensor_errors_match_torch(options):
    errors = []
    for module in (torch, rustorch):
        arguments = dict(options)
        if "memory_format" in arguments:
            arguments["memory_format"] = getattr(module, arguments["memory_format"])
        with pytest.raises(Exception) as caught:
            _make(module, 2, 3, **arguments)
        errors.append(caught.value)
    expected, actual = errors
    assert isinstance(actual, type(expected)), (actual, expected)
    assert isinstance(actual, rustorch.RusTorchError)
    if not isinstance(expected, TypeError):  # torch's dtype message links its issue tracker
        assert str(actual) == str(expected)


def test_make_tensor_low_equal_high_is_deprecated():
    for module in (torch, rustorch):
        with pytest.warns(FutureWarning, match="Passing `low==high`"):
            result = _make(module, 5, low=2, high=2)
        assert (result == 2).all()


@pytest.mark.parametrize("shape", [(2, 3), (5,), (2, 1), (3, 4, 5), (1,), (), (0, 3)], ids=str)
def test_make_tensor_noncontiguous(shape):
    expected = _make(torch, *shape, noncontiguous=True)
    actual = _make(rustorch, *shape, noncontiguous=True)
    assert tuple(actual.shape) == shape
    assert actual.is_contiguous() == expected.is_contiguous()
    assert actual.is_contiguous() == (int(np.prod(shape)) <= 1)
    assert actual.stride() == expected.stride()
    assert actual.storage_offset() == expected.storage_offset()
    assert ((actual >= -9) & (actual < 9)).all()


def test_make_tensor_memory_format():
    for module in (torch, rustorch):
        result = _make(module, 2, 3, 4, 5, memory_format=module.channels_last)
        assert result.stride() == (60, 1, 15, 3)
        assert result.is_contiguous(memory_format=module.channels_last)
        assert not result.is_contiguous()


@pytest.mark.parametrize("noncontiguous", [False, True])
def test_make_tensor_requires_grad(noncontiguous):
    result = _make(rustorch, 3, 4, requires_grad=True, noncontiguous=noncontiguous)
    assert result.requires_grad and result.is_leaf
    result.sum().backward()
    assert tuple(result.grad.shape) == (3, 4)
    assert not _make(rustorch, 3, dtype="int64").requires_grad


def test_make_tensor_exclude_zero():
    assert (_make(rustorch, 200, dtype="bool", exclude_zero=True)).all()
    assert (_make(rustorch, 200, dtype="int8", low=0, high=1, exclude_zero=True) == 1).all()
    tiny = rustorch.finfo(rustorch.float32).tiny
    floats = _make(rustorch, 50, low=0, high=1e-45, exclude_zero=True)
    assert (floats == tiny).all()  # every draw rounded to 0 and was replaced
    complexes = _make(rustorch, 50, dtype="complex64", low=0, high=1e-45, exclude_zero=True)
    assert (complexes == complex(tiny, 0)).all()  # torch assigns tiny + 0j
    torch_complexes = _make(torch, 50, dtype="complex64", low=-1, high=1, exclude_zero=True)
    assert (torch_complexes != 0).all()


def test_make_tensor_device_argument():
    # device=None is the default device of factory functions, as in torch
    default = rustorch.empty(0).device
    for device, expected in ((None, default), ("cpu", rustorch.device("cpu")),
                             (rustorch.device("cpu"), rustorch.device("cpu"))):
        result = rustorch.testing.make_tensor(3, dtype=rustorch.float32, device=device)
        assert result.device == expected
    if rustorch.cuda.is_available():
        result = rustorch.testing.make_tensor(4, 6, dtype=rustorch.float32, device="cuda",
                                              noncontiguous=True, exclude_zero=True)
        assert result.is_cuda and not result.is_contiguous() and result.stride() == (12, 2)
        assert ((result >= -9) & (result < 9) & (result != 0)).all()


def test_make_tensor_follows_the_seed():
    rustorch.manual_seed(7)
    first = _make(rustorch, 10)
    rustorch.manual_seed(7)
    second = _make(rustorch, 10)
    assert (first == second).all()
    assert not (first == _make(rustorch, 10)).all()


# ----------------------------------------------------------------- frombuffer
def _frombuffer_outcome(module, data, **options):
    dtype = getattr(module, options.pop("dtype", "int32"))
    function = torch.frombuffer if module is torch else frombuffer
    try:
        return function(data, dtype=dtype, **options)
    except Exception as error:  # the outcome under test
        return error


@pytest.mark.parametrize("options", [
    {}, {"count": 1, "offset": 4}, {"count": 2, "offset": 4}, {"offset": 8}, {"offset": -1},
    {"offset": 9}, {"offset": 3}, {"count": 0}, {"count": -2}, {"dtype": "float64"},
    {"dtype": "uint8", "offset": 3, "count": 2}, {"dtype": "int16", "offset": 2},
    {"dtype": "bfloat16"}, {"dtype": "bool", "count": 3}, {"dtype": "complex64"},
    {"offset": 2.0}, {"count": True}, {"requires_grad": True},
    {"dtype": "float32", "requires_grad": True},
], ids=str)
def test_frombuffer_matches_torch(options):
    data = array.array("i", [1, -1082130432, 3, 40000])  # no NaN in any float view
    expected = _frombuffer_outcome(torch, data, **dict(options))
    actual = _frombuffer_outcome(rustorch, array.array("i", data), **dict(options))
    if isinstance(expected, Exception):
        assert isinstance(actual, type(expected)), (actual, expected)
        assert isinstance(actual, rustorch.RusTorchError)
        if not isinstance(expected, RuntimeError):  # requires_grad's wording differs
            assert str(actual) == str(expected)
        return
    assert isinstance(actual, rustorch.Tensor), actual
    assert str(actual.dtype) == str(expected.dtype)
    assert actual.requires_grad == expected.requires_grad
    assert actual.tolist() == expected.tolist()


@pytest.mark.parametrize("data", [[1, 2], bytearray(0), np.ones((2, 2))[:, 0]], ids=str)
def test_frombuffer_bad_buffers(data):
    expected = _frombuffer_outcome(torch, data, dtype="uint8")
    actual = _frombuffer_outcome(rustorch, data, dtype="uint8")
    assert isinstance(expected, Exception)
    assert isinstance(actual, type(expected)) and isinstance(actual, rustorch.RusTorchError)
    assert str(actual).startswith(str(expected))


def test_frombuffer_shares_memory():
    data = bytearray(12)
    tensor = frombuffer(data, dtype=rustorch.int32, offset=4)
    tensor[0] = 258
    assert data[4:6] == bytearray([2, 1])
    data[8] = 5
    assert tensor.tolist() == [258, 5]
    numbers = array.array("d", [1.5, 2.5])
    view = frombuffer(numbers, dtype=rustorch.float64)
    view.mul_(2)
    assert list(numbers) == [3.0, 5.0]
    source = np.arange(6, dtype=np.float32).reshape(2, 3)
    flat = frombuffer(source, dtype=rustorch.float32)
    flat[5] = -1
    assert source[1, 2] == -1


def test_frombuffer_keeps_the_buffer_alive():
    tensor = frombuffer(bytearray(b"\x01\x00\x02\x00"), dtype=rustorch.int16)
    assert tensor.tolist() == [1, 2]


def test_frombuffer_read_only_buffer(monkeypatch):
    monkeypatch.setattr(_frombuffer, "_warned_not_writable", False)
    with pytest.warns(UserWarning, match="The given buffer is not writable"):
        tensor = frombuffer(b"\x01\x00\x00\x00\x02\x00\x00\x00", dtype=rustorch.int32)
    assert tensor.tolist() == [1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the warning comes once per program, as torch's
        frombuffer(b"\x03\x00\x00\x00", dtype=rustorch.int32)
    with pytest.raises(RuntimeError):
        tensor[0] = 5  # rustorch keeps the immutable bytes unchanged
    assert tensor.tolist() == [1, 2]


def test_frombuffer_rejects_quantized_dtypes():
    with pytest.raises(TypeError, match="quantized"):
        frombuffer(bytearray(4), dtype=rustorch.qint8)
