"""``cupy.random`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the tests
when RUSTORCH_FAKE_CUDA=1): ``numpy.random`` with device-array results. The streams are NumPy's,
so values differ from real CuPy's generators."""
import numpy as _numpy

from ._dispatch import module_getattr as _module_getattr
from ._wrap import unwrap as _unwrap, wrap as _wrap


class _Generator:
    """A NumPy Generator/RandomState whose methods return device arrays."""

    def __init__(self, generator) -> None:
        self._generator = generator

    def __getattr__(self, name):
        attribute = getattr(self._generator, name)
        if not callable(attribute):
            return attribute

        def method(*args, **kwargs):
            return _wrap(attribute(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))
        return method


def default_rng(seed=None):
    return _Generator(_numpy.random.default_rng(seed))


def RandomState(seed=None):  # noqa: N802 - CuPy's name
    return _Generator(_numpy.random.RandomState(seed))


_STATE = [None]


def get_random_state():
    if _STATE[0] is None:
        _STATE[0] = RandomState()
    return _STATE[0]


def seed(seed=None):
    get_random_state()._generator.seed(seed)


def reset_states():
    _STATE[0] = None


__getattr__ = _module_getattr("cupy.random", _numpy.random, globals())
