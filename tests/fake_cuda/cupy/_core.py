"""``cupy.ndarray`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the tests
when RUSTORCH_FAKE_CUDA=1).

Not a ``numpy.ndarray`` subclass, and as strict as CuPy 13.6: ``numpy.asarray(x)`` raises
TypeError (``__array__``), operators and ufuncs refuse NumPy arrays, NumPy ufuncs and functions
called on it dispatch back here (``__array_ufunc__`` / ``__array_function__``) and return fake
device arrays, integer indexing gives 0-d arrays, views share memory with ``.base`` the owner,
and the methods take CuPy's signatures (e.g. ``argsort(axis=-1)``: no ``kind``).
"""
from __future__ import annotations

import functools
import sys

import numpy

from . import _api
from ._dispatch import check_scatter_dtype, check_signature
from ._wrap import (SCALAR_TYPES, check_kernel_dtype, convert_index, device_arrays,
                    is_supported_dtype, memory_for, new_owner, root_of,
                    unsupported_type, unwrap, view_of, wrap, _Interface)
from .cuda import Device, runtime
from .cuda.memory import MemoryPointer
from ._objects import Flags, PyCapsule, flatiter

_COMPARISONS = ("greater", "greater_equal", "less", "less_equal", "equal", "not_equal")


def _cupy():
    return sys.modules[__package__]


def _should_use_rop(x, y) -> bool:
    try:
        y_ufunc = y.__array_ufunc__
    except AttributeError:
        return getattr(x, "__array_priority__", 0) < getattr(y, "__array_priority__", 0)
    return y_ufunc is None


def _method(self, name, args, kwargs, host_ok=False, kernel=True, target=None):
    """Run NumPy's method ``name`` on the buffer after CuPy's signature and argument checks."""
    check_signature(_api.METHOD_SIGNATURES, name, args, kwargs, f"cupy.ndarray.{name}")
    inputs = [self] + device_arrays(args, kwargs)
    if kernel:
        for array in inputs:
            check_kernel_dtype(array.dtype)
    function = target or getattr(self._array, name)
    result = function(*unwrap(args, host_ok), **{k: unwrap(v, host_ok) for k, v in kwargs.items()})
    return wrap(result, inputs)


def _generic(name, kernel=True, host_ok=False):
    def method(self, *args, **kwargs):
        return _method(self, name, args, kwargs, host_ok=host_ok, kernel=kernel)
    method.__name__ = method.__qualname__ = name
    return method


def _binary(name):
    def forward(self, other):
        if isinstance(other, ndarray):
            return getattr(_cupy(), name)(self, other)
        if _should_use_rop(self, other):
            return NotImplemented
        return getattr(numpy, name)(self, other)  # NumPy dispatches to __array_ufunc__

    def reflected(self, other):
        return getattr(_cupy(), name)(other, self)

    def inplace(self, other):
        return getattr(_cupy(), name)(self, other, out=self)
    return forward, reflected, inplace


class ndarray:
    """``cupy.ndarray(shape, dtype=float, memptr=None, strides=None, order='C')``."""

    __slots__ = ("_array", "_base", "_device_id", "__weakref__")
    __array_priority__ = 100

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C") -> None:
        dtype = numpy.dtype(dtype)
        shape = (int(shape),) if numpy.isscalar(shape) else tuple(int(n) for n in shape)
        if memptr is None:
            from ._wrap import _OWNERS
            array = numpy.empty(shape, dtype, order=order)
            self._array, self._base, self._device_id = array, None, runtime.getDevice()
            _OWNERS[id(array)] = self
            if strides is not None:
                self._array = numpy.lib.stride_tricks.as_strided(array, shape, strides)
            return
        if not isinstance(memptr, MemoryPointer):
            raise TypeError(f"memptr must be a cupy.cuda.MemoryPointer, got {type(memptr)}")
        memory = memptr.mem
        whole = numpy.asarray(_Interface({"data": (memory.ptr, False), "shape": (memory.size,),
                                          "typestr": "|u1", "version": 3}, memory._root))
        offset = memptr.ptr - memory.ptr
        try:
            self._array = numpy.ndarray(shape, dtype, buffer=whole, offset=offset,
                                        strides=strides, order=order)
        except (TypeError, ValueError) as error:
            raise ValueError(f"fake CuPy: this view does not fit its allocation ({error}); "
                             f"real CuPy would read out of bounds") from None
        self._base, self._device_id = None, memory.device_id

    # ------------------------------------------------------------- attributes
    shape = property(lambda self: self._array.shape)

    @shape.setter
    def shape(self, value) -> None:
        view = self._array.view()
        view.shape = value
        self._array = view

    dtype = property(lambda self: self._array.dtype)
    ndim = property(lambda self: self._array.ndim)
    size = property(lambda self: self._array.size)
    itemsize = property(lambda self: self._array.itemsize)
    nbytes = property(lambda self: self._array.nbytes)
    strides = property(lambda self: self._array.strides)
    base = property(lambda self: self._base)
    device = property(lambda self: Device(self._device_id))
    flat = property(lambda self: flatiter(self))

    @property
    def flags(self) -> Flags:
        return Flags(self._array.flags.c_contiguous, self._array.flags.f_contiguous,
                     self._base is None)

    @property
    def data(self) -> MemoryPointer:
        memory = memory_for(root_of(self._array), self._device_id)
        return MemoryPointer(memory, int(self._array.__array_interface__["data"][0]) - memory.ptr)

    @property
    def T(self):  # noqa: N802
        return wrap(self._array.T, [self])

    @property
    def real(self):
        return wrap(self._array.real, [self]) if self.dtype.kind == "c" else self

    @real.setter
    def real(self, value) -> None:
        self._array.real = unwrap(value)

    @property
    def imag(self):
        if self.dtype.kind == "c":
            return wrap(self._array.imag, [self])
        return new_owner(numpy.zeros_like(self._array))

    @imag.setter
    def imag(self, value) -> None:
        if self.dtype.kind != "c":
            raise TypeError("cupy.ndarray does not have imaginary part to set")
        self._array.imag = unwrap(value)

    @property
    def __cuda_array_interface__(self) -> dict:
        return {"shape": self.shape, "typestr": self.dtype.str, "descr": self.dtype.descr,
                "stream": 1, "version": 3, "data": (self.data.ptr, False),
                "strides": None if self._array.flags.c_contiguous else self.strides}

    # ------------------------------------------------------------- host transfer
    def get(self, stream=None, order="C", out=None, blocking=True):
        if out is not None:
            if not isinstance(out, numpy.ndarray):
                raise TypeError("Only numpy.ndarray can be obtained fromcupy.ndarray")
            if self.dtype != out.dtype:
                raise TypeError(f"{out.dtype} array cannot be obtained from {self.dtype} array")
            if self.shape != out.shape:
                raise ValueError(f"Shape mismatch. Expected shape: {self.shape}, actual shape: "
                                 f"{out.shape}")
            numpy.copyto(out, self._array)
            return out
        order = order.upper()
        if order == "A":
            order = "F" if self._array.flags.f_contiguous else "C"
        return numpy.array(self._array, order=order, copy=True)

    def set(self, arr, stream=None) -> None:
        if not isinstance(arr, numpy.ndarray):
            raise TypeError("Only numpy.ndarray can be set to cupy.ndarray")
        if self.dtype != arr.dtype:
            raise TypeError(f"{arr.dtype} array cannot be set to {self.dtype} array")
        if self.shape != arr.shape:
            raise ValueError(f"Shape mismatch. Old shape: {self.shape}, new shape: {arr.shape}")
        if not self._array.flags.c_contiguous:
            raise RuntimeError("Cannot set to non-contiguous array")
        numpy.copyto(self._array, arr)

    def item(self):
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self._array.item()

    def tolist(self):
        return self._array.tolist()

    def tobytes(self, order="C") -> bytes:
        return self._array.tobytes(order)

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use "
                        "`.get()` to construct a NumPy array explicitly.")

    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        return PyCapsule(self)

    def __dlpack_device__(self) -> tuple:
        return (2, self._device_id)  # kDLCUDA

    def toDlpack(self):  # noqa: N802
        return PyCapsule(self)

    # ------------------------------------------------------------- methods
    def astype(self, dtype, order="K", casting=None, subok=None, copy=True):
        dtype = numpy.dtype(dtype)
        if dtype == self.dtype and not copy:
            return self
        check_kernel_dtype(self.dtype)
        check_kernel_dtype(dtype)
        return wrap(self._array.astype(dtype, order=order, casting=casting or "unsafe",
                                       copy=True), [self])

    def copy(self, order="C"):
        check_kernel_dtype(self.dtype)
        return new_owner(self._array.copy(order))

    def fill(self, value) -> None:
        if isinstance(value, (numpy.ndarray, ndarray)):
            if value.shape != ():
                raise ValueError(f"non-scalar {type(value).__module__}.ndarray cannot be used "
                                 f"for fill")
            value = value._array if isinstance(value, ndarray) else value.item()
        check_kernel_dtype(self.dtype)
        self._array.fill(value)

    def view(self, dtype=None, array_class=None):
        array = self._array.view() if dtype is None else self._array.view(dtype)
        return view_of(array, self._base if self._base is not None else self)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not numpy.isscalar(shape[0]):
            shape = tuple(shape[0])
        return wrap(self._array.reshape(shape, order=order), [self])

    def sort(self, axis=-1) -> None:
        check_kernel_dtype(self.dtype)
        self._array.sort(axis, kind="stable")  # CuPy's sort is stable

    def argsort(self, axis=-1):
        check_kernel_dtype(self.dtype)
        return wrap(self._array.argsort(axis, kind="stable"))

    def take(self, indices, axis=None, out=None):
        check_kernel_dtype(self.dtype)
        size = self.size if axis is None else self.shape[axis]
        indices = unwrap(indices, host_ok=True)
        if size:  # CuPy wraps out-of-bounds indices around instead of raising
            indices = numpy.mod(indices, size)
        options = {} if out is None else {"out": unwrap(out)}
        return wrap(self._array.take(indices, axis, **options), device_arrays([out]))

    def put(self, indices, values, mode="wrap") -> None:
        check_kernel_dtype(self.dtype)
        self._array.put(unwrap(indices, host_ok=True), unwrap(values, host_ok=True), mode=mode)

    def repeat(self, repeats, axis=None):
        if isinstance(repeats, ndarray):
            raise ValueError("cupy.ndarray cannot be specified as `repeats` argument.")
        return _method(self, "repeat", (repeats, axis), {}, host_ok=True)

    def argmax(self, axis=None, out=None, dtype=None, keepdims=False):
        result = _method(self, "argmax", (axis, out), {"keepdims": keepdims})
        return result if dtype is None else result.astype(dtype, copy=False)

    def argmin(self, axis=None, out=None, dtype=None, keepdims=False):
        result = _method(self, "argmin", (axis, out), {"keepdims": keepdims})
        return result if dtype is None else result.astype(dtype, copy=False)

    def ptp(self, axis=None, out=None, keepdims=False):
        return _method(self, "ptp", (axis, out, keepdims), {}, target=functools.partial(
            numpy.ptp, self._array))

    def conj(self):
        return _method(self, "conj", (), {}) if self.dtype.kind == "c" else self

    conjugate = conj

    def _scatter(self, ufunc, slices, value) -> None:
        key = convert_index(slices, self.shape)
        if key and key[-1] is Ellipsis:
            key = key[:-1]
        check_kernel_dtype(self.dtype)
        check_scatter_dtype(ufunc.__name__, self.dtype, key)
        ufunc.at(self._array, key, unwrap(value, host_ok=True))

    def scatter_add(self, slices, value) -> None:
        self._scatter(numpy.add, slices, value)

    def scatter_max(self, slices, value) -> None:
        self._scatter(numpy.maximum, slices, value)

    def scatter_min(self, slices, value) -> None:
        self._scatter(numpy.minimum, slices, value)

    transpose = _generic("transpose", kernel=False)
    swapaxes = _generic("swapaxes", kernel=False)
    squeeze = _generic("squeeze", kernel=False)
    diagonal = _generic("diagonal", kernel=False)
    ravel = _generic("ravel", kernel=False)
    for _name in ("all", "any", "clip", "compress", "cumprod", "cumsum", "dot", "flatten",
                  "max", "mean", "min", "nonzero", "partition", "argpartition", "prod",
                  "round", "searchsorted", "std", "sum", "trace", "var", "choose"):
        locals()[_name] = _generic(_name)
    del _name

    # ------------------------------------------------------------- indexing
    def __getitem__(self, key):
        return wrap(self._array[convert_index(key, self.shape)], [self])

    def __setitem__(self, key, value) -> None:
        if isinstance(value, ndarray):
            check_kernel_dtype(value.dtype)
        elif isinstance(value, numpy.ndarray) and not is_supported_dtype(value.dtype):
            raise ValueError(f"Unsupported dtype {value.dtype}")
        check_kernel_dtype(self.dtype)
        self._array[convert_index(key, self.shape)] = unwrap(value, host_ok=True)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    # ------------------------------------------------------------- conversions
    def __bool__(self) -> bool:
        return bool(self._array)

    def __int__(self) -> int:
        return int(self.get())

    def __float__(self) -> float:
        return float(self.get())

    def __complex__(self) -> complex:
        return complex(self.get())

    def __repr__(self) -> str:
        return repr(self.get())

    def __str__(self) -> str:
        return str(self.get())

    def __format__(self, spec: str) -> str:
        return format(self.get(), spec)

    def __reduce__(self):
        return _cupy().array, (self.get(),)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    # ------------------------------------------------------------- NumPy protocols
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        import cupyx.scipy.special as special
        inout = inputs
        if "out" in kwargs:
            out = kwargs["out"]
            if len(out) != 1:
                raise ValueError("The 'out' parameter must have exactly one array value")
            inout += out
            kwargs["out"] = out[0]
        if method not in ("__call__", "outer", "at", "reduce", "accumulate", "reduceat"):
            return NotImplemented
        name = ufunc.__name__
        try:
            func = getattr(_cupy(), name, None) or getattr(special, name)
            if method != "__call__":
                func = getattr(func, method)
        except AttributeError:
            return NotImplemented
        for x in inout:
            if not (hasattr(x, "__cuda_array_interface__") or type(x) in SCALAR_TYPES
                    or isinstance(x, numpy.ndarray)):
                return NotImplemented
        if name in _COMPARISONS:
            inputs = tuple(x.item() if isinstance(x, numpy.ndarray) and x.ndim == 0 else x
                           for x in inputs)
        return func(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        try:
            module = functools.reduce(getattr, func.__module__.split(".")[1:], _cupy())
            cupy_func = getattr(module, func.__name__)
        except AttributeError:
            return NotImplemented
        if cupy_func is func:
            return NotImplemented
        for t in types:
            if not issubclass(t, (ndarray, numpy.ndarray)):
                return NotImplemented
        return cupy_func(*args, **kwargs)

    # ------------------------------------------------------------- operators
    def __eq__(self, other):
        return self._compare("equal", other)

    def __ne__(self, other):
        return self._compare("not_equal", other)

    def __lt__(self, other):
        return self._compare("less", other)

    def __le__(self, other):
        return self._compare("less_equal", other)

    def __gt__(self, other):
        return self._compare("greater", other)

    def __ge__(self, other):
        return self._compare("greater_equal", other)

    __hash__ = None

    def _compare(self, name, other):
        if isinstance(other, ndarray):
            return getattr(_cupy(), name)(self, other)
        if _should_use_rop(self, other):
            return NotImplemented
        if isinstance(other, numpy.ndarray) and other.ndim == 0:
            other = other.item()
        if name in ("equal", "not_equal") and (
                other is None or type(other).__eq__ is object.__eq__):
            fill = numpy.ones if name == "not_equal" else numpy.zeros
            return new_owner(fill(self.shape, dtype=bool))
        return getattr(numpy, name)(self, other)

    __add__, __radd__, __iadd__ = _binary("add")
    __sub__, __rsub__, __isub__ = _binary("subtract")
    __mul__, __rmul__, __imul__ = _binary("multiply")
    __truediv__, __rtruediv__, __itruediv__ = _binary("true_divide")
    __floordiv__, __rfloordiv__, __ifloordiv__ = _binary("floor_divide")
    __mod__, __rmod__, __imod__ = _binary("remainder")
    __pow__, __rpow__, __ipow__ = _binary("power")
    __lshift__, __rlshift__, __ilshift__ = _binary("left_shift")
    __rshift__, __rrshift__, __irshift__ = _binary("right_shift")
    __and__, __rand__, __iand__ = _binary("bitwise_and")
    __or__, __ror__, __ior__ = _binary("bitwise_or")
    __xor__, __rxor__, __ixor__ = _binary("bitwise_xor")
    __matmul__, __rmatmul__, _ = _binary("matmul")  # CuPy 13.6 has no __imatmul__
    __divmod__, __rdivmod__, _ = _binary("divmod")
    del _

    def __neg__(self):
        return _cupy().negative(self)

    def __pos__(self):
        return _cupy().positive(self)

    def __abs__(self):
        return _cupy().absolute(self)

    def __invert__(self):
        return _cupy().invert(self)


def empty_owner(shape, dtype) -> ndarray:
    return new_owner(numpy.empty(shape, dtype))


def live_allocations():
    from ._wrap import live_allocations as live
    return live()


__all__ = ["ndarray", "flatiter", "Flags", "PyCapsule", "unsupported_type", "SCALAR_TYPES"]
