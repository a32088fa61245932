"""Small pieces shared by the functional modules."""
from __future__ import annotations

from ...errors import ArgumentValueError

__all__ = ["ArgumentValueError"]
