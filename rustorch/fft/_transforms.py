"""The discrete Fourier transforms of ``torch.fft``: complex (``fft``, ``ifft``), real-input
one-sided (``rfft``, ``ihfft``) and real-output (``irfft``, ``hfft``), each in 1-d, 2-d and
n-d forms with PyTorch's ``n``/``s``, ``dim``, ``norm`` and ``out`` arguments.

``hfft`` is ``irfft`` of the conjugate input with the dual normalisation, and ``ihfft`` the
conjugate of ``rfft`` with the dual normalisation (the DFT of a Hermitian signal is real).

>>> import rustorch as torch
>>> torch.fft.fft(torch.tensor([1.0, 0.0, 0.0, 0.0]))
tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
"""
from __future__ import annotations

from ..errors import ShapeError
from ..tensor import Tensor
from ._common import (check_norm, dual_norm, full_sizes, prepare_input, resolve_many,
                      resolve_one, write_out)
from ._primitives import ComplexToReal, ComplexTransform, RealToComplex, resize
from ..amp._dispatch import autocast_call, autocast_state

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn"]


# ----------------------------------------------------------------- the three kinds
def _complex(name: str, input, dims, sizes, norm, inverse: bool, out) -> Tensor:
    norm = check_norm(norm)
    sizes = full_sizes(input, dims, sizes)
    result = ComplexTransform.apply(resize(input, dims, sizes), dims=dims, norm=norm,
                                    inverse=inverse)
    return write_out(name, result, out)


def _real_to_complex(name: str, input, dims, sizes, norm, conjugate: bool, out) -> Tensor:
    """``rfftn`` (``conjugate`` False) or ``ihfftn``."""
    norm = check_norm(norm)
    if not dims:
        raise ShapeError(f"{name} must transform at least one axis")
    sizes = full_sizes(input, dims, sizes)
    transform_norm = dual_norm(norm) if conjugate else norm
    result = RealToComplex.apply(resize(input, dims, sizes), dims=dims, norm=transform_norm)
    return write_out(name, result.conj() if conjugate else result, out)


def _complex_to_real(name: str, input, dims, sizes, norm, conjugate: bool, out) -> Tensor:
    """``irfftn`` (``conjugate`` False) or ``hfftn``: the last of ``dims`` holds the one-sided
    half; its output length defaults to ``2 * (half - 1)``."""
    norm = check_norm(norm)
    if not dims:
        raise ShapeError(f"{name} must transform at least one axis")
    last = dims[-1]
    length = 2 * (input.shape[last] - 1) if sizes[-1] is None else sizes[-1]
    sizes = full_sizes(input, dims[:-1], sizes[:-1]) + [length]
    full_sizes(input, dims[-1:], [length])  # PyTorch's error for fewer than one point
    half_sizes = sizes[:-1] + [length // 2 + 1]
    input = resize(input, dims, half_sizes)
    if conjugate:
        input = input.conj()
    transform_norm = dual_norm(norm) if conjugate else norm
    result = ComplexToReal.apply(input, dims=dims, norm=transform_norm, length=length)
    return write_out(name, result, out)


# ----------------------------------------------------------------- complex to complex
def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
        out: Tensor | None = None) -> Tensor:
    """One-dimensional DFT ``X[k] = sum_t x[t] exp(-2 pi i k t / n)`` along ``dim``;
    ``n`` zero-pads or truncates the signal first."""
    if autocast_state.active:
        return autocast_call(fft, "fft_fft", **locals())
    input = prepare_input("fft", input)
    dims, n = resolve_one("fft", input, n, dim)
    return _complex("fft", input, dims, [n], norm, False, out)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out: Tensor | None = None) -> Tensor:
    """One-dimensional inverse DFT along ``dim`` (scaled by ``1/n`` with the default norm)."""
    if autocast_state.active:
        return autocast_call(ifft, "fft_ifft", **locals())
    input = prepare_input("ifft", input)
    dims, n = resolve_one("ifft", input, n, dim)
    return _complex("ifft", input, dims, [n], norm, True, out)


def fftn(input: Tensor, s=None, dim=None, norm: str | None = None, *,
         out: Tensor | None = None) -> Tensor:
    """N-dimensional DFT over ``dim`` (all dims, or the last ``len(s)``, by default)."""
    if autocast_state.active:
        return autocast_call(fftn, "fft_fftn", **locals())
    input = prepare_input("fftn", input)
    dims, sizes = resolve_many("fftn", input, s, dim)
    return _complex("fftn", input, dims, sizes, norm, False, out)


def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """N-dimensional inverse DFT over ``dim``."""
    if autocast_state.active:
        return autocast_call(ifftn, "fft_ifftn", **locals())
    input = prepare_input("ifftn", input)
    dims, sizes = resolve_many("ifftn", input, s, dim)
    return _complex("ifftn", input, dims, sizes, norm, True, out)


def fft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
         out: Tensor | None = None) -> Tensor:
    """Two-dimensional DFT (``fftn`` over the last two dims by default)."""
    if autocast_state.active:
        return autocast_call(fft2, "fft_fft2", **locals())
    input = prepare_input("fft2", input)
    dims, sizes = resolve_many("fft2", input, s, dim)
    return _complex("fft2", input, dims, sizes, norm, False, out)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """Two-dimensional inverse DFT."""
    if autocast_state.active:
        return autocast_call(ifft2, "fft_ifft2", **locals())
    input = prepare_input("ifft2", input)
    dims, sizes = resolve_many("ifft2", input, s, dim)
    return _complex("ifft2", input, dims, sizes, norm, True, out)


# ----------------------------------------------------------------- real input, one-sided
def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out: Tensor | None = None) -> Tensor:
    """DFT of a real signal: the ``n // 2 + 1`` non-redundant outputs of ``fft``."""
    if autocast_state.active:
        return autocast_call(rfft, "fft_rfft", **locals())
    input = prepare_input("rfft", input, real_only=True)
    dims, n = resolve_one("rfft", input, n, dim)
    return _real_to_complex("rfft", input, dims, [n], norm, False, out)


def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """N-dimensional DFT of a real signal; the last of ``dim`` keeps ``n // 2 + 1`` outputs."""
    if autocast_state.active:
        return autocast_call(rfftn, "fft_rfftn", **locals())
    input = prepare_input("rfftn", input, real_only=True)
    dims, sizes = resolve_many("rfftn", input, s, dim)
    return _real_to_complex("rfftn", input, dims, sizes, norm, False, out)


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """Two-dimensional DFT of a real signal."""
    if autocast_state.active:
        return autocast_call(rfft2, "fft_rfft2", **locals())
    input = prepare_input("rfft2", input, real_only=True)
    dims, sizes = resolve_many("rfft2", input, s, dim)
    return _real_to_complex("rfft2", input, dims, sizes, norm, False, out)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """Inverse of ``hfft``: the one-sided ``ifft`` of a real signal."""
    if autocast_state.active:
        return autocast_call(ihfft, "fft_ihfft", **locals())
    input = prepare_input("ihfft", input, real_only=True)
    dims, n = resolve_one("ihfft", input, n, dim)
    return _real_to_complex("ihfft", input, dims, [n], norm, True, out)


def ihfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *,
           out: Tensor | None = None) -> Tensor:
    """N-dimensional ``ihfft``; the last of ``dim`` keeps ``n // 2 + 1`` outputs."""
    input = prepare_input("ihfftn", input, real_only=True)
    dims, sizes = resolve_many("ihfftn", input, s, dim)
    return _real_to_complex("ihfftn", input, dims, sizes, norm, True, out)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
           out: Tensor | None = None) -> Tensor:
    """Two-dimensional ``ihfft``."""
    input = prepare_input("ihfft2", input, real_only=True)
    dims, sizes = resolve_many("ihfft2", input, s, dim)
    return _real_to_complex("ihfft2", input, dims, sizes, norm, True, out)


# ----------------------------------------------------------------- one-sided input, real output
def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """Inverse of ``rfft``: ``n`` real points (default ``2 * (size - 1)``) from the one-sided
    spectrum along ``dim``."""
    if autocast_state.active:
        return autocast_call(irfft, "fft_irfft", **locals())
    input = prepare_input("irfft", input)
    dims, n = resolve_one("irfft", input, n, dim)
    return _complex_to_real("irfft", input, dims, [n], norm, False, out)


def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *,
           out: Tensor | None = None) -> Tensor:
    """Inverse of ``rfftn``; the last of ``dim`` holds the one-sided half."""
    if autocast_state.active:
        return autocast_call(irfftn, "fft_irfftn", **locals())
    input = prepare_input("irfftn", input)
    dims, sizes = resolve_many("irfftn", input, s, dim)
    return _complex_to_real("irfftn", input, dims, sizes, norm, False, out)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
           out: Tensor | None = None) -> Tensor:
    """Inverse of ``rfft2``."""
    if autocast_state.active:
        return autocast_call(irfft2, "fft_irfft2", **locals())
    input = prepare_input("irfft2", input)
    dims, sizes = resolve_many("irfft2", input, s, dim)
    return _complex_to_real("irfft2", input, dims, sizes, norm, False, out)


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out: Tensor | None = None) -> Tensor:
    """DFT of a Hermitian-symmetric signal given by its first half: a real result of ``n``
    points (default ``2 * (size - 1)``)."""
    if autocast_state.active:
        return autocast_call(hfft, "fft_hfft", **locals())
    input = prepare_input("hfft", input)
    dims, n = resolve_one("hfft", input, n, dim)
    return _complex_to_real("hfft", input, dims, [n], norm, True, out)


def hfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """N-dimensional ``hfft``; the last of ``dim`` holds the one-sided half."""
    input = prepare_input("hfftn", input)
    dims, sizes = resolve_many("hfftn", input, s, dim)
    return _complex_to_real("hfftn", input, dims, sizes, norm, True, out)


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """Two-dimensional ``hfft``."""
    input = prepare_input("hfft2", input)
    dims, sizes = resolve_many("hfft2", input, s, dim)
    return _complex_to_real("hfft2", input, dims, sizes, norm, True, out)
