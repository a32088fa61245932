"""Numerical gradient checks: ``gradcheck`` and ``gradgradcheck`` with PyTorch's API.

The analytical Jacobian (one vector-Jacobian product per output element, from the engine) is
compared with central finite differences, ``(f(x + eps) - f(x - eps)) / (2 eps)``, computed by
perturbing each input element in place. Use float64 inputs: float32 finite differences are too
noisy for the default tolerances.
"""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np

from ..errors import ArgumentError, NotSupportedError, RusTorchError

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "get_numerical_jacobian",
           "get_analytical_jacobian"]


class GradcheckError(RusTorchError, RuntimeError):
    """Raised by ``gradcheck``/``gradgradcheck`` when a check fails (a RuntimeError)."""


def _tensor_class():
    from ..tensor import Tensor
    return Tensor


def _as_tuple(value) -> tuple:
    if isinstance(value, _tensor_class()):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _is_differentiable(value) -> bool:
    return isinstance(value, _tensor_class()) and value.requires_grad and (
        value.dtype.is_floating_point or value.dtype.is_complex)


def _outputs(func, inputs) -> tuple:
    return _as_tuple(func(*inputs))


def _host(array) -> np.ndarray:
    return array if isinstance(array, np.ndarray) else array.get()


def _output_arrays(func, inputs) -> list:
    outputs = _outputs(func, inputs)  # grad mode stays on: func may itself call grad()
    Tensor = _tensor_class()
    return [np.array(_host(o._data), dtype=np.float64) if isinstance(o, Tensor) and
            o.dtype.is_floating_point else None for o in outputs]


def get_numerical_jacobian(func: Callable, inputs, eps: float = 1e-6) -> list:
    """``jacobians[i][j]``: d output j / d input i as a float64 ``(input numel, output numel)``
    array, by central differences (the input's memory is perturbed and restored)."""
    inputs = _as_tuple(inputs)
    outputs = _output_arrays(func, inputs)
    jacobians = []
    for value in inputs:
        if not _is_differentiable(value):
            continue
        if value.dtype.is_complex:
            raise NotSupportedError("gradcheck: complex inputs are not supported yet; check "
                                    "the real and imaginary parts as separate real inputs")
        array = shared = value._data
        if isinstance(array, np.ndarray) and not array.flags.writeable:
            value._data = array = array.copy()  # e.g. an expanded input: perturb a copy
        rows = [np.zeros((array.size, 0 if o is None else o.size)) for o in outputs]
        try:
            for row, index in enumerate(np.ndindex(array.shape)):
                original = array[index].copy()
                array[index] = original + eps
                plus = _output_arrays(func, inputs)
                array[index] = original - eps
                minus = _output_arrays(func, inputs)
                array[index] = original
                for out_index, (high, low) in enumerate(zip(plus, minus)):
                    if high is not None:
                        rows[out_index][row] = ((high - low) / (2 * eps)).ravel()
        finally:
            value._data = shared
        jacobians.append(rows)
    return jacobians


def get_analytical_jacobian(inputs, outputs, nondet_tol: float = 0.0) -> tuple:
    """(jacobians, reentrant, correct_grad_sizes, correct_grad_types) from backward passes."""
    from . import grad as autograd_grad
    Tensor = _tensor_class()
    inputs = _as_tuple(inputs)
    differentiable = [value for value in inputs if _is_differentiable(value)]
    jacobians = [[None] * len(outputs) for _ in differentiable]
    sizes_ok = types_ok = reentrant = True
    for out_index, output in enumerate(outputs):
        if not isinstance(output, Tensor) or not output.requires_grad:
            for in_index, value in enumerate(differentiable):
                size = output.numel() if isinstance(output, Tensor) else 0
                jacobians[in_index][out_index] = np.zeros((value.numel(), size))
            continue
        columns = [np.zeros((value.numel(), output.numel())) for value in differentiable]
        xp = output._xp()
        for column in range(output.numel()):
            one_hot = xp.zeros(output.numel(), dtype=output._data.dtype)
            one_hot[column] = 1
            grad_output = Tensor._make(one_hot.reshape(output._data.shape))
            passes = []
            for _ in range(2):  # twice, to catch nondeterministic (non-reentrant) backwards
                grads = autograd_grad(output, differentiable, grad_output, retain_graph=True,
                                      allow_unused=True)
                passes.append(grads)
            for in_index, (value, first, second) in enumerate(
                    zip(differentiable, passes[0], passes[1])):
                if first is None:
                    continue
                if tuple(first.shape) != tuple(value.shape):
                    sizes_ok = False
                    continue
                if first.dtype is not value.dtype:
                    types_ok = False
                first_array = _host(first.detach()._data).astype(np.float64).ravel()
                second_array = _host(second.detach()._data).astype(np.float64).ravel()
                if np.abs(first_array - second_array).max(initial=0.0) > nondet_tol:
                    reentrant = False
                columns[in_index][:, column] = first_array
        for in_index, value in enumerate(columns):
            jacobians[in_index][out_index] = value
    return jacobians, reentrant, sizes_ok, types_ok


def _show(array: np.ndarray) -> str:
    from ..tensor import Tensor
    return repr(Tensor._make(np.ascontiguousarray(array, dtype=np.float64)))


def _fail(message: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(message)
    return False


def _check_inputs(inputs) -> list:
    differentiable = [value for value in inputs if _is_differentiable(value)]
    if not differentiable:
        raise ArgumentError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    for position, value in enumerate(inputs):
        if _is_differentiable(value) and value.dtype.name not in ("float64", "complex128"):
            warnings.warn(f"Input #{position} requires "
                          f"gradient and is not a double precision floating point or complex. "
                          f"This check will likely fail if all the inputs are not of double "
                          f"precision floating point or complex.", UserWarning, stacklevel=3)
    return differentiable


def _slow_check(func, inputs, outputs, eps, atol, rtol, nondet_tol, raise_exception) -> bool:
    numerical = get_numerical_jacobian(func, inputs, eps)
    analytical, reentrant, sizes_ok, types_ok = get_analytical_jacobian(
        inputs, outputs, nondet_tol)
    if not sizes_ok:
        return _fail("Analytical gradient has incorrect size", raise_exception)
    if not types_ok:
        return _fail("Gradient has dtype mismatch", raise_exception)
    for in_index, (numeric_rows, analytic_rows) in enumerate(zip(numerical, analytical)):
        for out_index, (numeric, analytic) in enumerate(zip(numeric_rows, analytic_rows)):
            if analytic is None or numeric.size == 0 and analytic.size == 0:
                continue
            if not np.allclose(analytic, numeric, rtol=rtol, atol=atol):
                return _fail(f"Jacobian mismatch for output {out_index} with respect to input "
                             f"{in_index},\nnumerical:{_show(numeric)}\nanalytical:"
                             f"{_show(analytic)}\n", raise_exception)
    if not reentrant:
        return _fail(f"Backward is not reentrant, i.e., running backward with same input and "
                     f"grad_output multiple times gives different values, although analytical "
                     f"gradient matches numerical gradient. The tolerance for nondeterminism "
                     f"was {nondet_tol}.", raise_exception)
    return True


def _fast_check(func, inputs, outputs, eps, atol, rtol, raise_exception) -> bool:
    """One random direction u per input and v per output: compare v^T J u both ways."""
    from . import grad as autograd_grad
    Tensor = _tensor_class()
    rng = np.random.default_rng(0)
    differentiable = [value for value in inputs if _is_differentiable(value)]
    directions = [value._xp().asarray(rng.standard_normal(value._data.shape),
                                      dtype=value._data.dtype) for value in differentiable]
    shared = [value._data for value in differentiable]
    originals = [array.copy() for array in shared]
    try:
        for value, original, direction in zip(differentiable, originals, directions):
            value._data = original + eps * direction
        plus = _output_arrays(func, inputs)
        for value, original, direction in zip(differentiable, originals, directions):
            value._data = original - eps * direction
        minus = _output_arrays(func, inputs)
    finally:
        for value, array in zip(differentiable, shared):
            value._data = array
    for out_index, output in enumerate(outputs):
        if plus[out_index] is None:
            continue
        projection = rng.standard_normal(plus[out_index].shape)
        numeric = float(((plus[out_index] - minus[out_index]) / (2 * eps) * projection).sum())
        analytic = 0.0
        if isinstance(output, Tensor) and output.requires_grad:
            xp = output._xp()
            grad_output = Tensor._make(xp.asarray(projection, dtype=output._data.dtype))
            grads = autograd_grad(output, differentiable, grad_output, retain_graph=True,
                                  allow_unused=True)
            for grad, direction in zip(grads, directions):
                if grad is not None:
                    analytic += float((grad.detach()._data * direction).sum())
        if not np.isclose(analytic, numeric, rtol=rtol, atol=atol):
            return _fail(f"Jacobian mismatch for output {out_index} with respect to the inputs "
                         f"(fast mode, a random projection v^T J u),\nnumerical:{numeric}\n"
                         f"analytical:{analytic}\n", raise_exception)
    return True


def _check_undefined_grad(inputs, outputs, raise_exception) -> bool:
    """Zero grad_outputs must give zero (or no) input gradients."""
    from . import grad as autograd_grad
    Tensor = _tensor_class()
    differentiable = [value for value in inputs if _is_differentiable(value)]
    targets = [o for o in outputs if isinstance(o, Tensor) and o.requires_grad]
    if not targets:
        return True
    zeros = [Tensor._make(o._xp().zeros(o._data.shape, o._data.dtype)) for o in targets]
    grads = autograd_grad(targets, differentiable, zeros, retain_graph=True, allow_unused=True)
    for grad in grads:
        if grad is not None and bool(grad._xp().any(grad.detach()._data != 0)):
            return _fail("Expected backward function to handle undefined output grads. Please "
                         "look at \"Notes about undefined output gradients\" in "
                         "\"tools/autograd/derivatives.yaml\"", raise_exception)
    return True


def gradcheck(func: Callable, inputs, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None) -> bool:
    """Check analytical gradients of ``func(*inputs)`` against finite differences.

    Returns True, or raises ``GradcheckError`` (or returns False with
    ``raise_exception=False``) showing the numerical and analytical Jacobians.

    >>> x = rustorch.randn(3, dtype=rustorch.float64, requires_grad=True)
    >>> gradcheck(rustorch.sin, (x,))
    True
    """
    for flag, name in ((check_batched_grad, "check_batched_grad"),
                       (check_batched_forward_grad, "check_batched_forward_grad"),
                       (check_forward_ad, "check_forward_ad")):
        if flag:
            raise NotSupportedError(f"gradcheck: {name}=True is not supported (rustorch has no "
                                    f"vmap/forward-mode AD); leave it False")
    inputs = _as_tuple(inputs)
    _check_inputs(list(inputs))
    outputs = _outputs(func, inputs)
    if not check_backward_ad:
        return True
    if fast_mode:
        passed = _fast_check(func, inputs, outputs, eps, atol, rtol, raise_exception)
    else:
        passed = _slow_check(func, inputs, outputs, eps, atol, rtol, nondet_tol,
                             raise_exception)
    if passed and check_undefined_grad:
        passed = _check_undefined_grad(inputs, outputs, raise_exception)
    return passed


def gradgradcheck(func: Callable, inputs, grad_outputs=None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: ``gradcheck`` of the map (inputs, v) -> v^T J(inputs).

    ``grad_outputs`` default to random float64 tensors (requiring grad) shaped like the
    outputs.
    """
    from . import grad as autograd_grad
    Tensor = _tensor_class()
    if check_fwd_over_rev:
        raise NotSupportedError("gradgradcheck: check_fwd_over_rev=True is not supported "
                                "(rustorch has no forward-mode AD)")
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outputs = _outputs(func, inputs)
        grad_outputs = []
        for output in outputs:
            if isinstance(output, Tensor) and output.requires_grad:
                array = rng.standard_normal(output._data.shape).astype(output._data.dtype)
                if gen_non_contig_grad_outputs and array.ndim:
                    array = np.asfortranarray(array)
                grad = Tensor._make(array if output.is_cpu else output._xp().asarray(array))
                grad.requires_grad = True
                grad_outputs.append(grad)
    grad_outputs = list(_as_tuple(grad_outputs))
    count = len(inputs)

    def first_derivative(*values):
        primal, cotangents = values[:count], values[count:]
        outputs = [o for o in _outputs(func, primal)
                   if isinstance(o, Tensor) and o.requires_grad]
        differentiable = [value for value in primal if _is_differentiable(value)]
        grads = autograd_grad(outputs, differentiable, list(cotangents), create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, fast_mode=fast_mode)


# ``rustorch.autograd.gradcheck`` is the function (as in PyTorch); these attributes keep
# ``rustorch.autograd.gradcheck.gradcheck(...)`` working too.
gradcheck.gradcheck = gradcheck
gradcheck.gradgradcheck = gradgradcheck
gradcheck.GradcheckError = GradcheckError
