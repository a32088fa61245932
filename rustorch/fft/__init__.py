"""``torch.fft``: discrete Fourier transforms (numpy.fft / cupy.fft on arrays) with PyTorch's
names, dtypes, ``norm`` modes and gradients.

``_primitives`` holds the four differentiable primitives (resize, complex-to-complex,
real-to-complex, complex-to-real), ``_transforms`` the public transforms built on them,
``_helpers`` ``fftfreq``/``rfftfreq`` and ``fftshift``/``ifftshift``.

>>> import rustorch as torch
>>> torch.fft.irfft(torch.fft.rfft(torch.tensor([1.0, 2.0, 3.0, 4.0])))
tensor([1., 2., 3., 4.])
"""
from __future__ import annotations

from ._helpers import fftfreq, fftshift, ifftshift, rfftfreq
from ._transforms import (fft, fft2, fftn, hfft, hfft2, hfftn, ifft, ifft2, ifftn, ihfft,
                          ihfft2, ihfftn, irfft, irfft2, irfftn, rfft, rfft2, rfftn)

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift"]
