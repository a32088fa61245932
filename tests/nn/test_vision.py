"""pad, interpolate/Upsample, pixel (un)shuffle against torch."""
from __future__ import annotations

import numpy as np
import pytest

from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
from tests._oracle import check, check_error, randn, rustorch, to_rustorch, torch
from tests.nn._helpers import from_numpy


def F(m):
    return m.nn.functional


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("widths", [(2, 1, 0, 3), (-1, 2, 1, -2), (1, 1, 1, 1)])
def test_pad_2d(mode, widths):
    check(lambda m, x: F(m).pad(x, widths, mode), randn(2, 3, 5, 6))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_1d_3d(mode):
    check(lambda m, x: F(m).pad(x, (1, 2), mode), randn(3, 5))
    check(lambda m, x: F(m).pad(x, (1, 2), mode), randn(2, 3, 5))
    check(lambda m, x: F(m).pad(x, (1, 2, 0, 1, 2, 1), mode), randn(2, 3, 4, 5, 3))


def test_pad_constant_value_and_float64():
    check(lambda m, x: F(m).pad(x, (1, 2, 3, 4, 1, 1), value=2.5), randn(2, 3, 5, 6))
    check(lambda m, x: F(m).pad(x, (1, 1)), randn(4, dtype=np.float64))
    check(lambda m, x: F(m).pad(x, (-2, -2)), randn(3, 6, dtype=np.float64))
    check(lambda m, x: F(m).pad(x.transpose(1, 2), (1, 0, 2, 1), "reflect"), randn(2, 6, 4))


def test_pad_gradcheck():
    x = to_rustorch(randn(2, 2, 4, 5, dtype=np.float64), True)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert gradcheck(lambda x: F(rustorch).pad(x, (2, 1, 1, 3), mode), (x,))
        assert gradgradcheck(lambda x: F(rustorch).pad(x, (2, -1, 1, 3), mode), (x,))


PAD_ERRORS = [
    (lambda m, x: F(m).pad(x, (1,)), RuntimeError),
    (lambda m, x: F(m).pad(x, (1, 1) * 5), RuntimeError),
    (lambda m, x: F(m).pad(x, (3, 3, 0, 0), "reflect"), RuntimeError),
    (lambda m, x: F(m).pad(x, (1, 1), "foo"), NotImplementedError),
    (lambda m, x: F(m).pad(x, (1, 1), "reflect", value=1.0), RuntimeError),
    (lambda m, x: F(m).pad(x, (1, 1), "reflect"), NotImplementedError),
    (lambda m, x: F(m).pad(x, (-4, 0)), RuntimeError),
]


@pytest.mark.parametrize("fn,error", PAD_ERRORS)
def test_pad_errors(fn, error):
    x = randn(1, 1, 3, 3)
    with pytest.raises(error):
        fn(torch, torch.from_numpy(x))
    with pytest.raises(error):
        fn(rustorch, to_rustorch(x))
    with pytest.raises(rustorch.RusTorchError):
        fn(rustorch, to_rustorch(x))


MODES = [("nearest", None), ("nearest-exact", None), ("bilinear", False), ("bilinear", True),
         ("bicubic", False), ("bicubic", True), ("area", None)]
SIZES = [dict(scale_factor=2), dict(size=(7, 9)), dict(size=(3, 4)),
         dict(scale_factor=(1.5, 0.7)), dict(scale_factor=0.5, recompute_scale_factor=True)]


@pytest.mark.parametrize("mode,align_corners", MODES)
@pytest.mark.parametrize("kwargs", SIZES)
def test_interpolate_2d(mode, align_corners, kwargs):
    check(lambda m, x: F(m).interpolate(x, mode=mode, align_corners=align_corners, **kwargs),
          randn(2, 3, 5, 6))


def test_interpolate_1d_3d():
    check(lambda m, x: F(m).interpolate(x, scale_factor=2.3, mode="linear"), randn(2, 3, 5))
    check(lambda m, x: F(m).interpolate(x, size=4, mode="linear", align_corners=True),
          randn(2, 3, 7))
    check(lambda m, x: F(m).interpolate(x, scale_factor=3), randn(2, 3, 5))
    check(lambda m, x: F(m).interpolate(x, size=(3, 5, 7), mode="trilinear",
                                        align_corners=True), randn(1, 2, 4, 3, 5))
    check(lambda m, x: F(m).interpolate(x, scale_factor=2, mode="trilinear"),
          randn(1, 2, 2, 3, 2, dtype=np.float64))
    check(lambda m, x: F(m).interpolate(x, scale_factor=(2, 1, 3)), randn(1, 2, 2, 3, 2))


def test_interpolate_gradcheck():
    x = to_rustorch(randn(1, 2, 3, 4, dtype=np.float64), True)
    for mode in ("nearest", "bilinear", "bicubic"):
        assert gradcheck(lambda x: F(rustorch).interpolate(x, scale_factor=2, mode=mode), (x,))


INTERPOLATE_ERRORS = [
    (lambda m, x: F(m).interpolate(x, size=4, scale_factor=2), ValueError),
    (lambda m, x: F(m).interpolate(x), ValueError),
    (lambda m, x: F(m).interpolate(x, size=4, align_corners=True), ValueError),
    (lambda m, x: F(m).interpolate(x, size=4, mode="linear"), NotImplementedError),
]


@pytest.mark.parametrize("fn,error", INTERPOLATE_ERRORS)
def test_interpolate_errors(fn, error):
    x = randn(1, 1, 3, 3)
    with pytest.raises(error):
        fn(torch, torch.from_numpy(x))
    with pytest.raises(error):
        fn(rustorch, to_rustorch(x))


def test_pixel_shuffle():
    check(lambda m, x: F(m).pixel_shuffle(x, 2), randn(2, 8, 3, 4))
    check(lambda m, x: F(m).pixel_shuffle(x, 3), randn(9, 2, 2))
    check(lambda m, x: F(m).pixel_unshuffle(x, 2), randn(3, 2, 4, 6))
    check(lambda m, x: F(m).pixel_unshuffle(x, 2), randn(2, 3, 2, 4, 6))
    for fn in (lambda m, x: F(m).pixel_shuffle(x, 2), lambda m, x: F(m).pixel_unshuffle(x, 2)):
        with pytest.raises(RuntimeError):
            fn(torch, torch.randn(1, 3, 3, 3))
        with pytest.raises(rustorch.RusTorchError):
            fn(rustorch, to_rustorch(randn(1, 3, 3, 3)))


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("Upsample", (), dict(scale_factor=2), (2, 3, 4, 5)),
    ("Upsample", (), dict(size=(5, 7), mode="bilinear"), (2, 3, 4, 5)),
    ("Upsample", (), dict(scale_factor=(2.0, 1.5), mode="bicubic", align_corners=True),
     (2, 3, 4, 5)),
    ("UpsamplingNearest2d", (), dict(scale_factor=3), (1, 2, 3, 3)),
    ("UpsamplingBilinear2d", (), dict(size=(6, 4)), (1, 2, 3, 3)),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 3)),
    ("PixelUnshuffle", (3,), {}, (2, 1, 6, 3)),
])
def test_vision_modules(name, args, kwargs, shape):
    torch_module = getattr(torch.nn, name)(*args, **kwargs)
    rust_module = getattr(rustorch.nn, name)(*args, **kwargs)
    assert repr(rust_module) == repr(torch_module)
    check(lambda m, x: (torch_module if m is torch else rust_module)(x), randn(*shape))


def test_unfold_fold():
    check(lambda m, x: F(m).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
          randn(2, 3, 6, 7))
    check(lambda m, x: F(m).unfold(x, 3), randn(3, 5, 5, dtype=np.float64))
    check(lambda m, x: F(m).fold(x, (6, 7), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
          randn(2, 18, 20))
    check(lambda m, x: F(m).fold(x, 4, 2), randn(8, 9))
    x = to_rustorch(randn(1, 2, 4, 4, dtype=np.float64), True)
    assert gradcheck(lambda x: F(rustorch).unfold(x, 2, padding=1, stride=2), (x,))
    assert gradgradcheck(lambda x: F(rustorch).fold(F(rustorch).unfold(x, 3), 4, 3), (x,))
    for fn in (lambda m, x: F(m).fold(x, 4, 2), lambda m, x: F(m).fold(x[:, :7], 4, 2)):
        with pytest.raises(RuntimeError):
            fn(torch, torch.randn(2, 8, 8))
        with pytest.raises(rustorch.RusTorchError):
            fn(rustorch, to_rustorch(randn(2, 8, 8)))
    for name, args in (("Unfold", (3,)), ("Fold", (4, 2))):
        assert repr(getattr(rustorch.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    check(lambda m, x: m.nn.Fold((4, 5), 2)(m.nn.Unfold(2)(x)), randn(2, 3, 4, 5))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_vision_half_precision(dtype):
    import ml_dtypes
    numpy_dtype = np.float16 if dtype == "float16" else ml_dtypes.bfloat16
    x = randn(2, 3, 4, 4).astype(numpy_dtype)
    check(lambda m, x: F(m).interpolate(x, scale_factor=2, mode="bilinear"), x)
    check(lambda m, x: F(m).interpolate(x, scale_factor=2), x)
    check(lambda m, x: F(m).pad(x, (1, 2, 2, 1), "reflect"), x)


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid(align_corners):
    check(lambda m, t: F(m).affine_grid(t, (2, 3, 4, 5), align_corners=align_corners),
          randn(2, 2, 3))
    check(lambda m, t: F(m).affine_grid(t, (2, 3, 2, 4, 5), align_corners=align_corners),
          randn(2, 3, 4, dtype=np.float64))
    with pytest.raises(ValueError):
        F(rustorch).affine_grid(to_rustorch(randn(2, 2, 2)), (2, 3, 4, 5))


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample(mode, padding_mode, align_corners):
    check(lambda m, x, g: F(m).grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                           align_corners=align_corners),
          randn(2, 3, 5, 6), randn(2, 4, 3, 2) * 1.3, atol=1e-4, rtol=1e-3)


def test_grid_sample_gradcheck():
    x = to_rustorch(randn(1, 2, 4, 5, dtype=np.float64), True)
    grid = to_rustorch(randn(1, 3, 2, 2, dtype=np.float64) * 0.7, True)
    assert gradcheck(lambda x, g: F(rustorch).grid_sample(x, g, align_corners=False),
                     (x, grid))


@pytest.mark.parametrize("name,args,shape", [
    ("ZeroPad1d", (2,), (2, 3, 5)), ("ZeroPad2d", ((1, 1, 2, 0),), (2, 3, 4, 5)),
    ("ZeroPad3d", (1,), (1, 2, 3, 4, 5)), ("ConstantPad1d", ((1, 2), 3.5), (2, 3, 5)),
    ("ConstantPad2d", (1, -1.0), (2, 3, 4, 5)), ("ConstantPad3d", (1, 3.5), (1, 2, 3, 4, 5)),
    ("ReflectionPad1d", ((1, 2),), (2, 3, 5)), ("ReflectionPad2d", (1,), (2, 3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 5)), ("ReplicationPad1d", ((1, 2),), (2, 3, 5)),
    ("ReplicationPad2d", ((2, 0, 1, 3),), (3, 4, 5)), ("ReplicationPad3d", (1,), (1, 2, 3, 4, 5)),
    ("CircularPad1d", (2,), (2, 3, 5)), ("CircularPad2d", (1,), (2, 3, 4, 5)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 5)), ("ChannelShuffle", (2,), (2, 6, 3, 3)),
])
def test_padding_modules(name, args, shape):
    torch_module = getattr(torch.nn, name)(*args)
    rust_module = getattr(rustorch.nn, name)(*args)
    assert repr(rust_module) == repr(torch_module)
    check(lambda m, x: (torch_module if m is torch else rust_module)(x), randn(*shape))


def test_channel_shuffle_and_rms_norm():
    check(lambda m, x: F(m).channel_shuffle(x, 3), randn(2, 6, 4))
    check(lambda m, x, w: F(m).rms_norm(x, (4,), w), randn(3, 5, 4), randn(4))
    check(lambda m, x: F(m).rms_norm(x, (5, 4), eps=1e-3), randn(3, 5, 4, dtype=np.float64))
    check(lambda m, x: m.nn.RMSNorm(4)(x), randn(3, 4))
    assert repr(rustorch.nn.RMSNorm(4)) == repr(torch.nn.RMSNorm(4))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape, pad", [((1, 0, 20), (4, 4)), ((0, 3, 20), (4, 4)),
                                        ((3, 0, 4, 4), (1, 1, 1, 1)), ((0, 4, 4), (1, 1, 1, 1))])
def test_pad_of_empty_inputs_matches_torch(mode, shape, pad):
    """Only the batch dim may be empty for reflect and replicate padding."""
    values = np.ones(shape, dtype=np.float32)
    try:
        expected = F(torch).pad(torch.from_numpy(values), pad, mode)
    except RuntimeError:
        check_error(lambda m: F(m).pad(from_numpy(m, values), pad, mode))
        return
    assert tuple(F(rustorch).pad(to_rustorch(values), pad, mode).shape) == \
        tuple(expected.shape)
