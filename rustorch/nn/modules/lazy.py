"""Lazy modules: parameters whose shapes come from the first input (``LazyModuleMixin`` and
``LazyConv*``, ``LazyConvTranspose*``, ``LazyBatchNorm*``, ``LazyInstanceNorm*``), as in PyTorch.

Until the first forward (or a ``load_state_dict`` that brings the shapes) the parameters are
``UninitializedParameter``/``UninitializedBuffer``; then they are materialised, initialised as
the eager layer would be, and the module becomes that layer (``cls_to_become``).
"""
from __future__ import annotations

from ... import creation
from ... import dtypes as _dtypes
from ...autograd.grad_mode import no_grad
from ...errors import ArgumentError, ShapeError
from ...tensor import Tensor
from ..parameter import UninitializedBuffer, UninitializedParameter
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d, _NormBase
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,
                   ConvTranspose3d)
from .linear import Linear
from .normalization import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d

__all__ = ["LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d",
           "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
           "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d"]

_UNINITIALIZED = (UninitializedParameter, UninitializedBuffer)


class LazyModuleMixin:
    """Infers parameter shapes on the first call: subclasses define
    ``initialize_parameters(*inputs)`` and ``cls_to_become``."""

    cls_to_become = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._register_lazy_hooks()

    def _register_lazy_hooks(self) -> None:
        """Materialise on the first call, or from the shapes a state dict brings."""
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters,
                                                               with_kwargs=True)

    def has_uninitialized_params(self) -> bool:
        return any(isinstance(value, _UNINITIALIZED) for value in
                   list(self._parameters.values()) + list(self._buffers.values()))

    def initialize_parameters(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{type(self).__name__}")

    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        # uninitialized values are saved as they are (they have no data to detach)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars or isinstance(
                    param, _UNINITIALIZED) else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buffer if keep_vars or isinstance(
                    buffer, _UNINITIALIZED) else buffer.detach()

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys,
                        unexpected_keys, error_msgs) -> None:
        """Materialise uninitialized values with the shapes of the incoming state."""
        for name, value in list(self._parameters.items()) + list(self._buffers.items()):
            key = prefix + name
            if isinstance(value, _UNINITIALIZED) and key in state_dict:
                incoming = state_dict[key]
                if not isinstance(incoming, _UNINITIALIZED):
                    with no_grad():
                        value.materialize(tuple(incoming.shape))

    @staticmethod
    def _infer_parameters(module, args, kwargs=None):
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise ShapeError(f"module {type(module).__name__} has not been fully initialized")
        module._initialize_hook.remove()
        module._load_hook.remove()
        del module._initialize_hook
        del module._load_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become


class LazyLinear(LazyModuleMixin, Linear):
    """A ``Linear`` whose ``in_features`` comes from the first input."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        if not self.has_uninitialized_params():
            return
        with no_grad():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()


# ----------------------------------------------------------------- convolutions
class _LazyConvMixin(LazyModuleMixin):
    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args, **kwargs) -> None:
        if not self.has_uninitialized_params():
            return
        spatial = len(self.kernel_size)
        if input.dim() not in (spatial + 1, spatial + 2):
            raise ShapeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                             f"input to {type(self).__name__}, but got input of size: "
                             f"{list(input.shape)}")
        self.in_channels = input.shape[1] if input.dim() == spatial + 2 else input.shape[0]
        if self.in_channels % self.groups != 0:
            raise ArgumentError("in_channels must be divisible by groups")
        with no_grad():
            if self.transposed:
                shape = (self.in_channels, self.out_channels // self.groups)
            else:
                shape = (self.out_channels, self.in_channels // self.groups)
            self.weight.materialize(shape + tuple(self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


def _lazy_conv(eager, transposed: bool):
    """The lazy class of convolution ``eager`` (PyTorch's constructor signature, no
    ``in_channels``)."""

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, *args,
                 device=None, dtype=None, **kwargs) -> None:
        options = dict(zip(("output_padding", "groups", "bias", "dilation", "padding_mode")
                           if transposed else ("dilation", "groups", "bias", "padding_mode"),
                           args))
        options.update(kwargs)
        bias = options.pop("bias", True)
        eager.__init__(self, 0, 0, kernel_size, stride, padding, bias=False, device=device,
                       dtype=dtype, **options)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        self._register_lazy_hooks()

    name = "Lazy" + eager.__name__
    return type(name, (_LazyConvMixin, eager), {
        "__init__": __init__, "cls_to_become": eager, "__module__": __name__,
        "__doc__": f"``{eager.__name__}`` whose ``in_channels`` comes from the first input."})


LazyConv1d = _lazy_conv(Conv1d, False)
LazyConv2d = _lazy_conv(Conv2d, False)
LazyConv3d = _lazy_conv(Conv3d, False)
LazyConvTranspose1d = _lazy_conv(ConvTranspose1d, True)
LazyConvTranspose2d = _lazy_conv(ConvTranspose2d, True)
LazyConvTranspose3d = _lazy_conv(ConvTranspose3d, True)


# ----------------------------------------------------------------- normalization
class _LazyNormMixin(LazyModuleMixin):
    def _lazy_setup(self, affine: bool, track_running_stats: bool, device, dtype) -> None:
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = creation.tensor(0, dtype=_dtypes.long, device=device)
        self._register_lazy_hooks()

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[1]
        with no_grad():
            if self.affine:
                self.weight.materialize((self.num_features,))
                self.bias.materialize((self.num_features,))
            if self.track_running_stats:
                self.running_mean.materialize((self.num_features,))
                self.running_var.materialize((self.num_features,))
            self.reset_parameters()


def _lazy_norm(eager):
    """The lazy class of normalization ``eager`` (no ``num_features``; affine and running
    statistics on by default, as PyTorch's lazy norms)."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None) -> None:
        _NormBase.__init__(self, 0, eps, momentum, False, False, device, dtype)
        self._lazy_setup(affine, track_running_stats, device, dtype)

    return type("Lazy" + eager.__name__, (_LazyNormMixin, eager), {
        "__init__": __init__, "cls_to_become": eager, "__module__": __name__,
        "__doc__": f"``{eager.__name__}`` whose ``num_features`` comes from the first input."})


LazyBatchNorm1d = _lazy_norm(BatchNorm1d)
LazyBatchNorm2d = _lazy_norm(BatchNorm2d)
LazyBatchNorm3d = _lazy_norm(BatchNorm3d)
LazyInstanceNorm1d = _lazy_norm(InstanceNorm1d)
LazyInstanceNorm2d = _lazy_norm(InstanceNorm2d)
LazyInstanceNorm3d = _lazy_norm(InstanceNorm3d)
