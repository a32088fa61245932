"""``torch.nn.utils.parametrize``: express a parameter or buffer as a function of other tensors.

``register_parametrization(module, "weight", P)`` moves ``module.weight`` to
``module.parametrizations.weight.original`` and swaps the module's class for a subclass
``Parametrized<Name>`` whose ``weight`` property returns ``P(original)``; assigning to
``module.weight`` runs ``P.right_inverse``. The ``state_dict`` keys are PyTorch's
(``parametrizations.weight.original``, or ``original0``, ``original1``, ... when
``right_inverse`` returns several tensors).

>>> class Symmetric(rustorch.nn.Module):
...     def forward(self, X):
...         return X.triu() + X.triu(1).mT
>>> layer = register_parametrization(rustorch.nn.Linear(3, 3), "weight", Symmetric())
"""
from __future__ import annotations

import collections.abc
import copyreg
from contextlib import contextmanager
from copy import deepcopy
from typing import Iterator, Sequence

from ...autograd.grad_mode import no_grad
from ...errors import ArgumentError, ArgumentValueError, SerializationError
from ...tensor import Tensor
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = ["cached", "ParametrizationList", "register_parametrization", "is_parametrized",
           "remove_parametrizations", "type_before_parametrizations",
           "transfer_parametrizations_and_params"]

_cache_enabled = 0
_cache: dict = {}


@contextmanager
def cached() -> Iterator[None]:
    """Within the block, each parametrized tensor is computed once and reused (the cache is
    dropped on exit). Useful when a parametrized weight is used several times in a forward."""
    global _cache, _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module: Module, name: str, value: Tensor) -> None:
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _maybe_set(destination: Tensor, source: Tensor) -> None:
    """``destination.set_(source)``: keep the tensor object (optimizers hold it), take the data."""
    if destination is source:
        return
    destination.data = source
    destination._bump_version()


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, and its original tensor(s): the type of
    ``module.parametrizations[tensor_name]`` (built by :func:`register_parametrization`).

    ``original`` holds the tensor when the first parametrization's ``right_inverse`` returns one
    tensor (or is absent); ``original0``, ``original1``, ... when it returns a sequence.
    """

    original: Tensor
    unsafe: bool

    def __init__(self, modules: Sequence[Module], original: Tensor,
                 unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ArgumentError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape, original_dtype = original.shape, original.dtype
        with no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass  # right_inverse is then the identity
        if not isinstance(new, (Tensor, collections.abc.Sequence)):
            raise ArgumentError("'right_inverse' must return a Tensor or a Sequence of tensors "
                                f"(list, tuple...). Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ArgumentError("When `right_inverse` outputs one tensor, it may not change "
                                    f"the dtype.\noriginal.dtype: {original.dtype}\n"
                                    f"right_inverse(original).dtype: {new.dtype}")
            if original.device != new.device:
                raise ArgumentError("When `right_inverse` outputs one tensor, it may not change "
                                    f"the device.\noriginal.device: {original.device}\n"
                                    f"right_inverse(original).device: {new.device}")
            # keep the same tensor object so that optimizers need not be told
            with no_grad():
                _maybe_set(original, new)
            _register_parameter_or_buffer(self, "original", original)
        else:
            for index, original_i in enumerate(new):
                if not isinstance(original_i, Tensor):
                    raise ArgumentError("'right_inverse' must return a Tensor or a Sequence of "
                                        f"tensors (list, tuple...). Got element {index} of the "
                                        f"sequence with type {type(original_i).__name__}.")
                if isinstance(original, Parameter):
                    original_i = Parameter(original_i, original.requires_grad)
                original_i.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f"original{index}", original_i)
        if not self.unsafe:
            # forward(right_inverse(original)) must live where original lives
            value = self()
            if not isinstance(value, Tensor):
                raise ArgumentError("A parametrization must return a tensor. "
                                    f"Got {type(value).__name__}.")
            if value.dtype != original_dtype:
                raise ArgumentError("Registering a parametrization may not change the dtype of "
                                    "the tensor, unless `unsafe` flag is enabled.\n"
                                    f"unparametrized dtype: {original_dtype}\n"
                                    f"parametrized dtype: {value.dtype}")
            if value.shape != original_shape:
                raise ArgumentError("Registering a parametrization may not change the shape of "
                                    "the tensor, unless `unsafe` flag is enabled.\n"
                                    f"unparametrized shape: {original_shape}\n"
                                    f"parametrized shape: {value.shape}")

    def right_inverse(self, value: Tensor) -> None:
        """Run the ``right_inverse`` methods in reverse registration order and store the result
        in ``original`` (or ``original0``, ``original1``, ...)."""
        with no_grad():
            for module in reversed(self):
                if not hasattr(module, "right_inverse"):
                    raise ArgumentValueError(f"parametrization {type(module).__name__} does not "
                                             "implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ArgumentError("`right_inverse` should return a tensor. "
                                        f"Got {type(value).__name__}")
                if value.dtype != self.original.dtype:
                    raise ArgumentError(f"The tensor returned by `right_inverse` has dtype "
                                        f"{value.dtype} while `original` has dtype "
                                        f"{self.original.dtype}")
                _maybe_set(self.original, value)
                return
            if not isinstance(value, collections.abc.Sequence):
                raise ArgumentError("'right_inverse' must return a sequence of tensors. "
                                    f"Got {type(value).__name__}.")
            if len(value) != self.ntensors:
                raise ArgumentError("'right_inverse' must return a sequence of tensors of length "
                                    f"{self.ntensors}. Got a sequence of length {len(value)}.")
            for index, tensor in enumerate(value):
                original_i = getattr(self, f"original{index}")
                if not isinstance(tensor, Tensor):
                    raise ArgumentError("'right_inverse' must return a sequence of tensors. "
                                        f"Got element {index} of type {type(tensor).__name__}.")
                if original_i.dtype != tensor.dtype:
                    raise ArgumentError(f"Tensor {index} returned by `right_inverse` has dtype "
                                        f"{tensor.dtype} while `original{index}` has dtype "
                                        f"{original_i.dtype}")
                _maybe_set(original_i, tensor)

    def forward(self) -> Tensor:
        if self.is_tensor:
            value = self[0](self.original)
        else:
            value = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for index in range(1, len(self)):
            value = self[index](value)
        return value


def _inject_new_class(module: Module) -> None:
    """Swap the module's class for ``Parametrized<Name>``, a subclass that can hold properties."""
    cls = module.__class__

    def default_deepcopy(self, memo):
        replica = memo.get(id(self))
        if replica is not None:
            return replica
        replica = self.__new__(self.__class__)
        memo[id(self)] = replica
        replica.__dict__ = deepcopy(self.__dict__, memo)
        for slot in copyreg._slotnames(self.__class__):
            if hasattr(self, slot):
                setattr(replica, slot, deepcopy(getattr(self, slot), memo))
        return replica

    def getstate(self):
        raise SerializationError("Serialization of parametrized modules is only supported "
                                 "through state_dict(). See:\nhttps://pytorch.org/tutorials/"
                                 "beginner/saving_loading_models.html#saving-loading-a-general-"
                                 "checkpoint-for-inference-and-or-resuming-training")

    namespace = {"__getstate__": getstate}
    # pickling is refused, deepcopy must still work (it would otherwise go through getstate)
    if not hasattr(cls, "__deepcopy__"):
        namespace["__deepcopy__"] = default_deepcopy
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), namespace)


def _inject_property(module: Module, tensor_name: str) -> None:
    """Add the property ``tensor_name`` (computing the parametrized tensor) to the module's
    already swapped class."""
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_cached_parametrization(parametrization) -> Tensor:
        key = (id(module), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = parametrization()
            _cache[key] = tensor
        return tensor

    def get_parametrized(self) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if _cache_enabled:
            return get_cached_parametrization(parametrization)
        return parametrization()

    def set_original(self, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Make ``module.<tensor_name>`` return ``parametrization(original)``; the original tensor
    moves to ``module.parametrizations.<tensor_name>.original``. Registering again on the same
    name chains the parametrizations. ``unsafe=True`` allows changing shape or dtype."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            current = getattr(module, tensor_name)
            value = parametrization(current)
            if not isinstance(value, Tensor):
                raise ArgumentError("A parametrization must return a tensor. "
                                    f"Got {type(value).__name__}.")
            if value.dtype != current.dtype:
                raise ArgumentError("Registering a parametrization may not change the dtype of "
                                    "the tensor, unless the `unsafe` flag is enabled.\n"
                                    f"module.{tensor_name}.dtype: {current.dtype}\n"
                                    f"parametrization(module.{tensor_name}).dtype: "
                                    f"{value.dtype}")
            if value.shape != current.shape:
                raise ArgumentError("Registering a parametrization may not change the shape of "
                                    "the tensor, unless the `unsafe` flag is enabled.\n"
                                    f"module.{tensor_name}.shape: {current.shape}\n"
                                    f"parametrization(module.{tensor_name}).shape: "
                                    f"{value.shape}")
            if hasattr(parametrization, "right_inverse"):
                try:
                    inverse = parametrization.right_inverse(value)
                except NotImplementedError:
                    inverse = None
                if inverse is not None:
                    _check_inverse(inverse, current, tensor_name)
        parametrizations = module.parametrizations[tensor_name]
        parametrizations.append(parametrization)
        parametrizations.unsafe |= unsafe  # once unsafe, always unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        # built first: it raises before the module is touched
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ArgumentError(f"Module '{module}' does not have a parameter, a buffer, or a "
                            f"parametrized element with name '{tensor_name}'")
    return module


def _check_inverse(inverse, current: Tensor, tensor_name: str) -> None:
    if not isinstance(inverse, Tensor):
        raise ArgumentError("parametrization.right_inverse must return a tensor. "
                            f"Got: {type(inverse).__name__}")
    if inverse.dtype != current.dtype:
        raise ArgumentError("The tensor returned by parametrization.right_inverse must have the "
                            f"same dtype as module.{tensor_name}, unless the `unsafe` flag is "
                            f"enabled.\nmodule.{tensor_name}.dtype: {current.dtype}\n"
                            f"returned dtype: {inverse.dtype}")
    if inverse.shape != current.shape:
        raise ArgumentError("The tensor returned by parametrization.right_inverse must have the "
                            f"same shape as module.{tensor_name}, unless the `unsafe` flag is "
                            f"enabled.\nmodule.{tensor_name}.shape: {current.shape}\n"
                            f"returned shape: {inverse.shape}")


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization on ``tensor_name`` (on anything when None)."""
    parametrizations = getattr(module, "parametrizations", None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Remove the parametrizations on ``tensor_name``: the tensor becomes a plain parameter (or
    buffer) again, holding the parametrized value (``leave_parametrized=True``) or the original.
    The original Parameter object is kept when the parametrization has one original tensor."""
    if not is_parametrized(module, tensor_name):
        raise ArgumentError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
                _maybe_set(original, value)
    else:
        if not leave_parametrized:
            raise ArgumentError("Cannot leave unparametrized (`leave_parametrized=False`) a "
                                "tensor that is parametrized in terms of a sequence of tensors.")
        # not under no_grad: whether the originals require grad decides Parameter or buffer
        value = getattr(module, tensor_name)
        original = Parameter(value) if value.requires_grad else value
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The module's class before parametrizations swapped it (its class when not parametrized)."""
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module: Module, to_module: Module,
                                         tensor_name: str | None = None) -> Module:
    """Register ``from_module``'s parametrizations (all, or only ``tensor_name``'s) on
    ``to_module``, creating missing parameters there, and share the original tensors."""
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        source = from_module.parametrizations[name]
        for parametrization in source:
            register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        if hasattr(source, "original"):
            target.original = source.original
        else:
            index = 0
            while hasattr(source, f"original{index}"):
                setattr(target, f"original{index}", getattr(source, f"original{index}"))
                index += 1
    return to_module
