"""Errors of ``rustorch.save``/``rustorch.load``; each is a ``SerializationError`` (a
RuntimeError) and also the builtin torch raises in the same situation."""
from __future__ import annotations

import pickle

from ..errors import SerializationError

__all__ = ["UnpicklingError", "CorruptFileError"]


class UnpicklingError(SerializationError, pickle.UnpicklingError):
    """A global refused by ``weights_only=True``, or pickle data that cannot be read (torch
    raises ``pickle.UnpicklingError``)."""


class CorruptFileError(SerializationError, EOFError, ValueError):
    """A file that is empty, truncated or damaged. torch raises RuntimeError for most of these,
    EOFError for an empty file and ValueError for a cut end record; this is all three."""
