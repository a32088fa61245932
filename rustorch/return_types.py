"""Named-tuple results (``torch.return_types.max`` ...) with ``values`` and ``indices``."""
from __future__ import annotations

import collections

__all__ = ["namedtuple_result"]

_types: dict = {}


def namedtuple_result(name: str, *values, fields=("values", "indices")):
    """A ``torch.return_types.<name>`` tuple holding ``values``."""
    key = (name, fields)
    result_type = _types.get(key)
    if result_type is None:
        result_type = collections.namedtuple(name, fields)
        result_type.__module__ = "torch.return_types"
        result_type.__repr__ = _repr
        _types[key] = result_type
    return result_type(*values)


def _repr(self) -> str:
    body = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}(\n{body})"
