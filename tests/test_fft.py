"""``rustorch.fft`` against ``torch.fft``: values, dtypes, shapes and gradients of every
transform (each norm, padding and truncation, several dims, real/complex/integer inputs),
``out=``, float64 gradcheck/gradgradcheck, the helpers, and the errors torch raises."""
from __future__ import annotations

import numpy as np
import pytest

import rustorch
from rustorch.autograd import gradcheck, gradgradcheck
from tests._oracle import as_numpy, check, check_error, randint, randn, to_rustorch, torch

NORMS = [None, "backward", "ortho", "forward"]


def call(m, name, *args, **kwargs):
    """``m.fft.<name>(...)`` with torch's lazy conjugate bit resolved (torch's ``ifft`` and
    ``ihfft`` of real inputs return conjugate views, which ``.numpy()`` refuses)."""
    if name.startswith("hfft") and args[0].is_complex():
        # torch's gradient for a complex hfft input is a conjugate view too: route it
        # through a multiplication, which materialises it
        args = (args[0] * 1, *args[1:])
    result = getattr(m.fft, name)(*args, **kwargs)
    return result.resolve_conj() if result.is_complex() else result


def crandn(*shape, dtype=np.complex64):
    return (randn(*shape, dtype=np.float64) + 1j * randn(*shape, dtype=np.float64)).astype(dtype)


# ----------------------------------------------------------------- 1-d transforms
@pytest.mark.parametrize("name", ["fft", "ifft"])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [None, 3, 6, 9])
@pytest.mark.parametrize("complex_input", [False, True])
def test_complex_1d(name, norm, n, complex_input):
    x = crandn(4, 6) if complex_input else randn(4, 6)
    check(lambda m, x: call(m, name, x, n=n, norm=norm), x)


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "ihfft", "irfft", "hfft"])
@pytest.mark.parametrize("dim", [0, 1, -3])
def test_1d_dims(name, dim):
    x = randn(5, 4, 3) if name in ("rfft", "ihfft") else crandn(5, 4, 3)
    check(lambda m, x: call(m, name, x, n=7, dim=dim), x)
    check(lambda m, x: call(m, name, x, dim=dim, norm="ortho"), x)


@pytest.mark.parametrize("name", ["rfft", "ihfft"])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [None, 1, 4, 5, 10, 11])
def test_real_to_complex_1d(name, norm, n):
    check(lambda m, x: call(m, name, x, n=n, norm=norm), randn(3, 7))
    check(lambda m, x: call(m, name, x, n=n, norm=norm), randn(3, 8))


@pytest.mark.parametrize("name", ["irfft", "hfft"])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [None, 1, 4, 5, 10, 11])
@pytest.mark.parametrize("complex_input", [False, True])
def test_complex_to_real_1d(name, norm, n, complex_input):
    x = crandn(3, 5) if complex_input else randn(3, 5)
    check(lambda m, x: call(m, name, x, n=n, norm=norm), x)


def test_round_trips():
    x = randn(4, 10, dtype=np.float64)
    check(lambda m, x: m.fft.irfft(m.fft.rfft(x), n=10), x)
    check(lambda m, x: m.fft.ifft(m.fft.fft(x, norm="ortho"), norm="ortho").real, x)
    result, _ = check(lambda m, x: m.fft.hfft(m.fft.ihfft(x), n=10), x)
    np.testing.assert_allclose(as_numpy(result), x, atol=1e-12)


# ----------------------------------------------------------------- n-d transforms
ND_CASES = [  # (shape, s, dim)
    ((4, 6), None, None),
    ((4, 6), (3, 8), None),
    ((3, 4, 6), (5,), None),
    ((3, 4, 6), (-1, 7), (0, 2)),
    ((3, 4, 6), (2, 5), (-1, 0)),
    ((3, 4, 6), None, (1,)),
    ((3, 4, 5), (4, 3, 9), (-3, -2, -1)),
]


@pytest.mark.parametrize("name", ["fftn", "ifftn", "rfftn", "ihfftn", "irfftn", "hfftn"])
@pytest.mark.parametrize("shape, s, dim", ND_CASES)
@pytest.mark.parametrize("norm", NORMS)
def test_nd(name, shape, s, dim, norm):
    x = randn(*shape) if name in ("rfftn", "ihfftn", "fftn") else crandn(*shape)
    check(lambda m, x: call(m, name, x, s=s, dim=dim, norm=norm), x)


@pytest.mark.parametrize("name", ["fft2", "ifft2", "rfft2", "ihfft2", "irfft2", "hfft2"])
@pytest.mark.parametrize("s, dim", [(None, (-2, -1)), ((5, 4), (-2, -1)), ((3, 7), (2, 0)),
                                    (None, (0, 1))])
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_2d(name, s, dim, norm):
    x = randn(4, 3, 6) if name in ("rfft2", "ihfft2") else crandn(4, 3, 6)
    check(lambda m, x: call(m, name, x, s=s, dim=dim, norm=norm), x)
    if dim == (-2, -1):
        check(lambda m, x: call(m, name, x, s=s, norm=norm), x)


def test_empty_dim_list_is_a_copy():
    result, _ = check(lambda m, x: m.fft.fftn(x, dim=()), randn(2, 3))
    assert result.dtype == rustorch.complex64


def test_zero_dimensional_fftn():
    check(lambda m, x: m.fft.fftn(x), randn())


# ----------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn",
                                  "rfftn", "irfftn"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float64])
def test_input_dtypes(name, dtype):
    x = randint(0, 5, (3, 4)).astype(dtype)
    check(lambda m, x: call(m, name, x), x)


def test_default_dtype_for_integers():
    previous = rustorch.get_default_dtype()
    rustorch.set_default_dtype(rustorch.float64)
    torch.set_default_dtype(torch.float64)
    try:
        check(lambda m, x: m.fft.fft(x), randint(0, 5, (4,)))
        check(lambda m, x: m.fft.irfft(x), randint(0, 5, (4,)))
    finally:
        rustorch.set_default_dtype(previous)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("name", ["fft", "rfft", "irfft", "fftn", "hfft"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_raises(name, dtype):
    check_error(lambda m: call(m, name, m.ones(4, dtype=getattr(m, dtype))))


@pytest.mark.parametrize("name", ["rfft", "ihfft", "rfftn", "rfft2", "ihfftn", "ihfft2"])
def test_real_only_transforms_reject_complex(name):
    check_error(lambda m: call(m, name, m.ones(4, 4, dtype=m.complex64)))


# ----------------------------------------------------------------- out=
@pytest.mark.parametrize("name, complex_input, dtype", [
    ("fft", False, "complex64"), ("ifft", True, "complex64"), ("rfft", False, "complex64"),
    ("irfft", True, "float32"), ("hfft", True, "float32"), ("ihfft", False, "complex64"),
    ("fftn", False, "complex64"), ("irfftn", True, "float32")])
def test_out(name, complex_input, dtype):
    x = crandn(3, 6) if complex_input else randn(3, 6)

    def run(m, x):
        out = m.empty(0, dtype=getattr(m, dtype))
        result = call(m, name, x, norm="ortho", out=out)
        assert result is out
        return out

    check(run, x, grad=False)


def test_out_must_be_complex_for_complex_result():
    check_error(lambda m: m.fft.fft(m.ones(4), out=m.empty(0)))


def _message(fn, m) -> str:
    with pytest.raises(Exception) as caught:
        fn(m)
    return str(caught.value)


@pytest.mark.parametrize("name", ["fft", "ifft", "fft2", "ifftn", "rfft2", "ihfft2", "ihfftn"])
def test_real_out_for_complex_result_names_the_kernel(name):
    def fn(m):
        return call(m, name, m.ones(4, 4), out=m.empty(0))

    check_error(fn)
    assert _message(fn, rustorch) == _message(fn, torch)


@pytest.mark.parametrize("name", ["irfft", "irfft2", "irfftn", "hfft", "hfft2", "hfftn"])
@pytest.mark.parametrize("out_dtype", ["complex64", "int64"])
def test_real_result_needs_floating_out(name, out_dtype):
    """A real-output transform refuses complex and integer out tensors, untouched."""
    def fn(m):
        out = m.full((2,), 7.0).to(getattr(m, out_dtype))
        try:
            call(m, name, m.ones(4, 4, dtype=m.complex64), out=out)
        finally:
            assert out.tolist() == [7, 7]

    check_error(fn)
    assert _message(fn, rustorch) == _message(fn, torch)


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize("call", [
    lambda m: m.fft.fft(m.ones(4), norm="bad"),
    lambda m: m.fft.rfftn(m.ones(4, 4), norm="Ortho"),
    lambda m: m.fft.fft(m.ones(4), n=0),
    lambda m: m.fft.ifft(m.ones(4), n=-1),
    lambda m: m.fft.fftn(m.ones(4, 4), s=(2, 0)),
    lambda m: m.fft.fft(m.ones(0)),
    lambda m: m.fft.irfft(m.ones(1)),
    lambda m: m.fft.hfft(m.ones(3, 1), dim=1),
    lambda m: m.fft.fft(m.ones(4), dim=1),
    lambda m: m.fft.rfft(m.ones(4, 2), dim=-3),
    lambda m: m.fft.fftn(m.ones(4, 2), dim=(0, 2)),
    lambda m: m.fft.fft(m.tensor(1.0)),
    lambda m: m.fft.fftn(m.ones(2, 3), dim=(0, 0)),
    lambda m: m.fft.rfftn(m.ones(2, 3), dim=(1, -1)),
    lambda m: m.fft.fftn(m.ones(2, 3), s=(2,), dim=(0, 1)),
    lambda m: m.fft.fftn(m.ones(2, 3), s=(2, 3, 4)),
    lambda m: m.fft.rfftn(m.ones(2, 3), dim=()),
    lambda m: m.fft.irfftn(m.ones(2, 3), dim=()),
    lambda m: m.fft.fft(m.ones(4), n=2.5),
    lambda m: m.fft.fft([1.0, 2.0]),
    lambda m: m.fft.fftfreq(4, dtype=m.int64),
    lambda m: m.fft.rfftfreq(4, dtype=m.complex64),
    lambda m: m.fft.fftfreq(4, dtype=m.complex128),
    lambda m: m.fft.fftshift(m.ones(3), dim=1),
    lambda m: m.fft.fftshift(m.tensor(1.0)),
])
def test_errors(call):
    check_error(call)


# ----------------------------------------------------------------- gradients
@pytest.mark.parametrize("function", [
    lambda m, x: m.fft.fft(x, n=7, norm="ortho"),
    lambda m, x: m.fft.rfft(x, n=5),
    lambda m, x: m.fft.rfft(x, norm="forward"),
    lambda m, x: m.fft.ihfft(x, n=8),
    lambda m, x: m.fft.irfft(m.fft.rfft(x) * 2, n=7),
    lambda m, x: m.fft.hfft(m.fft.rfft(x, n=4), n=5, norm="ortho"),
    lambda m, x: m.fft.rfft2(x, s=(3, 5)),
    lambda m, x: m.fft.irfftn(m.fft.fftn(x), s=(4, 6)),
])
def test_gradcheck_float64(function):
    def real_view(*args):
        result = function(rustorch, *args)
        return (result.real, result.imag) if result.dtype.is_complex else result

    x = to_rustorch(randn(3, 6, dtype=np.float64), requires_grad=True)
    assert gradcheck(real_view, (x,))
    assert gradgradcheck(real_view, (x,))


@pytest.mark.parametrize("name", ["fft", "ifft", "irfft", "hfft", "fftn", "irfftn"])
def test_complex_input_gradients_float64(name):
    check(lambda m, x: call(m, name, x, norm="ortho"), crandn(3, 6, dtype=np.complex128))


@pytest.mark.parametrize("name, complex_input", [
    ("fft", True), ("rfft", False), ("irfft", True), ("hfft", True), ("ihfft", False),
    ("rfftn", False), ("irfftn", True)])
def test_double_backward_matches_torch(name, complex_input):
    x = crandn(3, 6, dtype=np.complex128) if complex_input else randn(3, 6, dtype=np.float64)
    weight = randn(3, 6, dtype=np.float64)

    def second_derivative(m, x):
        y = call(m, name, x, n=6, dim=1) if not name.endswith("n") else \
            call(m, name, x, s=(6,), dim=(1,))
        total = (y * y).sum()
        total = total.real if total.is_complex() else total
        (first,) = m.autograd.grad(total, x, create_graph=True)
        (second,) = m.autograd.grad((first.real * m.from_numpy(weight).to(x.device)).sum(), x)
        return second

    check(second_derivative, x, grad=False, requires_grad=[True])


def test_grad_fn_names():
    x = rustorch.randn(4, requires_grad=True)
    assert rustorch.fft.fft(x).grad_fn.name() == "FftC2CBackward0"
    assert rustorch.fft.rfft(x).grad_fn.name() == "FftR2CBackward0"
    assert rustorch.fft.irfft(x).grad_fn.name() == "FftC2RBackward0"


# ----------------------------------------------------------------- helpers
@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
@pytest.mark.parametrize("n", [0, 1, 4, 7])
@pytest.mark.parametrize("d", [1.0, 0.25, 3])
def test_frequencies(name, n, d):
    check(lambda m: call(m, name, n, d), grad=False)
    check(lambda m: call(m, name, n, d=d, dtype=m.float64), grad=False)


def test_frequency_options():
    result, _ = check(lambda m: m.fft.fftfreq(5, requires_grad=True), grad=False)
    assert result.requires_grad and result.is_leaf
    check(lambda m: m.fft.rfftfreq(6, dtype=m.float16), grad=False)
    check(lambda m: m.fft.fftfreq(6, out=m.empty(0)), grad=False)


@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 2), [2, 1]])
def test_shifts(name, dim):
    check(lambda m, x: call(m, name, x, dim=dim), randn(5, 4, 3))
    check(lambda m, x: call(m, name, x, dim=dim), crandn(5, 4, 3))


def test_shift_inverts():
    x = randn(5, 6, 7)
    check(lambda m, x: m.fft.ifftshift(m.fft.fftshift(x)), x)
    result = rustorch.fft.ifftshift(rustorch.fft.fftshift(to_rustorch(x)))
    np.testing.assert_array_equal(as_numpy(result), x)
