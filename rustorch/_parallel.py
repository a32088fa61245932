"""NumPy on several threads for large arrays.

NumPy's ufunc loops and reductions release the GIL but run on one thread, where PyTorch splits a
large tensor over its intra-op threads. ``numpy`` below stands in for the numpy module: a
primitive receives it as ``xp`` when its operand is large (``Primitive.apply``). Its ufuncs,
``where`` and reductions cut the output into one slab per thread along an outer axis and run the
slabs at once, the calling thread taking the first; every other attribute is numpy's own.
Results equal the one-threaded call's (elementwise work is independent per element; reductions
split only along axes they keep, except a whole-array sum/max/min, which combines one partial
result per slab).

Worker threads run each slab in a copy of the caller's context, so ``np.errstate`` set around a
call holds in the workers too. A call made from a worker runs on that worker alone, and a child
process made by ``fork`` starts with a fresh pool.
"""
from __future__ import annotations

import contextvars
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["numpy", "module_for", "worth_splitting", "run_slabs", "bounds", "reduce_kept",
           "set_threads", "threads", "MIN_ELEMENTS", "MIN_CHEAP_ELEMENTS",
           "MIN_REDUCTION_ELEMENTS"]

# Handing a slab to a worker and waiting for it costs 30-200 us (two thread wake-ups; slow
# ones on a virtual machine). Measured on the 2-core development VM, float32, one thread
# against two: exp 2^17 values 367 -> 335 us, 2^19 3.1 -> 0.9 ms; add 2^20 values 293 -> 317
# us, still no gain. So transcendental ufuncs split from 2^17 elements, cheap ones
# (arithmetic, comparisons, min/max: bound by memory) from 2^21, reductions from 2^20.
MIN_ELEMENTS = 1 << 17
MIN_CHEAP_ELEMENTS = 1 << 21
MIN_REDUCTION_ELEMENTS = 1 << 20

_COSTLY_UFUNCS = frozenset(
    "exp exp2 expm1 log log2 log10 log1p sin cos tan arcsin arccos arctan arctan2 sinh cosh "
    "tanh arcsinh arccosh arctanh power float_power cbrt hypot logaddexp logaddexp2 "
    "true_divide divide floor_divide remainder fmod".split())

_threads: int | None = None
_executor: ThreadPoolExecutor | None = None
_executor_workers = 0
_local = threading.local()
_lock = threading.Lock()


def _default_threads() -> int:
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(variable, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def threads() -> int:
    """Threads a large elementwise call or reduction uses (``rustorch.get_num_threads``)."""
    global _threads
    if _threads is None:
        _threads = _default_threads()
    return _threads


def set_threads(count: int) -> None:
    global _threads
    _threads = int(count)


def _mark_worker() -> None:
    _local.worker = True


def _pool(workers: int) -> ThreadPoolExecutor:
    global _executor, _executor_workers
    if _executor is None or _executor_workers < workers:
        with _lock:
            if _executor is None or _executor_workers < workers:
                previous = _executor
                _executor = ThreadPoolExecutor(workers, thread_name_prefix="rustorch-intra-op",
                                               initializer=_mark_worker)
                _executor_workers = workers
                if previous is not None:
                    previous.shutdown(wait=False)
    return _executor


def _forget_pool() -> None:  # in a forked child the pool's threads don't exist
    global _executor, _executor_workers, _lock
    _executor, _executor_workers, _lock = None, 0, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def module_for(array):
    """The array module for ``array``: this module's threaded numpy for large NumPy arrays,
    numpy for small ones, cupy for CUDA arrays."""
    if type(array) is np.ndarray:
        return numpy if array.size >= MIN_ELEMENTS else np
    from ._backend import array_module
    return array_module(array)


def worth_splitting(elements: int, minimum: int = MIN_ELEMENTS) -> int:
    """How many slabs a call with ``elements`` outputs gets (1: run it as is); a slab has at
    least ``minimum / 2`` elements."""
    if elements < minimum or getattr(_local, "worker", False):
        return 1
    return min(threads(), elements // (minimum // 2))


def bounds(length: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` consecutive (start, stop) ranges covering ``range(length)`` evenly."""
    edges = [length * index // parts for index in range(parts + 1)]
    return [(edges[index], edges[index + 1]) for index in range(parts)]


def run_slabs(function, ranges) -> list:
    """``function(start, stop)`` for every range, at once; results in the order of ``ranges``.

    The caller runs the first range; the rest go to the pool in copies of the caller's context.
    Every range finishes (their outputs may be shared) before an error is raised.
    """
    if len(ranges) == 1:
        return [function(*ranges[0])]
    executor = _pool(len(ranges) - 1)
    futures = [executor.submit(contextvars.copy_context().run, function, start, stop)
               for start, stop in ranges[1:]]
    try:
        first = function(*ranges[0])
    finally:
        for future in futures:
            future.exception()  # wait for each before anything is raised
    return [first] + [future.result() for future in futures]


# ----------------------------------------------------------------- slab planning
def _split_axis(shape, parts: int, avoid=()) -> int | None:
    """The outermost axis long enough for ``parts`` slabs (not one of ``avoid``)."""
    for axis, length in enumerate(shape):
        if length >= parts and axis not in avoid:
            return axis
    return None


def _slicer(operand, ndim: int, axis: int):
    """A function taking (start, stop) to ``operand``'s part of that output slab."""
    if not isinstance(operand, np.ndarray):
        return lambda start, stop: operand
    own_axis = axis - (ndim - operand.ndim)
    if own_axis < 0 or operand.shape[own_axis] == 1:
        return lambda start, stop: operand
    prefix = (slice(None),) * own_axis
    return lambda start, stop: operand[prefix + (slice(start, stop),)]


def _operand_dtype(value):
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype
    if type(value) in (bool, int, float, complex):
        return type(value)
    return None


def _output_like(operands, shape, dtype):
    """An empty output with the layout of the first full-size operand (as numpy's K order)."""
    for operand in operands:
        if isinstance(operand, np.ndarray) and operand.shape == shape:
            return np.empty_like(operand, dtype=dtype)
    return np.empty(shape, dtype)


def _elementwise(operands, out, minimum: int):
    """(output shape, split axis, slab count) for an elementwise call over ``operands``.

    ``None`` when the call should run as is (small, one thread, overlapping output ...).
    """
    arrays = [value for value in operands if isinstance(value, np.ndarray)]
    if not arrays:
        return None
    shape = arrays[0].shape
    for array in arrays[1:]:
        if array.shape != shape:
            try:
                shape = np.broadcast_shapes(*(array.shape for array in arrays))
            except ValueError:
                return None  # numpy raises its own error
            break
    parts = worth_splitting(math.prod(shape), minimum)
    if parts == 1:
        return None
    axis = _split_axis(shape, parts)
    if axis is None:
        return None
    if out is not None and (out.shape != shape or any(
            out is not array and np.may_share_memory(out, array) for array in arrays)):
        return None  # possible overlap: numpy's own buffering keeps it correct
    return shape, axis, parts


class _ParallelUfunc:
    """A ufunc with one output whose large calls run in slabs over threads."""

    __slots__ = ("ufunc", "__name__", "costly")

    def __init__(self, ufunc: np.ufunc) -> None:
        self.ufunc = ufunc
        self.__name__ = ufunc.__name__
        self.costly = ufunc.__name__ in _COSTLY_UFUNCS

    def __getattr__(self, name):  # reduce, accumulate, nin ... are the ufunc's own
        return getattr(self.ufunc, name)

    def __call__(self, *operands, out=None, **options):
        ufunc = self.ufunc
        if isinstance(out, tuple):
            out = out[0] if len(out) == 1 else out
        if (options and set(options) - {"dtype", "casting"}) or len(operands) != ufunc.nin or \
                (out is not None and not isinstance(out, np.ndarray)):
            return ufunc(*operands, out=out, **options)
        plan = _elementwise(operands, out,
                            MIN_ELEMENTS if self.costly else MIN_CHEAP_ELEMENTS)
        if plan is None:
            return ufunc(*operands, out=out, **options)
        shape, axis, parts = plan
        if out is None:
            dtype = options.get("dtype")
            if dtype is None:
                kinds = tuple(_operand_dtype(value) for value in operands)
                if any(kind is None for kind in kinds):
                    return ufunc(*operands, **options)
                try:
                    dtype = ufunc.resolve_dtypes(kinds + (None,))[-1]
                except (TypeError, ValueError, np.exceptions.DTypePromotionError):
                    return ufunc(*operands, **options)  # numpy raises its own error
            out = _output_like(operands, shape, dtype)
        slicers = [_slicer(value, len(shape), axis) for value in operands]
        target = _slicer(out, len(shape), axis)

        def slab(start, stop):
            ufunc(*(piece(start, stop) for piece in slicers), out=target(start, stop),
                  **options)

        run_slabs(slab, bounds(shape[axis], parts))
        return out


def _where(condition, x=None, y=None, /):
    if x is None and y is None:
        return np.where(condition)
    operands = (condition, x, y)
    plan = _elementwise(operands, None, MIN_CHEAP_ELEMENTS)
    if plan is None:
        return np.where(condition, x, y)
    shape, axis, parts = plan
    out = _output_like((x, y, condition), shape, np.result_type(x, y))
    pick, first, second = (_slicer(value, len(shape), axis) for value in operands)
    target = _slicer(out, len(shape), axis)

    def slab(start, stop):
        destination = target(start, stop)
        np.copyto(destination, second(start, stop), casting="unsafe")
        np.copyto(destination, first(start, stop), casting="unsafe", where=pick(start, stop))

    run_slabs(slab, bounds(shape[axis], parts))
    return out


# ----------------------------------------------------------------- reductions
_COMBINE = {"sum": np.add, "max": np.maximum, "min": np.minimum}


def _reduction(name: str):
    function = getattr(np, name)
    combine = _COMBINE.get(name)

    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, **options):
        extra = {} if dtype is None else {"dtype": dtype}
        if options or out is not None or not isinstance(a, np.ndarray) or \
                (dtype is not None and name in ("max", "min")):
            return function(a, axis=axis, out=out, keepdims=keepdims, **options, **extra)
        parts = worth_splitting(a.size, MIN_REDUCTION_ELEMENTS)
        if parts == 1 or a.ndim == 0:
            return function(a, axis=axis, keepdims=keepdims, **extra)
        if axis is None or (isinstance(axis, tuple) and len(axis) == a.ndim):
            return _whole(function, combine, a, keepdims, parts, extra)
        axes = _normalized_axes(axis, a.ndim)
        if axes is None or _split_axis(a.shape, parts, avoid=axes) is None:
            return function(a, axis=axis, keepdims=keepdims, **extra)
        probe = function(a[(slice(0, 1),) * a.ndim], axis=axes, keepdims=True, **extra)

        def compute(block, result):
            function(block, axis=axes, keepdims=True, out=result, **extra)

        with np.errstate(invalid="ignore", divide="ignore"):  # numpy's mean of nothing: nan
            (result,) = reduce_kept(a, axes, compute, [np.asarray(probe).dtype])
        return result if keepdims else np.squeeze(result, axis=axes)

    reduce.__name__ = name
    return reduce


def _normalized_axes(axis, ndim: int):
    axes = tuple(sorted(ax % ndim for ax in (axis if isinstance(axis, tuple) else (axis,))))
    return axes if len(set(axes)) == len(axes) else None


def reduce_kept(a, axes, compute, dtypes, block_elements: int | None = None) -> list:
    """Reduce ``a`` over ``axes`` in blocks cut along a kept axis, on several threads.

    ``compute(block, *results)`` writes the reduction of one block of ``a`` into result blocks
    shaped like it with ``axes`` of length 1 (keepdims). Returns one result per entry of
    ``dtypes``. With ``block_elements``, no block has more elements than that (bounding the
    temporaries ``compute`` makes), whatever the thread count.
    """
    kept_shape = tuple(1 if ax in axes else length for ax, length in enumerate(a.shape))
    results = [np.empty(kept_shape, dtype) for dtype in dtypes]
    if a.size == 0:
        compute(a, *results)
        return results
    parts = worth_splitting(a.size, MIN_REDUCTION_ELEMENTS)
    split = _split_axis(a.shape, parts, avoid=axes)
    if split is None:
        split = _split_axis(a.shape, 1, avoid=axes)
        parts = 1
    if split is None:  # every axis is reduced
        compute(a, *results)
        return results
    source = _slicer(a, a.ndim, split)
    targets = [_slicer(result, a.ndim, split) for result in results]
    per_row = a.size // max(a.shape[split], 1)
    rows = a.shape[split] if block_elements is None else max(1, block_elements // max(per_row, 1))

    def slab(start, stop):
        for first in range(start, stop, rows):
            last = min(stop, first + rows)
            compute(source(first, last), *(target(first, last) for target in targets))

    run_slabs(slab, bounds(a.shape[split], parts))
    return results


def _whole(function, combine, a, keepdims, parts, extra):
    """A reduction of every element: one partial per slab along the outermost long axis."""
    if combine is None:
        return function(a, keepdims=keepdims, **extra)
    axis = _split_axis(a.shape, parts)
    if axis is None:
        return function(a, keepdims=keepdims, **extra)
    source = _slicer(a, a.ndim, axis)
    partials = run_slabs(lambda start, stop: function(source(start, stop), **extra),
                         bounds(a.shape[axis], parts))
    total = partials[0]
    for partial in partials[1:]:
        total = combine(total, partial)
    if keepdims:
        return np.asarray(total).reshape((1,) * a.ndim)
    return total


class _ParallelNumpy:
    """numpy, with large ufunc calls, ``where`` and reductions split over threads."""

    where = staticmethod(_where)
    sum = staticmethod(_reduction("sum"))
    mean = staticmethod(_reduction("mean"))
    max = amax = staticmethod(_reduction("max"))
    min = amin = staticmethod(_reduction("min"))

    def __getattr__(self, name):
        value = getattr(np, name)
        if isinstance(value, np.ufunc) and value.nout == 1 and value.signature is None:
            value = _ParallelUfunc(value)
        setattr(self, name, value)  # looked up once
        return value


numpy = _ParallelNumpy()
