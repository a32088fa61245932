"""Random numbers: ``Generator`` objects, the global seed functions, and the sampling ops.

A ``Generator`` wraps a stateful ``numpy.random.Generator`` on an MT19937 bit generator seeded
the way PyTorch seeds its CPU mt19937 (``init_genrand`` with the low 32 bits of the seed), so the
engine state after ``manual_seed`` matches PyTorch's; the samples drawn from it do not (PyTorch
turns raw words into floats its own way). Samples are drawn on the CPU and moved to the target
device. Sampling is never differentiable: ops whose inputs require grad (``normal`` with tensor
mean/std, ``poisson``) give zero gradients, as in PyTorch.
"""
from __future__ import annotations

import contextlib
import os

import numpy as np

from . import _backend, creation
from . import dtypes as _dtypes
from .autograd.function import Primitive
from ._ops.memory_format import allocate
from .errors import (ArgumentError, ArgumentTypeError, ArgumentValueError, DeviceError,
                     DTypeError, DTypeNotImplementedError, ShapeError)
from ._factory_out import factory, factory_out
from ._ops._results import accepts_out, write_out
from .layout import preserve_format
from .tensor import Size, Tensor, tensor_method

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng", "rand", "randn", "randint", "randperm",
           "normal", "bernoulli", "multinomial", "poisson", "binomial", "rand_like", "randn_like",
           "randint_like"]

_DEFAULT_SEED = 67280421310721
_KEY_WORDS = 624
_STATE_BYTES = 16 + 4 * _KEY_WORDS  # seed (uint64), position (int64), key (624 x uint32)
_U64 = (1 << 64) - 1


class Generator:
    """A pseudo-random number generator: ``Generator(device='cpu')``.

    >>> g = Generator().manual_seed(0)
    >>> a = rand(3, generator=g); g.manual_seed(0); bool((rand(3, generator=g) == a).all())
    True
    """

    def __init__(self, device="cpu") -> None:
        self._device = _backend.to_device_object(device)
        self._bit_generator = np.random.MT19937(0)
        self._rng = np.random.Generator(self._bit_generator)
        self._seed = 0
        self.manual_seed(_DEFAULT_SEED)

    @property
    def device(self) -> _backend.device:
        return self._device

    def manual_seed(self, seed) -> "Generator":
        """Reset the state from ``seed`` (any integer; negative ones wrap as uint64)."""
        if isinstance(seed, Tensor):
            seed = seed.item()
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ArgumentTypeError(f"manual_seed expected an int, got {type(seed).__name__}")
        self._seed = int(seed) & _U64
        # PyTorch's mt19937 keeps only the low 32 bits for init_genrand; so does this
        self._bit_generator._legacy_seeding(self._seed & 0xFFFFFFFF)
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return the seed used."""
        value = int.from_bytes(os.urandom(8), "little") & ((1 << 63) - 1)
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The state as a uint8 tensor: seed, position and the 624-word mt19937 key."""
        state = self._bit_generator.state["state"]
        header = np.array([self._seed, state["pos"]], dtype=np.uint64)
        key = np.asarray(state["key"], dtype=np.uint32)
        data = np.frombuffer(header.tobytes() + key.tobytes(), dtype=np.uint8).copy()
        return Tensor._make(data)

    def set_state(self, new_state: Tensor) -> "Generator":
        if not isinstance(new_state, Tensor) or new_state.dtype is not _dtypes.uint8:
            raise DTypeError("set_state: expected a torch.ByteTensor (uint8) from get_state()")
        data = np.ascontiguousarray(new_state.detach().cpu()._data).reshape(-1)
        if data.size != _STATE_BYTES:
            raise ShapeError(f"RNG state is wrong size: expected {_STATE_BYTES} bytes, got "
                             f"{data.size}")
        seed, position = np.frombuffer(data[:16].tobytes(), dtype=np.uint64)
        if position > _KEY_WORDS:
            raise ArgumentError(f"set_state: invalid mt19937 position {int(position)}")
        key = np.frombuffer(data[16:].tobytes(), dtype=np.uint32).copy()
        self._bit_generator.state = {"bit_generator": "MT19937",
                                     "state": {"key": key, "pos": int(position)}}
        self._seed = int(seed)
        return self

    def clone_state(self) -> "Generator":
        other = Generator(self._device)
        other.set_state(self.get_state())
        return other

    def __repr__(self) -> str:
        return f"<rustorch.Generator object at {hex(id(self))}>"


default_generator = Generator()


def _generator(generator: Generator | None, device=None) -> np.random.Generator:
    """The numpy stream to sample from. An explicit generator must be of the sample's device
    type (``device``, or the default device), as PyTorch checks."""
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise ArgumentTypeError(f"generator must be a rustorch.Generator, got "
                                f"{type(generator).__name__}")
    target = _backend.get_default_device() if device is None else \
        _backend.to_device_object(device)
    if generator.device.type != target.type:
        raise DeviceError(f"Expected a '{target.type}' device type for generator but found "
                          f"'{generator.device.type}' (make the generator with "
                          f"Generator(device={target.type!r}) or sample on its device)")
    return generator._rng


def manual_seed(seed) -> Generator:
    """Seed the default generator (and CUDA's, which shares it here); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda"):
    """Restore the default generator's state when the block exits."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# ----------------------------------------------------------------- helpers
def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise ShapeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    return shape


def _float_dtype(dtype, op: str) -> _dtypes.dtype:
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise DTypeNotImplementedError(f"\"{op}\" not implemented for '{_dtypes_name(dtype)}'")
    return dtype


# C++ spellings of the dtypes, as PyTorch's continuous-distribution checks print them
_CPP_TYPE_NAMES = {"int8": "signed char", "uint8": "unsigned char", "int16": "short int",
                   "int32": "int", "int64": "long int", "bool": "bool",
                   "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _require_floating(input: Tensor, distribution: str, cpp_names: bool = False) -> None:
    """PyTorch's check that an in-place continuous sampler fills a floating-point tensor."""
    dtype = input.dtype
    if not dtype.is_floating_point:
        name = _CPP_TYPE_NAMES.get(dtype.name, dtype.name) if cpp_names else _dtypes_name(dtype)
        raise ArgumentValueError(f"{distribution} distribution is a continuous probability "
                                 f"distribution. dtype must be a floating point but you "
                                 f"specified {name}")


def _dtypes_name(dtype) -> str:
    from .tensor import _TORCH_TYPE_NAMES
    return _TORCH_TYPE_NAMES.get(dtype.name, dtype.name)


def _real_sample(sampler, shape, dtype: _dtypes.dtype) -> np.ndarray:
    """``sampler(shape, numpy_dtype)`` in ``dtype``; complex dtypes get independent parts."""
    if dtype.is_complex:
        part = np.float32 if dtype is _dtypes.complex64 else np.float64
        pair = sampler(tuple(shape) + (2,), part)
        return np.ascontiguousarray(pair).view(dtype.numpy).reshape(shape)
    native = dtype.numpy if dtype.numpy in (np.float32, np.float64) else np.float32
    array = np.asarray(sampler(shape, native))  # 0-d samples come back as numpy scalars
    return array if array.dtype == dtype.numpy else array.astype(dtype.numpy)


def _finish(array, device, requires_grad: bool) -> Tensor:
    return creation._finish(array, None, device, requires_grad)


def _below(array: np.ndarray, low: float, high: float) -> np.ndarray:
    """Keep a uniform sample in [low, high) after rounding to its dtype: a value that rounded
    up to ``high`` (likely in float16/bfloat16) becomes ``low``, as PyTorch's kernels map it."""
    if array.dtype.kind == "f" or array.dtype.name == "bfloat16":
        array[array >= array.dtype.type(high)] = low if low < high else high
    return array


def _fill(input: Tensor, array: np.ndarray) -> Tensor:
    """Write a sample into ``input`` in place (as PyTorch's in-place samplers do)."""
    array = np.asarray(array).astype(input._data.dtype, copy=False)
    if not input.is_cpu:
        array = _backend.to_device(array, input.device)
    sample = Tensor._make(array)
    return input._inplace(lambda target: sample)


# ----------------------------------------------------------------- creation-style samplers
@factory_out
def rand(*size, generator: Generator | None = None, out=None, dtype=None, layout=None,
         device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    dtype = _float_dtype(dtype, "check_uniform_bounds")
    rng = _generator(generator, device)
    array = _real_sample(lambda shape, kind: rng.random(shape, dtype=kind), _size(size), dtype)
    return _finish(_below(array, 0.0, 1.0), device, requires_grad)


@factory_out
def randn(*size, generator: Generator | None = None, out=None, dtype=None, layout=None,
          device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Standard normal samples (complex: each part has variance 1/2)."""
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    rng = _generator(generator, device)
    scale = np.sqrt(0.5) if dtype.is_complex else 1.0
    array = _real_sample(lambda shape, kind: (rng.standard_normal(shape, dtype=kind) *
                                              scale).astype(kind, copy=False), _size(size), dtype)
    return _finish(array, device, requires_grad)


@factory_out
def randint(*args, generator: Generator | None = None, out=None, dtype=None, layout=None,
            device=None, requires_grad: bool = False, pin_memory: bool = False,
            size=None, low=None, high=None) -> Tensor:
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    values = list(args)
    if low is not None:
        values.insert(0, low)
    if high is not None:
        values.insert(1 if low is not None or len(values) > 1 else len(values), high)
    if size is not None:
        values.append(size)
    if len(values) == 2:
        low_value, high_value, shape = 0, values[0], values[1]
    elif len(values) == 3:
        low_value, high_value, shape = values
    else:
        raise ArgumentTypeError("randint() expects (high, size) or (low, high, size)")
    low_value, high_value = int(low_value), int(high_value)
    if low_value >= high_value:
        raise ArgumentError(f"random_ expects 'from' to be less than 'to', but got "
                            f"from={low_value} >= to={high_value}")
    dtype = _dtypes.int64 if dtype is None else _dtypes.to_dtype(dtype)
    array = _generator(generator, device).integers(low_value, high_value, _size((shape,)),
                                           dtype=np.int64)
    return _finish(array.astype(dtype.numpy), device, requires_grad)


@factory_out
def randperm(n: int, *, generator: Generator | None = None, out=None, dtype=None, layout=None,
             device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    if n < 0:
        raise ArgumentError(f"n must be non-negative, got{n}")
    dtype = _dtypes.int64 if dtype is None else _dtypes.to_dtype(dtype)
    array = _generator(generator, device).permutation(int(n)).astype(dtype.numpy)
    return _finish(array, device, requires_grad)


def _like(input: Tensor, dtype, device):
    return (input.dtype if dtype is None else _dtypes.to_dtype(dtype),
            input.device if device is None else device)


@factory
def rand_like(input: Tensor, *, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None, generator=None) -> Tensor:
    dtype, device = _like(input, dtype, device)
    return _laid_out_like(rand(tuple(input.shape), dtype=dtype, device=device,
                               requires_grad=requires_grad, generator=generator),
                          input, memory_format)


@factory
def randn_like(input: Tensor, *, dtype=None, layout=None, device=None,
               requires_grad: bool = False, memory_format=None, generator=None) -> Tensor:
    dtype, device = _like(input, dtype, device)
    return _laid_out_like(randn(tuple(input.shape), dtype=dtype, device=device,
                                requires_grad=requires_grad, generator=generator),
                          input, memory_format)


@factory
def randint_like(input: Tensor, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad: bool = False, memory_format=None, generator=None) -> Tensor:
    if high is None:
        low, high = 0, low
    dtype, device = _like(input, dtype, device)
    return _laid_out_like(randint(low, high, tuple(input.shape), dtype=dtype, device=device,
                                  requires_grad=requires_grad, generator=generator),
                          input, memory_format)


def _laid_out_like(sample: Tensor, input: Tensor, memory_format) -> Tensor:
    """A new ``*_like`` sample in ``memory_format``; the default, ``preserve_format``, keeps
    ``input``'s layout (as ``empty_like`` does)."""
    format_ = preserve_format if memory_format is None else memory_format
    if format_ is preserve_format and input._data.flags.c_contiguous:
        return sample
    same_device = sample.device == input.device
    array = allocate(sample._xp(), sample._data.shape, sample._data.dtype, format_,
                     like=input._data if same_device else None, function="rand_like")
    array[...] = sample._data
    sample._data = array
    return sample


# ----------------------------------------------------------------- distributions of tensors
class _Sampled(Primitive):
    """Outputs a precomputed sample; gradients to every tensor input are zeros (PyTorch's
    convention for ``normal`` and ``poisson``)."""

    def forward(self, xp, *arrays, sample=None):
        self.shapes = [getattr(a, "shape", None) for a in arrays]
        return sample

    def backward(self, grad):
        return tuple(grad.new_zeros(shape) if shape is not None and self.needs_input_grad(i)
                     else None for i, shape in enumerate(self.shapes))


@factory_out
def normal(mean=0.0, std=1.0, size=None, *, generator: Generator | None = None, out=None,
           dtype=None, layout=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """Normal samples: tensor ``mean``/``std`` broadcast elementwise, or floats with ``size``."""
    source = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    rng = _generator(generator, device if source is None else source.device)
    mean_tensor, std_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_tensor and not std_tensor:
        if size is None:
            raise ArgumentTypeError("normal() with float mean and std needs a size")
        if std < 0:
            raise ArgumentError(f"normal expects std >= 0.0, but found std {std}")
        dtype = _float_dtype(dtype, "normal_kernel_cpu")
        array = _real_sample(lambda shape, kind: rng.normal(mean, std, shape).astype(kind),
                             _size((size,)), dtype)
        return _finish(array, device, requires_grad)
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    result_dtype = tensors[0].dtype
    for tensor in tensors[1:]:
        result_dtype = _dtypes.promote_types(result_dtype, tensor.dtype)
    if not result_dtype.is_floating_point:
        raise DTypeError(f"normal expects floating-point mean/std, got {result_dtype}")
    mean_array = mean._data if mean_tensor else mean
    std_array = std._data if std_tensor else std
    if not std_tensor and std < 0 or std_tensor and std._data.size and \
            bool((_backend.to_device(std._data, _backend.CPU) < 0).any()):
        raise ArgumentError("normal expects all elements of std >= 0.0")
    shape = np.broadcast_shapes(np.shape(mean_array), np.shape(std_array))
    device_of = tensors[0].device
    noise = rng.standard_normal(shape)
    mean_cpu = _backend.to_device(mean_array, _backend.CPU) if mean_tensor else mean_array
    std_cpu = _backend.to_device(std_array, _backend.CPU) if std_tensor else std_array
    sample = (mean_cpu + std_cpu * noise).astype(result_dtype.numpy)
    sample = _backend.to_device(np.asarray(sample), device_of)
    return _Sampled.apply(mean, std, sample=sample)


def bernoulli(input: Tensor, p=None, *, generator: Generator | None = None, out=None) -> Tensor:
    """0/1 samples with probability ``input`` (or the float ``p``), in ``input``'s dtype (or
    ``out``'s: any real dtype holds 0 and 1)."""
    if out is not None and isinstance(out, Tensor):
        if out.dtype.is_complex:
            raise DTypeNotImplementedError(f"bernoulli: \"bernoulli_tensor_cpu_self_\" not "
                                           f"implemented for '{out.dtype}' out tensors; use a "
                                           f"real dtype")
        sample = bernoulli(input, p, generator=generator)
        return write_out(sample.to(out.dtype) if not sample.requires_grad else sample, out)
    rng = _generator(generator, input.device)
    if p is None:
        probabilities = _backend.to_device(input.detach()._data, _backend.CPU)
        if probabilities.size and (probabilities.min() < 0 or probabilities.max() > 1):
            raise ArgumentError("bernoulli: all probabilities must be in [0, 1]")
    else:
        probabilities = float(p)
        if not 0 <= probabilities <= 1:
            raise ArgumentError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    array = rng.random(tuple(input.shape)) < np.asarray(probabilities, dtype=np.float64)
    return _finish(array.astype(input._data.dtype), input.device, False)


@tensor_method(name="bernoulli")
def _bernoulli_method(input, p=None, *, generator=None):
    return bernoulli(input, p, generator=generator)


@accepts_out(exact_dtype=True)
def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None, out=None) -> Tensor:
    """Category indices drawn with probability proportional to the rows of ``input``."""
    if input.ndim not in (1, 2):
        raise ShapeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise ArgumentError("cannot sample n_sample <= 0 samples")
    weights = _backend.to_device(input.detach()._data, _backend.CPU).astype(np.float64)
    rows = weights.reshape(-1, weights.shape[-1])
    categories = rows.shape[1]
    if (rows < 0).any() or not np.isfinite(rows).all():
        raise ArgumentError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) <= 0).any():
        raise ArgumentError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _generator(generator, input.device)
    if not replacement:
        if num_samples > categories:
            raise ArgumentError("cannot sample n_sample > prob_dist.size(-1) samples without "
                                "replacement")
        if ((rows > 0).sum(axis=1) < num_samples).any():
            raise ArgumentError("invalid multinomial distribution (with replacement=False, not "
                                "enough non-negative category to sample)")
        # exponential races: the k smallest Exp(1)/w are a weighted sample without replacement
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(rows.shape) / rows
        index = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    else:
        totals = np.cumsum(rows, axis=1)
        offsets = np.arange(rows.shape[0])[:, None]
        draws = rng.random((rows.shape[0], num_samples)) * totals[:, -1:]
        # one searchsorted over all rows: shift row r's cdf and draws by r * (max total + 1)
        shift = offsets * (totals[:, -1:].max() + 1.0)
        flat = np.searchsorted((totals + shift).reshape(-1), (draws + shift).reshape(-1),
                               side="right")
        index = np.minimum(flat.reshape(draws.shape) - offsets * categories, categories - 1)
    index = index.astype(np.int64)
    if input.ndim == 1:
        index = index.reshape(num_samples)
    return _finish(index, input.device, False)


tensor_method(multinomial)


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Poisson samples with rates ``input`` (same dtype)."""
    rates = _backend.to_device(input.detach()._data, _backend.CPU)
    if rates.size and (rates < 0).any():
        raise ArgumentError("poisson: rates must be non-negative")
    rng = _generator(generator, input.device)
    array = rng.poisson(rates.astype(np.float64)).astype(input._data.dtype)
    return _Sampled.apply(input, sample=_backend.to_device(array, input.device))


def binomial(count: Tensor, prob: Tensor, generator: Generator | None = None) -> Tensor:
    """Binomial samples: ``floor(count)`` trials (none for a negative count) with success
    probability ``prob``, broadcast; ``prob >= 1`` gives ``count`` itself and ``prob <= 0``
    zero, as PyTorch's sampler does. Floating-point inputs of one dtype, which the result
    has; recorded but not differentiable, as in PyTorch."""
    from ._ops.copy_variants import NotDifferentiable
    for name, value in (("count", count), ("prob", prob)):
        if not isinstance(value, Tensor):
            raise ArgumentTypeError(f"binomial(): argument '{name}' must be Tensor, not "
                                    f"{type(value).__name__}")
    if not count.dtype.is_floating_point:
        raise ArgumentValueError(f"binomial only supports floating-point dtypes for count, "
                                 f"got: {_dtypes_name(count.dtype)}")
    if prob.dtype is not count.dtype:
        raise DTypeError(f"binomial: Found dtype {_dtypes_name(prob.dtype)} but expected "
                         f"{_dtypes_name(count.dtype)} (give prob count's dtype)")
    rng = _generator(generator, count.device)

    def compute(xp, trials, chances):
        trials = _backend.to_device(trials, _backend.CPU).astype(np.float64)
        chances = _backend.to_device(chances, _backend.CPU).astype(np.float64)
        trials, chances = np.broadcast_arrays(np.maximum(trials, 0.0), chances)
        sample = rng.binomial(np.floor(trials).astype(np.int64), np.clip(chances, 0.0, 1.0))
        # PyTorch's sampler: a certain success gives the count itself (not floored)
        sample = np.where(chances >= 1, trials, sample).astype(count._data.dtype)
        return _backend.to_device(sample, count.device)
    return NotDifferentiable.apply(count, prob, compute=compute, op="binomial")


from . import _random_inplace  # noqa: E402,F401  (Tensor.uniform_, normal_ ... attach)
