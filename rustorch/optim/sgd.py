"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from typing import Any

from ..errors import ArgumentError
from ..tensor import Tensor
from ._arrays import add_scaled, array_module, compute_buffer, is_reduced, typed
from .optimizer import Optimizer, check_fused_foreach, check_not_differentiable, scalar_value

__all__ = ["SGD", "sgd_update"]


def sgd_update(param, grad, momentum_buffer, *, lr: float, momentum: float, dampening: float,
               weight_decay: float, nesterov: bool, maximize: bool):
    """One SGD step on arrays, in place on ``param`` (and ``momentum_buffer``).

    .. math::
        g = \\pm\\nabla + \\lambda\\theta, \\quad
        b = \\mu b + (1 - \\tau) g \\;(b_1 = g), \\quad
        \\theta \\mathrel{-}= \\gamma\\,(g + \\mu b \\text{ if nesterov else } b)

    Returns the momentum buffer (a new array on the first step), or None without momentum.
    """
    xp = array_module(param)
    # new arrays are made with explicit out=: ufuncs on 0-d arrays would return scalars.
    # A float16/bfloat16 update computes in float32 and rounds once per PyTorch operation.
    reduced = is_reduced(param)
    owned = False  # whether ``direction`` is a temporary this step may overwrite
    direction = grad
    if maximize:
        direction = xp.negative(grad, out=xp.empty_like(grad))
        owned = True
    if weight_decay != 0:  # grad.add(param, alpha=weight_decay)
        decayed = xp.multiply(param, typed(weight_decay, param), out=compute_buffer(param))
        direction = xp.add(direction, decayed,
                           out=xp.empty_like(param) if reduced else decayed)
        owned = True
    if momentum != 0:
        if momentum_buffer is None:
            momentum_buffer = direction.copy()
        else:
            xp.multiply(momentum_buffer, typed(momentum, momentum_buffer), out=momentum_buffer)
            add_scaled(momentum_buffer, 1 - dampening, direction)
        if nesterov:  # grad.add(buf, alpha=momentum)
            scaled = xp.multiply(momentum_buffer, typed(momentum, param),
                                 out=compute_buffer(param))
            direction = xp.add(direction, scaled,
                               out=xp.empty_like(param) if reduced else scaled)
            owned = True
        else:
            direction = momentum_buffer
            owned = False
    add_scaled(param, -lr, direction, scratch=direction if owned else None)
    return momentum_buffer


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Example::

        optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float | Tensor = 0, nesterov: bool = False,
                 *, maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ArgumentError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ArgumentError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ArgumentError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ArgumentError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ArgumentError("Nesterov momentum requires a momentum and zero dampening")
        check_not_differentiable(differentiable, "SGD")
        check_fused_foreach(fused, foreach, differentiable)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    group_option_defaults = {"nesterov": False, "maximize": False, "foreach": None,
                             "differentiable": False, "fused": False}

    def apply_single(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        # like PyTorch, plain SGD keeps no per-parameter state at all
        state = self.state[param] if momentum != 0 else {}
        buffer = state.get("momentum_buffer")
        result = sgd_update(param._data, grad._data, None if buffer is None else buffer._data,
                            lr=scalar_value(group["lr"]), momentum=momentum,
                            dampening=group["dampening"],
                            weight_decay=scalar_value(group["weight_decay"]),
                            nesterov=group["nesterov"], maximize=group["maximize"])
        param._bump_version()
        if momentum != 0:
            if buffer is None:
                state["momentum_buffer"] = Tensor._make(result)
            else:
                buffer._bump_version()
