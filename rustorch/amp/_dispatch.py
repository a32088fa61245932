"""What the ops do inside an autocast region: the per-thread switch they read, torch's op lists
for each device, and the casts those lists call for.

An op on one of the lists starts with::

    if autocast_state.active:
        return autocast_call(linear, "linear", **locals())

Outside autocast that is one attribute read. Inside, ``autocast_call`` casts the arguments as
the op's policy says for the device of its tensors, then runs the op with autocast suspended,
as torch's dispatcher excludes the autocast keys while an autocast kernel runs (the ops the
op calls internally are not cast again).

Policies (torch's ``CastPolicy``):
    lower:           floating inputs cast to the autocast dtype (matmul, linear, conv ...)
    fp32:            lower-precision inputs cast up to float32 (losses, linalg ...)
    fp32_opt_dtype:  the first input runs in float32 unless ``dtype=`` is given (sum, softmax)
    promote:         floating inputs cast to the widest of them (cat, stack ...)
    banned:          raises (binary_cross_entropy under CUDA autocast)
float64 tensors and tensors on another device are never cast. An op given ``out=`` is not
autocast (torch's out= overloads have no autocast kernel).
"""
from __future__ import annotations

import threading

from .. import dtypes as _dtypes
from ..errors import RusTorchError

__all__ = ["autocast_state", "autocast_call", "einsum_op_name", "AmpError", "POLICIES",
           "DEVICE_TYPES"]

DEVICE_TYPES = ("cpu", "cuda")


class AmpError(RusTorchError, RuntimeError):
    """Misuse of autocast or of a GradScaler (torch raises RuntimeError)."""


class _AutocastState(threading.local):
    """Autocast's switches, per thread as in torch (a new thread starts with autocast off).

    ``active`` is what the ops read: autocast is on for some device and no autocast op is
    running. ``enabled``/``dtype`` are per device type; ``cache`` holds the casts of leaf
    weights made inside the region (cleared when the outermost region exits).
    """

    active = False
    cache_enabled = True
    nesting = 0

    def __init__(self) -> None:
        self.enabled = {"cpu": False, "cuda": False}
        self.dtype = {"cpu": _dtypes.bfloat16, "cuda": _dtypes.float16}
        self.cache: dict[int, tuple] = {}

    def refresh(self) -> None:
        """Recompute ``active`` after a device's switch changed."""
        self.active = self.enabled["cpu"] or self.enabled["cuda"]


autocast_state = _AutocastState()


def _names(text: str) -> tuple:
    return tuple(text.split())


# torch 2.13's lists (aten/src/ATen/autocast_mode.{h,cpp}), under rustorch's function names.
# The ones marked "composite" are not on torch's list but are built in torch from ops that are
# (einsum and tensordot reach bmm/mm on the CPU), where rustorch builds them differently.
_LOWER_BOTH = _names("conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d "
                     "prelu addmm matmul mm bmm baddbmm addbmm linear linalg_vecdot "
                     "scaled_dot_product_attention einsum2")
_CPU_LOWER = _LOWER_BOTH + _names("tensordot inner")  # composite
_CPU_FP32 = _names(
    "avg_pool3d binary_cross_entropy grid_sample polar prod quantile nanquantile stft cdist "
    "trace view_as_complex cholesky cholesky_inverse cholesky_solve inverse lu_solve pinverse "
    "max_pool3d max_unpool2d max_unpool3d adaptive_avg_pool3d adaptive_max_pool3d "
    "reflect_pad1d reflect_pad2d replicate_pad1d replicate_pad2d replicate_pad3d "
    "mse_loss cosine_embedding_loss nll_loss hinge_embedding_loss poisson_nll_loss "
    "smooth_l1_loss cross_entropy l1_loss huber_loss margin_ranking_loss soft_margin_loss "
    "triplet_margin_loss multi_margin_loss ctc_loss kl_div multilabel_margin_loss "
    "binary_cross_entropy_with_logits fft_fft fft_ifft fft_fft2 fft_ifft2 fft_fftn fft_ifftn "
    "fft_rfft fft_irfft fft_rfft2 fft_irfft2 fft_rfftn fft_irfftn fft_hfft fft_ihfft "
    "linalg_cond linalg_matrix_rank linalg_solve linalg_cholesky linalg_cholesky_ex "
    "linalg_svdvals linalg_eigvals linalg_eigvalsh linalg_inv linalg_inv_ex linalg_qr "
    "linalg_svd linalg_eig linalg_eigh linalg_lstsq linalg_householder_product "
    "linalg_tensorinv linalg_tensorsolve qr svd triangular_solve geqrf fractional_max_pool2d "
    "fractional_max_pool3d")
_CPU_PROMOTE = _names("cat stack index_copy")

_CUDA_LOWER = _LOWER_BOTH + _names("einsum1 addmv addr mv chain_matmul linalg_multi_dot")
_CUDA_FP32 = _names(
    "acos asin cosh erfinv exp expm1 log log10 log2 log1p reciprocal rsqrt sinh tan pow "
    "softplus layer_norm group_norm rms_norm norm cosine_similarity poisson_nll_loss "
    "cosine_embedding_loss nll_loss hinge_embedding_loss kl_div l1_loss smooth_l1_loss "
    "huber_loss mse_loss margin_ranking_loss multilabel_margin_loss soft_margin_loss "
    "triplet_margin_loss multi_margin_loss binary_cross_entropy_with_logits dist pdist cdist "
    "renorm logsumexp interpolate_nearest interpolate_nearest-exact interpolate_linear "
    "interpolate_bilinear interpolate_bicubic interpolate_trilinear "
    "cross_entropy")  # cross_entropy: composite (log_softmax and nll_loss, both listed)
_CUDA_FP32_OPT_DTYPE = _names("prod softmax log_softmax cumprod cumsum linalg_vector_norm "
                              "linalg_matrix_norm sum")
_CUDA_PROMOTE = _names("addcdiv addcmul atan2 bilinear cross dot vdot grid_sample index_put "
                       "tensordot scatter_add inner")  # inner: composite (tensordot)


def _table(**lists) -> dict:
    return {name: policy for policy, names in lists.items() for name in names}


#: op name -> policy, per device type; an op missing from a device's table runs unchanged
POLICIES = {
    "cpu": _table(lower=_CPU_LOWER, fp32=_CPU_FP32, promote=_CPU_PROMOTE),
    "cuda": _table(lower=_CUDA_LOWER, fp32=_CUDA_FP32, fp32_opt_dtype=_CUDA_FP32_OPT_DTYPE,
                   promote=_CUDA_PROMOTE, banned=("binary_cross_entropy",)),
}

_BANNED_MESSAGE = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_"
    "logits\nor torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits "
    "are\nsafe to autocast.")


def autocast_call(function, name: str | None, *args, **kwargs):
    """Run ``function(*args, **kwargs)`` with its tensor arguments cast by the policy of op
    ``name`` (None: no cast) for the device of its first tensor, autocast suspended inside."""
    state = autocast_state
    if name is not None and kwargs.get("out") is None:
        tensor = _first_tensor(args, kwargs)
        if tensor is not None:
            device_type = "cpu" if tensor.is_cpu else "cuda"
            policy = POLICIES[device_type].get(name) if state.enabled[device_type] else None
            if policy is not None:
                args, kwargs = _cast_arguments(policy, device_type, args, kwargs)
    state.active = False
    try:
        return function(*args, **kwargs)
    finally:
        state.refresh()


def einsum_op_name(equation: str, operands) -> str:
    """``"einsum2"`` when two operands share a label summed away (torch's CPU einsum reaches
    bmm, which autocast casts, only then), else ``"einsum1"``; CUDA lists einsum itself."""
    left, arrow, output = equation.replace(" ", "").replace("...", "").partition("->")
    inputs = [set(subscripts) for subscripts in left.split(",")]
    if len(operands) < 2:
        return "einsum1"
    if not arrow:  # implicit output: the labels that appear once
        output = "".join(label for label in set(left) if left.count(label) == 1)
    shared = {label for label in set().union(*inputs)
              if sum(label in subscripts for subscripts in inputs) > 1}
    return "einsum2" if shared - set(output) else "einsum1"


def _tensor_type():
    # imported on first use: the ops import this module while rustorch.tensor may be loading
    global _TENSOR
    if _TENSOR is None:
        from ..tensor import Tensor
        _TENSOR = Tensor
    return _TENSOR


_TENSOR = None


def _first_tensor(args, kwargs):
    tensor_type = _tensor_type()
    for value in (*args, *kwargs.values()):
        if isinstance(value, tensor_type):
            return value
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, tensor_type):
                    return item
    return None


def _eligible(tensor, device_type: str) -> bool:
    """Floating, not float64, on the autocast device (torch's ``is_eligible``)."""
    dtype = tensor.dtype
    return (dtype.is_floating_point and dtype is not _dtypes.float64
            and tensor.is_cpu == (device_type == "cpu"))


def _cast_arguments(policy: str, device_type: str, args, kwargs):
    state = autocast_state
    lower = state.dtype[device_type]
    if policy == "banned":
        raise AmpError(_BANNED_MESSAGE)
    if policy == "fp32_opt_dtype":
        if kwargs.get("dtype") is not None:
            return args, kwargs
        target, only_first = _dtypes.float32, True
    elif policy == "promote":
        target, only_first = _widest(lower, device_type, args, kwargs), False
    else:
        target, only_first = (lower if policy == "lower" else _dtypes.float32), False
    tensor_type = _tensor_type()
    first = _first_tensor(args, kwargs) if only_first else None
    if only_first and not _eligible(first, device_type):
        return args, kwargs

    def cast(value):
        if isinstance(value, tensor_type):
            if first is not None and value is not first:
                return value
            return _cast(value, target, lower, device_type)
        if isinstance(value, (list, tuple)) and any(isinstance(v, tensor_type) for v in value):
            return type(value)(cast(item) for item in value)
        return value

    return tuple(cast(value) for value in args), {key: cast(value) for key, value in
                                                  kwargs.items()}


def _widest(lower, device_type: str, args, kwargs):
    """torch's ``promote_type``: float32 if any eligible input is float32, else ``lower``
    (float64 inputs are ignored; a lower-precision type other than ``lower`` is an error)."""
    tensor_type = _tensor_type()
    current = lower
    for value in (*args, *kwargs.values()):
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            if not isinstance(item, tensor_type) or not _eligible(item, device_type):
                continue
            if current is _dtypes.float32 or item.dtype is _dtypes.float32:
                current = _dtypes.float32
            elif item.dtype is not lower:
                raise AmpError("Unexpected floating ScalarType in at::autocast::prioritize")
    return current


def _cast(tensor, target, lower, device_type: str):
    """``tensor.to(target)`` if eligible; lower-precision casts of float32 leaf weights are
    cached until the outermost autocast region exits (torch's ``cached_cast``)."""
    if tensor.dtype is target or not _eligible(tensor, device_type):
        return tensor
    from .._ops.elementwise import cast_tensor  # a module already loaded: a dict lookup
    state = autocast_state
    if (target is lower and tensor.dtype is _dtypes.float32 and tensor.requires_grad
            and tensor.grad_fn is None and tensor._base is None and state.cache_enabled):
        hit = state.cache.get(id(tensor))
        if hit is not None and hit[0] is tensor:
            return hit[1]
        result = cast_tensor(tensor, target)
        state.cache[id(tensor)] = (tensor, result)  # the key tensor is kept alive with its cast
        return result
    return cast_tensor(tensor, target)
