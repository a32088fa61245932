"""``torch.fft``: discrete Fourier transforms (numpy.fft / cupy.fft on arrays) with PyTorch's
names, dtypes, ``norm`` modes and gradients."""
from __future__ import annotations
