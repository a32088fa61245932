"""``cupy.fft`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the tests when
RUSTORCH_FAKE_CUDA=1): ``numpy.fft`` on the arrays' buffers, CuPy 13.6's names only."""
import numpy as _numpy

from ._dispatch import module_getattr as _module_getattr

__getattr__ = _module_getattr("cupy.fft", _numpy.fft, globals())
