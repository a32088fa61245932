"""The error hierarchy: every error rustorch raises is a ``RusTorchError``.

Each subclass also subclasses the builtin PyTorch raises in the same situation, so code
written for PyTorch (``except RuntimeError``) keeps working unchanged.
"""
from __future__ import annotations

from typing import Annotated, TypeVar

__all__ = [
    "RusTorchError", "ShapeError", "DTypeError", "DeviceError", "TensorIndexError",
    "IndexRangeError", "DTypeNotImplementedError", "IntegerDivisionByZeroError", "AutogradError",
    "LinAlgError", "DataError", "SerializationError", "DistributedError", "NotSupportedError",
    "ArgumentError", "ArgumentValueError", "ArgumentTypeError", "RusTorchResult",
]


class RusTorchError(Exception):
    """Root of every error rustorch raises."""


class ShapeError(RusTorchError, RuntimeError):
    """Shapes that do not fit together (PyTorch raises RuntimeError)."""


class DTypeError(RusTorchError, RuntimeError, TypeError):
    """An operation got a dtype it cannot handle or cannot cast to."""


class DeviceError(RusTorchError, RuntimeError):
    """Tensors on different devices, or a device that is not available."""


class TensorIndexError(RusTorchError, IndexError):
    """An index out of range, or an index of the wrong kind."""


class IndexRangeError(RusTorchError, RuntimeError):
    """An index out of range where PyTorch raises RuntimeError rather than IndexError."""


class AutogradError(RusTorchError, RuntimeError):
    """Misuse of the autograd graph (freed buffers, in-place on leaves, ...)."""


class LinAlgError(RusTorchError, RuntimeError):
    """A numerical failure of a decomposition (``torch.linalg.LinAlgError``)."""


class DataError(RusTorchError, RuntimeError):
    """Problems loading or collating data."""


class SerializationError(RusTorchError, RuntimeError):
    """Problems saving or loading objects."""


class DistributedError(RusTorchError, RuntimeError):
    """Problems in collective communication or process groups."""


class NotSupportedError(RusTorchError, NotImplementedError):
    """A feature or argument value rustorch does not support (yet)."""


class DTypeNotImplementedError(NotSupportedError, DTypeError):
    """An op with no kernel for a dtype: PyTorch raises NotImplementedError (a RuntimeError);
    its operator forms (``~``) raise TypeError, so this is all three."""


class IntegerDivisionByZeroError(RusTorchError, RuntimeError, ZeroDivisionError):
    """Integer division or modulo by zero (PyTorch: RuntimeError('ZeroDivisionError'))."""


class ArgumentError(RusTorchError, ValueError):
    """An argument with a value outside what the function accepts."""


class ArgumentValueError(ArgumentError, RuntimeError):
    """An argument value PyTorch rejects with RuntimeError (also a ValueError here)."""


class ArgumentTypeError(RusTorchError, TypeError):
    """An argument of the wrong Python type."""


T = TypeVar("T")
#: The return annotation of public functions: the value, or a raised ``RusTorchError``.
RusTorchResult = Annotated[T, "raises RusTorchError"]
