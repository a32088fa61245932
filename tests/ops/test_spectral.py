"""``stft`` and ``istft`` against torch: values, dtypes, shapes and gradients (input and
window) for many n_fft/hop/win_length combinations, centring and every pad mode, normalized
and onesided outputs, batched and complex inputs, ``align_to_window``, the round trip, torch's
errors and warnings, and float64 gradcheck/gradgradcheck."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from rustorch import _warn_once
from rustorch.autograd import gradcheck, gradgradcheck
from tests._oracle import (as_numpy, check, check_error, randn, rustorch, to_rustorch, to_torch,
                           torch)

pytestmark = pytest.mark.filterwarnings("ignore:A window was not provided",
                                        "ignore:stft with return_complex=False",
                                        "ignore:The length of signal is shorter",
                                        "ignore:ComplexHalf support is experimental")

# (n_fft, hop_length, win_length)
CASES = [(16, None, None), (16, 4, None), (16, 5, 11), (15, 3, 15), (15, 2, 8), (8, 8, 8),
         (9, 1, 4), (2, 1, 1)]


def crandn(*shape, dtype=np.complex64):
    return (randn(*shape, dtype=np.float64) + 1j * randn(*shape, dtype=np.float64)).astype(dtype)


def hann(length, dtype=np.float32):
    return torch.hann_window(length, dtype=torch.float64).numpy().astype(dtype)


def hamming(length, dtype=np.float32):  # no zeros at its ends: NOLA holds without centring
    return torch.hamming_window(length, dtype=torch.float64).numpy().astype(dtype)


def spectrogram(x, n_fft, window=None, **kwargs):
    """torch's STFT of ``x`` as an array (the input istft tests start from)."""
    return torch.stft(torch.from_numpy(x), n_fft, window=None if window is None else
                      torch.from_numpy(window), return_complex=True, **kwargs).numpy()


# ----------------------------------------------------------------- stft
@pytest.mark.parametrize("n_fft, hop, win", CASES)
@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("shape", [(40,), (3, 40)], ids=["1d", "batched"])
def test_stft_with_a_window(n_fft, hop, win, center, shape):
    window = randn(n_fft if win is None else win)
    check(lambda m, x, w: m.stft(x, n_fft, hop, win, w, center, return_complex=True),
          randn(*shape), window)


@pytest.mark.parametrize("n_fft, hop, win", CASES)
@pytest.mark.parametrize("center", [True, False])
def test_stft_without_a_window(n_fft, hop, win, center):
    check(lambda m, x: m.stft(x, n_fft, hop_length=hop, win_length=win, center=center,
                              return_complex=True), randn(2, 33))


@pytest.mark.parametrize("pad_mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape", [(30,), (2, 30)], ids=["1d", "batched"])
def test_stft_pad_modes(pad_mode, shape):
    check(lambda m, x, w: m.stft(x, 12, 3, window=w, pad_mode=pad_mode, return_complex=True),
          randn(*shape), hann(12))


@pytest.mark.parametrize("normalized", [False, True])
@pytest.mark.parametrize("onesided", [None, True, False])
def test_stft_normalized_and_onesided(normalized, onesided):
    check(lambda m, x, w: m.stft(x, 10, 3, 7, w, normalized=normalized, onesided=onesided,
                                 return_complex=True), randn(2, 31), hann(7))


@pytest.mark.parametrize("onesided", [None, False])
@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("shape", [(30,), (2, 30)], ids=["1d", "batched"])
def test_stft_complex_input(onesided, center, shape):
    check(lambda m, x, w: m.stft(x, 8, 3, window=w, center=center, onesided=onesided),
          crandn(*shape), hann(8))
    check(lambda m, x: m.stft(x, 8, 2, 5, normalized=True), crandn(*shape))


def test_stft_complex_window():
    check(lambda m, x, w: m.stft(x, 8, 3, window=w), randn(2, 30), crandn(8))
    check(lambda m, x, w: m.stft(x, 8, 3, 6, window=w, normalized=True), crandn(30), crandn(6))


@pytest.mark.parametrize("dtypes", [(np.float64, np.float64), (np.float32, np.float64),
                                    (np.float64, np.float32), (np.complex128, np.float32)])
def test_stft_dtype_promotion_with_the_window(dtypes):
    x = crandn(25, dtype=dtypes[0]) if dtypes[0] == np.complex128 else randn(25, dtype=dtypes[0])
    check(lambda m, x, w: m.stft(x, 8, window=w, return_complex=True), x, hann(8, dtypes[1]))


def test_stft_integer_window_promotes():
    check(lambda m, x: m.stft(x, 8, window=m.ones(8, dtype=m.int64), return_complex=True),
          randn(25))


@pytest.mark.parametrize("shape", [(30,), (3, 30)], ids=["1d", "batched"])
def test_stft_real_output(shape):
    check(lambda m, x, w: m.stft(x, 8, 2, window=w, return_complex=False), randn(*shape),
          hann(8))
    check(lambda m, x: m.stft(x, 8, 2, onesided=False, return_complex=False), randn(*shape))


@pytest.mark.parametrize("n_fft, hop, win", [(16, 4, 10), (16, 4, 11), (16, 5, 16), (9, 2, 4),
                                             (9, 3, 9)])
@pytest.mark.parametrize("align", [True, False])
def test_stft_align_to_window(n_fft, hop, win, align):
    check(lambda m, x, w: m.stft(x, n_fft, hop, win, w, center=False, align_to_window=align,
                                 return_complex=True), randn(2, 41), hann(win))


def test_stft_tensor_method():
    check(lambda m, x, w: x.stft(12, 4, window=w, return_complex=True), randn(3, 40), hann(12))
    check(lambda m, x: x.stft(12, center=False, return_complex=True), randn(40))


def test_stft_of_views():
    check(lambda m, x: m.stft(x.t()[1], 8, 3, return_complex=True), randn(30, 2))
    check(lambda m, x: m.stft(x[::2], 8, 3, center=False, return_complex=True), randn(41))


# ----------------------------------------------------------------- istft
@pytest.mark.parametrize("n_fft, hop, win", [case for case in CASES if case[0] > 2])
@pytest.mark.parametrize("batched", [False, True])
def test_istft_centred(n_fft, hop, win, batched):
    window = hamming(n_fft if win is None else win)
    spectrum = spectrogram(randn(*((3, 40) if batched else (40,))), n_fft, window,
                           hop_length=hop, win_length=win)
    check(lambda m, s, w: m.istft(s, n_fft, hop, win, w), spectrum, window)


# not centred, a window shorter than n_fft leaves the first samples uncovered (NOLA fails)
@pytest.mark.parametrize("n_fft, hop, win", [(16, 4, None), (12, 5, 12), (15, 3, 15)])
@pytest.mark.parametrize("length", [None, 20, 39, 41, 60])
def test_istft_not_centred_and_length(n_fft, hop, win, length):
    window = hamming(n_fft if win is None else win)
    spectrum = spectrogram(randn(2, 40), n_fft, window, hop_length=hop, win_length=win,
                           center=False)
    check(lambda m, s, w: m.istft(s, n_fft, hop, win, w, center=False, length=length),
          spectrum, window)


@pytest.mark.parametrize("length", [None, 10, 35, 50])
@pytest.mark.parametrize("normalized", [False, True])
def test_istft_length_and_normalized(length, normalized):
    spectrum = spectrogram(randn(35), 12, hann(12), hop_length=3, normalized=normalized)
    check(lambda m, s, w: m.istft(s, 12, 3, window=w, normalized=normalized, length=length),
          spectrum, hann(12))


def test_istft_without_a_window():
    spectrum = spectrogram(randn(2, 30), 8, hop_length=2)
    check(lambda m, s: m.istft(s, 8, 2), spectrum)
    check(lambda m, s: m.istft(s, 8, 2, center=False), crandn(2, 5, 12))


@pytest.mark.parametrize("return_complex", [False, True])
@pytest.mark.parametrize("onesided", [None, False])
def test_istft_two_sided_input(return_complex, onesided):
    spectrum = spectrogram(crandn(2, 30), 8, hann(8), hop_length=2)
    check(lambda m, s, w: m.istft(s, 8, 2, window=w, onesided=onesided,
                                  return_complex=return_complex), spectrum, hann(8))


def test_istft_small_but_admissible_window():
    check(lambda m, s, w: m.istft(s, 8, window=w), SPECTRUM, np.full(8, 1e-5, np.float32))


def test_istft_complex_window_and_arbitrary_spectra():
    check(lambda m, s, w: m.istft(s, 8, 2, window=w, return_complex=True), crandn(8, 11),
          crandn(8) + 2)
    check(lambda m, s, w: m.istft(s, 10, 3, 7, w, length=30), crandn(2, 6, 12), hann(7) + 0.1)


def test_istft_dtype_promotion_with_the_window():
    check(lambda m, s, w: m.istft(s, 8, window=w), crandn(5, 11, dtype=np.complex128), hann(8))
    check(lambda m, s, w: m.istft(s, 8, window=w), crandn(5, 11), hann(8, np.float64))


def test_istft_tensor_method():
    spectrum = spectrogram(randn(40), 12, hann(12), hop_length=4)
    check(lambda m, s, w: s.istft(12, 4, window=w, length=40), spectrum, hann(12))


# ----------------------------------------------------------------- round trip
@pytest.mark.parametrize("n_fft, hop, win, center", [
    (16, 4, None, True), (16, 5, 11, True), (15, 3, 15, True), (9, 1, 4, True),
    (16, 4, None, False), (15, 3, 15, False), (10, 7, None, False)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_round_trip(n_fft, hop, win, center, dtype):
    x = crandn(2, 47, dtype=dtype) if dtype == np.complex64 else randn(2, 47, dtype=dtype)
    window = hamming(n_fft if win is None else win, np.float64 if dtype == np.float64 else
                     np.float32)
    complex_input = dtype == np.complex64

    def round_trip(m, x, w):
        spectrum = m.stft(x, n_fft, hop, win, w, center, return_complex=True)
        return m.istft(spectrum, n_fft, hop, win, w, center, return_complex=complex_input,
                       length=x.shape[-1])

    # the round trip does not depend on the window: its gradient is rounding noise around 0
    result, _ = check(round_trip, x, window, grad_atol=1e-4 if dtype != np.float64 else 1e-9)
    frames = (47 - n_fft) // hop * hop + n_fft  # istft recovers what the frames cover
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(as_numpy(result)[..., :47 if center else frames],
                               x[..., :47 if center else frames], atol=tolerance)


# ----------------------------------------------------------------- errors and warnings
X = randn(20)
SPECTRUM = spectrogram(X, 8, hann(8))


def signal(m, array=X):
    return to_torch(array) if m is torch else to_rustorch(array)


@pytest.mark.parametrize("call", [
    lambda m: m.stft(signal(m), 8),  # return_complex must be given for real input
    lambda m: m.stft(m.arange(20), 8, return_complex=True),
    lambda m: m.stft(m.arange(20), 8, center=False, return_complex=True),
    lambda m: m.stft(m.zeros(2, 3, 20), 8, return_complex=True),
    lambda m: m.stft(m.zeros(2, 3, 20), 8, center=False, return_complex=True),
    lambda m: m.stft(m.tensor(1.0), 8, center=False, return_complex=True),
    lambda m: m.stft(signal(m), 30, center=False, return_complex=True),
    lambda m: m.stft(signal(m), 0, center=False, return_complex=True),
    lambda m: m.stft(signal(m), 50, return_complex=True),  # reflect pad longer than input
    lambda m: m.stft(signal(m), 8, hop_length=0, return_complex=True),
    lambda m: m.stft(signal(m), 8, win_length=0, return_complex=True),
    lambda m: m.stft(signal(m), 8, win_length=9, return_complex=True),
    lambda m: m.stft(signal(m), 8, window=m.ones(7), return_complex=True),
    lambda m: m.stft(signal(m), 8, window=m.ones(8, 1), return_complex=True),
    lambda m: m.stft(signal(m).to(m.complex64), 8, onesided=True),
    lambda m: m.stft(signal(m), 8, window=m.ones(8, dtype=m.complex64), onesided=True),
    lambda m: m.stft(signal(m), 8, align_to_window=True, return_complex=True),
    lambda m: m.stft(signal(m), 8, align_to_window=False, return_complex=True),
    lambda m: m.stft(m.zeros(21), 8, 2, 5, center=False, align_to_window=True,
                     return_complex=True),  # the last frame runs past the storage
    lambda m: m.stft(signal(m), 8, pad_mode="foo", return_complex=True),
    lambda m: m.stft(signal(m).half(), 8, return_complex=True),
    lambda m: m.stft(signal(m), 8.0, return_complex=True),
], ids=["return_complex_missing", "integer", "integer_not_centred", "3d", "3d_not_centred",
        "0d", "n_fft_too_big", "n_fft_zero", "reflect_too_short", "hop_zero", "win_zero",
        "win_too_big", "window_length", "window_2d", "complex_onesided",
        "complex_window_onesided", "align_with_center", "align_false_with_center",
        "align_overflow", "pad_mode", "half", "float_n_fft"])
def test_stft_errors(call):
    check_error(call)


@pytest.mark.parametrize("call", [
    lambda m: m.istft(m.view_as_real(signal(m, SPECTRUM)), 8),
    lambda m: m.istft(signal(m, SPECTRUM)[0], 8),  # too few dims to index -3
    lambda m: m.istft(signal(m, SPECTRUM)[0, 0], 8),
    lambda m: m.istft(signal(m, SPECTRUM)[None, None], 8),
    lambda m: m.istft(signal(m, SPECTRUM)[:, :0], 8),
    lambda m: m.istft(signal(m, SPECTRUM)[:4], 8),
    lambda m: m.istft(signal(m, SPECTRUM), 8, onesided=False),
    lambda m: m.istft(signal(m, SPECTRUM), 8, hop_length=9),
    lambda m: m.istft(signal(m, SPECTRUM), 8, hop_length=0),
    lambda m: m.istft(signal(m, SPECTRUM), 8, win_length=9),
    lambda m: m.istft(signal(m, SPECTRUM), 8, window=m.ones(7)),
    lambda m: m.istft(signal(m, SPECTRUM), 8, window=m.zeros(8)),  # NOLA fails everywhere
    lambda m: m.istft(signal(m, SPECTRUM), 8, window=m.full((8,), 1e-6)),  # below 1e-11
    lambda m: m.istft(signal(m, SPECTRUM), 8, 8, window=m.hann_window(8)),
    lambda m: m.istft(signal(m, SPECTRUM), 8, 8, window=m.hann_window(8), center=False),
    lambda m: m.istft(signal(m, SPECTRUM), 8, return_complex=True),
    lambda m: m.istft(m.ones(8, 11, dtype=m.complex64), 8, window=m.ones(8, dtype=m.complex64)),
    lambda m: m.istft(signal(m, SPECTRUM), 8, length=0),
], ids=["real_input", "1d", "0d", "4d", "empty", "frequency_size", "onesided_false_size",
        "hop_too_big", "hop_zero", "win_too_big", "window_length", "nola_zero_window",
        "nola_tiny_window",
        "nola_gaps", "nola_not_centred", "complex_output_onesided",
        "complex_window_real_output", "empty_length"])
def test_istft_errors(call):
    check_error(call)


def test_warnings_come_once_per_process_like_torch():
    _warn_once._warned.clear()
    x, spectrum = rustorch.randn(20), rustorch.randn(5, 11, dtype=rustorch.complex64)
    cases = [
        ("A window was not provided. A rectangular window will be applied,which is known",
         lambda: x.stft(8, return_complex=True)),
        ("stft with return_complex=False is deprecated",
         lambda: x.stft(8, window=rustorch.ones(8), return_complex=False)),
        ("A window was not provided. A rectangular window will be applied.Please provide",
         lambda: spectrum.istft(8)),
        ("The length of signal is shorter than the length parameter",
         lambda: spectrum.istft(8, window=rustorch.ones(8), length=40)),
    ]
    for message, call in cases:
        with pytest.warns(UserWarning, match=message):
            call()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        assert not [w for w in caught if message in str(w.message)]


# ----------------------------------------------------------------- gradcheck
def leaf(array):
    return to_rustorch(array.astype(np.float64), requires_grad=True)


def test_stft_gradcheck_float64():
    x, window = leaf(randn(2, 19)), leaf(randn(6))

    def real_stft(x, window):
        return rustorch.view_as_real(rustorch.stft(x, 8, 3, 6, window, return_complex=True))

    assert gradcheck(real_stft, (x, window))
    assert gradgradcheck(real_stft, (x, window))
    real, imag = leaf(randn(17)), leaf(randn(17))
    assert gradcheck(lambda re, im: rustorch.stft(rustorch.complex(re, im), 6, 2, 4,
                                                  normalized=True, return_complex=False),
                     (real, imag))


def test_istft_gradcheck_float64():
    real, imag, window = leaf(randn(2, 5, 7)), leaf(randn(2, 5, 7)), leaf(hann(6) + 0.5)

    def inverse(real, imag, window):
        return rustorch.istft(rustorch.complex(real, imag), 8, 2, 6, window, length=14)

    assert gradcheck(inverse, (real, imag, window))
    assert gradgradcheck(inverse, (real, imag, window))
    real, imag = leaf(randn(8, 6)), leaf(randn(8, 6))
    assert gradcheck(lambda re, im: rustorch.view_as_real(rustorch.istft(
        rustorch.complex(re, im), 8, 3, center=False, return_complex=True,
        normalized=True)), (real, imag))
