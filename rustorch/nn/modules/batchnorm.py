"""Batch normalization layers ``BatchNorm1d/2d/3d`` (and, re-exported from
``normalization.py``, instance / layer / group / local-response norm)."""
from __future__ import annotations

from ... import creation
from ... import dtypes as _dtypes
from ...autograd.grad_mode import no_grad
from ...errors import ArgumentError
from ...tensor import Tensor
from .. import init
from .._functional import normalization as _normalization
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "InstanceNorm1d",
           "InstanceNorm2d", "InstanceNorm3d", "LayerNorm", "GroupNorm", "LocalResponseNorm",
           "RMSNorm"]


def register_affine(module: Module, enabled: bool, shape: tuple, bias: bool, device,
                    dtype) -> None:
    """The ``weight`` (and ``bias``) parameters of a normalization layer, or None entries."""
    if enabled:
        module.weight = Parameter(creation.empty(*shape, device=device, dtype=dtype))
        if bias:
            module.bias = Parameter(creation.empty(*shape, device=device, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def reset_affine(module: Module) -> None:
    """Weight ones, bias zeros (PyTorch's init for every normalization layer)."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _NormBase(Module):
    """Parameters (``weight``/``bias``) and buffers (``running_mean``, ``running_var``,
    ``num_batches_tracked``) shared by batch and instance norm."""

    _version = 2
    __constants__ = ["track_running_stats", "momentum", "eps", "num_features", "affine"]

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        register_affine(self, affine, (num_features,), bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean",
                                 creation.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var",
                                 creation.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked",
                                 creation.tensor(0, dtype=_dtypes.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        reset_affine(self)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        version = local_metadata.get("version", None) if local_metadata else None
        key = prefix + "num_batches_tracked"
        if (version is None or version < 2) and self.track_running_stats and \
                key not in state_dict:
            # checkpoints from before num_batches_tracked existed
            state_dict[key] = self.num_batches_tracked if \
                self.num_batches_tracked is not None and \
                self.num_batches_tracked.device.type != "meta" else \
                creation.tensor(0, dtype=_dtypes.long)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)


class _BatchNorm(_NormBase):
    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or (self.running_mean is None
                                            and self.running_var is None)
        keep_stats = not self.training or self.track_running_stats
        return _normalization.batch_norm(
            input, self.running_mean if keep_stats else None,
            self.running_var if keep_stats else None, self.weight, self.bias,
            use_batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L):
    ``y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta`` per channel.

    >>> BatchNorm1d(100)(rustorch.randn(20, 100)).shape
    torch.Size([20, 100])
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in (2, 3):
            raise ArgumentError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W), statistics per channel.

    >>> BatchNorm2d(16)(rustorch.randn(4, 16, 8, 8)).shape
    torch.Size([4, 16, 8, 8])
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise ArgumentError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W)."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 5:
            raise ArgumentError(f"expected 5D input (got {input.dim()}D input)")


class SyncBatchNorm(_BatchNorm):
    """Single-process stand-in: identical to batch norm over the local batch."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() < 2:
            raise ArgumentError(f"expected at least 2D input (got {input.dim()}D input)")


from .normalization import (GroupNorm, InstanceNorm1d, InstanceNorm2d,  # noqa: E402
                            InstanceNorm3d, LayerNorm, LocalResponseNorm, RMSNorm)
