"""Autocast (rustorch/amp/autocast_mode.py, rustorch/amp/_dispatch.py) against torch 2.13:
output dtypes and values of the ops on the CPU lists under ``autocast("cpu", bfloat16)``,
their gradients, nesting, decorators, threads, the weight cache and the warnings.

On a GPU test device: the tests of the CPU lists are ``cpu_only`` (``autocast("cpu")`` leaves
CUDA tensors alone, in torch as in rustorch); the tests of CPU autocast's switches run on
explicit CPU tensors; the weight cache, ``custom_fwd`` and an MLP run rustorch under the test
device's autocast against torch's CPU autocast, with float16 (CuPy has no bfloat16) and ops
whose entry is the same on torch's CPU and CUDA lists (mm, linear, cross_entropy); and the CUDA
lists are wired on CUDA tensors."""
import threading
import warnings

import ml_dtypes
import numpy as np
import pytest

import rustorch
from rustorch.amp._dispatch import POLICIES, autocast_state
from tests._oracle import DEVICE, ON_CPU, check, check_error, rand, randint, randn, torch

BF16, F16, F64 = ml_dtypes.bfloat16, np.float16, np.float64
BF16_TOL = dict(rtol=3e-2, atol=3e-2, grad_rtol=3e-2, grad_atol=3e-2)
# the lower-precision type of the tests that run on the test device (CuPy has no bfloat16)
AMP_DTYPE = "bfloat16" if ON_CPU or rustorch.cuda.is_bf16_supported() else "float16"


def amp_device(m):
    """The autocast device type: torch, the oracle, on the CPU; rustorch on the test device."""
    return "cpu" if m is torch else DEVICE


def nnf(m):
    return m.nn.functional


def under_autocast(op):
    """``op(m, *tensors)`` run inside ``m.autocast("cpu", dtype=m.bfloat16)``."""
    def run(m, *tensors):
        with m.autocast("cpu", dtype=m.bfloat16):
            return op(m, *tensors)
    return run


def bf(*shape):
    return randn(*shape, dtype=BF16)


def signs(n):
    return np.sign(randn(n)).astype(BF16)


def spd(n):
    a = randn(n, n)
    return (a @ a.T + n * np.eye(n)).astype(np.float32)


LOWER = [  # float32 in, bfloat16 out
    ("matmul", lambda m, a, b: m.matmul(a, b), randn(3, 4), randn(4, 5)),
    ("matmul_operator_batched", lambda m, a, b: a @ b, randn(2, 3, 4), randn(4, 2)),
    ("mm", lambda m, a, b: m.mm(a, b), randn(3, 4), randn(4, 5)),
    ("bmm", lambda m, a, b: a.bmm(b), randn(2, 3, 4), randn(2, 4, 5)),
    ("addmm", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5), randn(3, 5), randn(3, 4), randn(4, 5)),
    ("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b), randn(2, 3, 5), randn(2, 3, 4),
     randn(2, 4, 5)),
    ("addbmm", lambda m, c, a, b: m.addbmm(c, a, b), randn(3, 5), randn(2, 3, 4), randn(2, 4, 5)),
    ("linear", lambda m, x, w, b: nnf(m).linear(x, w, b), randn(2, 3, 4), randn(5, 4), randn(5)),
    ("linear_bfloat16_input", lambda m, x, w: nnf(m).linear(x, w), bf(3, 4), randn(5, 4)),
    ("conv1d", lambda m, x, w, b: nnf(m).conv1d(x, w, b, padding=1), randn(2, 3, 7),
     randn(4, 3, 3), randn(4)),
    ("conv2d", lambda m, x, w: m.conv2d(x, w, stride=2), randn(1, 2, 6, 6), randn(3, 2, 3, 3)),
    ("conv2d_half_weight", lambda m, x, w: nnf(m).conv2d(x, w), randn(1, 2, 5, 5),
     randn(3, 2, 3, 3, dtype=F16)),
    ("conv3d", lambda m, x, w: nnf(m).conv3d(x, w), randn(1, 2, 4, 4, 4), randn(2, 2, 2, 2, 2)),
    ("conv_transpose1d", lambda m, x, w: nnf(m).conv_transpose1d(x, w, stride=2),
     randn(1, 3, 5), randn(3, 2, 3)),
    ("conv_transpose2d", lambda m, x, w, b: nnf(m).conv_transpose2d(x, w, b),
     randn(1, 3, 4, 4), randn(3, 2, 3, 3), randn(2)),
    ("conv_transpose3d", lambda m, x, w: nnf(m).conv_transpose3d(x, w),
     randn(1, 2, 3, 3, 3), randn(2, 2, 2, 2, 2)),
    ("prelu", lambda m, x, w: nnf(m).prelu(x, w), randn(2, 3, 4), rand(3)),
    ("vecdot", lambda m, a, b: m.linalg.vecdot(a, b), randn(3, 4), randn(3, 4)),
    ("einsum", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), randn(2, 3, 4), randn(2, 4, 5)),
    ("tensordot", lambda m, a, b: m.tensordot(a, b, dims=1), randn(3, 4), randn(4, 5)),
    ("inner", lambda m, a, b: m.inner(a, b), randn(3, 4), randn(5, 4)),
    ("multi_dot", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), randn(3, 4), randn(4, 5),
     randn(5, 2)),
    ("matrix_power", lambda m, a: m.linalg.matrix_power(a, 3), randn(3, 3)),
    ("linear_module", lambda m, x: m.nn.Linear(4, 3)(x).dtype is m.bfloat16, randn(2, 4)),
]

UNLISTED = [  # not on the CPU lists: the dtype they are given is kept
    ("mv", lambda m, a, b: m.mv(a, b), randn(3, 4), randn(4)),
    ("dot", lambda m, a, b: m.dot(a, b), randn(4), randn(4)),
    ("vdot", lambda m, a, b: m.vdot(a, b), randn(4), randn(4)),
    ("addmv", lambda m, c, a, b: m.addmv(c, a, b), randn(3), randn(3, 4), randn(4)),
    ("addr", lambda m, c, a, b: m.addr(c, a, b), randn(3, 4), randn(3), randn(4)),
    ("bilinear", lambda m, a, b, w: nnf(m).bilinear(a, b, w), randn(2, 3), randn(2, 4),
     randn(5, 3, 4)),
    ("einsum_one_operand", lambda m, a: m.einsum("ij->ji", a), randn(3, 4)),
    ("einsum_outer", lambda m, a, b: m.einsum("i,j->ij", a, b), randn(3), randn(2)),
    ("matrix_exp", lambda m, a: m.linalg.matrix_exp(a), randn(3, 3) / 3),
    ("linear_float64", lambda m, x, w: nnf(m).linear(x, w), randn(2, 3, dtype=F64),
     randn(4, 3, dtype=F64)),
    ("softmax", lambda m, x: m.softmax(x, -1), randn(2, 5)),
    ("log_softmax_bfloat16", lambda m, x: x.log_softmax(-1), bf(2, 5)),
    ("layer_norm_bfloat16", lambda m, x, w: nnf(m).layer_norm(x, (4,), w), bf(3, 4), bf(4)),
    ("group_norm", lambda m, x: nnf(m).group_norm(x, 2), randn(2, 4, 3)),
    ("exp_bfloat16", lambda m, x: x.exp(), bf(5)),
    ("sum_bfloat16", lambda m, x: x.sum(), bf(5)),
    ("cumsum", lambda m, x: m.cumsum(x, 0), randn(5)),
    ("pow", lambda m, x: x ** 2, randn(5)),
    ("pad_circular_bfloat16", lambda m, x: nnf(m).pad(x, (1, 1), mode="circular"), bf(1, 2, 5)),
    ("pad_reflect_3d_bfloat16", lambda m, x: nnf(m).pad(x, (1,) * 6, mode="reflect"),
     bf(1, 1, 3, 3, 3)),
    ("max_pool3d_indices_bfloat16", lambda m, x: nnf(m).max_pool3d(
        x, 2, return_indices=True)[0], bf(1, 1, 4, 4, 4)),
]

LABELS = randint(0, 3, (4,))
FLOAT32 = [  # bfloat16 in, float32 out
    ("cross_entropy", lambda m, x, t: nnf(m).cross_entropy(x, t), bf(4, 3), LABELS),
    ("cross_entropy_module", lambda m, x, t: m.nn.CrossEntropyLoss(label_smoothing=0.1)(x, t),
     bf(4, 3), LABELS),
    ("nll_loss", lambda m, x, t, w: nnf(m).nll_loss(x, t, w), bf(4, 3),
     LABELS, rand(3, dtype=BF16)),
    ("mse_loss", lambda m, x, y: nnf(m).mse_loss(x, y), bf(4, 3), randn(4, 3)),
    ("l1_loss", lambda m, x, y: nnf(m).l1_loss(x, y), bf(4), bf(4)),
    ("smooth_l1_loss", lambda m, x, y: nnf(m).smooth_l1_loss(x, y), bf(6), bf(6)),
    ("huber_loss", lambda m, x, y: nnf(m).huber_loss(x, y), bf(6), bf(6)),
    ("kl_div", lambda m, x, y: nnf(m).kl_div(x, y, reduction="batchmean"),
     bf(2, 3), rand(2, 3, dtype=BF16)),
    ("binary_cross_entropy", lambda m, x, y: nnf(m).binary_cross_entropy(x, y),
     rand(4, low=0.1, high=0.9, dtype=BF16), rand(4, dtype=BF16)),
    ("bce_with_logits", lambda m, x, y: nnf(m).binary_cross_entropy_with_logits(x, y),
     bf(4), rand(4, dtype=BF16)),
    ("soft_margin", lambda m, x, y: nnf(m).soft_margin_loss(x, y), bf(4), signs(4)),
    ("margin_ranking", lambda m, a, b, y: nnf(m).margin_ranking_loss(a, b, y),
     bf(4), bf(4), signs(4)),
    ("hinge_embedding", lambda m, x, y: nnf(m).hinge_embedding_loss(x, y), bf(4), signs(4)),
    ("cosine_embedding", lambda m, a, b, y: nnf(m).cosine_embedding_loss(a, b, y),
     bf(4, 3), bf(4, 3), signs(4)),
    ("triplet_margin", lambda m, a, p, n: nnf(m).triplet_margin_loss(a, p, n),
     bf(4, 3), bf(4, 3), bf(4, 3)),
    ("poisson_nll", lambda m, x, y: nnf(m).poisson_nll_loss(x, y), bf(4), rand(4, dtype=BF16)),
    ("multi_margin", lambda m, x, t: nnf(m).multi_margin_loss(x, t), bf(4, 3), LABELS),
    ("multilabel_margin", lambda m, x, t: nnf(m).multilabel_margin_loss(x, t),
     bf(2, 3), np.array([[0, 2, -1], [1, -1, 0]])),
    ("prod", lambda m, x: x.prod(), rand(5, low=0.5, high=1.5, dtype=BF16)),
    ("cdist", lambda m, a, b: m.cdist(a, b), bf(4, 3), bf(5, 3)),
    ("trace", lambda m, x: m.trace(x), bf(3, 3)),
    ("quantile", lambda m, x: m.quantile(x, 0.3), bf(7)),
    ("pad_reflect_1d", lambda m, x: nnf(m).pad(x, (2, 1), mode="reflect"), bf(1, 2, 5)),
    ("pad_reflect_2d", lambda m, x: nnf(m).pad(x, (1, 1, 1, 1), mode="reflect"), bf(1, 1, 4, 4)),
    ("pad_replicate_3d", lambda m, x: nnf(m).pad(x, (1,) * 6, mode="replicate"), bf(1, 1, 2, 2, 2)),
    ("max_pool3d", lambda m, x: nnf(m).max_pool3d(x, 2), bf(1, 1, 4, 4, 4)),
    ("avg_pool3d", lambda m, x: nnf(m).avg_pool3d(x, 2), bf(1, 1, 4, 4, 4)),
    ("adaptive_avg_pool3d", lambda m, x: nnf(m).adaptive_avg_pool3d(x, 2), bf(1, 2, 4, 4, 4)),
    ("adaptive_max_pool3d", lambda m, x: nnf(m).adaptive_max_pool3d(x, 2), bf(1, 2, 4, 4, 4)),
    ("grid_sample", lambda m, x, g: nnf(m).grid_sample(x, g, align_corners=False),
     bf(1, 1, 4, 4), rand(1, 2, 2, 2, low=-1, high=1, dtype=BF16)),
    ("linalg_inv", lambda m, a: m.linalg.inv(a), spd(3).astype(BF16)),
    ("linalg_solve", lambda m, a, b: m.linalg.solve(a, b), spd(3).astype(BF16), bf(3, 2)),
    ("inverse", lambda m, a: m.inverse(a), spd(3).astype(BF16)),
    ("linalg_cholesky", lambda m, a: m.linalg.cholesky(a), spd(3).astype(BF16)),
    ("linalg_eigvalsh", lambda m, a: m.linalg.eigvalsh(a), spd(3).astype(BF16)),
    ("linalg_svdvals", lambda m, a: m.linalg.svdvals(a), spd(3).astype(BF16)),
    ("linalg_lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution, spd(3).astype(BF16), bf(3, 2)),
    ("fft", lambda m, x: m.fft.fft(x), bf(8)),
    ("polar", lambda m, a, b: m.polar(a, b), rand(3, dtype=BF16), bf(3)),
]

NO_GRAD = {"nll_loss", "linear_module"}

TARGETS_LAST = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
                "binary_cross_entropy", "bce_with_logits", "soft_margin", "margin_ranking",
                "hinge_embedding", "cosine_embedding", "poisson_nll"}  # no gradient for targets

PROMOTE = [
    ("cat_mixed", lambda m, a, b: m.cat([a, b]), bf(2, 3), randn(2, 3)),
    ("cat_bfloat16", lambda m, a, b: m.cat((a, b), 1), bf(2, 3), bf(2, 1)),
    ("cat_float64", lambda m, a, b: m.cat([a, b]), bf(2, 3), randn(2, 3, dtype=F64)),
    ("stack_mixed", lambda m, a, b: m.stack([a, b]), bf(3), randn(3)),
    ("hstack_mixed", lambda m, a, b: m.hstack([a, b]), bf(2), randn(3)),
    ("index_copy", lambda m, x, s: x.index_copy(0, m.tensor([0, 2]), s), bf(4, 3), randn(2, 3)),
]

CASES = LOWER + UNLISTED + FLOAT32 + PROMOTE


@pytest.mark.cpu_only  # CPU autocast's lists: autocast("cpu") leaves CUDA tensors alone, as torch's
@pytest.mark.parametrize("name,op,inputs", [(c[0], c[1], c[2:]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_op_under_cpu_autocast(name, op, inputs):
    """dtype exactly, values and input gradients within bfloat16's tolerance."""
    requires_grad = None
    if name in TARGETS_LAST:
        requires_grad = [True] * (len(inputs) - 1) + [False]
    check(under_autocast(op), *inputs, grad=name not in NO_GRAD, requires_grad=requires_grad,
          **BF16_TOL)


def test_promote_error_and_out_argument():
    """Two different lower-precision types can't be promoted; ``out=`` calls are not cast."""
    check_error(under_autocast(lambda m: m.cat([m.ones(2, dtype=m.bfloat16, device="cpu"),
                                                 m.ones(2, dtype=m.float16, device="cpu")])))
    for m in (torch, rustorch):
        result = m.empty(2, 2)
        with m.autocast(amp_device(m)):
            m.mm(m.ones(2, 2), m.ones(2, 2), out=result)
        assert str(result.dtype).endswith("float32")


def test_mlp_gradients_reach_float32_parameters_in_float32():
    def run(m, x, target, w1, b1, w2, b2):
        with m.autocast(amp_device(m), dtype=getattr(m, AMP_DTYPE)):
            hidden = nnf(m).linear(x, w1, b1).relu()
            return nnf(m).cross_entropy(nnf(m).linear(hidden, w2, b2), target)
    check(run, randn(5, 4), randint(0, 3, (5,)), randn(8, 4), randn(8), randn(3, 8), randn(3),
          requires_grad=[False, False, True, True, True, True], **BF16_TOL)


@pytest.mark.parametrize("cache_enabled", [True, False])
def test_weight_cache_for_a_reused_weight(cache_enabled):
    """torch caches the cast of a float32 leaf weight within the region: a weight used twice
    sums its gradient in bfloat16 before the cast back. Outputs and gradients match torch."""
    def run(m, x, w):
        with m.autocast(amp_device(m), dtype=getattr(m, AMP_DTYPE), cache_enabled=cache_enabled):
            return nnf(m).linear(nnf(m).linear(x, w), w)
    check(run, randn(3, 4), randn(4, 4), **BF16_TOL)
    weight = rustorch.randn(4, 4, requires_grad=True)
    with rustorch.autocast(DEVICE, cache_enabled=cache_enabled):
        first = rustorch.mm(weight, weight)
        assert (first.grad_fn.next_functions[0][0] is first.grad_fn.next_functions[1][0]) \
            == cache_enabled
        assert len(autocast_state.cache) == int(cache_enabled)
        with rustorch.autocast(DEVICE):  # an inner region keeps the cache of the outer one
            pass
        assert len(autocast_state.cache) == int(cache_enabled)
    assert not autocast_state.cache


def test_nesting_disabling_and_restoring():
    for m in (torch, rustorch):
        a = m.ones(2, 2, device="cpu")  # CPU autocast casts CPU tensors only
        with m.autocast("cpu"):
            assert m.mm(a, a).dtype is m.bfloat16
            with m.autocast("cpu", enabled=False):
                assert not m.is_autocast_enabled("cpu")
                assert m.mm(a, a).dtype is m.float32
                with m.autocast("cpu", dtype=m.float16):
                    assert m.mm(a, a).dtype is m.float16
                    assert m.get_autocast_dtype("cpu") is m.float16
                assert m.get_autocast_dtype("cpu") is m.bfloat16
            assert m.mm(a, a).dtype is m.bfloat16
            with pytest.raises(ZeroDivisionError):
                with m.autocast("cpu", enabled=False):
                    1 / 0
            assert m.is_autocast_enabled("cpu")
        assert not m.is_autocast_enabled("cpu") and m.mm(a, a).dtype is m.float32
        assert not m.is_autocast_enabled()  # no device type: CUDA's switch
    assert not autocast_state.active


def test_autocast_on_another_device_leaves_cpu_tensors_alone():
    rustorch.set_autocast_enabled("cuda", True)
    try:
        assert rustorch.is_autocast_enabled() and autocast_state.active
        a = rustorch.ones(2, 2, device="cpu")
        assert rustorch.mm(a, a).dtype is rustorch.float32
    finally:
        rustorch.set_autocast_enabled("cuda", False)
    assert not autocast_state.active


def test_decorator():
    for m in (torch, rustorch):
        @m.autocast("cpu")
        def product(a, depth=0):
            inner = product(a, depth - 1)[0] if depth else a
            return m.mm(inner.float(), a), m.is_autocast_enabled("cpu")

        # torch's decorator shares one instance between calls (recursion would leave autocast
        # on after the outermost call); rustorch enters a copy per call
        a = m.ones(2, 2, device="cpu")  # CPU autocast casts CPU tensors only
        result, enabled = product(a, depth=2 if m is rustorch else 0)
        assert result.dtype is m.bfloat16 and enabled
        assert not m.is_autocast_enabled("cpu")

        @m.amp.autocast("cpu", enabled=False)
        def plain(a):
            return m.mm(a, a)

        with m.autocast("cpu"):
            assert plain(a).dtype is m.float32
    check_error(lambda m: m.autocast("cpu")(3))


def test_state_is_per_thread():
    results = {}

    def worker(name, enter):
        if enter:
            with rustorch.autocast("cpu"):
                results[name] = rustorch.mm(rustorch.ones(2, 2), rustorch.ones(2, 2)).dtype
        else:
            results[name] = (rustorch.is_autocast_enabled("cpu"),
                             rustorch.mm(rustorch.ones(2, 2), rustorch.ones(2, 2)).dtype)

    with rustorch.autocast("cpu", dtype=rustorch.float16):
        thread = threading.Thread(target=worker, args=("other", False))
        thread.start()
        thread.join()
        assert rustorch.get_autocast_dtype("cpu") is rustorch.float16
    assert results["other"] == (False, rustorch.float32)
    thread = threading.Thread(target=worker, args=("entered", True))
    thread.start()
    thread.join()
    assert results["entered"] is rustorch.bfloat16
    assert not rustorch.is_autocast_enabled("cpu")


def capture(function):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function()
    return result, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("make", [
    lambda m: m.autocast("cpu", dtype=m.float32),
    lambda m: m.autocast("cuda"),  # no CUDA in the torch build the tests compare with
    lambda m: m.cpu.amp.autocast(),
    lambda m: m.cuda.amp.autocast(),
    lambda m: m.get_autocast_cpu_dtype(),
    lambda m: m.is_autocast_cpu_enabled(),
], ids=["unsupported_dtype", "cuda_unavailable", "cpu_amp", "cuda_amp", "cpu_dtype",
        "cpu_enabled"])
def test_warnings_match_torch(make):
    if torch.cuda.is_available() or rustorch.cuda.is_available():
        pytest.skip("the warnings compared are those of a machine without CUDA")
    expected_result, expected = capture(lambda: make(torch))
    actual_result, actual = capture(lambda: make(rustorch))
    strip = [(category, message.split(" (Triggered internally")[0]) for category, message in
             expected]
    assert actual == strip
    if hasattr(expected_result, "_enabled"):
        assert actual_result._enabled == expected_result._enabled
        assert str(actual_result.fast_dtype) == str(expected_result.fast_dtype)


def test_errors_and_availability():
    check_error(lambda m: m.autocast(m.device("cpu")))
    check_error(lambda m: m.autocast("not_a_device"))
    check_error(lambda m: m.get_autocast_dtype("not_a_device"))
    for m in (torch, rustorch):
        assert m.amp.is_autocast_available("cpu") and m.amp.is_autocast_available("cuda")
        assert m.get_autocast_dtype("cpu") is m.bfloat16
        assert m.get_autocast_dtype("cuda") is m.float16
        assert m.is_autocast_cache_enabled()
    assert not rustorch.amp.is_autocast_available("xpu")
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'xpu'"):
        rustorch.autocast("xpu")


def test_functional_switches_and_nesting_counter():
    for m in (torch, rustorch):
        m.set_autocast_enabled("cpu", True)
        m.set_autocast_dtype("cpu", m.float16)
        assert m.is_autocast_enabled("cpu")
        a = m.ones(1, 1, device="cpu")  # CPU autocast casts CPU tensors only
        assert m.mm(a, a).dtype is m.float16
        m.set_autocast_enabled("cpu", False)
        m.set_autocast_dtype("cpu", m.bfloat16)
        assert [m.autocast_increment_nesting(), m.autocast_increment_nesting(),
                m.autocast_decrement_nesting(), m.autocast_decrement_nesting()] == [1, 2, 1, 0]
        m.set_autocast_enabled(True)  # one argument: CUDA
        assert m.is_autocast_enabled("cuda")
        m.set_autocast_enabled(False)
    assert not autocast_state.active


def test_custom_fwd_and_custom_bwd():
    def make(m):
        class Scale(m.autograd.Function):
            @staticmethod
            @m.amp.custom_fwd(device_type=amp_device(m), cast_inputs=m.float32)
            def forward(ctx, x, w):
                ctx.save_for_backward(x, w)
                return m.mm(x, w)

            @staticmethod
            @m.amp.custom_bwd(device_type=amp_device(m))
            def backward(ctx, grad):
                x, w = ctx.saved_tensors
                return m.mm(grad, w.t()), m.mm(x.t(), grad)
        return Scale

    def run(m, x, w):
        with m.autocast(amp_device(m), dtype=getattr(m, AMP_DTYPE)):
            out = make(m).apply(x, w)
            return out, m.mm(x, w)
    check(run, randn(3, 4), randn(4, 2), **BF16_TOL)


CUDA_EXPECTED = [  # (op, float32 output expected for float16 input, else float16)
    (lambda m, x: x.exp(), True), (lambda m, x: m.log1p(x.abs()), True),
    (lambda m, x: x ** 2, True), (lambda m, x: x.sum(), True),
    (lambda m, x: x.sum(dtype=m.float16), False), (lambda m, x: x.cumsum(0), True),
    (lambda m, x: m.softmax(x, 0), True), (lambda m, x: x.log_softmax(0), True),
    (lambda m, x: nnf(m).layer_norm(x, (4,)), True), (lambda m, x: nnf(m).softplus(x), True),
    (lambda m, x: m.mv(x.reshape(2, 2), x[:2]), False), (lambda m, x: x.relu(), False),
    (lambda m, x: nnf(m).mse_loss(x, x), True), (lambda m, x: x.mean(), False),
    (lambda m, x: m.dot(x, x), False), (lambda m, x: m.dot(x, x.float()), True),
]


@pytest.mark.parametrize("index", range(len(CUDA_EXPECTED)))
def test_cuda_lists_wiring(monkeypatch, index):
    """CPU tensors dispatched by the CUDA lists (float16): their wiring tested without a GPU
    (on a CUDA test device: CUDA tensors under CUDA autocast)."""
    if ON_CPU:
        monkeypatch.setitem(POLICIES, "cpu", POLICIES["cuda"])
    op, to_float32 = CUDA_EXPECTED[index]
    x = rustorch.rand(4, dtype=rustorch.float16)
    with rustorch.autocast(DEVICE, dtype=rustorch.float16):
        assert op(rustorch, x).dtype is (rustorch.float32 if to_float32 else rustorch.float16)
        if index in (0, 3, 9, 10, 12):  # float64 is never cast
            assert op(rustorch, x.double()).dtype is rustorch.float64
        with pytest.raises(RuntimeError, match="unsafe to autocast"):
            rustorch.nn.functional.binary_cross_entropy(x, x)


def test_float32_list_covers_eig_tensorinv_and_stft():
    """Ops torch's CPU list runs in float32: bfloat16 inputs are cast up under autocast."""
    matrix = np.eye(3, dtype=np.float32) * 2 + 0.1
    signal = np.sin(np.arange(64, dtype=np.float32))
    for m in (torch, rustorch):
        a = m.from_numpy(matrix.copy()).to(m.bfloat16)
        with m.autocast("cpu"):
            assert m.linalg.eigvals(a).dtype == m.complex64
            assert m.linalg.eig(a).eigenvectors.dtype == m.complex64
            assert m.linalg.tensorinv(a, 1).dtype == m.float32
            spectrum = m.stft(m.from_numpy(signal.copy()).to(m.bfloat16), 16,
                              window=m.hann_window(16, device="cpu").to(m.bfloat16),
                              return_complex=True)
            assert spectrum.dtype == m.complex64
