"""``torch.func`` (only ``functional_call`` so far)."""
from __future__ import annotations

from ..nn.modules.module import Module
from ..nn.utils.stateless import _functional_call, _merge_dicts

__all__ = ["functional_call"]


def functional_call(module: Module, parameter_and_buffer_dicts, args=None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False):
    """Run ``module(*args, **kwargs)`` with the named parameters and buffers replaced by the
    given tensors (a dict, or a list/tuple of dicts merged; a name may appear in only one),
    then restore the module. See :func:`rustorch.nn.utils.stateless.functional_call`.

    >>> output = functional_call(model, {"weight": w, "bias": b}, (x,))
    """
    return _functional_call(module, _merge_dicts(parameter_and_buffer_dicts), args, kwargs,
                            tie_weights=tie_weights, strict=strict)
