"""``cupy.lib.stride_tricks`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by
the tests when RUSTORCH_FAKE_CUDA=1). CuPy's strided views are always writable."""
import numpy as _numpy

from .._core import ndarray as _ndarray
from .._dispatch import call as _call


def as_strided(x, shape=None, strides=None):
    if not isinstance(x, _ndarray):
        raise TypeError(f"Argument 'x' has incorrect type (expected cupy._core.core._ndarray_base"
                        f", got {type(x).__name__})")
    return _call("cupy.lib.stride_tricks", "as_strided",
                 lambda a, shape, strides: _numpy.lib.stride_tricks.as_strided(
                     a, shape, strides, writeable=True), (x, shape, strides), {})


def sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    return _call("cupy.lib.stride_tricks", "sliding_window_view",
                 _numpy.lib.stride_tricks.sliding_window_view, (x, window_shape, axis),
                 {"subok": subok, "writeable": writeable})
