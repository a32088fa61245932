"""``torch.nn.utils``: gradient clipping, parameter/vector conversion (and, where present,
``rnn``, ``prune``, ``parametrize`` written by their own modules)."""
from __future__ import annotations

import importlib
import importlib.util

from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,  # noqa: F401
                        clip_grads_with_norm_, get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm", "parameters_to_vector", "vector_to_parameters"]

# optional submodules owned by other areas: imported when their file exists
for _name in ("rnn", "prune", "parametrize", "parametrizations", "stateless"):
    if importlib.util.find_spec(f"{__name__}.{_name}") is not None:
        globals()[_name] = importlib.import_module(f"{__name__}.{_name}")
del _name
