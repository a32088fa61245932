"""Neural-network layers, losses, initialisation and utilities, as ``torch.nn``."""
from __future__ import annotations

from .parameter import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401
