"""Module backward hooks: an identity autograd Function wrapped around a module's inputs and
outputs captures ``grad_input`` and ``grad_output`` (PyTorch's ``BackwardHook``)."""
from __future__ import annotations

import functools
import itertools
import warnings
from collections import OrderedDict

from ...autograd.function import Function
from ...autograd.grad_mode import grad_state
from ...errors import AutogradError, NotSupportedError
from ...tensor import Tensor
from ...utils.hooks import RemovableHandle

__all__ = ["BackwardHook", "BackwardHookFunction", "HooksMixin", "global_hooks",
           "register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_full_backward_pre_hook", "register_module_full_backward_hook",
           "register_module_buffer_registration_hook",
           "register_module_module_registration_hook",
           "register_module_parameter_registration_hook"]


class _GlobalHooks:
    """Hooks registered with ``register_module_*_hook``: they run for every module."""

    def __init__(self) -> None:
        self.forward_pre: OrderedDict = OrderedDict()
        self.forward: OrderedDict = OrderedDict()
        self.forward_always_called: dict = {}
        self.backward: OrderedDict = OrderedDict()
        self.backward_pre: OrderedDict = OrderedDict()
        self.is_full_backward_hook: bool | None = None
        self.buffer_registration: OrderedDict = OrderedDict()
        self.module_registration: OrderedDict = OrderedDict()
        self.parameter_registration: OrderedDict = OrderedDict()

    def any_call_hooks(self) -> bool:
        return bool(self.forward_pre or self.forward or self.backward or self.backward_pre)


global_hooks = _GlobalHooks()


class BackwardHookFunction(Function):
    """Identity on its tensor arguments; its graph node is where module hooks attach."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[arg for arg in args
                                      if isinstance(arg, Tensor) and not arg.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


class BackwardHook:
    """Connects a module's output gradients with its input gradients and calls the user hooks
    (``hook(module, grad_input, grad_output)``) once both are known."""

    def __init__(self, module, user_hooks, user_pre_hooks) -> None:
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.module = module
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        result = [None] * size
        for index, value in zip(indices, values):
            result[index] = value
        return tuple(result)

    @staticmethod
    def _unpack_none(indices, values):
        return tuple(values[index] for index in indices)

    def _set_user_hook(self, grad_fn) -> None:
        def hook(grad_input, _grad_output):
            if self.grad_outputs is None:
                # gradient reached the inputs without passing the outputs (double backward)
                return None
            result = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
            for user_hook in self.user_hooks:
                out = user_hook(self.module, result, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(result):
                    raise AutogradError("Backward hook returned an invalid number of grad_input, "
                                        f"got {len(out)}, but expected {len(result)}")
                result = out
            self.grad_outputs = None
            return self._unpack_none(self.input_tensors_index, result)

        grad_fn.register_hook(hook)

    def _apply_on_tensors(self, fn, args):
        tensors_index, tensors = [], []
        requires_grad = False
        for index, arg in enumerate(args):
            if isinstance(arg, Tensor):
                tensors_index.append(index)
                tensors.append(arg)
                requires_grad |= arg.requires_grad
        if not (requires_grad and grad_state.enabled):
            return args, None
        new_tensors = BackwardHookFunction.apply(*tensors)
        if len(new_tensors) == 0:
            raise AutogradError("Cannot set Module backward hook for a Module with no input "
                                "Tensors.")
        grad_fns = [t.grad_fn for t in new_tensors if t.grad_fn is not None]
        fn(grad_fns[0])
        arg_list = list(args)
        for index, value in zip(tensors_index, new_tensors):
            arg_list[index] = value
        return (tuple(arg_list) if type(args) is tuple else type(args)(*arg_list)), tensors_index

    def setup_input_hook(self, args):
        result, input_index = self._apply_on_tensors(self._set_user_hook, args)
        self.n_inputs = len(args)
        self.input_tensors_index = input_index
        return result

    def setup_output_hook(self, args):
        def fn(grad_fn) -> None:
            def hook(_grad_input, grad_output):
                self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output,
                                                         self.n_outputs)
                if self.user_pre_hooks:
                    expected = len(self.grad_outputs)
                    for user_pre_hook in self.user_pre_hooks:
                        replaced = user_pre_hook(self.module, self.grad_outputs)
                        if replaced is None:
                            continue
                        if len(replaced) != expected:
                            raise AutogradError("Backward pre hook returned an invalid number of "
                                                f"grad_output, got {len(replaced)}, but expected "
                                                f"{expected}")
                        self.grad_outputs = replaced
                local_grad_outputs = self.grad_outputs
                if self.input_tensors_index is None:
                    warnings.warn("Full backward hook is firing when gradients are computed with "
                                  "respect to module outputs since no inputs require gradients.",
                                  stacklevel=5)
                    grad_inputs = self._pack_with_none([], [], self.n_inputs)
                    for user_hook in self.user_hooks:
                        result = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if result is not None and not (
                                isinstance(result, tuple) and all(r is None for r in result)):
                            raise AutogradError("Backward hook for Modules where no input "
                                                "requires gradient should always return None or "
                                                "None for all gradients.")
                    self.grad_outputs = None
                if local_grad_outputs is not None:
                    return tuple(local_grad_outputs[i] for i in self.output_tensors_index)
                return None

            grad_fn.register_hook(hook)

        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        result, output_index = self._apply_on_tensors(fn, args)
        self.n_outputs = len(args)
        self.output_tensors_index = output_index
        return result if is_tuple else result[0]


class HooksMixin:
    """Forward/backward/state_dict hook registration and ``__call__``, mixed into ``Module``."""

    def _register_hook(self, hooks: dict, hook, prepend: bool = False, extra=None):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        if extra is not None:
            extra[handle.id] = True
        return handle

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args) -> None or new args`` (``(module, args, kwargs)`` with kwargs)."""
        return self._register_hook(self._forward_pre_hooks, hook, prepend,
                                   self._forward_pre_hooks_with_kwargs if with_kwargs else None)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output) -> None or new output``."""
        handle = self._register_hook(self._forward_hooks, hook, prepend,
                                     self._forward_hooks_with_kwargs if with_kwargs else None)
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output) -> None or new grad_output``."""
        return self._register_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output) -> None or new grad_input``."""
        if self._is_full_backward_hook is False:
            raise AutogradError("Cannot use both regular backward hooks and full backward hooks "
                                "on a single Module. Please use only one of them.")
        self._is_full_backward_hook = True
        return self._register_hook(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook) -> RemovableHandle:
        """Deprecated in PyTorch; runs as a full backward hook here."""
        if self._is_full_backward_hook is True:
            raise AutogradError("Cannot use both regular backward hooks and full backward hooks "
                                "on a single Module. Please use only one of them.")
        self._is_full_backward_hook = False
        return self._register_hook(self._backward_hooks, hook)

    def register_state_dict_pre_hook(self, hook):
        return self._register_hook(self._state_dict_pre_hooks, hook)

    def register_state_dict_post_hook(self, hook):
        return self._register_hook(self._state_dict_hooks, hook)

    _register_state_dict_hook = register_state_dict_post_hook

    def register_load_state_dict_pre_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata, strict, missing, unexpected,
        error_msgs)``."""
        return self._register_hook(self._load_state_dict_pre_hooks,
                                   functools.partial(hook, self))

    def _register_load_state_dict_pre_hook(self, hook, with_module: bool = False):
        return self._register_hook(self._load_state_dict_pre_hooks,
                                   functools.partial(hook, self) if with_module else hook)

    def register_load_state_dict_post_hook(self, hook):
        """``hook(module, incompatible_keys)``; may modify the key lists in place."""
        return self._register_hook(self._load_state_dict_post_hooks, hook)

    def _call_impl(self, *args, **kwargs):
        forward_call = self.forward
        if not (self._backward_hooks or self._backward_pre_hooks or self._forward_hooks
                or self._forward_pre_hooks or global_hooks.any_call_hooks()):
            return forward_call(*args, **kwargs)
        full_backward_hooks = list(global_hooks.backward.values()) + \
            list(self._backward_hooks.values())
        backward_pre_hooks = list(global_hooks.backward_pre.values()) + \
            list(self._backward_pre_hooks.values())
        called_always_hooks = set()
        try:
            for hook_id, hook in itertools.chain(global_hooks.forward_pre.items(),
                                                 self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    result = hook(self, args, kwargs)
                    if result is not None:
                        if isinstance(result, tuple) and len(result) == 2:
                            args, kwargs = result
                        else:
                            raise AutogradError("forward pre-hook must return None or a tuple of "
                                                f"(new_args, new_kwargs), but got {result}.")
                else:
                    result = hook(self, args)
                    if result is not None:
                        args = result if isinstance(result, tuple) else (result,)
            backward_hook = None
            if full_backward_hooks or backward_pre_hooks:
                backward_hook = BackwardHook(self, full_backward_hooks, backward_pre_hooks)
                args = backward_hook.setup_input_hook(args)
            result = forward_call(*args, **kwargs)
            for hook_id, hook in itertools.chain(global_hooks.forward.items(),
                                                 self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called or \
                        hook_id in global_hooks.forward_always_called:
                    called_always_hooks.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs:
                    hook_result = hook(self, args, kwargs, result)
                else:
                    hook_result = hook(self, args, result)
                if hook_result is not None:
                    result = hook_result
            if backward_hook is not None:
                result = backward_hook.setup_output_hook(result)
            return result
        except Exception:
            # hooks registered with always_call=True run even when forward raised
            for hook_id, hook in itertools.chain(global_hooks.forward.items(),
                                                 self._forward_hooks.items()):
                always = hook_id in self._forward_hooks_always_called or \
                    hook_id in global_hooks.forward_always_called
                if always and hook_id not in called_always_hooks:
                    try:
                        if hook_id in self._forward_hooks_with_kwargs:
                            hook(self, args, kwargs, None)
                        else:
                            hook(self, args, None)
                    except Exception as hook_error:  # noqa: BLE001
                        warnings.warn(f"forward hook with always_call=True raised an exception "
                                      f"that was silenced as another error was raised in "
                                      f"forward: {hook_error}", stacklevel=2)
            raise

    __call__ = _call_impl


def _global(hooks: dict, hook, extra: dict | None = None) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if extra is not None:
        extra[handle.id] = True
    return handle


def register_module_forward_pre_hook(hook) -> RemovableHandle:
    """A forward pre-hook run for every module (before its own hooks)."""
    return _global(global_hooks.forward_pre, hook)


def register_module_forward_hook(hook, *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """A forward hook run for every module (before its own hooks)."""
    if with_kwargs:
        raise NotSupportedError("register_module_forward_hook(with_kwargs=True) is not supported "
                                "by rustorch")
    return _global(global_hooks.forward, hook,
                   global_hooks.forward_always_called if always_call else None)


def register_module_full_backward_pre_hook(hook) -> RemovableHandle:
    return _global(global_hooks.backward_pre, hook)


def register_module_full_backward_hook(hook) -> RemovableHandle:
    return _global(global_hooks.backward, hook)


def register_module_buffer_registration_hook(hook) -> RemovableHandle:
    return _global(global_hooks.buffer_registration, hook)


def register_module_module_registration_hook(hook) -> RemovableHandle:
    return _global(global_hooks.module_registration, hook)


def register_module_parameter_registration_hook(hook) -> RemovableHandle:
    return _global(global_hooks.parameter_registration, hook)
