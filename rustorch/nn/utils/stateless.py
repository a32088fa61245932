"""Call a module with some parameters and buffers swapped for given tensors
(``torch.nn.utils.stateless`` / ``torch.func.functional_call``).

>>> params = {name: p.detach() * 2 for name, p in model.named_parameters()}
>>> output = functional_call(model, params, (x,))   # model itself is unchanged afterwards
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Mapping, Sequence

from ...errors import ArgumentError, ArgumentTypeError, ArgumentValueError
from ...tensor import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]

_MISSING = object()


def _untie_named_tensors_map(module: Module, parameters_and_buffers: dict) -> dict:
    """Extend ``parameters_and_buffers`` to every name tied to a given one (same tensor)."""
    all_named_tensors: dict[str, Tensor] = {}
    all_named_tensors.update(module.named_parameters(remove_duplicate=False))
    all_named_tensors.update(module.named_buffers(remove_duplicate=False))
    names_by_tensor: dict[int, set] = {}
    for name, tensor in all_named_tensors.items():
        names_by_tensor.setdefault(id(tensor), set()).add(name)
    tied_names_map = {name: names for names in names_by_tensor.values() if len(names) > 1
                      for name in names}
    given_names = set(parameters_and_buffers)
    given_tied = {name for name in given_names if name in tied_names_map}
    for given_name in given_tied:
        tied_names = tied_names_map[given_name]
        values = {id(parameters_and_buffers[name]) for name in tied_names if name in given_names}
        if len(tied_names & given_tied) > 1 and len(values) != 1:
            raise ArgumentError(f"functional_call got multiple values for keys "
                                f"{sorted(tied_names)}, which are tied. Consider using "
                                "tie_weights=False")
    untied = dict(parameters_and_buffers)
    for given_name in given_tied:
        for tied_name in tied_names_map[given_name]:
            untied[tied_name] = parameters_and_buffers[given_name]
    return untied


def _swap_tensor(module: Module, path: str, tensor) -> Any:
    """Put ``tensor`` (or remove the entry, for ``_MISSING``) at the dotted ``path``; return the
    previous value (``_MISSING`` when there was none)."""
    prefix, _, name = path.rpartition(".")
    module = module.get_submodule(prefix)
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise ArgumentTypeError(f"{tensor} is not an instance of torch.Tensor")
    for registry in (module._parameters, module._buffers):
        if name in registry:
            previous = registry[name]
            if tensor is _MISSING:
                del registry[name]
            else:
                registry[name] = tensor  # directly: a plain tensor may stand in for a Parameter
            return previous
    previous = getattr(module, name) if hasattr(module, name) else _MISSING
    if previous is not _MISSING and previous is not None and not isinstance(previous, Tensor):
        raise ArgumentTypeError(f"attribute `{name}`: {previous} is not an instance of "
                                "torch.Tensor")
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif hasattr(module, name):
        delattr(module, name)
    return previous


def _swap_tensors_dict(module: Module, named_tensors: dict) -> dict:
    previous = {}
    try:
        for name, tensor in named_tensors.items():
            previous[name] = _swap_tensor(module, name, tensor)
    except Exception:
        for name, tensor in previous.items():
            _swap_tensor(module, name, tensor)
        raise
    return previous


@contextlib.contextmanager
def _reparametrize_module(module: Module, parameters_and_buffers: dict,
                          tie_weights: bool = False, strict: bool = False):
    untied = _untie_named_tensors_map(module, parameters_and_buffers) if tie_weights \
        else parameters_and_buffers
    if strict:
        valid = {name for name, _ in module.named_parameters(remove_duplicate=False)}
        valid |= {name for name, _ in module.named_buffers(remove_duplicate=False)}
        missing, unexpected = sorted(valid - set(untied)), sorted(set(untied) - valid)
        messages = []
        if unexpected:
            messages.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            messages.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if messages:
            raise ArgumentValueError("Error(s) in reparametrizing for {}:\n\t{}".format(
                module._get_name(), "\n\t".join(messages)))
    previous: dict = {}
    try:
        previous = _swap_tensors_dict(module, untied)
        yield
    finally:
        # put the originals back; the given dict sees what forward assigned (e.g. buffers)
        current = _swap_tensors_dict(module, previous)
        parameters_and_buffers.update({key: current[key] for key in parameters_and_buffers
                                       if key in current})


def _merge_dicts(parameter_and_buffer_dicts) -> dict:
    if isinstance(parameter_and_buffer_dicts, Mapping):
        return parameter_and_buffer_dicts
    if not isinstance(parameter_and_buffer_dicts, Sequence):
        raise ArgumentError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple "
                            f"of dicts, but got {type(parameter_and_buffer_dicts)}")
    merged: dict = {}
    for dictionary in parameter_and_buffer_dicts:
        if not isinstance(dictionary, Mapping):
            raise ArgumentError("Expected all elements of parameter_and_buffer_dicts to be "
                                f"dictionaries, got {type(dictionary)}")
        repeated = set(merged) & set(dictionary)
        if repeated:
            raise ArgumentError(f"{sorted(repeated)} appeared in multiple dictionaries; "
                                "behavior of functional call is ambiguous")
        merged.update(dictionary)
    return merged


def _functional_call(module: Module, parameters_and_buffers, args=None, kwargs=None, *,
                     tie_weights: bool = True, strict: bool = False):
    if type(module).__name__ == "DataParallel":
        raise ArgumentError("The stateless API can't be used with nn.DataParallel module")
    kwargs = {} if kwargs is None else kwargs
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights,
                               strict=strict):
        return module(*args, **kwargs)


def functional_call(module: Module, parameters_and_buffers: dict, args=None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False):
    """Run ``module(*args, **kwargs)`` with the parameters and buffers named in
    ``parameters_and_buffers`` (dotted names, as in ``state_dict``) replaced by the given
    tensors, then restore the module. With ``tie_weights`` a tensor given for one of several
    tied names is used for all of them; ``strict`` requires every name and no other.
    Deprecated in PyTorch for ``torch.func.functional_call``."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 "
                  "and will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
