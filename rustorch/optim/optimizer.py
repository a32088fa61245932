"""The Optimizer base class: parameter groups, per-parameter state, state dicts and hooks.

The base class owns the loop over parameters (MLX's pattern); a subclass writes
``apply_single(param, grad, group)``, the in-place update of one parameter. The contract,
names and state-dict format are PyTorch's ``torch.optim.Optimizer``::

    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    optimizer.zero_grad()
    loss_fn(model(x), y).backward()
    optimizer.step()
"""
from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

import numpy as np

from .._switches import typename
from ..autograd.grad_mode import enable_grad, no_grad
from ..errors import ArgumentError, ArgumentTypeError, NotSupportedError
from ..tensor import Tensor
from ..utils.hooks import RemovableHandle

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_optimizer_pre_hooks: OrderedDict = OrderedDict()
_global_optimizer_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's step."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's step."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _with_step_hooks(step: Callable) -> Callable:
    """Wrap a ``step`` method so that the pre- and post-step hooks run around it."""
    if getattr(step, "_runs_step_hooks", False):
        return step

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        # a subclass step calling super().step() must not run the hooks twice
        if self.__dict__.get("_inside_step_hooks", False):
            return step(self, *args, **kwargs)
        self._inside_step_hooks = True
        try:
            for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                                  self._optimizer_step_pre_hooks.values()):
                result = pre_hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise ArgumentError(f"{step} must return None or a tuple of "
                                            f"(new_args, new_kwargs), but got {result}.")
            output = step(self, *args, **kwargs)
            for post_hook in chain(self._optimizer_step_post_hooks.values(),
                                   _global_optimizer_post_hooks.values()):
                post_hook(self, args, kwargs)
            return output
        finally:
            self._inside_step_hooks = False

    wrapper._runs_step_hooks = True
    return wrapper


def scalar_value(value) -> float:
    """A hyper-parameter as a Python number (PyTorch accepts 1-element tensors for some)."""
    return value.item() if isinstance(value, Tensor) else value


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts defining
            parameter groups (each with a ``"params"`` entry and optional per-group options).
        defaults: the default value of every option, used by groups that don't set it.
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        # custom optimizers written for PyTorch override ``step``; their hooks still run
        if "step" in cls.__dict__:
            cls.step = _with_step_hooks(cls.__dict__["step"])

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise ArgumentTypeError("params argument given to the optimizer should be an "
                                    "iterable of Tensors or dicts, but got " + typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ArgumentError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ----------------------------------------------------------------- pickling, printing
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    #: options a subclass added over time, filled into unpickled param groups that lack them
    group_option_defaults: dict[str, Any] = {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            self.__dict__.setdefault(name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:  # groups pickled by older versions lack newer options
            for key, value in self.group_option_defaults.items():
                group.setdefault(key, value)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for index, group in enumerate(self.param_groups):
            text += f"\nParameter Group {index}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ----------------------------------------------------------------- parameter groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (a dict with ``"params"`` and optional options)."""
        if not isinstance(param_group, dict):
            raise ArgumentTypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise ArgumentTypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list "
                "instead.")
        else:
            params = list(params)
        tensors, names = [], []
        for param in params:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ArgumentError("all optimizer params should be with/without names. Some "
                                    "param names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise ArgumentTypeError("optimizer can only optimize Tensors, but one of the "
                                        "params is " + typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ArgumentError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ArgumentError(f"parameter group didn't specify a value of required "
                                    f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(param) for param in tensors}) != len(tensors):
            # PyTorch only warns here; a parameter listed twice would be updated twice
            raise ArgumentError("optimizer contains a parameter group with duplicate "
                                "parameters; list each parameter once")
        existing = set()
        for group in self.param_groups:
            existing.update(id(param) for param in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ArgumentError(f"all optimizer param groups should be with/without names. "
                                    f"cannot add param group {which} to the optimizer")
        if not existing.isdisjoint(id(param) for param in tensors):
            raise ArgumentError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ----------------------------------------------------------------- gradients and steps
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: to None (default) or to zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                    continue
                if grad.grad_fn is not None:
                    grad.detach_()
                else:
                    grad.requires_grad_(False)
                grad._data[...] = 0
                grad._bump_version()

    @_with_step_hooks
    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss; it runs with grad enabled.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        self.apply_single(param, param.grad, group)
        return loss

    def apply_single(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        """Update ``param`` in place from ``grad`` with ``group``'s options (subclasses)."""
        raise NotSupportedError(f"{type(self).__name__} must implement step() or "
                                  f"apply_single()")

    # ----------------------------------------------------------------- hooks
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None or (args, kwargs)`` runs before ``step``."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None`` runs after ``step``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ----------------------------------------------------------------- state dicts
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        Parameters are numbered in the order they appear in the groups; the state values
        are the live state tensors, as in PyTorch.
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        indices: dict[int, int] = {}
        start = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start
            packed = {key: value for key, value in group.items() if key != "params"}
            for index, param in enumerate(group["params"], start):
                indices.setdefault(id(param), index)
            packed["params"] = [indices[id(param)] for param in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(group) for group in self.param_groups]
        packed_state = {(indices[id(key)] if isinstance(key, Tensor) else key): value
                        for key, value in self.state.items()}
        result = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            hook_result = post_hook(self, result)
            if hook_result is not None:
                result = hook_result
        return result

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a dict made by ``state_dict()`` (ours or PyTorch's, with converted tensors).

        State tensors are cast to their parameter's dtype (floating parameters) and device;
        ``step`` counters keep their dtype, as in PyTorch.
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            hook_result = pre_hook(self, state_dict)
            if hook_result is not None:
                state_dict = hook_result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ArgumentError("loaded state dict has a different number of parameter groups")
        if any(len(group["params"]) != len(saved["params"])
               for group, saved in zip(groups, saved_groups)):
            raise ArgumentError("loaded state dict contains a parameter group that doesn't "
                                "match the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(group["params"] for group in saved_groups),
                          chain.from_iterable(group["params"] for group in groups)))
        options = {}
        for group in state_dict["param_groups"]:
            for index in group["params"]:
                options[index] = group
        state: defaultdict = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = _cast_state(param, value, options.get(key, {}))
            else:
                state[key] = value

        def update_group(group: dict[str, Any], new_group: dict[str, Any]) -> dict[str, Any]:
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(group, saved) for group, saved in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)


def _register(hooks: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _as_tensor(value):
    """A rustorch Tensor for ``value`` when it is a tensor of another framework (PyTorch)."""
    if isinstance(value, Tensor) or not all(hasattr(value, name) for name in
                                            ("detach", "numpy", "dtype", "shape")):
        return value
    foreign = value.detach().cpu()
    if str(foreign.dtype).endswith("bfloat16"):  # numpy has no bfloat16; go through float32
        import ml_dtypes
        return Tensor._make(foreign.float().numpy().astype(ml_dtypes.bfloat16))
    return Tensor._make(np.array(foreign.numpy()))


def _cast_state(param: Tensor, value, group: dict[str, Any], key=None):
    """A deep copy of ``value`` with tensors moved to ``param``'s device (and float dtype)."""
    value = _as_tensor(value)
    if isinstance(value, Tensor):
        if key == "step":
            if group.get("capturable", False) or group.get("fused", False):
                return value.to(dtype=_float32(), device=param.device)
            return value.clone()
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device, copy=True)
        return value.to(device=param.device, copy=True)
    if isinstance(value, dict):
        return {name: _cast_state(param, item, group, key=name) for name, item in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        return type(value)(_cast_state(param, item, group) for item in value)
    return value


def _float32():
    from .. import dtypes
    return dtypes.float32


def check_not_differentiable(differentiable: bool, name: str) -> None:
    """``differentiable=True`` needs updates recorded by autograd, which rustorch doesn't do."""
    if differentiable:
        raise NotSupportedError(f"{name}: differentiable=True is not supported; rustorch "
                                f"optimizers update parameters in place without autograd")


def check_fused_foreach(fused, foreach, differentiable: bool) -> None:
    # PyTorch's checks (its RuntimeErrors; NotImplementedError is one). rustorch runs the
    # same vectorized update whichever implementation is asked for.
    if fused:
        if differentiable:
            raise NotSupportedError("`fused` does not support `differentiable`")
        if foreach:
            raise NotSupportedError("`fused` and `foreach` cannot be `True` together.")
