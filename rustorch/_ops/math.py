"""Elementwise math beyond the core arithmetic, gathered from its family modules.

``rustorch/__init__.py`` star-imports this module, so every public name of the families
(listed in their ``__all__``) reaches ``rustorch.*``.
"""
from __future__ import annotations

from . import math_binary, math_logical, math_special, math_unary
from .math_binary import *  # noqa: F401,F403
from .math_logical import *  # noqa: F401,F403
from .math_special import *  # noqa: F401,F403
from .math_unary import *  # noqa: F401,F403

__all__ = [*math_unary.__all__, *math_special.__all__, *math_binary.__all__,
           *math_logical.__all__]
