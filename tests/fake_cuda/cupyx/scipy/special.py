"""``cupyx.scipy.special`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the
tests when RUSTORCH_FAKE_CUDA=1): ``scipy.special`` on the arrays' buffers, limited to the names
CuPy 13.6 has (no ``airy``, ``iv``, ``jv``, ``kv`` ...). SciPy's ufuncs become strict CuPy
ufuncs (device arrays and scalars only)."""
import scipy.special as _special

from cupy._dispatch import module_getattr as _module_getattr

__getattr__ = _module_getattr("cupyx.scipy.special", _special, globals(),
                              prefix="cupyx_scipy_special_")
