"""A NumPy-backed stand-in for CuPy, used only by the tests when RUSTORCH_FAKE_CUDA=1
(``tests/conftest.py`` puts ``tests/fake_cuda`` first on ``sys.path``).

It imitates CuPy 13.6's API *and its strictness* on a machine without a GPU, so the CUDA code
paths of rustorch run and the places that mix NumPy and CuPy arrays fail as they would on a GPU:

* ``cupy.ndarray`` wraps a NumPy array and is not a ``numpy.ndarray``; ``numpy.asarray(x)``
  raises TypeError; NumPy arrays passed to CuPy functions, ufuncs or operators raise TypeError;
  NumPy functions and ufuncs called on device arrays dispatch back to the fake.
* only CuPy 13.6's public names exist (``_api.NAMES``), and Python-level functions and the
  ndarray methods check CuPy's signatures (``_api.SIGNATURES``), extracted from its sdist.
* CuPy's dtypes only (no bfloat16 in kernels), 0-d arrays instead of scalars, views with
  ``.base`` the owner, wrap-around integer-array indexing, stable sorts, and
  ``cupy.linalg`` returning NaNs instead of raising LinAlgError (CuPy's default error mode).

Differences that remain: everything is synchronous; ``__dlpack__`` returns a stand-in capsule
object that only this fake can import; dtype promotion is NumPy 2's (NEP 50) where CuPy 13
still applies value-based casting to Python scalars in some kernels.
"""
from __future__ import annotations

import numpy as _numpy

from . import cuda  # noqa: F401 - first: the others use it
from . import _api
from ._core import flatiter, ndarray  # noqa: F401
from ._dispatch import call as _call, module_getattr as _module_getattr, ufunc  # noqa: F401
from ._wrap import (convert_index as _convert_index, is_supported_dtype as _supported,
                    new_owner as _new_owner, unwrap as _unwrap, view_of as _view_of)
from .cuda import runtime as _runtime

__version__ = "13.6.0"
_FAKE = True

_ALIASES = """bool_ broadcast_shapes byte cdouble complex128 complex64 complexfloating csingle
    double dtype e euler_gamma finfo float16 float32 float64 floating generic half iinfo
    index_exp inexact inf int16 int32 int64 int8 int_ intc integer intp issubdtype iterable
    longlong mintypecode nan ndindex newaxis number pi printoptions promote_types s_ short
    signedinteger single typename ubyte uint uint16 uint32 uint64 uint8 uintc uintp ulonglong
    unsignedinteger ushort get_printoptions set_printoptions""".split()
for _name in _ALIASES:
    if hasattr(_numpy, _name):
        globals()[_name] = getattr(_numpy, _name)
float_, cfloat, complex_, singlecomplex = (_numpy.float64, _numpy.complex128,
                                           _numpy.complex128, _numpy.complex64)
del _name


def is_available() -> bool:
    return cuda.is_available()


# ----------------------------------------------------------------- host <-> device
def _check_dtype(dtype) -> None:
    if not _supported(dtype):
        raise ValueError(f"Unsupported dtype {_numpy.dtype(dtype)}")


def _to_device(host: _numpy.ndarray) -> ndarray:
    _check_dtype(host.dtype)
    return _new_owner(host)


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    """Host data (NumPy arrays, lists, scalars) or device arrays -> a device array."""
    if isinstance(obj, ndarray):
        result = obj
        if copy or (dtype is not None and _numpy.dtype(dtype) != obj.dtype):
            result = obj.astype(obj.dtype if dtype is None else dtype, order=order, copy=True)
        return result if ndmin <= result.ndim else result.reshape((1,) * (ndmin - result.ndim)
                                                                  + result.shape)
    host = _numpy.array(_unwrap(obj, host_ok=True), dtype=dtype, order=order, ndmin=ndmin)
    return _to_device(host)


def asarray(a, dtype=None, order=None, *, blocking=False):
    if isinstance(a, ndarray):
        if a._device_id != _runtime.getDevice():  # onto the current device
            a = _new_owner(a._array.copy())
        if dtype is None or _numpy.dtype(dtype) == a.dtype:
            return a
        return a.astype(dtype, order=order or "K")
    return array(a, dtype, copy=True, order=order or "K")


asanyarray = asarray


def ascontiguousarray(a, dtype=None):
    if isinstance(a, ndarray) and a._array.flags.c_contiguous and \
            (dtype is None or _numpy.dtype(dtype) == a.dtype):
        return a
    return array(a, dtype, copy=True, order="C", ndmin=0)


def asfortranarray(a, dtype=None):
    if isinstance(a, ndarray) and a._array.flags.f_contiguous and \
            (dtype is None or _numpy.dtype(dtype) == a.dtype):
        return a
    return array(a, dtype, copy=True, order="F")


def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    if isinstance(a, ndarray):
        return a.get(stream=stream, order=order, out=out, blocking=blocking)
    if out is not None:
        out[...] = a
        return out
    return _numpy.asarray(a, order=order)


def get_array_module(*args):
    return _numpy if not any(isinstance(a, ndarray) for a in args) else __import__(__name__)


def from_dlpack(array, *, device=None, copy=None):
    from ._core import PyCapsule
    if not isinstance(array, PyCapsule):
        if not hasattr(array, "__dlpack_device__"):
            raise AttributeError(f"'{type(array).__name__}' object has no attribute "
                                 f"'__dlpack_device__'")
        device_type, _ = array.__dlpack_device__()
        if device_type == 1:
            raise TypeError("CPU arrays cannot be directly imported to CuPy. Use "
                            "`cupy.array(numpy.from_dlpack(input))` instead.")
        if device_type != 2:
            raise TypeError(f"Unsupported array type: {device_type}")
        array = array.__dlpack__()
    source = array.array
    return _view_of(source._array.view(), source._base if source._base is not None else source)


fromDlpack = from_dlpack  # noqa: N816


def copyto(dst, src, casting="same_kind", where=None):
    if type(src) in (bool, int, float, complex):
        pass
    elif isinstance(src, _numpy.ndarray) or _numpy.isscalar(src):
        if src.size != 1:
            raise ValueError("non-scalar numpy.ndarray cannot be used for copyto")
        if not _numpy.can_cast(src, dst.dtype, casting):
            raise TypeError(f"Cannot cast {src.dtype} to {dst.dtype} in {casting} casting mode")
        src = src.item()
    return _call("cupy", "copyto", _numpy.copyto, (dst, src),
                 {"casting": casting, **({} if where is None else {"where": where})})


# ----------------------------------------------------------------- dtype helpers
def can_cast(from_, to, casting="safe"):
    return _numpy.can_cast(from_.dtype if isinstance(from_, ndarray) else from_, to,
                           casting=casting)


def result_type(*arrays_and_dtypes):
    return _numpy.result_type(*[a.dtype if isinstance(a, ndarray) else a
                                for a in arrays_and_dtypes])


def common_type(*arrays):
    return _numpy.common_type(*[_numpy.empty(0, a.dtype) for a in arrays])


def isscalar(element):
    return _numpy.isscalar(element)


def ndim(a):
    return a.ndim if isinstance(a, ndarray) else _numpy.ndim(a)


def shape(a):
    return a.shape if isinstance(a, ndarray) else _numpy.shape(a)


def size(a, axis=None):
    if isinstance(a, ndarray):
        return a.size if axis is None else a.shape[axis]
    return _numpy.size(a, axis)


# ----------------------------------------------------------------- CuPy-specific semantics
def sort(a, axis=-1, kind=None):
    if kind is not None and kind != "stable":
        raise NotImplementedError("kind option is not supported")
    return _call("cupy", "sort", lambda x, axis: _numpy.sort(x, axis, kind="stable"),
                 (a, axis), {})


def argsort(a, axis=-1, kind=None):
    if kind is not None and kind != "stable":
        raise NotImplementedError("kind option is not supported")
    return _call("cupy", "argsort", lambda x, axis: _numpy.argsort(x, axis, kind="stable"),
                 (a, axis), {})


def take(a, indices, axis=None, out=None):
    return a.take(indices, axis, out)


def take_along_axis(a, indices, axis):
    if not isinstance(a, ndarray):
        raise TypeError("a must be cupy.ndarray")
    if axis is None:
        a, axis = a.ravel(), 0
    indices = _unwrap(indices, host_ok=True)
    if a.shape[axis]:  # CuPy wraps out-of-bounds indices around
        indices = _numpy.mod(indices, a.shape[axis])
    return _call("cupy", "take_along_axis", _numpy.take_along_axis, (a, indices, axis), {},
                 host_ok=True)


def put(a, ind, v, mode="wrap"):
    a.put(ind, v, mode)


def concatenate(tup, axis=0, out=None, *, dtype=None, casting="same_kind"):
    if any(not isinstance(a, ndarray) for a in tup):
        raise TypeError("Only cupy arrays can be concatenated")
    return _call("cupy", "concatenate", _numpy.concatenate, (tup, axis, out),
                 {"dtype": dtype, "casting": casting})


def stack(tup, axis=0, out=None, *, dtype=None, casting="same_kind"):
    for a in tup:  # CuPy's expand_dims takes device arrays only
        if not isinstance(a, ndarray):
            raise TypeError(f"Argument 'a' has incorrect type (expected "
                            f"cupy._core.core._ndarray_base, got {type(a).__name__})")
    return _call("cupy", "stack", _numpy.stack, (tup, axis, out),
                 {"dtype": dtype, "casting": casting})


def column_stack(tup):
    if any(not isinstance(a, ndarray) for a in tup):
        raise TypeError("Only cupy arrays can be column stacked")
    return _call("cupy", "column_stack", _numpy.column_stack, (tup,), {})


def _host_ok(name):  # CuPy converts each input with cupy.asarray first (host data accepted)
    def function(*args, **kwargs):
        return _call("cupy", name, getattr(_numpy, name), args, kwargs, host_ok=True)
    function.__name__ = name
    return function


hstack, vstack, dstack = _host_ok("hstack"), _host_ok("vstack"), _host_ok("dstack")
atleast_1d, atleast_2d, atleast_3d = (_host_ok("atleast_1d"), _host_ok("atleast_2d"),
                                      _host_ok("atleast_3d"))


# ----------------------------------------------------------------- memory pools
def get_default_memory_pool():
    return cuda._MEMORY_POOL


def get_default_pinned_memory_pool():
    return cuda._PINNED_POOL


from . import fft, lib, linalg, random  # noqa: E402,F401 - submodules use the names above

__getattr__ = _module_getattr("cupy", _numpy, globals())


def __dir__():
    return sorted(set(globals()) | _api.NAMES["cupy"])
