"""The deprecated hook-based weight normalization (``torch.nn.utils.weight_norm``).

:math:`w = g \\, v / \\|v\\|`, the norm taken over every dimension but ``dim`` (over the whole
tensor when ``dim`` is None). ``weight`` is replaced by the parameters ``weight_g`` and
``weight_v`` and recomputed by a forward pre-hook.

>>> layer = weight_norm(rustorch.nn.Linear(20, 40))
>>> layer.weight_g.shape
torch.Size([40, 1])
"""
from __future__ import annotations

import warnings
from typing import Any, TypeVar

from ...errors import ArgumentError, ArgumentValueError
from ...tensor import Tensor
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]

T_module = TypeVar("T_module", bound=Module)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """``torch.norm_except_dim``: the ``pow``-norm over every dimension but ``dim``, keeping
    them as size 1; ``dim=-1`` means the norm of the whole tensor (a 0-d tensor)."""
    from ...linalg import vector_norm
    if dim == -1:
        return vector_norm(v, pow)
    kept = dim % v.ndim
    reduced = tuple(d for d in range(v.ndim) if d != kept)
    if not reduced:  # a 1-d tensor: the norm of each single element
        return v.abs()
    return vector_norm(v, pow, dim=reduced, keepdim=True)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``torch._weight_norm``: ``v * (g / norm_except_dim(v, 2, dim))``."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``name`` from ``name_g`` and ``name_v``."""

    name: str
    dim: int

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Any:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> "WeightNorm":
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                      stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise ArgumentValueError("Cannot register two weight_norm hooks on the same "
                                         f"parameter {name}")
        if dim is None:
            dim = -1
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ArgumentError("The module passed to `WeightNorm` can't have uninitialized "
                                "parameters. Make sure to run the dummy forward before applying "
                                "weight normalization")
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: T_module, name: str = "weight", dim: int | None = 0) -> T_module:
    """Replace ``module.<name>`` by a magnitude ``<name>_g`` and a direction ``<name>_v``
    (deprecated in PyTorch for :func:`rustorch.nn.utils.parametrizations.weight_norm`)."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo :func:`weight_norm`: ``module.<name>`` becomes a plain parameter again."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ArgumentError(f"weight_norm of '{name}' not found in {module}")
