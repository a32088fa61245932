"""The ``torch.*`` spellings of ``nn.functional`` ops, with ATen's signatures (integer
reductions, cudnn flags, (values, indices) pairs), against torch."""
import pytest

from tests._oracle import check, rand, randn

X = randn(2, 4, 6)
IMAGE = randn(2, 4, 6, 6)

CASES = [
    ("cosine_similarity", lambda m, a, b: m.cosine_similarity(a, b, dim=1), (X, randn(2, 4, 6))),
    ("pairwise_distance", lambda m, a, b: m.pairwise_distance(a, b), (randn(3, 5), randn(3, 5))),
    ("pixel_shuffle", lambda m, x: m.pixel_shuffle(x, 2), (IMAGE,)),
    ("pixel_unshuffle", lambda m, x: m.pixel_unshuffle(x, 2), (IMAGE,)),
    ("channel_shuffle", lambda m, x: m.channel_shuffle(x, 2), (IMAGE,)),
    ("conv_transpose2d", lambda m, x, w: m.conv_transpose2d(x, w, None, 2, 1),
     (IMAGE, randn(4, 3, 3, 3))),
    ("conv_transpose1d", lambda m, x, w: m.conv_transpose1d(x, w), (X, randn(4, 2, 3))),
    ("avg_pool1d", lambda m, x: m.avg_pool1d(x, 2), (X,)),
    ("adaptive_avg_pool1d", lambda m, x: m.adaptive_avg_pool1d(x, 3), (X,)),
    ("adaptive_max_pool1d", lambda m, x: m.adaptive_max_pool1d(x, 3), (X,)),
    ("max_pool1d", lambda m, x: m.max_pool1d(x, 2), (X,)),
    ("max_pool2d", lambda m, x: m.max_pool2d(x, [3, 3], [2, 2], [1, 1]), (IMAGE,)),
    ("max_pool2d_ceil", lambda m, x: m.max_pool2d(x, 3, 2, 0, 1, True), (IMAGE,)),
    ("max_pool3d", lambda m, x: m.max_pool3d(x, 2), (randn(1, 2, 4, 4, 4),)),
    ("max_pool1d_with_indices", lambda m, x: m.max_pool1d_with_indices(x, 2), (X,)),
    ("layer_norm", lambda m, x, w, b: m.layer_norm(x, [6], w, b, 1e-5, False),
     (X, randn(6), randn(6))),
    ("group_norm", lambda m, x, w, b: m.group_norm(x, 2, w, b, 1e-5, True),
     (IMAGE, randn(4), randn(4))),
    ("batch_norm", lambda m, x, w, b: m.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, True),
     (IMAGE, randn(4), randn(4))),
    ("instance_norm", lambda m, x, w, b: m.instance_norm(x, w, b, None, None, True, 0.1, 1e-5,
                                                          False), (IMAGE, randn(4), randn(4))),
    ("rms_norm", lambda m, x, w: m.rms_norm(x, [6], w, 1e-6), (X, randn(6))),
    ("kl_div", lambda m, x, t: m.kl_div(x, t, 2), (randn(3, 4), rand(3, 4))),
    ("kl_div_log_target", lambda m, x, t: m.kl_div(x, t, 0, log_target=True),
     (randn(3, 4), randn(3, 4))),
    ("bce_with_logits", lambda m, x, t: m.binary_cross_entropy_with_logits(
        x, t, None, m.tensor([0.5, 1.0, 2.0, 3.0]), 1), (randn(3, 4), rand(3, 4))),
    ("hinge_embedding_loss", lambda m, x: m.hinge_embedding_loss(
        x, m.tensor([[1.0, -1.0, 1.0, -1.0]] * 3), 1.0, 0), (randn(3, 4),)),
    ("margin_ranking_loss", lambda m, a, b: m.margin_ranking_loss(
        a, b, m.tensor([1.0, -1.0, 1.0]), 0.5, 2), (randn(3), randn(3))),
    ("cosine_embedding_loss", lambda m, a, b: m.cosine_embedding_loss(
        a, b, m.tensor([1.0, -1.0, 1.0]), 0.1, 1), (randn(3, 4), randn(3, 4))),
    ("triplet_margin_loss", lambda m, a, p, n: m.triplet_margin_loss(a, p, n, 1.0, 2.0, 1e-6,
                                                                     True, 1),
     (randn(3, 4), randn(3, 4), randn(3, 4))),
    ("poisson_nll_loss", lambda m, x, t: m.poisson_nll_loss(x, t, True, True, 1e-8, 1),
     (randn(3, 4), rand(3, 4, high=3.0))),
    ("clamp_min", lambda m, x: m.clamp_min(x, 0.1), (X,)),
    ("clamp_max_tensor", lambda m, x, y: m.clamp_max(x, y), (X, randn(6))),
]


@pytest.mark.parametrize("name,fn,inputs", CASES, ids=[c[0] for c in CASES])
def test_torch_namespace_alias_matches_torch(name, fn, inputs):
    check(fn, *inputs)


def test_predicates():
    from tests._oracle import rustorch, torch
    for m in (torch, rustorch):
        assert m.is_signed(m.ones(2, dtype=m.int8)) and not m.is_signed(m.ones(2, dtype=m.uint8))
        assert m.is_same_size(m.ones(2, 3), m.zeros(2, 3))
        assert not m.is_same_size(m.ones(2, 3), m.zeros(3, 2))


@pytest.mark.parametrize("reduction", [3, 5, -1])
def test_unknown_integer_reduction_means_none(reduction):
    """ATen reads any integer other than 1 and 2 as no reduction."""
    x, y = rand(3, 4), rand(3, 4)
    check(lambda m, a, b: m.kl_div(a.log(), b, reduction), x, y)
    check(lambda m, a, b: m.binary_cross_entropy_with_logits(a, b, None, None, reduction), x, y)
    check(lambda m, a, b: m.cosine_embedding_loss(a, b, m.ones(3), 0.0, reduction), x, y)


# ----------------------------------------------------------------- ATen's native normalizations
def test_native_layer_norm_like_torch():
    check(lambda m, x, w, b: m.native_layer_norm(x, [4], w, b, 1e-5), randn(2, 3, 4),
          randn(4), randn(4))
    check(lambda m, x: m.native_layer_norm(x, [3, 4], None, None, 1e-3), randn(2, 3, 4))


def test_native_batch_norm_like_torch():
    from tests._oracle import rustorch, torch
    check(lambda m, x, w, b: m.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5),
          randn(4, 3, 5), randn(3), randn(3))
    running = []
    for m in (torch, rustorch):  # running statistics updated; none returned outside training
        mean, var = m.zeros(3), m.ones(3)
        x = m.arange(60.).reshape(4, 3, 5)
        m.native_batch_norm(x, None, None, mean, var, True, 0.1, 1e-5)
        running.append([round(v, 4) for v in mean.tolist() + var.tolist()])
        _, empty_mean, empty_invstd = m.native_batch_norm(x, None, None, mean, var, False,
                                                          0.1, 1e-5)
        assert tuple(empty_mean.shape) == tuple(empty_invstd.shape) == (0,)
    assert running[0] == running[1]


def test_native_group_norm_like_torch():
    check(lambda m, x, w, b: m.native_group_norm(x, w, b, 2, 6, 5, 3, 1e-5), randn(2, 6, 5),
          randn(6), randn(6))


def test_native_dropout_and_channel_shuffle():
    from tests._oracle import rustorch, torch
    check(lambda m, x: m.native_channel_shuffle(x, 2), randn(2, 4, 3), grad=False)
    check(lambda m, x: m.native_dropout(x, 0.5, False), randn(3, 4))
    x = rustorch.ones(2000, requires_grad=True)
    output, keep = rustorch.native_dropout(x, 0.25, True)
    assert keep.dtype is rustorch.bool and 0.6 < keep.float().mean().item() < 0.9
    assert rustorch.equal(output, keep.float() / 0.75)
    output.sum().backward()
    assert rustorch.equal(x.grad, keep.float() / 0.75)
    assert output.grad_fn.name() == type(torch.native_dropout(torch.ones(2, requires_grad=True),
                                                              0.5, True)[0].grad_fn).__name__
