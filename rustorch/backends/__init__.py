"""``torch.backends``: the flags training scripts set (``cudnn.benchmark``,
``cuda.matmul.allow_tf32`` ...) and the availability queries (``mps.is_available()``).

The flags are recorded so that scripts can set them and read them back; rustorch's kernels
(NumPy, CuPy) neither autotune nor use TF32, so the flags change no results.

    >>> import rustorch as torch
    >>> torch.backends.cudnn.benchmark = True
    >>> torch.backends.cudnn.benchmark
    True
    >>> torch.backends.cudnn.benchmark = False
"""
from __future__ import annotations

from . import cpu, cuda, cudnn, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkldnn", "mps", "openmp"]
