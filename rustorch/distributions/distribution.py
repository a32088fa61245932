"""The ``Distribution`` base class: shapes, argument validation, sampling entry points."""
from __future__ import annotations

import rustorch
from rustorch.errors import ArgumentError

from . import constraints
from .utils import lazy_property

__all__ = ["Distribution"]


def _shape_text(value):
    return f"Tensor of shape {tuple(value.shape)}"


class Distribution:
    """Abstract base of every probability distribution."""

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    arg_constraints: dict = {}
    support = None

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for every distribution built afterwards."""
        if value not in (True, False):
            raise ArgumentError("validate_args must be True or False")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = rustorch.Size(batch_shape)
        self._event_shape = rustorch.Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._check_parameters()

    def _check_parameters(self):
        for name, constraint in self.arg_constraints.items():
            if constraints.is_dependent(constraint):
                continue
            if name not in self.__dict__ and isinstance(getattr(type(self), name, None),
                                                        lazy_property):
                continue  # the parameter was given in its other form (probs vs logits)
            value = getattr(self, name)
            valid = constraint.check(value)
            if not bool(valid.all()):
                raise ArgumentError(
                    f"Expected parameter {name} ({_shape_text(value)}) of distribution "
                    f"{self!r} to satisfy the constraint {constraint!r}, but found invalid "
                    f"values:\n{value}")

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    def _extended_shape(self, sample_shape=()):
        return rustorch.Size(tuple(sample_shape) + tuple(self._batch_shape)
                             + tuple(self._event_shape))

    def expand(self, batch_shape, _instance=None):
        """A view of this distribution with a larger batch shape (parameters expanded)."""
        batch_shape = rustorch.Size(batch_shape)
        new = _instance if _instance is not None else type(self).__new__(type(self))
        old_batch = tuple(self._batch_shape)
        for name, value in self.__dict__.items():
            if (isinstance(value, rustorch.Tensor) and not name.startswith("_batch")
                    and tuple(value.shape[:len(old_batch)]) == old_batch):
                new.__dict__[name] = value.expand(tuple(batch_shape)
                                                  + tuple(value.shape[len(old_batch):]))
            else:
                new.__dict__[name] = value
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _validate_sample(self, value):
        if not isinstance(value, rustorch.Tensor):
            raise ArgumentError("The value argument to log_prob must be a Tensor")
        event_dims = len(self._event_shape)
        if tuple(value.shape[value.dim() - event_dims:]) != tuple(self._event_shape) \
                or value.dim() < event_dims:
            raise ArgumentError(
                f"The right-most size of value must match event_shape: {tuple(value.shape)} "
                f"vs {tuple(self._event_shape)}.")
        actual = tuple(value.shape)
        expected = tuple(self._batch_shape) + tuple(self._event_shape)
        for left, right in zip(reversed(actual), reversed(expected)):
            if left != 1 and right != 1 and left != right:
                raise ArgumentError(f"Value is not broadcastable with batch_shape+event_shape: "
                                    f"{actual} vs {expected}.")
        support = self.support
        valid = support.check(value)
        if not bool(valid.all()):
            raise ArgumentError(
                f"Expected value argument ({_shape_text(value)}) to be within the support "
                f"({support!r}) of the distribution {self!r}, but found invalid values:\n"
                f"{value}")

    # ---- the interface subclasses fill in ----
    def rsample(self, sample_shape=()):
        raise NotImplementedError

    def sample(self, sample_shape=()):
        """Draw a sample without tracking gradients."""
        with rustorch.no_grad():
            return self.rsample(sample_shape)

    def sample_n(self, n: int):
        return self.sample(rustorch.Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    def perplexity(self):
        return rustorch.exp(self.entropy())

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self)} does not implement mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self)} does not implement variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def __repr__(self):
        shown = [name for name in self.arg_constraints if name in self.__dict__]
        parts = []
        for name in shown:
            value = self.__dict__[name]
            parts.append(f"{name}: {value if value.numel() == 1 else value.size()}")
        return f"{type(self).__name__}({', '.join(parts)})"
