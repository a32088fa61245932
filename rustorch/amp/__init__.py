"""``torch.amp``: automatic mixed precision, ``autocast`` regions and ``GradScaler``.

>>> import rustorch as torch
>>> model = torch.nn.Linear(4, 2)
>>> with torch.autocast("cpu"):  # bfloat16 on the CPU, float16 on CUDA
...     model(torch.ones(3, 4)).dtype
torch.bfloat16

The op lists and the casts live in ``_dispatch``; the ops read its per-thread switch.
"""
from __future__ import annotations

import sys as _sys

from . import autocast_mode, grad_scaler
from .autocast_mode import (autocast, autocast_decrement_nesting, autocast_increment_nesting,
                            clear_autocast_cache, custom_bwd, custom_fwd, get_autocast_cpu_dtype,
                            get_autocast_dtype, get_autocast_gpu_dtype, is_autocast_available,
                            is_autocast_cache_enabled, is_autocast_cpu_enabled,
                            is_autocast_enabled, set_autocast_cache_enabled,
                            set_autocast_cpu_dtype, set_autocast_cpu_enabled,
                            set_autocast_dtype, set_autocast_enabled, set_autocast_gpu_dtype)
from .grad_scaler import GradScaler

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler",
           "is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
           "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
           "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting"]

# torch has these switches at its top level (torch.is_autocast_enabled ...); rustorch's
# __init__ only imports this package, so they are attached to it here
_TOP_LEVEL = ("is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
              "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
              "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting",
              "get_autocast_cpu_dtype", "get_autocast_gpu_dtype", "set_autocast_cpu_dtype",
              "set_autocast_gpu_dtype", "is_autocast_cpu_enabled", "set_autocast_cpu_enabled")
for _name in _TOP_LEVEL:
    setattr(_sys.modules[__name__.rpartition(".")[0]], _name, globals()[_name])
del _name

# the deprecated spellings torch.cpu.amp and torch.cuda.amp
from .. import cpu as _cpu  # noqa: E402,F401
from ..cuda import amp as _cuda_amp  # noqa: E402,F401
