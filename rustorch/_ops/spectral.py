"""Short-time Fourier transforms: ``stft`` and its inverse ``istft``, with PyTorch's
arguments, defaults, checks, warnings and gradients.

``stft`` cuts the (centre-padded) signal into frames of ``n_fft`` samples every ``hop_length``,
multiplies each by the window (zero-padded on both sides to ``n_fft``) and takes its DFT::

    X[f, t] = sum_n w[n] x[t * hop + n] exp(-2 pi i f n / n_fft)

``istft`` inverts each frame, multiplies it by the window, overlap-adds the frames and divides
by the overlap-added squared window, which must stay away from zero (the NOLA condition)::

    x[m] = sum_t w[m - t hop] y_t[m - t hop] / sum_t w[m - t hop]^2

The framing is one gather along time with a ``frames x n_fft`` index (``TakeAxis``) and the
overlap-add is its adjoint, one index-add with the same index (``IndexAddAxis``); with the
padding, window product and ``torch.fft`` transforms around them, every step is a
differentiable op, so gradients (also with respect to the window) come from the engine.

>>> import rustorch as torch
>>> x = torch.arange(8.0)
>>> spectrum = torch.stft(x, 4, window=torch.hann_window(4), return_complex=True)
>>> torch.istft(spectrum, 4, window=torch.hann_window(4), length=8)
tensor([0., 1., 2., 3., 4., 5., 6., 7.])
"""
from __future__ import annotations

import numpy as np

from .._warn_once import warn_once
from ..amp._dispatch import autocast_call, autocast_state
from ..errors import (ArgumentTypeError, ArgumentValueError, DeviceError, DTypeError,
                      ShapeError, TensorIndexError)
from ..fft import fft, ifft, irfft, rfft
from ..tensor import Tensor, tensor_method
from .composite import view_as_real
from .math_common import require_tensor, type_name
from .padding import ConstantPad, IndexAddAxis, TakeAxis

__all__ = ["stft", "istft"]

_NO_WINDOW_STFT = (
    "A window was not provided. A rectangular window will be applied,which is known to cause "
    "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
    "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
    "window, explicitly set `window=torch.ones(n_fft, device=<device>)`.")
_NO_WINDOW_ISTFT = (
    "A window was not provided. A rectangular window will be applied.Please provide the same "
    "window used by stft to make the inversion lossless.To suppress this warning and use a "
    "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.")
_REAL_OUTPUT = (
    "stft with return_complex=False is deprecated. In a future pytorch release, stft will "
    "return complex tensors for all inputs, and return_complex=False will raise an error.\n"
    "Note: you can still call torch.view_as_real on the complex output to recover the old "
    "return format.")
_PADDED_TAIL = (
    "The length of signal is shorter than the length parameter. Result is being padded with "
    "zeros in the tail. Please check your center and hop_length settings.")
_ONESIDED_COMPLEX = "Cannot have onesided output if window or input is complex"

# ----------------------------------------------------------------- messages and arguments
def _describe(tensor: Tensor) -> str:
    """PyTorch's ``toString()`` of a tensor's type (``torch.FloatTensor``,
    ``CPUComplexFloatType``) as its stft/istft messages print it."""
    name = type_name(tensor.dtype)
    if tensor.dtype.is_complex:
        return f"{tensor.device.type.upper()}{name}Type"
    return f"torch.{'cuda.' if tensor.device.type == 'cuda' else ''}{name}Tensor"


def _option(value) -> str:
    return "None" if value is None else str(int(value))


def _window_text(window) -> str:
    return "None" if window is None else f"{_describe(window)}{{{list(window.shape)}}}"


def _integer(name: str, argument: str, value, optional: bool = True):
    if value is None and optional:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"{name}(): argument '{argument}' must be int, not "
                                f"{type(value).__name__}")
    return int(value)


def _centred_window(window, win_length: int, n_fft: int, like: Tensor):
    """``window`` (ones when None) zero-padded on both sides to ``n_fft`` points."""
    if window is None:
        window = like.new_ones((win_length,))
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    return ConstantPad.apply(window, widths=((left, n_fft - win_length - left),))


def _frame_index(xp, count: int, n_fft: int, hop_length: int):
    """Flat positions of ``count`` frames of ``n_fft`` samples every ``hop_length``."""
    starts = xp.arange(count, dtype=np.int64)[:, None] * hop_length
    return (starts + xp.arange(n_fft, dtype=np.int64)).reshape(-1)


def _overlap_add(frames: Tensor, size: int, hop_length: int) -> Tensor:
    """(batch, count, n_fft) frames summed into (batch, size) at their positions."""
    batch, count, n_fft = frames.shape
    index = _frame_index(frames._xp(), count, n_fft, hop_length)
    return IndexAddAxis.apply(frames.reshape(batch, count * n_fft), index=index, axis=1,
                              size=size)


# ----------------------------------------------------------------- stft
@tensor_method
def stft(input: Tensor, n_fft: int, hop_length: int | None = None,
         win_length: int | None = None, window: Tensor | None = None, center: bool = True,
         pad_mode: str = "reflect", normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None, align_to_window: bool | None = None) -> Tensor:
    """The short-time Fourier transform of a 1-d signal or a batch of them (2-d): a
    ``(..., n_fft // 2 + 1 or n_fft, frames)`` complex tensor (or its real view)."""
    if autocast_state.active:
        return autocast_call(stft, "stft", **locals())
    require_tensor("stft", "input", 1, input)
    n_fft = _integer("stft", "n_fft", n_fft, optional=False)
    hop_length = _integer("stft", "hop_length", hop_length)
    win_length = _integer("stft", "win_length", win_length)
    if center and align_to_window is not None:
        raise ArgumentValueError("stft align_to_window should only be set when center = false")
    if center:
        # torch.functional.stft pads through F.pad, with its modes and errors
        from ..nn.functional import pad
        signal_dim = input.ndim
        padding = n_fft // 2
        input = pad(input.view([1] * (3 - signal_dim) + list(input.shape)), [padding, padding],
                    pad_mode)
        input = input.view(input.shape[-signal_dim:])
    return _stft(input, n_fft, hop_length, win_length, window, bool(normalized), onesided,
                 return_complex, align_to_window)


def _check_window(op: str, input: Tensor, window, no_window_warning: str) -> None:
    """torch warns (once) without a window and refuses one on another device."""
    if window is None:
        warn_once(no_window_warning)
    elif window.device != input.device:
        raise DeviceError(f"{op} input and window must be on the same device but got self on "
                          f"{input.device} and window on {window.device}")


def _stft(input, n_fft, hop_length, win_length, window, normalized, onesided, return_complex,
          align_to_window) -> Tensor:
    """PyTorch's ``at::stft`` on the already centre-padded signal."""
    _check_window("stft", input, window, _NO_WINDOW_STFT)
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    complex_output = return_complex if return_complex is not None else (
        input.is_complex() or (window is not None and window.is_complex()))
    if not complex_output:
        if return_complex is None:
            raise ArgumentValueError(
                "stft requires the return_complex parameter be given for real inputs, and will "
                "further require that return_complex=True in a future PyTorch release.")
        warn_once(_REAL_OUTPUT)

    def fail(message, error=ShapeError):
        raise error(f"stft({_describe(input)}{list(input.shape)}, n_fft={n_fft}, hop_length="
                    f"{hop}, win_length={win}, window={_window_text(window)}, normalized="
                    f"{int(normalized)}, onesided={_option(onesided)}, return_complex="
                    f"{_option(return_complex)}, align_to_window={_option(align_to_window)}) "
                    f": {message}")

    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        fail("expected a tensor of floating point or complex values", DTypeError)
    if input.ndim not in (1, 2):
        fail("expected a 1D or 2D tensor")
    signal = input.unsqueeze(0) if input.ndim == 1 else input
    batch, length = signal.shape
    if n_fft <= 0 or n_fft > length:
        fail(f"expected 0 < n_fft < {length}, but got n_fft={win}")  # sic: PyTorch prints win
    if hop <= 0:
        fail(f"expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        fail(f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        fail(f"expected a 1D window tensor of size equal to win_length={win}, but got window "
             f"with size {list(window.shape)}")
    full_window = None
    if window is not None or win < n_fft:
        full_window = _centred_window(window, win, n_fft, input)
    if align_to_window:
        # frames start where the window starts: count them by win_length, pad with zeros
        count = 1 + (length - win) // hop
        side = (n_fft - win) // 2
        signal = ConstantPad.apply(signal, widths=((0, 0), (side, side)))
        _check_frames_fit(signal, count, n_fft, hop)
    else:
        count = 1 + (length - n_fft) // hop
    index = _frame_index(signal._xp(), count, n_fft, hop)
    frames = TakeAxis.apply(signal, index=index, axis=1).reshape(batch, count, n_fft)
    if full_window is not None:
        frames = frames * full_window
    sided = not frames.is_complex() if onesided is None else bool(onesided)
    norm = "ortho" if normalized else "backward"
    if frames.is_complex() and sided:
        raise ArgumentValueError(_ONESIDED_COMPLEX)
    result = (rfft if sided else fft)(frames, dim=-1, norm=norm).transpose(1, 2)
    if input.ndim == 1:
        result = result.squeeze(0)
    return result if complex_output else view_as_real(result)


def _check_frames_fit(signal: Tensor, count: int, n_fft: int, hop: int) -> None:
    """PyTorch frames with ``as_strided`` over the whole padded batch; an odd
    ``n_fft - win_length`` can leave the last frame past the end of the storage."""
    batch, length = signal.shape
    needed = (batch - 1) * length + (count - 1) * hop + n_fft
    if batch and needed > batch * length:
        size = signal.dtype.itemsize
        raise ShapeError(f"setStorage: sizes [{batch}, {count}, {n_fft}], strides [{length}, "
                         f"{hop}, 1], storage offset 0, and itemsize {size} requiring a storage "
                         f"size of {needed * size} are out of bounds for storage of size "
                         f"{batch * length * size}")


# ----------------------------------------------------------------- istft
@tensor_method
def istft(input: Tensor, n_fft: int, hop_length: int | None = None,
          win_length: int | None = None, window: Tensor | None = None, center: bool = True,
          normalized: bool = False, onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:
    """The inverse of ``stft``: a signal (or a batch of them) from its complex STFT."""
    require_tensor("istft", "input", 1, input)
    n_fft = _integer("istft", "n_fft", n_fft, optional=False)
    hop_length = _integer("istft", "hop_length", hop_length)
    win_length = _integer("istft", "win_length", win_length)
    length = _integer("istft", "length", length)
    center, normalized, return_complex = bool(center), bool(normalized), bool(return_complex)
    _check_window("istft", input, window, _NO_WINDOW_ISTFT)
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if not input.is_complex():
        raise DTypeError("istft requires a complex-valued input tensor matching the output "
                         "from stft with return_complex=True.")
    real_dim = input.ndim + 1  # PyTorch works on view_as_real(input)
    for position in (-2, -3):
        if real_dim < -position:
            raise TensorIndexError(f"Dimension out of range (expected to be in range of "
                                   f"[{-real_dim}, {real_dim - 1}], but got {position})")
    count, fft_size = input.shape[-1], input.shape[-2]
    expected = n_fft + hop * (count - 1)

    def fail(message):
        raise ShapeError(f"istft({_describe(input)}{list(input.shape)}, n_fft={n_fft}, "
                         f"hop_length={hop}, win_length={win}, window={_window_text(window)}, "
                         f"center={int(center)}, normalized={int(normalized)}, onesided="
                         f"{_option(onesided)}, length={_option(length)}, return_complex="
                         f"{int(return_complex)}) {message}")

    if input.numel() == 0:
        fail(": input tensor cannot be empty.")
    if real_dim not in (3, 4):
        fail(f": expected a tensor with 3 or 4 dimensions, but got {real_dim}")
    sided = fft_size != n_fft if onesided is None else bool(onesided)
    if sided and n_fft // 2 + 1 != fft_size:
        fail(f": expected the frequency dimension (3rd to the last) of the input tensor to "
             f"match n_fft / 2 + 1 when onesided=True, but got {fft_size}")
    if not sided and n_fft != fft_size:
        fail(f": expected the frequency dimension (3rd to the last) of the input tensor to "
             f"match n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop <= win:
        fail(": expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        fail(": expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        fail(": Invalid window shape. window has to be 1D and length of `win_length`")
    ones_like = input.real if window is None else window
    full_window = _centred_window(window, win, n_fft, ones_like)
    spectra = (input.unsqueeze(0) if real_dim == 3 else input).transpose(1, 2)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        if sided:
            raise ArgumentValueError(_ONESIDED_COMPLEX)
        frames = ifft(spectra, dim=-1, norm=norm)
    else:
        if window is not None and window.is_complex():
            raise ArgumentValueError("Complex windows are incompatible with "
                                     "return_complex=False")
        if not sided:
            spectra = spectra[..., :n_fft // 2 + 1]
        frames = irfft(spectra, n=n_fft, dim=-1, norm=norm)
    signal = _overlap_add(frames * full_window.view(1, 1, n_fft), expected, hop)
    envelope = _overlap_add(full_window.pow(2).expand(1, count, n_fft), expected, hop)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = -(n_fft // 2) if center else expected
    signal, envelope = signal[:, start:end], envelope[:, start:end]
    if envelope.numel() == 0:
        raise ShapeError("min(): Expected reduction dim to be specified for input.numel() == "
                         "0. Specify the reduction dim with the 'dim' argument.")
    lowest = float(envelope.detach().abs().min())
    if lowest < 1e-11:
        fail(f"window overlap add min: {lowest:g}")
    signal = signal / envelope
    if real_dim == 3:
        signal = signal.squeeze(0)
    if end > expected:
        warn_once(_PADDED_TAIL)
        widths = ((0, 0),) * (signal.ndim - 1) + ((0, end - expected),)
        signal = ConstantPad.apply(signal, widths=widths)
    return signal
