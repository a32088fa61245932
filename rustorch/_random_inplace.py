"""The in-place samplers, as Tensor methods: ``uniform_``, ``normal_``, ``random_``,
``exponential_``, ``bernoulli_``, ``geometric_``, ``log_normal_``, ``cauchy_``. They draw from
the same generators as ``rustorch.random`` and write through ``Tensor._fill``'s checks.
"""
from __future__ import annotations

import numpy as np

from . import _backend
from . import dtypes as _dtypes
from .errors import ArgumentError, DTypeNotImplementedError
from .random import (_below, _dtypes_name, _fill, _float_dtype, _generator, _real_sample,
                     _require_floating)
from .tensor import Tensor, tensor_method

def _sample_like(input: Tensor, sampler) -> np.ndarray:
    shape = tuple(input.shape)
    if input.dtype.is_floating_point or input.dtype.is_complex:
        return _real_sample(lambda s, kind: sampler(s).astype(kind), shape, input.dtype)
    return sampler(shape)


@tensor_method
def uniform_(input, a: float = 0.0, b: float = 1.0, *, generator=None, **kwargs):
    """Fill with samples uniform on [a, b)."""
    a, b = kwargs.pop("from", a), kwargs.pop("to", b)
    if a > b:
        raise ArgumentError(f"uniform_ expects to return a [from, to) range, but found "
                            f"from={a} > to={b}")
    _float_dtype(input.dtype, "check_uniform_bounds")
    rng = _generator(generator, input.device)
    sample = _sample_like(input, lambda shape: rng.uniform(a, b, shape))
    if a < b:
        sample = _below(np.asarray(sample).astype(input._data.dtype, copy=False), a, b)
    return _fill(input, sample)


@tensor_method
def normal_(input, mean: float = 0.0, std: float = 1.0, *, generator=None):
    if std < 0:
        raise ArgumentError(f"normal expects std >= 0.0, but found std {std}")
    _float_dtype(input.dtype, "normal_kernel_cpu")
    rng = _generator(generator, input.device)
    if input.dtype.is_complex:  # each part has variance std^2 / 2, as in PyTorch
        std = std * np.sqrt(0.5)
    return _fill(input, _sample_like(input, lambda shape: rng.normal(mean, std, shape)))


@tensor_method
def random_(input, from_=None, to=None, *, generator=None, **kwargs):
    """Fill with integers uniform on [from, to); ``random_(to)`` is [0, to); no bounds give
    [0, 2**mantissa] for floats and [0, max] for integers."""
    from_ = kwargs.pop("from", from_)
    if to is None and from_ is not None and "to" not in kwargs:
        low, high = 0, int(from_)
    else:
        low = 0 if from_ is None else int(from_)
        high = kwargs.pop("to", to)
        high = None if high is None else int(high)
    if high is None:
        dtype = input.dtype
        if dtype is _dtypes.bool:
            high = 2
        elif dtype.is_floating_point:
            high = (1 << (np.finfo(_real_numpy(dtype)).nmant + 1)) + 1
        else:
            high = int(np.iinfo(dtype.numpy).max) + 1
    if low >= high:
        raise ArgumentError(f"random_ expects 'from' to be less than 'to', but got "
                            f"from={low} >= to={high}")
    rng = _generator(generator, input.device)
    array = rng.integers(low, high, tuple(input.shape), dtype=np.int64, endpoint=False) \
        if high <= 2 ** 63 else rng.integers(low, high, tuple(input.shape), dtype=np.uint64)
    return _fill(input, array)


def _real_numpy(dtype):
    return np.float32 if dtype is _dtypes.bfloat16 else dtype.numpy


@tensor_method
def exponential_(input, lambd: float = 1.0, *, generator=None):
    if lambd <= 0:
        raise ArgumentError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    _require_floating(input, "Exponential")
    rng = _generator(generator, input.device)
    return _fill(input, _sample_like(input, lambda shape: rng.exponential(1.0 / lambd, shape)))


@tensor_method
def bernoulli_(input, p=0.5, *, generator=None):
    rng = _generator(generator, input.device)
    if isinstance(p, Tensor):
        p = np.broadcast_to(_backend.to_device(p.detach()._data, _backend.CPU), input.shape)
    elif not 0 <= p <= 1:
        raise ArgumentError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _fill(input, rng.random(tuple(input.shape)) < p)


@tensor_method
def geometric_(input, p: float, *, generator=None):
    if not 0 < p < 1:
        raise ArgumentError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    rng = _generator(generator, input.device)
    return _fill(input, rng.geometric(p, tuple(input.shape)))


@tensor_method
def log_normal_(input, mean: float = 1.0, std: float = 2.0, *, generator=None):
    if std <= 0:
        raise ArgumentError(f"log_normal_ expects std > 0.0, but found std={std}")
    if not input.dtype.is_floating_point:
        raise DTypeNotImplementedError(f"\"log_normal_cpu\" not implemented for "
                                       f"'{_dtypes_name(input.dtype)}'")
    rng = _generator(generator, input.device)
    return _fill(input, _sample_like(input, lambda shape: rng.lognormal(mean, std, shape)))


@tensor_method
def cauchy_(input, median: float = 0.0, sigma: float = 1.0, *, generator=None):
    _require_floating(input, "Cauchy", cpp_names=True)
    rng = _generator(generator, input.device)
    return _fill(input, _sample_like(
        input, lambda shape: median + sigma * rng.standard_cauchy(shape)))
