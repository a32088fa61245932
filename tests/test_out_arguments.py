"""``out=`` is honoured everywhere it is accepted: the result is written into ``out`` (resized
when its shape differs), ``out`` itself is returned, and the values and dtype match torch's.
Factory functions make their values in ``out``'s dtype."""
import numpy as np
import pytest

from tests._oracle import DEVICE, as_numpy, assert_close, check_error, rustorch, torch

X = np.arange(6.0, dtype=np.float32).reshape(2, 3) - 2.0
SQUARE = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], np.float32)


def _tensor(m, array):
    return torch.from_numpy(array.copy()) if m is torch else \
        rustorch.from_numpy(array.copy()).to(DEVICE)


def _sentinel(m, shape, dtype):
    return m.full(shape, -7, dtype=getattr(m, dtype))


# name -> (call(m, out), out shapes and dtypes)
CASES = {
    "zeros": (lambda m, o: m.zeros(3, out=o), [((3,), "float32")]),
    "zeros_int": (lambda m, o: m.zeros(3, out=o), [((5,), "int64")]),
    "ones": (lambda m, o: m.ones(2, 2, out=o), [((4,), "float64")]),
    "empty_shape": (lambda m, o: m.empty(2, 3, out=o).shape, [((1,), "float32")]),
    "full_int": (lambda m, o: m.full((2,), 3.5, out=o), [((2,), "int64")]),
    "arange": (lambda m, o: m.arange(1.0, 4.0, out=o), [((0,), "float64")]),
    "arange_int": (lambda m, o: m.arange(5, out=o), [((5,), "int64")]),
    "linspace": (lambda m, o: m.linspace(0, 10, 5, out=o), [((5,), "float32")]),
    "linspace_int": (lambda m, o: m.linspace(0, 10, 5, out=o), [((1,), "int64")]),
    "logspace": (lambda m, o: m.logspace(0, 2, 3, out=o), [((3,), "float64")]),
    "eye_bool": (lambda m, o: m.eye(2, 3, out=o), [((1,), "bool")]),
    "tril": (lambda m, o: m.tril(_tensor(m, X), out=o), [((2, 3), "float32")]),
    "triu": (lambda m, o: m.triu(_tensor(m, X), 1, out=o), [((2, 3), "float32")]),
    "column_stack": (lambda m, o: m.column_stack([_tensor(m, X[0]), _tensor(m, X[1])], out=o),
                     [((3, 2), "float32")]),
    "dstack": (lambda m, o: m.dstack([_tensor(m, X), _tensor(m, X)], out=o),
               [((2, 3, 2), "float32")]),
    "row_stack": (lambda m, o: m.row_stack([_tensor(m, X), _tensor(m, X)], out=o),
                  [((4, 3), "float32")]),
    "max_dim": (lambda m, o: m.max(_tensor(m, X), 1, out=o), [((2,), "float32"), ((2,), "int64")]),
    "min_dim": (lambda m, o: m.min(_tensor(m, X), 0, keepdim=True, out=o),
                [((1, 3), "float32"), ((1, 3), "int64")]),
    "max_other": (lambda m, o: m.max(_tensor(m, X), _tensor(m, -X), out=o), [((2, 3), "float32")]),
    "frexp": (lambda m, o: m.frexp(_tensor(m, X), out=o), [((2, 3), "float32"), ((2, 3), "int32")]),
    "histogram": (lambda m, o: m.histogram(_tensor(m, X), 3, out=o),
                  [((3,), "float32"), ((4,), "float32")]),
    "gather": (lambda m, o: m.gather(_tensor(m, X), 1, _tensor(m, np.array([[2], [0]])), out=o),
               [((2, 1), "float32")]),
    "index_select": (lambda m, o: m.index_select(_tensor(m, X), 1, _tensor(m, np.array([2, 0])),
                                                 out=o), [((2, 2), "float32")]),
    "index_add": (lambda m, o: m.index_add(_tensor(m, X), 0, _tensor(m, np.array([1])),
                                           _tensor(m, np.ones((1, 3), np.float32)), alpha=2,
                                           out=o), [((2, 3), "float32")]),
    "index_copy": (lambda m, o: m.index_copy(_tensor(m, X), 0, _tensor(m, np.array([1])),
                                             _tensor(m, np.ones((1, 3), np.float32)), out=o),
                   [((2, 3), "float32")]),
    "masked_select": (lambda m, o: m.masked_select(_tensor(m, X), _tensor(m, X > 0), out=o),
                      [((7,), "float32")]),
    "nonzero": (lambda m, o: m.nonzero(_tensor(m, X), out=o), [((1, 2), "int64")]),
    "geqrf": (lambda m, o: m.geqrf(_tensor(m, SQUARE), out=o),
              [((3, 3), "float32"), ((3,), "float32")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_out_is_written_and_returned_like_torch(name):
    call, specs = CASES[name]
    results = {}
    for m in (torch, rustorch):
        outs = [_sentinel(m, shape, dtype) for shape, dtype in specs]
        out = outs[0] if len(outs) == 1 else tuple(outs)
        returned = call(m, out)
        if isinstance(returned, tuple) and not isinstance(returned, m.Size):
            assert all(r is o for r, o in zip(returned, outs)), f"{m.__name__}: not the out tensors"
        elif isinstance(returned, m.Tensor):
            assert returned is out, f"{m.__name__}: {name} did not return its out tensor"
        results[m] = (returned, outs)
    torch_returned, torch_outs = results[torch]
    rust_returned, rust_outs = results[rustorch]
    if isinstance(torch_returned, torch.Size):  # empty: uninitialised values, compare shapes
        assert tuple(rust_returned) == tuple(torch_returned)
        assert [tuple(o.shape) for o in rust_outs] == [tuple(o.shape) for o in torch_outs]
        return
    for actual, expected in zip(rust_outs, torch_outs):
        assert_close(actual, expected, what=f"{name} out")


def test_legacy_lu_writes_its_out_tensors():
    with pytest.warns(UserWarning):
        for m in (torch, rustorch):
            factors, pivots = _sentinel(m, (3, 3), "float32"), _sentinel(m, (3,), "int32")
            assert m.lu(_tensor(m, SQUARE), out=(factors, pivots)) is not None
            if m is torch:
                expected = (factors, pivots)
        assert_close(factors, expected[0], what="lu factors")
        assert_close(pivots, expected[1], what="lu pivots")


@pytest.mark.parametrize("sample, dtype", [
    (lambda m, o: m.rand(3, out=o), "float64"), (lambda m, o: m.randn(3, out=o), "float32"),
    (lambda m, o: m.randint(0, 5, (3,), out=o), "float32"),
    (lambda m, o: m.randperm(4, out=o), "int64"),
    (lambda m, o: m.normal(0.0, 1.0, (3,), out=o), "float64"),
    (lambda m, o: m.bernoulli(m.full((3,), 0.5), out=o), "float32"),
    (lambda m, o: m.multinomial(m.ones(3), 2, out=o), "int64"),
], ids=["rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial"])
def test_random_samples_fill_out_like_torch(sample, dtype):
    shapes = {}
    for m in (torch, rustorch):
        out = _sentinel(m, (1,), dtype)
        assert sample(m, out) is out
        assert out.dtype == getattr(m, dtype)
        assert not np.any(as_numpy(out) == -7)
        shapes[m] = tuple(out.shape)
    assert shapes[torch] == shapes[rustorch]


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3, dtype=m.float32, out=m.empty(3, dtype=m.float64)),
    lambda m: m.zeros(3, out=m.empty(3, requires_grad=True)),
    lambda m: m.tril(m.ones(2, 2, requires_grad=True), out=m.empty(2, 2)),
    lambda m: m.max(m.ones(2, 2, requires_grad=True), 1,
                    out=(m.empty(2), m.empty(2, dtype=m.int64))),
    lambda m: m.rand(3, out=m.empty(3, dtype=m.int64)),
    lambda m: m.zeros(3, out=[1, 2]),
], ids=["dtype_mismatch", "out_requires_grad", "input_requires_grad", "max_requires_grad",
        "rand_integer_out", "out_not_a_tensor"])
def test_bad_out_arguments_raise_like_torch(call):
    check_error(call)
