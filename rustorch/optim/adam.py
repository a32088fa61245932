"""Adam, AMSGrad and AdamW (Adam with decoupled weight decay)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ArgumentError, NotSupportedError
from ..tensor import Tensor
from ._arrays import array_module, compute_buffer, is_reduced, real_view, typed
from .optimizer import Optimizer, check_fused_foreach, check_not_differentiable, scalar_value

__all__ = ["Adam", "AdamW", "adam_update"]


def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step: float, *, lr: float,
                beta1: float, beta2: float, eps: float, weight_decay: float, maximize: bool,
                decoupled_weight_decay: bool) -> None:
    """One Adam step on arrays, in place on ``param`` and the moment buffers.

    .. math::
        m = \\beta_1 m + (1-\\beta_1) g, \\quad v = \\beta_2 v + (1-\\beta_2) g^2, \\quad
        \\theta \\mathrel{-}= \\frac{\\gamma}{1-\\beta_1^t}\\,
        \\frac{m}{\\sqrt{v}/\\sqrt{1-\\beta_2^t} + \\epsilon}

    with ``v`` replaced by its running maximum for AMSGrad (``max_exp_avg_sq`` not None),
    ``g = grad + weight_decay * param`` (Adam) or ``param *= 1 - lr * weight_decay`` (AdamW).
    The operations follow PyTorch's single-tensor implementation, in the parameter's dtype.
    """
    xp = array_module(param)
    # new arrays are made with explicit out=: ufuncs on 0-d arrays would return scalars.
    # A float16/bfloat16 update computes in float32 and rounds once per PyTorch operation.
    reduced = is_reduced(param)
    owned = False  # whether ``grad`` is a temporary this step may overwrite
    if maximize:
        grad = xp.negative(grad, out=xp.empty_like(grad))
        owned = True
    if weight_decay != 0:
        if decoupled_weight_decay:
            xp.multiply(param, typed(1 - lr * weight_decay, param), out=param)
        else:
            decayed = xp.multiply(param, typed(weight_decay, param), out=compute_buffer(param))
            grad = xp.add(grad, decayed, out=xp.empty_like(param) if reduced else decayed)
            owned = True
    # complex parameters are updated as pairs of reals, as PyTorch does
    param, grad, exp_avg, exp_avg_sq = (real_view(array) for array in
                                        (param, grad, exp_avg, exp_avg_sq))
    # exp_avg.lerp_(grad, 1 - beta1), with PyTorch's two-sided lerp formula
    weight = typed(1 - beta1, exp_avg)
    scratch = xp.subtract(grad, exp_avg, out=compute_buffer(exp_avg))
    if abs(weight) < 0.5:
        xp.multiply(scratch, weight, out=scratch)
        xp.add(exp_avg, scratch, out=exp_avg)
    else:
        xp.multiply(scratch, typed(1, exp_avg) - weight, out=scratch)
        xp.subtract(grad, scratch, out=exp_avg)
    # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    xp.multiply(exp_avg_sq, typed(beta2, exp_avg_sq), out=exp_avg_sq)
    xp.multiply(grad, typed(1 - beta2, exp_avg_sq), out=scratch)
    xp.multiply(scratch, grad, out=scratch)
    xp.add(exp_avg_sq, scratch, out=exp_avg_sq)
    step_size = lr / (1 - beta1 ** step)
    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
    second_moment = exp_avg_sq
    if max_exp_avg_sq is not None:
        second_moment = real_view(max_exp_avg_sq)
        xp.maximum(second_moment, exp_avg_sq, out=second_moment)
    # the denominator is a tensor of the parameter's dtype in PyTorch, rounded at every step
    denominator = xp.sqrt(second_moment,
                          out=xp.empty_like(second_moment) if reduced else scratch)
    xp.divide(denominator, typed(bias_correction2_sqrt, denominator), out=denominator)
    xp.add(denominator, typed(eps, denominator), out=denominator)
    # param.addcdiv_(exp_avg, denominator, value=-step_size): param + (value * m) / denominator
    update = xp.multiply(exp_avg, typed(-step_size, exp_avg),
                         out=grad if owned and not reduced else compute_buffer(exp_avg))
    xp.divide(update, denominator, out=update)
    xp.add(param, update, out=param)


class Adam(Optimizer):
    """Adam (and AMSGrad; AdamW with ``decoupled_weight_decay=True``), as ``torch.optim.Adam``.

    Example::

        optimizer = Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    """

    def __init__(self, params, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ArgumentError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ArgumentError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ArgumentError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ArgumentError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ArgumentError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ArgumentError(f"Invalid weight_decay value: {weight_decay}")
        both_floats = isinstance(betas[0], float) and isinstance(betas[1], float)
        both_tensors = isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)
        if not (both_floats or both_tensors):
            raise ArgumentError("betas must be either both floats or both Tensors")
        for index, beta in enumerate(betas):
            if isinstance(beta, Tensor) and beta.numel() != 1:
                raise ArgumentError(f"Tensor betas[{index}] must be 1-element")
        check_not_differentiable(differentiable, type(self).__name__)
        check_fused_foreach(fused, foreach, differentiable)
        defaults = {"lr": lr, "betas": tuple(scalar_value(beta) for beta in betas),
                    "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    group_option_defaults = {"amsgrad": False, "maximize": False, "foreach": None,
                             "capturable": False, "differentiable": False,
                             "decoupled_weight_decay": False, "fused": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            for param in group["params"]:
                param_state = self.state.get(param)
                # checkpoints from old PyTorch versions hold the step as a Python number
                if param_state and not isinstance(param_state["step"], Tensor):
                    param_state["step"] = _step_counter(float(param_state["step"]), param,
                                                        group)

    def apply_single(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        if group["capturable"] and param.is_cpu:
            # PyTorch asserts the same: CUDA-graph capture only exists for accelerators
            raise NotSupportedError(f"{type(self).__name__}: capturable=True needs parameters "
                                    f"on CUDA, got one on {param.device}")
        state = self.state[param]
        if len(state) == 0:
            state["step"] = _step_counter(0.0, param, group)
            state["exp_avg"] = Tensor._make(param._xp().zeros_like(param._data))
            state["exp_avg_sq"] = Tensor._make(param._xp().zeros_like(param._data))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = Tensor._make(param._xp().zeros_like(param._data))
        elif group["amsgrad"] and "max_exp_avg_sq" not in state:  # amsgrad turned on later
            state["max_exp_avg_sq"] = Tensor._make(param._xp().zeros_like(param._data))
        step = state["step"]
        step_array = step._data
        array_module(step_array).add(step_array, 1, out=step_array)
        step._bump_version()
        beta1, beta2 = (scalar_value(beta) for beta in group["betas"])
        maximum = state["max_exp_avg_sq"] if group["amsgrad"] else None
        adam_update(param._data, grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data,
                    None if maximum is None else maximum._data, float(step_array),
                    lr=scalar_value(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"], maximize=group["maximize"],
                    decoupled_weight_decay=group["decoupled_weight_decay"])
        for tensor in (param, state["exp_avg"], state["exp_avg_sq"], maximum):
            if tensor is not None:
                tensor._bump_version()


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    The parameter shrinks by ``lr * weight_decay`` of itself before the Adam update.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


def _step_counter(value: float, param: Tensor, group: dict[str, Any]) -> Tensor:
    """The float32 0-d ``step`` tensor: on the CPU, or the parameter's device when capturable
    or fused (PyTorch's placement)."""
    counter = Tensor._make(np.array(value, dtype=np.float32))
    if group.get("capturable") or group.get("fused"):
        counter = counter.to(param.device)
    return counter
