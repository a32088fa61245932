"""``torch.signal``: as in PyTorch, its one submodule ``windows`` holds the window functions
(SciPy's ``scipy.signal.windows`` with PyTorch's arguments).

>>> import rustorch as torch
>>> torch.signal.windows.hann(5)
tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
"""
from __future__ import annotations

from . import windows

__all__ = ["windows"]
