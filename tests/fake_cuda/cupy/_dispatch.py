"""Module functions and ufuncs of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by
the tests when RUSTORCH_FAKE_CUDA=1): each forwards to the NumPy (or SciPy) function of the same
name, after checking what CuPy 13.6 checks: that the name exists in CuPy, the call matches
CuPy's signature, and no NumPy array is passed where CuPy wants a device array."""
from __future__ import annotations

import functools
import inspect

import numpy

from . import _api
from ._wrap import (SCALAR_TYPES, check_kernel_dtype, device_arrays, unsupported_type, unwrap,
                    wrap)

# functions that launch no kernel in CuPy (views, metadata, raw allocation): any dtype works
NO_KERNEL = frozenset("""
    reshape ravel transpose swapaxes moveaxis rollaxis squeeze expand_dims broadcast_to
    broadcast_arrays atleast_1d atleast_2d atleast_3d split array_split hsplit vsplit dsplit
    diagonal empty empty_like zeros zeros_like shape ndim size result_type can_cast
    may_share_memory shares_memory flip fliplr flipud rot90 as_strided sliding_window_view
    iscomplexobj isrealobj isfortran
""".split())


# parameters CuPy reads on the host (it iterates them or calls numpy.asarray on them), so NumPy
# arrays are fine there: split points, pad widths, repeat counts, shapes, axes ...
HOST_PARAMS = frozenset("""
    indices_or_sections pad_width repeats reps shape newshape axes axis source destination
    kth dimensions s constant_values end_values stat_length
""".split())


@functools.lru_cache(maxsize=None)
def _signature(text: str) -> inspect.Signature:
    return inspect.signature(eval(f"lambda {text}: None", {"_": None}))  # noqa: S307


def check_signature(table: dict, name: str, args, kwargs, label: str | None = None) -> None:
    """TypeError when ``args``/``kwargs`` do not fit CuPy's signature for ``name``."""
    text = table.get(name)
    if text is None:
        return
    try:
        _signature(text).bind(*args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{label or name}() {error} (CuPy 13.6's signature: "
                        f"({text.replace('=_', '=...')}))") from None


def call(module: str, name: str, target, args, kwargs, host_ok: bool = False):
    """Call NumPy's ``target`` on unwrapped arguments and wrap what it returns."""
    check_signature(_api.SIGNATURES.get(module, {}), name, args, kwargs, f"{module}.{name}")
    inputs = device_arrays(args, kwargs)
    if name not in NO_KERNEL:
        for array in inputs:
            check_kernel_dtype(array.dtype)
    text = _api.SIGNATURES.get(module, {}).get(name)
    names = [p.name for p in _signature(text).parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)] if text else []
    args = [unwrap(a, host_ok or (i < len(names) and names[i] in HOST_PARAMS))
            for i, a in enumerate(args)]
    kwargs = {k: unwrap(v, host_ok or k in HOST_PARAMS) for k, v in kwargs.items()}
    return wrap(target(*args, **kwargs), inputs)


def make_function(module: str, name: str, target, host_ok: bool = False):
    def function(*args, **kwargs):
        return call(module, name, target, args, kwargs, host_ok)
    function.__name__ = function.__qualname__ = name
    function.__module__ = module
    function.__doc__ = f"Fake {module}.{name}: {getattr(target, '__module__', '')}.{name} on " \
                       f"the arrays' NumPy buffers."
    return function


def module_getattr(module: str, source, namespace: dict, prefix: str = "cupy_"):
    """A module ``__getattr__`` serving CuPy's names from ``source`` (numpy, numpy.fft, scipy
    ...): ufuncs wrapped as :class:`ufunc`, functions as strict wrappers, other objects as is.
    Results are cached apart from the module's globals, which must not shadow builtins such as
    ``any``, ``all``, ``sum``, ``max`` or ``round`` used by the fake's own code."""
    names = _api.NAMES[module]
    cache: dict = {}

    def __getattr__(name: str):
        if name in cache:
            return cache[name]
        if name not in names:
            raise AttributeError(f"module '{module}' has no attribute '{name}' (not in CuPy 13.6)")
        target = getattr(source, name, None)
        if target is None:
            raise AttributeError(f"module '{module}' has no attribute '{name}' (the fake CuPy "
                                 f"has no NumPy/SciPy equivalent)")
        if isinstance(target, numpy.ufunc):
            value = ufunc(target, name, prefix)
        elif callable(target) and not isinstance(target, type):
            value = make_function(module, name, target)
        else:
            value = target
        cache[name] = value
        return value
    return __getattr__


# ----------------------------------------------------------------- ufuncs
_SCATTER = frozenset({"add", "subtract", "bitwise_and", "bitwise_or", "bitwise_xor"})
# with integer-array indices CuPy scatters with CUDA atomics, which exist for these dtypes only
_ATOMIC_DTYPES = {
    "add": "int32 float16 float32 float64 uint32 uint64", "subtract": "int32 uint32",
    "maximum": "int32 float32 float64 uint32 uint64",
    "minimum": "int32 float32 float64 uint32 uint64",
    "bitwise_and": "int32 int64 uint32 uint64", "bitwise_or": "int32 int64 uint32 uint64",
    "bitwise_xor": "int32 int64 uint32 uint64"}


def check_scatter_dtype(op: str, dtype, key: tuple) -> None:
    """TypeError as CuPy's ``<op>.at`` / ``scatter_<op>`` raise for dtypes without atomics."""
    if not any(isinstance(k, numpy.ndarray) and k.dtype != bool for k in key):
        return  # basic or boolean-mask keys take another path, without this restriction
    allowed = _ATOMIC_DTYPES[op].split()
    if numpy.dtype(dtype).name not in allowed:
        raise TypeError(f"cupy.{op}.at only supports {', '.join(allowed)} as data type")


def _kernel_arg(value):
    from ._core import ndarray
    if isinstance(value, ndarray):
        check_kernel_dtype(value.dtype)
        return value._array
    if type(value) in SCALAR_TYPES:
        return value
    raise unsupported_type(value)


def _out_arg(value):
    from ._core import ndarray
    if not isinstance(value, ndarray):
        raise unsupported_type(value)
    return value._array


class ufunc:
    """CuPy's ufunc: inputs are device arrays or Python/NumPy scalars (no lists, no NumPy
    arrays), keywords ``out``, ``dtype``, ``casting`` and ``_where`` only; ``at`` for add,
    subtract and the bitwise ops, ``reduce``/``accumulate`` for add and multiply, ``reduceat``
    for add (CuPy 13.6's set; the rest raise NotImplementedError as CuPy does)."""

    def __init__(self, numpy_ufunc, name: str | None = None, prefix: str = "cupy_") -> None:
        self._ufunc = numpy_ufunc
        self.__name__ = name or numpy_ufunc.__name__
        self.name = prefix + numpy_ufunc.__name__
        self.nin, self.nout, self.nargs = numpy_ufunc.nin, numpy_ufunc.nout, numpy_ufunc.nargs
        self.__doc__ = numpy_ufunc.__doc__

    def __repr__(self) -> str:
        return f"<ufunc '{self.name}'>"

    @property
    def types(self) -> list:
        from ._wrap import SUPPORTED_CHARS
        return [t for t in self._ufunc.types
                if all(c in SUPPORTED_CHARS for c in t.replace("->", ""))]

    def __call__(self, *args, **kwargs):
        out = kwargs.pop("out", None)
        where = kwargs.pop("_where", None)
        dtype = kwargs.pop("dtype", None)
        casting = kwargs.pop("casting", "same_kind")
        if kwargs:
            raise TypeError(f"Wrong arguments {kwargs}")
        if not self.nin <= len(args) <= self.nargs:
            raise TypeError(f"Wrong number of arguments for {self.name!r}. It must be either "
                            f"{self.nin} or {self.nargs} (with outputs), but given {len(args)}.")
        in_args, out_args = args[:self.nin], tuple(args[self.nin:])
        if out is not None:
            if out_args:
                raise ValueError("Cannot specify 'out' as both a positional and keyword "
                                 "argument")
            out_args = out if isinstance(out, tuple) else (out,)
            if len(out_args) != self.nout:
                raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        options = {"casting": casting}
        if dtype is not None:
            options["dtype"] = dtype
        outs = [o for o in out_args if o is not None]
        if outs:
            options["out"] = tuple(None if o is None else _out_arg(o) for o in out_args)
        if where is not None:
            options["where"] = _kernel_arg(where)
        result = self._ufunc(*(_kernel_arg(a) for a in in_args), **options)
        return wrap(result, device_arrays(args) + outs)

    def at(self, a, indices, b=None):
        from ._core import ndarray
        from ._wrap import convert_index
        if self.__name__ not in _SCATTER:
            raise NotImplementedError(f"`{self.name}.at` is not supported yet")
        if not isinstance(a, ndarray):
            raise TypeError(f"`{self.name}.at`: a must be a cupy.ndarray, got {type(a)}")
        key = convert_index(indices, a.shape)
        if key and key[-1] is Ellipsis:
            key = key[:-1]
        check_scatter_dtype(self.__name__, a.dtype, key)
        args = () if b is None else (unwrap(b, host_ok=True),)
        self._ufunc.at(a._array, key, *args)

    def reduce(self, array, axis=0, dtype=None, out=None, keepdims=False):
        if self.__name__ == "add":
            return array.sum(axis, dtype, out, keepdims)
        if self.__name__ == "multiply":
            return array.prod(axis, dtype, out, keepdims)
        raise NotImplementedError(f"`{self.name}.reduce` is not supported yet")

    def accumulate(self, array, axis=0, dtype=None, out=None):
        if self.__name__ == "add":
            return array.cumsum(axis, dtype, out)
        if self.__name__ == "multiply":
            return array.cumprod(axis, dtype, out)
        raise NotImplementedError(f"`{self.name}.accumulate` is not supported yet")

    def reduceat(self, array, indices, axis=0, dtype=None, out=None):
        if self.__name__ != "add":
            raise NotImplementedError(f"`{self.name}.reduceat` is not supported yet")
        inputs = device_arrays((array, out))
        check_kernel_dtype(array.dtype)
        options = {} if out is None else {"out": _out_arg(out)}
        result = numpy.add.reduceat(_out_arg(array), unwrap(indices, host_ok=True), axis,
                                    dtype, **options)
        return wrap(result, inputs)

    def outer(self, A, B, **kwargs):  # noqa: N803 - CuPy's names
        from . import array as to_device
        A, B = to_device(A), to_device(B)  # CuPy converts host data here
        ndim_a, ndim_b = A.ndim, B.ndim
        A = A.reshape(A.shape + (1,) * ndim_b)
        B = B.reshape((1,) * ndim_a + B.shape)
        return self(A, B, **kwargs)
