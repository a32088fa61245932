"""rustorch: a PyTorch-compatible deep-learning framework on NumPy (CPU) and CuPy (CUDA).

Use it as ``import rustorch as torch``.
"""
from __future__ import annotations

from . import _memory
from . import dtypes as _dtypes_module
from .dtypes import (bfloat16, bool, cdouble, cfloat, complex64, complex128, double,  # noqa: A004
                     dtype, float, float16, float32, float64, get_default_dtype, half, int,
                     int8, int16, int32, int64, long, promote_types, qint8, qint32, quint8,
                     result_type, set_default_dtype, short, uint8, uint16, uint32, uint64,
                     can_cast, finfo, iinfo)
from .errors import *  # noqa: F403 - every error class, as rustorch.<Name>
from ._backend import device, get_default_device, set_default_device
from .layout import (channels_last, channels_last_3d, contiguous_format, layout, memory_format,
                     preserve_format, sparse_coo, sparse_csr, strided)
from .tensor import Size, Tensor, is_tensor
from . import autograd
from .autograd import (enable_grad, inference_mode, is_grad_enabled,
                       is_inference_mode_enabled, no_grad, set_grad_enabled)
from .autograd.anomaly import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                               set_anomaly_enabled)
from . import _ops
from ._ops.elementwise import *  # noqa: F401,F403
from ._ops.reduce import *  # noqa: F401,F403
from ._ops.movement import *  # noqa: F401,F403
from ._ops.indexing import *  # noqa: F401,F403
from ._ops.linalg_core import *  # noqa: F401,F403
from ._ops.elementwise import clone, sgn  # noqa: F401
from ._ops.reduce import max, min, sum  # noqa: A004,F401
from .creation import *  # noqa: F401,F403
from ._tensor_str import get_printoptions, set_printoptions
from . import return_types
from ._threads import (get_num_interop_threads, get_num_threads, set_num_interop_threads,
                       set_num_threads)

__version__ = "0.1.0"

_memory.retain_freed_memory()


def is_floating_point(input) -> bool:
    return input.dtype.is_floating_point


def is_complex(input) -> bool:
    return input.dtype.is_complex


def numel(input) -> int:
    return input.numel()


def is_inference(input) -> bool:
    """Whether ``input`` is an inference tensor (made in ``inference_mode``)."""
    if not isinstance(input, Tensor):
        raise ArgumentTypeError(f"is_inference(): argument 'input' (position 1) must be Tensor, "
                                f"not {type(input).__name__}")
    return input.is_inference()


# families filled in by their own modules (each defines __all__)
from ._ops.math import *  # noqa: E402,F401,F403
from ._ops.reduce_more import *  # noqa: E402,F401,F403
from ._ops.einsum import *  # noqa: E402,F401,F403
from ._ops.shape_more import *  # noqa: E402,F401,F403
from ._ops.indexing_more import *  # noqa: E402,F401,F403
from ._ops.composite import *  # noqa: E402,F401,F403
from ._ops.splits import *  # noqa: E402,F401,F403
from ._ops.aliases import *  # noqa: E402,F401,F403
from ._ops.copy_variants import *  # noqa: E402,F401,F403
from ._ops.index_reduce import *  # noqa: E402,F401,F403
from ._ops.histogramdd import *  # noqa: E402,F401,F403
from ._ops import inplace_more as _inplace_more  # noqa: E402,F401
from ._ops import tensor_extras as _tensor_extras  # noqa: E402,F401
from ._switches import *  # noqa: E402,F401,F403
from ._frombuffer import frombuffer  # noqa: E402,F401
from .random import *  # noqa: E402,F401,F403
from . import linalg, nn, optim, cuda, utils  # noqa: E402,F401
from ._lowrank import pca_lowrank, svd_lowrank  # noqa: E402,F401
from . import backends, distributions, fft, special, testing  # noqa: E402,F401
from .utils import data as _data  # noqa: E402,F401
from .nn.functional import log_softmax, softmax  # noqa: E402,F401
from .nn._functional.ctc import ctc_loss_aten as ctc_loss  # noqa: E402,F401
from ._ops.functional_aliases import *  # noqa: E402,F401,F403  (torch.layer_norm ...)
from ._legacy_types import legacy_types as _legacy_types  # noqa: E402
from ._legacy_types import set_default_tensor_type  # noqa: E402,F401
globals().update(_legacy_types(is_cuda=False))  # torch.FloatTensor, torch.LongTensor ...


def set_flush_denormal(mode: bool) -> bool:
    """Whether denormal flushing could be set: NumPy has no switch for it, so False (what
    PyTorch answers on machines without support), and nothing changes."""
    return False


def get_device(input) -> int:
    """``input.get_device()``: -1 for a CPU tensor, else the CUDA device index."""
    return input.get_device()
from .utils.dlpack import from_dlpack, to_dlpack  # noqa: E402,F401
from .autograd import functional as _autograd_functional  # noqa: E402,F401

# torch.<name>_ functional forms of the in-place Tensor methods (torch.zero_(t), torch.relu_(t))
for _name in ("abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
              "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
              "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_",
              "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_",
              "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_",
              "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "round_",
              "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_",
              "trunc_", "xlogy_", "zero_"):
    globals()[_name] = getattr(Tensor, _name)
del _name
from .serialization import load, save  # noqa: E402
from ._ops.windows import *  # noqa: E402,F401,F403
from ._ops.spectral import *  # noqa: E402,F401,F403
from . import signal  # noqa: E402,F401
from .storage import TypedStorage, UntypedStorage  # noqa: E402,F401
from . import func  # noqa: E402,F401
from . import amp  # noqa: E402,F401
from .amp import autocast  # noqa: E402,F401
