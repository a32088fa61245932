"""Losses (functional and modules) against torch: every reduction, weights, ignore_index,
K-dim inputs, label smoothing, probability targets, argument errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import rustorch
from tests._oracle import check, rand, randint, randn, to_rustorch
from tests.nn._helpers import compare_module, from_numpy

REDUCTIONS = ["mean", "sum", "none"]


def F(m):
    return m.nn.functional


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs", [("mse_loss", {}), ("l1_loss", {}),
                                          ("smooth_l1_loss", {}), ("smooth_l1_loss",
                                                                   {"beta": 0.5}),
                                          ("smooth_l1_loss", {"beta": 0.0}),
                                          ("huber_loss", {}), ("huber_loss", {"delta": 0.3}),
                                          ("soft_margin_loss", {})])
def test_regression_losses(name, kwargs, reduction, dtype):
    check(lambda m, x, y: getattr(F(m), name)(x, y, reduction=reduction, **kwargs),
          randn(4, 5, dtype=dtype), randn(4, 5, dtype=dtype),
          requires_grad=[True, name != "soft_margin_loss"])


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_regression(name, reduction):
    check(lambda m, x, y, w: getattr(F(m), name)(x, y, reduction=reduction, weight=w),
          randn(3, 4), randn(3, 4), rand(3, 4), requires_grad=[True, True, False])


def test_regression_broadcast_warns_and_empty():
    with pytest.warns(UserWarning):
        rustorch.nn.functional.mse_loss(rustorch.ones(3, 1), rustorch.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda m, x, y: F(m).mse_loss(x, y), randn(3, 1), randn(3))
    check(lambda m, x, y: F(m).mse_loss(x, y, reduction="sum"), randn(0, 2), randn(0, 2))
    check(lambda m, x, y: F(m).l1_loss(x, y), randn(), randn())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape, target_shape", [((5, 4), (5,)), ((4,), ()),
                                                 ((3, 4, 2, 3), (3, 2, 3)), ((2, 4, 5), (2, 5))])
def test_nll_and_cross_entropy(shape, target_shape, weighted, reduction):
    classes = shape[1] if len(shape) > 1 else shape[0]
    target = randint(0, classes, target_shape)
    weight = rand(classes, low=0.5, high=2.0) if weighted else None
    for name in ("nll_loss", "cross_entropy"):
        check(lambda m, x, w: getattr(F(m), name)(x, from_numpy(m, target), weight=w,
                                                  reduction=reduction),
              randn(*shape), weight, requires_grad=[True, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_ignore_index(reduction, weighted):
    target = np.array([1, -100, 3, 2, -100])
    weight = rand(4, low=0.5, high=2.0) if weighted else None
    for name in ("nll_loss", "cross_entropy"):
        check(lambda m, x, w: getattr(F(m), name)(x, from_numpy(m, target), weight=w,
                                                  reduction=reduction),
              randn(5, 4), weight, requires_grad=[True, False])
    custom = np.array([1, 0, 3, 0])
    check(lambda m, x: F(m).cross_entropy(x, from_numpy(m, custom), ignore_index=0,
                                          reduction=reduction), randn(4, 4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_label_smoothing(reduction, weighted):
    target = np.array([1, -100, 3, 2])
    weight = rand(4, low=0.5, high=2.0) if weighted else None
    check(lambda m, x, w: F(m).cross_entropy(x, from_numpy(m, target), weight=w,
                                             reduction=reduction, label_smoothing=0.15),
          randn(4, 4), weight, requires_grad=[True, False])
    kdim = randint(0, 3, (2, 4))
    check(lambda m, x: F(m).cross_entropy(x, from_numpy(m, kdim), label_smoothing=0.3,
                                          reduction=reduction), randn(2, 3, 4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_probability_targets(reduction, smoothing, weighted):
    weight = rand(4, low=0.5, high=2.0) if weighted else None
    probabilities = rand(3, 4)
    probabilities /= probabilities.sum(1, keepdims=True)
    check(lambda m, x, p, w: F(m).cross_entropy(x, p, weight=w, reduction=reduction,
                                                label_smoothing=smoothing),
          randn(3, 4), probabilities, weight, requires_grad=[True, True, False])
    check(lambda m, x, p: F(m).cross_entropy(x, p, reduction=reduction), randn(2, 4, 3),
          rand(2, 4, 3))


def test_cross_entropy_float64_and_large_logits():
    target = np.array([0, 2, 1])
    check(lambda m, x: F(m).cross_entropy(x * 1000, from_numpy(m, target)),
          randn(3, 3, dtype=np.float64))


def test_classification_errors_match_torch():
    cases = [
        lambda m: F(m).nll_loss(m.zeros(3, 4), m.tensor([1, 2])),
        lambda m: F(m).nll_loss(m.zeros(3, 4), m.tensor([1, 2, 5])),
        lambda m: F(m).nll_loss(m.zeros(3, 4), m.tensor([1.0, 2.0, 3.0])),
        lambda m: F(m).cross_entropy(m.zeros(3, 4), m.zeros(3, 5)),
        lambda m: F(m).cross_entropy(m.zeros(3, 4), m.tensor([1, 2, 3]), label_smoothing=1.5),
        lambda m: F(m).nll_loss(m.zeros(3, 4, 5), m.tensor([1, 2, 0])),
        lambda m: F(m).nll_loss(m.zeros(3, 4), m.tensor([1, 2, 0]), weight=m.ones(3)),
        lambda m: F(m).binary_cross_entropy(m.tensor([1.5]), m.tensor([1.0])),
        lambda m: F(m).binary_cross_entropy(m.tensor([0.5]), m.tensor([1.0, 0.0])),
        lambda m: F(m).binary_cross_entropy_with_logits(m.zeros(2), m.zeros(3)),
        lambda m: F(m).mse_loss(m.zeros(2), m.zeros(2), reduction="bad"),
        lambda m: F(m).smooth_l1_loss(m.zeros(2), m.zeros(2), beta=-1.0),
        lambda m: F(m).huber_loss(m.zeros(2), m.zeros(2), delta=-1.0),
        lambda m: F(m).kl_div(m.zeros(2), m.zeros(2), reduction="bad"),
        lambda m: F(m).triplet_margin_loss(m.zeros(2, 3), m.zeros(2, 3), m.zeros(2, 3),
                                           margin=0.0),
    ]
    for case in cases:
        with pytest.raises(Exception) as expected:
            case(torch)
        with pytest.raises(type(expected.value)) as actual:
            case(rustorch)
        assert isinstance(actual.value, rustorch.RusTorchError), case
        first = str(expected.value).split("(")[0][:25]
        assert str(actual.value).startswith(first), (str(actual.value), str(expected.value))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    probabilities = rand(4, 3, low=0.05, high=0.95)
    weight = rand(3, low=0.5, high=2.0) if weighted else None
    check(lambda m, x, y, w: F(m).binary_cross_entropy(x, y, weight=w, reduction=reduction),
          probabilities, rand(4, 3), weight, requires_grad=[True, True, False])


def test_binary_cross_entropy_clamps_logs():
    data = np.array([0.0, 1.0, 0.5, 1e-40], dtype=np.float32)
    target = np.array([1.0, 0.0, 1.0, 1.0], dtype=np.float32)
    check(lambda m, x, y: F(m).binary_cross_entropy(x, y, reduction="none"), data, target,
          requires_grad=[False, False])
    check(lambda m, x, y: F(m).binary_cross_entropy(x, y), data[2:], target[2:], rtol=1e-4,
          requires_grad=[True, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_binary_cross_entropy_with_logits(reduction, options):
    weight = rand(3, low=0.5, high=2.0) if options in ("weight", "both") else None
    pos_weight = rand(3, low=0.5, high=3.0) if options in ("pos_weight", "both") else None
    check(lambda m, x, y, w, p: F(m).binary_cross_entropy_with_logits(
        x, y, weight=w, pos_weight=p, reduction=reduction),
        randn(4, 3) * 10, rand(4, 3), weight, pos_weight,
        requires_grad=[True, True, False, False])


def test_bce_with_logits_stable_for_large_logits():
    check(lambda m, x, y: F(m).binary_cross_entropy_with_logits(x, y, reduction="none"),
          np.array([-200.0, 200.0, 0.0, 50.0], dtype=np.float32),
          np.array([1.0, 0.0, 0.5, 1.0], dtype=np.float32))


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    target = rand(3, 4)
    target[0, 0] = 0.0
    if log_target:
        target = np.log(target + 0.1).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda m, x, y: F(m).kl_div(x, y, reduction=reduction, log_target=log_target),
              np.log(rand(3, 4)), target, requires_grad=[True, False])
        check(lambda m, x, y: F(m).kl_div(x, y, reduction=reduction, log_target=log_target),
              np.log(rand(3, 4)), rand(3, 4) + 0.1)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_and_embedding_losses(reduction):
    sign = np.array([1.0, -1.0, 1.0, -1.0], dtype=np.float32)
    check(lambda m, a, b: F(m).margin_ranking_loss(a, b, from_numpy(m, sign), 0.3,
                                                   reduction=reduction), randn(4), randn(4))
    check(lambda m, x: F(m).hinge_embedding_loss(x, from_numpy(m, sign), 0.5,
                                                 reduction=reduction), randn(4))
    check(lambda m, a, b: F(m).cosine_embedding_loss(a, b, from_numpy(m, sign), 0.1,
                                                     reduction=reduction),
          randn(4, 5), randn(4, 5))
    for swap in (False, True):
        check(lambda m, a, p, n: F(m).triplet_margin_loss(a, p, n, 1.0, 2, swap=swap,
                                                          reduction=reduction),
              randn(4, 5), randn(4, 5), randn(4, 5))
    check(lambda m, a, p, n: F(m).triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda x, y: (x - y).abs().sum(-1), reduction=reduction),
        randn(4, 5), randn(4, 5), randn(4, 5))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_likelihood_losses(reduction):
    for log_input in (True, False):
        for full in (False, True):
            check(lambda m, x, y: F(m).poisson_nll_loss(x, y, log_input=log_input, full=full,
                                                        reduction=reduction),
                  rand(3, 4, low=0.1, high=2.0), rand(3, 4, low=0.0, high=3.0))
    for full in (False, True):
        check(lambda m, x, y, v: F(m).gaussian_nll_loss(x, y, v, full=full,
                                                        reduction=reduction),
              randn(3, 4), randn(3, 4), rand(3, 4, low=0.1))
    check(lambda m, x, y, v: F(m).gaussian_nll_loss(x, y, v, reduction=reduction),
          randn(3, 4), randn(3, 4), rand(3, low=0.1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_and_multi_margin(reduction):
    labels = (rand(3, 4) > 0.5).astype(np.float32)
    check(lambda m, x, w: F(m).multilabel_soft_margin_loss(
        x, from_numpy(m, labels), weight=w, reduction=reduction), randn(3, 4),
        rand(4), requires_grad=[True, False])
    target = np.array([0, 3, 1])
    for p in (1, 2):
        check(lambda m, x, w: F(m).multi_margin_loss(x, from_numpy(m, target), p=p,
                                                     margin=0.7, weight=w,
                                                     reduction=reduction),
              randn(3, 4), rand(4), requires_grad=[True, False])
    multi = np.array([[3, 0, -1, 1], [1, 2, 0, 3], [0, -1, 2, 2]])
    check(lambda m, x: F(m).multilabel_margin_loss(x, from_numpy(m, multi),
                                                   reduction=reduction), randn(3, 4))


MODULES = [
    (lambda m: m.nn.MSELoss(), "regression"), (lambda m: m.nn.L1Loss(reduction="sum"),
                                               "regression"),
    (lambda m: m.nn.SmoothL1Loss(beta=0.5), "regression"),
    (lambda m: m.nn.HuberLoss(delta=0.5), "regression"),
    (lambda m: m.nn.SoftMarginLoss(), "regression"),
    (lambda m: m.nn.CrossEntropyLoss(weight=m.arange(1.0, 5.0), ignore_index=1,
                                     label_smoothing=0.1), "classes"),
    (lambda m: m.nn.NLLLoss(weight=m.arange(1.0, 5.0), reduction="sum"), "classes"),
    (lambda m: m.nn.MultiMarginLoss(), "classes"),
    (lambda m: m.nn.BCELoss(weight=m.ones(4) * 0.5), "probability"),
    (lambda m: m.nn.BCEWithLogitsLoss(pos_weight=m.arange(1.0, 5.0)), "probability"),
    (lambda m: m.nn.MultiLabelSoftMarginLoss(), "probability"),
    (lambda m: m.nn.KLDivLoss(reduction="batchmean"), "probability"),
    (lambda m: m.nn.PoissonNLLLoss(), "probability"),
]


@pytest.mark.parametrize("index", range(len(MODULES)))
def test_loss_modules(index):
    build, kind = MODULES[index]
    inputs = {"regression": (randn(3, 4), randn(3, 4)),
              "classes": (randn(3, 4), randint(0, 4, (3,))),
              "probability": (rand(3, 4, low=0.05, high=0.95), rand(3, 4))}[kind]
    rust_module, torch_module = compare_module(build, *inputs, input_grad=[True, False])
    assert repr(rust_module) == repr(torch_module)
    assert list(rust_module.state_dict()) == list(torch_module.state_dict())


def test_multi_input_loss_modules():
    sign = np.array([1.0, -1.0, 1.0], dtype=np.float32)
    compare_module(lambda m: m.nn.MarginRankingLoss(0.2), randn(3), randn(3), sign,
                   input_grad=[True, True, False])
    compare_module(lambda m: m.nn.CosineEmbeddingLoss(0.1), randn(3, 4), randn(3, 4), sign,
                   input_grad=[True, True, False])
    compare_module(lambda m: m.nn.HingeEmbeddingLoss(), randn(3), sign,
                   input_grad=[True, False])
    compare_module(lambda m: m.nn.TripletMarginLoss(swap=True), randn(3, 4), randn(3, 4),
                   randn(3, 4))
    compare_module(lambda m: m.nn.TripletMarginWithDistanceLoss(), randn(3, 4), randn(3, 4),
                   randn(3, 4))
    compare_module(lambda m: m.nn.GaussianNLLLoss(), randn(3, 4), randn(3, 4),
                   rand(3, 4, low=0.1), input_grad=[True, True, False])
    assert repr(rustorch.nn.TripletMarginWithDistanceLoss()) == \
        repr(torch.nn.TripletMarginWithDistanceLoss())


def test_legacy_reduction_arguments():
    with pytest.warns(UserWarning):
        module = rustorch.nn.MSELoss(size_average=False)
    assert module.reduction == "sum"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda m, x, y: F(m).mse_loss(x, y, reduce=False), randn(3), randn(3))


def test_one_hot():
    labels = np.array([[0, 2], [1, 3]])
    check(lambda m: F(m).one_hot(from_numpy(m, labels)))
    check(lambda m: F(m).one_hot(from_numpy(m, labels), 6))
    with pytest.raises(RuntimeError):
        rustorch.nn.functional.one_hot(rustorch.tensor([1.0]))
    with pytest.raises(RuntimeError):
        rustorch.nn.functional.one_hot(rustorch.tensor([4]), 3)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_losses(dtype):
    import ml_dtypes
    numpy_dtype = np.float16 if dtype == "float16" else ml_dtypes.bfloat16
    target = np.array([0, 3, 1])
    check(lambda m, x: F(m).cross_entropy(x, from_numpy(m, target)),
          randn(3, 4, dtype=numpy_dtype))
    check(lambda m, x, y: F(m).mse_loss(x, y), randn(3, 4, dtype=numpy_dtype),
          randn(3, 4, dtype=numpy_dtype))
    check(lambda m, x, y: F(m).binary_cross_entropy_with_logits(x, y),
          randn(3, 4, dtype=numpy_dtype), rand(3, 4).astype(numpy_dtype))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_fused_cross_entropy_gradcheck_and_double_backward(reduction):
    """(N, C) logits with class indices take one fused primitive; its Tensor-op backward is
    differentiable again."""
    from rustorch.autograd.gradcheck import gradcheck, gradgradcheck
    target = to_rustorch(np.array([1, -100, 3, 0, 2]))
    weight = to_rustorch(rand(4, low=0.5, high=2.0, dtype=np.float64))
    logits = to_rustorch(randn(5, 4, dtype=np.float64), requires_grad=True)

    def loss(x):
        return F(rustorch).cross_entropy(x, target, weight=weight, reduction=reduction)
    assert gradcheck(loss, (logits,))
    assert gradgradcheck(loss, (logits,))
    assert loss(logits).grad_fn.name() == "NllLossBackward0"


def test_fused_cross_entropy_large_and_all_ignored_match_torch():
    target = randint(0, 3000, (512,))
    check(lambda m, x: F(m).cross_entropy(x, from_numpy(m, target)),
          randn(512, 3000) * 4)
    ignored = np.full(6, -100)
    check(lambda m, x: F(m).cross_entropy(x, from_numpy(m, ignored)), randn(6, 5))
    check(lambda m, x: F(m).cross_entropy(x, from_numpy(m, ignored), reduction="sum"),
          randn(6, 5))
