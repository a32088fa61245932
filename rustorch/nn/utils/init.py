"""``torch.nn.utils.skip_init``: build a module without initialising its parameters.

>>> layer = skip_init(rustorch.nn.Linear, 10, 5)   # weight and bias hold uninitialised memory
"""
from __future__ import annotations

import inspect

from ...errors import ArgumentValueError
from ...random import fork_rng
from ..modules.module import Module

__all__ = ["skip_init"]


def _no_reset(self, *args, **kwargs) -> None:
    """Stands in for ``reset_parameters`` while the module is built."""


def skip_init(module_cls, *args, **kwargs) -> Module:
    """Instantiate ``module_cls(*args, **kwargs)`` with uninitialised parameters and buffers.

    PyTorch builds the module on the meta device, then calls ``to_empty``. rustorch has no meta
    device, so the module is built on the target device with ``reset_parameters`` (where
    layers initialise) replaced by a no-op, under a forked RNG (the global random state is not
    advanced), then ``to_empty`` gives every tensor fresh, uninitialised memory.
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise ArgumentValueError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise ArgumentValueError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    # a subclass only while __init__ runs: the instance is given its real class back
    uninitialised_cls = type(module_cls.__name__, (module_cls,), {
        "reset_parameters": _no_reset, "_reset_parameters": _no_reset})
    with fork_rng():
        module = uninitialised_cls(*args, device=final_device, **kwargs)
    module.__class__ = module_cls
    return module.to_empty(device=final_device)
