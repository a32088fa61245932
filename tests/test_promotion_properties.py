"""Property tests: for random broadcastable shapes and random dtype pairs, rustorch's
``a + b``, ``a * b`` and comparisons give torch's shape, dtype and values; shapes that don't
broadcast raise RuntimeError in both."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._oracle import ON_CPU, assert_close, rustorch, torch

# complex with float16 would need complex32, which rustorch lacks (see test_dtypes.py)
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64", "complex64", "complex128"]
if not (ON_CPU or rustorch.cuda.is_bf16_supported()):  # the test device has no bfloat16 arrays
    DTYPES.remove("bfloat16")
OPERATIONS = {
    "add": lambda x, y: x + y, "mul": lambda x, y: x * y, "eq": lambda x, y: x == y,
    "lt": lambda x, y: x < y, "ge": lambda x, y: x >= y, "maximum": None,
}
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def broadcastable_shapes(draw):
    """Two shapes that broadcast: start from one shape, then drop leading dimensions and
    replace sizes by 1 independently in each operand."""
    result = draw(st.lists(st.integers(0, 4), min_size=0, max_size=4))
    shapes = []
    for _ in range(2):
        keep = draw(st.integers(0, len(result)))
        shape = [1 if draw(st.booleans()) else size for size in result[len(result) - keep:]]
        shapes.append(tuple(shape))
    return shapes


def _values(draw, shape, name):
    """Small integers stored in ``name``, so every dtype holds them exactly."""
    count = int(np.prod(shape)) if shape else 1
    data = draw(st.lists(st.integers(0 if name in ("bool", "uint8") else -3, 3),
                         min_size=count, max_size=count))
    array = np.array(data, dtype=np.int64).reshape(shape)
    if name == "bool":
        array = array != 0
    return array


def _pair(name, array):
    ours = rustorch.tensor(array).to(getattr(rustorch, name))
    theirs = torch.tensor(array).to(getattr(torch, name))
    return ours, theirs


def _complex32(first, second) -> bool:
    return {"float16"} & {first, second} and any("complex" in n for n in (first, second))


@SETTINGS
@given(data=st.data(), shapes=broadcastable_shapes(),
       first=st.sampled_from(DTYPES), second=st.sampled_from(DTYPES),
       operation=st.sampled_from(sorted(OPERATIONS)))
def test_binary_ops_match_torch(data, shapes, first, second, operation):
    if _complex32(first, second):
        return
    ours_a, torch_a = _pair(first, _values(data.draw, shapes[0], first))
    ours_b, torch_b = _pair(second, _values(data.draw, shapes[1], second))
    function = OPERATIONS[operation] or (lambda x, y: x.maximum(y))
    try:
        expected = function(torch_a, torch_b)
    except RuntimeError as error:  # ordering complex numbers
        with pytest.raises(type(error)):
            function(ours_a, ours_b)
        with pytest.raises(rustorch.RusTorchError):
            function(ours_a, ours_b)
        return
    assert_close(function(ours_a, ours_b), expected)


@SETTINGS
@given(data=st.data(), shapes=broadcastable_shapes(), name=st.sampled_from(DTYPES),
       scalar=st.one_of(st.booleans(), st.integers(-3, 3),
                        st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 2))),
       reflected=st.booleans())
def test_scalar_ops_match_torch(data, shapes, name, scalar, reflected):
    ours, theirs = _pair(name, _values(data.draw, shapes[0], name))
    for function in (lambda x, s: x + s, lambda x, s: x * s, lambda x, s: x == s,
                     lambda x, s: x < s):
        def run(tensor, function=function):
            return function(scalar, tensor) if reflected else function(tensor, scalar)
        try:
            expected = run(theirs)
        except RuntimeError as error:  # e.g. ordering complex numbers
            with pytest.raises(type(error)):
                run(ours)
            continue
        assert_close(run(ours), expected)


@st.composite
def incompatible_shapes(draw):
    """Two shapes with at least one aligned dimension where sizes differ and neither is 1."""
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    index = draw(st.integers(0, len(shape) - 1))
    size = shape[index]
    other_size = draw(st.integers(2, 5).filter(lambda value: value != size))
    if size == 1:
        shape[index] = draw(st.integers(2, 5).filter(lambda value: value != other_size))
    other = list(shape)
    other[index] = other_size
    return tuple(shape), tuple(other)


@SETTINGS
@given(shapes=incompatible_shapes(), operation=st.sampled_from(sorted(OPERATIONS)))
def test_broadcast_errors_match_torch(shapes, operation):
    function = OPERATIONS[operation] or (lambda x, y: x.maximum(y))
    for module in (torch, rustorch):
        a, b = module.ones(shapes[0]), module.ones(shapes[1])
        try:
            function(a, b)
        except RuntimeError as error:
            if module is rustorch:
                assert isinstance(error, rustorch.RusTorchError), error
            continue
        raise AssertionError(f"{module.__name__}: {shapes} broadcast without an error")
