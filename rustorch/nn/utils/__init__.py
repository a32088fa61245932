"""``torch.nn.utils``: gradient clipping, parameter/vector conversion, weight and spectral norm
(hook-based), conv/linear + batch-norm fusion, ``skip_init``, and the submodules ``rnn``,
``parametrize``, ``parametrizations`` and ``stateless``."""
from __future__ import annotations

import importlib
import importlib.util

from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,  # noqa: F401
                        clip_grads_with_norm_, get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,  # noqa: F401
                     fuse_linear_bn_weights)
from .init import skip_init  # noqa: F401
from .memory_format import (convert_conv2d_weight_memory_format,  # noqa: F401
                            convert_conv3d_weight_memory_format)
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
from .weight_norm import remove_weight_norm, weight_norm  # noqa: F401

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm", "parameters_to_vector", "vector_to_parameters",
           "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights", "convert_conv2d_weight_memory_format",
           "convert_conv3d_weight_memory_format", "skip_init", "weight_norm",
           "remove_weight_norm", "spectral_norm", "remove_spectral_norm"]

# submodules imported when their file exists (``prune`` is not written yet)
for _name in ("rnn", "prune", "parametrize", "parametrizations", "stateless"):
    if importlib.util.find_spec(f"{__name__}.{_name}") is not None:
        globals()[_name] = importlib.import_module(f"{__name__}.{_name}")
del _name
