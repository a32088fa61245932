"""Batch norm and the other normalizations against torch."""
from __future__ import annotations

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import (assert_close, check, check_error, rand, randn, rustorch, to_rustorch,
                          torch)


def F(m):
    return m.nn.functional


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (4, 3, 5, 6), (2, 3, 2, 3, 4)])
def test_batch_norm_functional(shape, training, dtype):
    running_mean = randn(3, dtype=dtype)
    running_var = np.abs(randn(3, dtype=dtype)) + 0.5
    stats = {}

    def run(m, x, weight, bias):
        mean, var = m.tensor(running_mean.copy()), m.tensor(running_var.copy())
        stats[m.__name__] = (mean, var)
        return F(m).batch_norm(x, mean, var, weight, bias, training, 0.2, 1e-3)
    check(run, randn(*shape, dtype=dtype), randn(3, dtype=dtype), randn(3, dtype=dtype),
          atol=1e-4 if dtype == np.float32 else None)
    assert_close(stats["rustorch"], stats["torch"])


def test_batch_norm_without_running_stats_and_affine():
    check(lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, True), randn(4, 3, 5),
          randn(3), randn(3))
    check(lambda m, x: F(m).batch_norm(x, None, None, training=True),
          randn(4, 3, 5, dtype=np.float64))
    check(lambda m, x: F(m).batch_norm(x.transpose(2, 3), None, None, training=True),
          randn(4, 3, 5, 2, dtype=np.float64))
    # channels-last memory (what a convolution returns) takes the row-reduction path
    check(lambda m, x, w, b: F(m).batch_norm(x.permute(0, 3, 1, 2), None, None, w, b, True),
          randn(4, 5, 6, 3), randn(3), randn(3), atol=1e-4)
    check(lambda m, x, w: F(m).batch_norm(F(m).conv2d(x, w, padding=1), None, None,
                                          training=True), randn(2, 3, 5, 5), randn(4, 3, 3, 3),
          atol=1e-4)


@pytest.mark.parametrize("shape", [(4, 6, 5, 7), (16, 16, 28, 28), (3, 4, 130, 150),
                                   (2, 3, 4, 5, 6)])
@pytest.mark.parametrize("gradient_layout", ["channels_last", "contiguous"])
def test_batch_norm_channels_last_wide_rows_match_torch(shape, gradient_layout):
    """Channels-last data in rows of whole pixels (threaded when large), with a gradient in
    either layout, training statistics and the running averages."""
    channels = shape[1]
    order = (0,) + tuple(range(2, len(shape))) + (1,)   # NCHW -> NHWC
    back = (0, len(shape) - 1) + tuple(range(1, len(shape) - 1))  # NHWC -> NCHW
    stats = {}

    def run(m, x, weight, bias):
        mean, var = m.zeros(channels, dtype=x.dtype), m.ones(channels, dtype=x.dtype)
        stats[m.__name__] = (mean, var)
        out = F(m).batch_norm(x.permute(*back), mean, var, weight, bias, True, 0.1, 1e-5)
        # check() weights each output with a contiguous array: the gradient reaching
        # batch_norm is channels-last through the permute, contiguous without it
        return out.permute(*order) if gradient_layout == "channels_last" else out
    for dtype, atol in ((np.float64, None), (np.float32, 2e-3)):  # float32: sums of 200k
        values = randn(*(shape[i] for i in order), dtype=dtype) * 2 + 3
        check(run, values, randn(channels, dtype=dtype), randn(channels, dtype=dtype),
              atol=atol)
        assert_close(stats["rustorch"], stats["torch"], atol=1e-4)


def test_batch_norm_gradcheck_and_double_backward():
    x = to_rustorch(randn(4, 3, 5, dtype=np.float64), True)
    w = to_rustorch(randn(3, dtype=np.float64), True)
    b = to_rustorch(randn(3, dtype=np.float64), True)
    function = F(rustorch).batch_norm
    assert gradcheck(lambda x, w, b: function(x, None, None, w, b, True), (x, w, b))
    assert gradgradcheck(lambda x, w, b: function(x, None, None, w, b, True), (x, w, b))
    x_array, w_array = randn(4, 3, 5, dtype=np.float64), randn(3, dtype=np.float64)
    results = []
    for m in (torch, rustorch):
        xt, wt = m.tensor(x_array, requires_grad=True), m.tensor(w_array, requires_grad=True)
        y = F(m).batch_norm(xt, None, None, wt, None, True)
        (grad_x,) = m.autograd.grad((y ** 3).sum(), (xt,), create_graph=True)
        (grad_x ** 2).sum().backward()
        results.append((xt.grad, wt.grad))
    assert_close(results[1], results[0])


def test_batch_norm_errors():
    with pytest.raises(ValueError):
        F(torch).batch_norm(torch.randn(1, 3), None, None, training=True)
    with pytest.raises(ValueError):
        F(rustorch).batch_norm(to_rustorch(randn(1, 3)), None, None, training=True)
    with pytest.raises(rustorch.RusTorchError):
        F(rustorch).batch_norm(to_rustorch(randn(2, 3)), to_rustorch(randn(4)),
                               to_rustorch(randn(4)))


def _twins(name, *args, **kwargs):
    torch_module = getattr(torch.nn, name)(*args, **kwargs)
    rust_module = getattr(rustorch.nn, name)(*args, **kwargs)
    with torch.no_grad():
        for parameter in torch_module.parameters():
            parameter.copy_(torch.randn(parameter.shape))
    rust_module.load_state_dict({k: rustorch.from_numpy(v.detach().numpy().copy())
                                 for k, v in torch_module.state_dict().items()})
    return torch_module, rust_module


@pytest.mark.parametrize("name,kwargs,shape", [
    ("BatchNorm1d", {}, (8, 3)),
    ("BatchNorm1d", dict(momentum=None), (8, 3, 5)),
    ("BatchNorm2d", dict(eps=1e-3, momentum=0.3), (4, 3, 5, 5)),
    ("BatchNorm2d", dict(affine=False), (4, 3, 5, 5)),
    ("BatchNorm2d", dict(track_running_stats=False), (4, 3, 5, 5)),
    ("BatchNorm3d", {}, (2, 3, 3, 4, 2)),
])
def test_batch_norm_modules_train_then_eval(name, kwargs, shape):
    torch_module, rust_module = _twins(name, 3, **kwargs)
    assert repr(rust_module) == repr(torch_module)
    assert list(rust_module.state_dict()) == list(torch_module.state_dict())
    for step in range(3):
        check(lambda m, x: (torch_module if m is torch else rust_module)(x),
              randn(*shape, seed=step), atol=1e-4)
    for key, value in torch_module.state_dict().items():
        assert_close(rust_module.state_dict()[key], value, what=key)
    torch_module.eval()
    rust_module.eval()
    check(lambda m, x: (torch_module if m is torch else rust_module)(x), randn(*shape),
          atol=1e-4)


def test_batch_norm_module_errors_and_buffers():
    with pytest.raises(ValueError):
        rustorch.nn.BatchNorm2d(3)(to_rustorch(randn(2, 3, 4)))
    layer = rustorch.nn.BatchNorm1d(4)
    assert layer.num_batches_tracked.dtype is rustorch.int64
    assert [name for name, _ in layer.named_buffers()] == \
        ["running_mean", "running_var", "num_batches_tracked"]


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("LayerNorm", ((5, 6),), {}, (4, 3, 5, 6)),
    ("LayerNorm", (6,), dict(elementwise_affine=False), (4, 6)),
    ("LayerNorm", (6,), dict(bias=False), (4, 6)),
    ("GroupNorm", (3, 6), {}, (4, 6, 5, 2)),
    ("GroupNorm", (2, 4), dict(affine=False), (3, 4, 7)),
    ("InstanceNorm1d", (3,), {}, (4, 3, 6)),
    ("InstanceNorm2d", (3,), dict(affine=True), (4, 3, 5, 6)),
    ("InstanceNorm2d", (3,), dict(track_running_stats=True), (4, 3, 5, 6)),
    ("InstanceNorm2d", (3,), dict(affine=True), (3, 5, 6)),
    ("InstanceNorm3d", (2,), {}, (2, 2, 3, 4, 2)),
    ("LocalResponseNorm", (3,), {}, (4, 6, 5, 2)),
    ("LocalResponseNorm", (2,), dict(alpha=0.1, beta=0.5, k=2.0), (4, 6, 5)),
])
def test_other_norm_modules(name, args, kwargs, shape):
    torch_module, rust_module = _twins(name, *args, **kwargs)
    assert repr(rust_module) == repr(torch_module)
    check(lambda m, x: (torch_module if m is torch else rust_module)(x), randn(*shape),
          atol=1e-4)
    for key, value in torch_module.state_dict().items():
        assert_close(rust_module.state_dict()[key], value, what=key)
    torch_module.eval()
    rust_module.eval()
    check(lambda m, x: (torch_module if m is torch else rust_module)(x), randn(*shape),
          atol=1e-4)


def test_norm_functionals():
    check(lambda m, x, w, b: F(m).layer_norm(x, (5, 6), w, b), randn(4, 3, 5, 6), randn(5, 6),
          randn(5, 6), atol=1e-4)
    check(lambda m, x, w, b: F(m).group_norm(x, 3, w, b), randn(4, 6, 5, 2), randn(6),
          randn(6), atol=1e-4)
    check(lambda m, x, w, b: F(m).instance_norm(x, weight=w, bias=b), randn(4, 6, 5, 2),
          randn(6), randn(6), atol=1e-4)
    check(lambda m, x: F(m).local_response_norm(x, 3), randn(4, 6, 5, 2))
    x = to_rustorch(randn(3, 4, 5, dtype=np.float64), True)
    assert gradcheck(lambda x: F(rustorch).layer_norm(x, (5,)), (x,))
    assert gradcheck(lambda x: F(rustorch).group_norm(x, 2), (x,))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_batch_norm_half_precision(dtype):
    import ml_dtypes
    numpy_dtype = np.float16 if dtype == "float16" else ml_dtypes.bfloat16
    check(lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, True),
          *(a.astype(numpy_dtype) for a in (randn(4, 3, 6), randn(3), randn(3))))


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0), (0, 3, 4)])
def test_batch_norm_empty_input(shape, training):
    # PyTorch skips every check for an empty input and returns a fresh copy (regression: the
    # (0,) input raised ShapeError)
    check(lambda m, x: F(m).batch_norm(x, m.zeros(0), m.ones(0), training=training),
          randn(*shape))
    check(lambda m, x: F(m).batch_norm(x, None, None, training=training), randn(*shape))
    check(lambda m, x, w, b: F(m).batch_norm(x, m.zeros(3), m.ones(3), w, b, training),
          randn(*shape), randn(3), randn(3))


def test_batch_norm_eval_needs_running_stats():
    for running in ((None, None), (np.zeros(3), None), (None, np.ones(3))):
        with pytest.raises(RuntimeError):
            F(torch).batch_norm(torch.randn(2, 3), *(None if r is None else torch.tensor(r)
                                                     for r in running))
        with pytest.raises(RuntimeError):
            F(rustorch).batch_norm(to_rustorch(randn(2, 3)),
                                   *(None if r is None else rustorch.tensor(r)
                                     for r in running))
        with pytest.raises(rustorch.RusTorchError):
            F(rustorch).batch_norm(to_rustorch(randn(2, 3)),
                                   *(None if r is None else rustorch.tensor(r)
                                     for r in running))


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 5, 3, 2), (2, 6, 2, 2, 3)])
def test_local_response_norm_int64(shape, size):
    # PyTorch averages the int64 squares with integer division and returns the default dtype
    data = np.random.default_rng(size).integers(-20, 20, shape)
    check(lambda m, x: F(m).local_response_norm(x, size, alpha=0.5, beta=0.7, k=1.5), data)


@pytest.mark.parametrize("dtype", ["int32", "int16", "uint8", "bool"])
def test_local_response_norm_other_integers_raise(dtype):
    data = (np.arange(24).reshape(2, 3, 4) % 5).astype(dtype)
    with pytest.raises(NotImplementedError):
        F(torch).local_response_norm(torch.from_numpy(data), 3)
    with pytest.raises(NotImplementedError):
        F(rustorch).local_response_norm(to_rustorch(data), 3)


@pytest.mark.parametrize("input_dtype, parameter_dtype", [
    ("bfloat16", "float32"), ("float16", "float32"), ("bfloat16", "bfloat16"),
    ("float32", "bfloat16"), ("float64", "float32"), ("bfloat16", "float16")])
@pytest.mark.parametrize("which", ["layer_norm", "group_norm"])
def test_norms_with_reduced_precision_inputs_follow_torch(input_dtype, parameter_dtype, which):
    """A half-precision input is normalised in float32 (parameters float32 or its own dtype)
    and rounded back; other dtype mixes raise torch's 'mixed dtype (CPU)' error."""
    values, weight, bias = randn(4, 6, 3), rand(6) + 0.5, randn(6)

    def run(m):
        x = m.from_numpy(values.copy()).to(getattr(m, input_dtype))
        w, b = (m.from_numpy(v.copy()).to(getattr(m, parameter_dtype)) for v in (weight, bias))
        functional = m.nn.functional
        if which == "layer_norm":
            return functional.layer_norm(x, (6, 3), w.reshape(6, 1).expand(6, 3).contiguous(),
                                         b.reshape(6, 1).expand(6, 3).contiguous())
        return functional.group_norm(x, 2, w, b)

    try:
        expected = run(torch)
    except RuntimeError:
        check_error(run)
        return
    assert_close(run(rustorch), expected, rtol=1e-2, atol=1e-2)
