"""Run the same optimizer in torch and rustorch on identical parameters and gradients
(torch's on the CPU, rustorch's on the test device)."""
from __future__ import annotations

import numpy as np

from tests._oracle import as_numpy, rustorch, to_rustorch, to_torch, torch

__all__ = ["as_numpy", "tensor_of", "make_params", "run_both", "closure_run", "state_to_torch",
           "state_to_rustorch", "run_both_reduced"]

TOLERANCES = {np.float32: (1e-5, 1e-6), np.float64: (1e-10, 1e-12)}
SHAPES = [(5, 4), (3,), ()]


def make_arrays(shapes=SHAPES, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype) for shape in shapes]


def tensor_of(module, array):
    """``array`` as a tensor of ``module``: torch's on the CPU, rustorch's on the test device."""
    return (to_torch if module is torch else to_rustorch)(array)


def make_params(module, arrays):
    return [tensor_of(module, array).requires_grad_() for array in arrays]


def assert_params_close(torch_params, our_params, dtype, step=None):
    rtol, atol = TOLERANCES[dtype]
    for index, (expected, actual) in enumerate(zip(torch_params, our_params)):
        assert actual.dtype == (rustorch.float32 if dtype == np.float32 else rustorch.float64)
        np.testing.assert_allclose(as_numpy(actual), as_numpy(expected), rtol=rtol, atol=atol,
                                   err_msg=f"parameter {index} after step {step}")


def run_both(name, kwargs, steps=8, dtype=np.float32, groups=None, shapes=SHAPES, seed=0):
    """Step ``name`` (e.g. "Adam") ``steps`` times in both frameworks and compare parameters.

    ``groups`` is an optional list of (parameter indices, group options) to build param groups.
    Returns both optimizers and parameter lists for further checks.
    """
    arrays = make_arrays(shapes, dtype, seed)
    torch_params, our_params = make_params(torch, arrays), make_params(rustorch, arrays)

    def build(module, params):
        if groups is None:
            return getattr(module.optim, name)(params, **kwargs)
        param_groups = [dict(options, params=[params[i] for i in indices])
                        for indices, options in groups]
        return getattr(module.optim, name)(param_groups, **kwargs)

    torch_optimizer, our_optimizer = build(torch, torch_params), build(rustorch, our_params)
    rng = np.random.default_rng(seed + 1)
    for step in range(steps):
        for torch_param, our_param in zip(torch_params, our_params):
            grad = rng.standard_normal(torch_param.shape).astype(dtype)
            torch_param.grad = torch.from_numpy(grad.copy())
            our_param.grad = to_rustorch(grad)
        torch_optimizer.step()
        our_optimizer.step()
        assert_params_close(torch_params, our_params, dtype, step)
    return torch_optimizer, our_optimizer, torch_params, our_params


def closure_run(name, kwargs, steps=5, dtype=np.float64):
    """Step with a closure computing sum(w * p**2 + sin-free polynomial) in both frameworks."""
    arrays = make_arrays([(4, 3), (3,)], dtype, seed=3)
    weights = make_arrays([(4, 3), (3,)], dtype, seed=4)
    results = {}
    for module in (torch, rustorch):
        params = make_params(module, arrays)
        weight_tensors = [tensor_of(module, weight) for weight in weights]
        optimizer = getattr(module.optim, name)(params, **kwargs)
        losses = []

        def closure():
            optimizer.zero_grad()
            loss = sum(((param * param * param) * weight + param * param).sum()
                       for param, weight in zip(params, weight_tensors))
            loss.backward()
            return loss

        for _ in range(steps):
            losses.append(float(optimizer.step(closure).detach()))
        results[module.__name__] = (losses, [as_numpy(param) for param in params])
    return results["torch"], results["rustorch"]


def state_to_torch(state_dict):
    """Our state_dict with tensors converted to torch tensors (for torch's load_state_dict)."""
    return _convert(state_dict, lambda tensor: torch.from_numpy(np.array(as_numpy(tensor))),
                    rustorch.Tensor)


def state_to_rustorch(state_dict):
    return _convert(state_dict, lambda tensor: rustorch.from_numpy(np.array(as_numpy(tensor))),
                    torch.Tensor)


def _convert(value, convert, tensor_type):
    if isinstance(value, tensor_type):
        return convert(value)
    if isinstance(value, dict):
        return {key: _convert(item, convert, tensor_type) for key, item in value.items()}
    if isinstance(value, list):
        return [_convert(item, convert, tensor_type) for item in value]
    return value


REDUCED_TOLERANCES = {"float16": 1e-2, "bfloat16": 4e-2}


def run_both_reduced(name, kwargs, dtype_name, steps=8, seed=0):
    """Like ``run_both`` for float16/bfloat16 parameters; PyTorch rounds some fused operations
    (add with alpha, addcmul, lerp) once where numpy rounds twice, so allow a few ulps."""
    import ml_dtypes

    numpy_dtype = np.float16 if dtype_name == "float16" else ml_dtypes.bfloat16
    arrays = [array.astype(numpy_dtype) for array in make_arrays(SHAPES, np.float32, seed)]
    torch_params = [to_torch(array, requires_grad=True) for array in arrays]
    our_params = [to_rustorch(array, requires_grad=True) for array in arrays]
    torch_optimizer = getattr(torch.optim, name)(torch_params, **kwargs)
    our_optimizer = getattr(rustorch.optim, name)(our_params, **kwargs)
    rng = np.random.default_rng(seed + 1)
    tolerance = REDUCED_TOLERANCES[dtype_name]
    for step in range(steps):
        for torch_param, our_param in zip(torch_params, our_params):
            grad = rng.standard_normal(torch_param.shape).astype(numpy_dtype)
            torch_param.grad, our_param.grad = to_torch(grad), to_rustorch(grad)
        torch_optimizer.step()
        our_optimizer.step()
        for expected, actual in zip(torch_params, our_params):
            assert actual.dtype == getattr(rustorch, dtype_name)
            np.testing.assert_allclose(as_numpy(actual.float()),
                                       as_numpy(expected.float()), rtol=tolerance,
                                       atol=tolerance, err_msg=f"after step {step}")
