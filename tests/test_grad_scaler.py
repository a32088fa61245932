"""GradScaler (rustorch/amp/grad_scaler.py) against torch 2.13's on the CPU: a small model
trained under autocast in both frameworks (losses, scales and weights after every step),
skipped steps on inf/NaN gradients, unscaling, state dicts, errors and the deprecated
spellings."""
import pickle
import warnings

import ml_dtypes
import numpy as np
import pytest

import rustorch
from tests._oracle import (DEVICE, ON_CPU, as_numpy, assert_close, check_error, randint, randn,
                           to_rustorch, to_torch, torch)

BF16_TOL = dict(rtol=3e-2, atol=3e-2)
FRAMEWORKS = (torch, rustorch)
# CuPy has no bfloat16: on such a test device the half type is float16 in both frameworks
HAS_BFLOAT16 = ON_CPU or rustorch.cuda.is_bf16_supported()
HALF = "bfloat16" if HAS_BFLOAT16 else "float16"


def device(m):
    """The device type each framework's scaler and autocast run on: torch, the oracle, on the
    CPU; rustorch on the test device (whose tensors a "cpu" scaler refuses as ``new_scale``,
    as torch's does)."""
    return "cpu" if m is torch else DEVICE


def tensor_of(m, array):
    return (to_torch if m is torch else to_rustorch)(array)


def make_model(m, weights):
    model = m.nn.Sequential(m.nn.Linear(4, 16), m.nn.ReLU(), m.nn.Linear(16, 3))
    with m.no_grad():
        for param, value in zip(model.parameters(), weights):
            param.copy_(tensor_of(m, value))
    return model


def weights():
    return [randn(16, 4, seed=1), randn(16, seed=2), randn(3, 16, seed=3), randn(3, seed=4)]


def train(m, steps, *, poison=(), poison_value=float("inf"), **scaler_options):
    """Train with autocast + GradScaler; after each step record the loss, the scale, the
    growth tracker, the state dict and the weights. ``poison``: steps whose first gradient
    gets ``poison_value``."""
    model = make_model(m, weights())
    optimizer = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scaler = m.amp.GradScaler(device(m), **scaler_options)
    records = []
    for step in range(steps):
        x = tensor_of(m, randn(8, 4, seed=10 + step))
        target = tensor_of(m, randint(0, 3, (8,), seed=20 + step))
        optimizer.zero_grad()
        with m.autocast(device(m), dtype=getattr(m, HALF)):
            loss = m.nn.functional.cross_entropy(model(x), target)
        scaler.scale(loss).backward()
        if step in poison:
            with m.no_grad():
                model[0].weight.grad[0, 0] = poison_value
        scaler.step(optimizer)
        scaler.update()
        records.append((loss.detach(), scaler.get_scale(), scaler._get_growth_tracker(),
                        scaler.state_dict(), [p.detach().clone() for p in model.parameters()]))
    return records


@pytest.mark.parametrize("poison,poison_value", [((), 0.0), ((2, 3), float("inf")),
                                                 ((1,), float("nan"))],
                         ids=["finite", "inf", "nan"])
def test_training_matches_torch(poison, poison_value):
    options = dict(init_scale=2.0 ** 10, growth_interval=2)
    expected = train(torch, 6, poison=poison, poison_value=poison_value, **options)
    actual = train(rustorch, 6, poison=poison, poison_value=poison_value, **options)
    for step, (mine, theirs) in enumerate(zip(actual, expected)):
        assert_close(mine[0], theirs[0], what=f"loss at step {step}", **BF16_TOL)
        assert mine[1:4] == theirs[1:4], f"scale, tracker, state dict at step {step}"
        for index, (param, reference) in enumerate(zip(mine[4], theirs[4])):
            assert_close(param, reference, what=f"param {index} at step {step}", **BF16_TOL)
    if poison:  # the first poisoned step backs the scale off and leaves the weights alone
        skipped = poison[0]
        assert actual[skipped][1] == actual[skipped - 1][1] / 2
        for before, after in zip(actual[skipped - 1][4], actual[skipped][4]):
            assert np.array_equal(as_numpy(before), as_numpy(after))


def set_grads(m, values):
    """Leaf parameters whose ``grad`` holds ``values`` (numpy arrays, bfloat16 ones included)."""
    params = []
    for value in values:
        tensor = tensor_of(m, value)
        param = tensor.detach().clone().requires_grad_(True)
        param.grad = tensor.clone()
        params.append(param)
    return params


GRADS = [randn(3, 4), randn(5, dtype=np.float64), randn(2, 2).astype(ml_dtypes.bfloat16)]
if not HAS_BFLOAT16:  # no bfloat16 gradient there (and float16 ones cannot be unscaled)
    GRADS.pop()


@pytest.mark.parametrize("bad", [None, float("inf"), float("-inf"), float("nan")])
def test_unscale_matches_torch_exactly(bad):
    """Gradients multiplied by the float32 reciprocal of the scale (computed in float64);
    ``found_inf`` set by any non-finite value; the step skipped then."""
    results = {}
    for m in FRAMEWORKS:
        grads = [g.copy() for g in GRADS]
        if bad is not None:
            grads[1][2] = bad
        params = set_grads(m, grads)
        optimizer = m.optim.SGD(params, lr=1.0)
        scaler = m.amp.GradScaler(device(m), init_scale=3.0)
        scaler.scale(m.ones(()))
        scaler.unscale_(optimizer)
        found = [v.item() for v in scaler._found_inf_per_device(optimizer).values()]
        before = [p.detach().clone() for p in params]
        scaler.step(optimizer)
        stepped = not all(bool((p == b).all()) for p, b in zip(params, before))
        scaler.update()
        results[m] = ([p.grad for p in params], found, stepped, scaler.get_scale())
    for mine, theirs in zip(results[rustorch][0], results[torch][0]):
        assert_close(mine, theirs, rtol=0, atol=0)
    assert results[rustorch][1:] == results[torch][1:]


def test_growth_and_overflowing_growth():
    for m in FRAMEWORKS:
        param = m.zeros(2, requires_grad=True)
        optimizer = m.optim.SGD([param], lr=0.1)
        for init_scale, expected in ((4.0, [8.0, 16.0]), (2.0 ** 127, [2.0 ** 127] * 2)):
            scaler = m.amp.GradScaler(device(m), init_scale=init_scale, growth_interval=1)
            scales = []
            for _ in range(2):
                scaler.scale(param.sum()).backward()
                scaler.step(optimizer)
                scaler.update()
                scales.append(scaler.get_scale())
                optimizer.zero_grad()
            assert scales == expected  # a grown scale that overflows is not applied
            assert scaler._get_growth_tracker() == 0


def test_update_with_new_scale():
    for m in FRAMEWORKS:
        scaler = m.amp.GradScaler(device(m))
        scaler.scale(m.ones(()))
        scaler.update(new_scale=8.0)
        assert scaler.get_scale() == 8.0
        scaler.update(new_scale=m.tensor(0.5))
        assert scaler.get_scale() == 0.5
        with pytest.raises(AssertionError, match="new_scale should be a float or a 1-element"):
            scaler.update(new_scale=m.ones(2))


def scaled_step(m, scaler, optimizer=None):
    param = m.ones(2, requires_grad=True)
    optimizer = optimizer or m.optim.SGD([param], lr=0.1)
    scaler.scale((param * 2).sum()).backward()
    return param, optimizer


def test_misuse_raises_as_torch():
    def unscale_twice(m):
        scaler = m.amp.GradScaler(device(m))
        _, optimizer = scaled_step(m, scaler)
        scaler.unscale_(optimizer)
        scaler.unscale_(optimizer)

    def step_twice(m):
        scaler = m.amp.GradScaler(device(m))
        _, optimizer = scaled_step(m, scaler)
        scaler.step(optimizer)
        scaler.step(optimizer)

    def unscale_after_step(m):
        scaler = m.amp.GradScaler(device(m))
        _, optimizer = scaled_step(m, scaler)
        scaler.step(optimizer)
        scaler.unscale_(optimizer)

    def closure(m):
        scaler = m.amp.GradScaler(device(m))
        _, optimizer = scaled_step(m, scaler)
        scaler.step(optimizer, closure=lambda: None)

    def half_gradients(m):
        scaler = m.amp.GradScaler(device(m))
        param = m.ones(2, dtype=m.float16, requires_grad=True)
        param.grad = m.ones(2, dtype=m.float16)
        scaler.scale(m.ones(()))
        scaler.unscale_(m.optim.SGD([param], lr=0.1))

    for misuse in (unscale_twice, step_twice, unscale_after_step, closure, half_gradients):
        check_error(misuse)
    check_error(lambda m: m.amp.GradScaler(device(m)).load_state_dict({}))
    for m in FRAMEWORKS:
        scaler = m.amp.GradScaler(device(m))
        with pytest.raises(AssertionError, match="Attempted step but _scale is None"):
            scaler.step(m.optim.SGD([m.ones(1, requires_grad=True)], lr=0.1))
        scaler.scale(m.ones(()))
        with pytest.raises(AssertionError, match="No inf checks were recorded prior to update"):
            scaler.update()
        with pytest.raises(AssertionError, match="The growth factor must be > 1.0."):
            m.amp.GradScaler(device(m), growth_factor=1.0)
        with pytest.raises(AssertionError, match="The backoff factor must be < 1.0."):
            m.amp.GradScaler(device(m), backoff_factor=1.0)


def test_unscale_then_clip_then_step():
    results = {}
    for m in FRAMEWORKS:
        scaler = m.amp.GradScaler(device(m), init_scale=2.0 ** 8)
        param, optimizer = scaled_step(m, scaler)
        scaler.unscale_(optimizer)
        norm = m.nn.utils.clip_grad_norm_([param], max_norm=1.0)
        scaler.step(optimizer)  # does not unscale again
        scaler.update()
        results[m] = (norm, param.detach().clone(), param.grad)
    assert_close(results[rustorch], results[torch])


def test_state_dict_round_trip_between_frameworks():
    scalers = {}
    for m in FRAMEWORKS:
        scaler = m.amp.GradScaler(device(m), init_scale=2.0 ** 5, growth_factor=3.0,
                                  backoff_factor=0.25, growth_interval=3)
        for _ in range(2):
            _, optimizer = scaled_step(m, scaler)
            scaler.step(optimizer)
            scaler.update()
        scalers[m] = scaler
    state = scalers[rustorch].state_dict()
    assert state == scalers[torch].state_dict()
    assert list(state) == ["scale", "growth_factor", "backoff_factor", "growth_interval",
                           "_growth_tracker"]
    for source, target in ((torch, rustorch), (rustorch, torch)):
        fresh = target.amp.GradScaler(device(target))
        fresh.load_state_dict(scalers[source].state_dict())
        assert fresh.state_dict() == state
        fresh.scale(target.ones(()))  # the tensors are made from the loaded values
        assert fresh.get_scale() == state["scale"]
        assert fresh._get_growth_tracker() == state["_growth_tracker"]
    copy = pickle.loads(pickle.dumps(scalers[rustorch]))
    assert copy.state_dict() == state and copy._scale is None
    _, optimizer = scaled_step(rustorch, scalers[rustorch])
    scalers[rustorch].step(optimizer)
    with pytest.raises(AssertionError, match="may only be pickled"):
        pickle.dumps(scalers[rustorch])


def test_getters_setters_and_scaling_containers():
    for m in FRAMEWORKS:
        scaler = m.amp.GradScaler(device(m), init_scale=4.0)
        assert scaler.get_scale() == 4.0 and scaler.is_enabled()
        scaler.set_growth_factor(3.0)
        scaler.set_backoff_factor(0.25)
        scaler.set_growth_interval(7)
        assert (scaler.get_growth_factor(), scaler.get_backoff_factor(),
                scaler.get_growth_interval()) == (3.0, 0.25, 7)
        half = getattr(m, HALF)
        a, b = m.ones(2), m.ones(3, dtype=half)
        scaled = scaler.scale([a, (b, a)])
        assert isinstance(scaled, list) and isinstance(scaled[1], tuple)
        assert scaled[0].tolist() == [4.0, 4.0] and scaled[1][0].dtype is half
        assert scaler.scale(m.ones((), dtype=half)).dtype is m.float32
        with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable"):
            scaler.scale([a, 3])
        disabled = m.amp.GradScaler(device(m), enabled=False)
        assert disabled.scale(a) is a and disabled.get_scale() == 1.0
        assert disabled.state_dict() == {} and not disabled.is_enabled()
        disabled.load_state_dict({})  # a no-op when disabled
        param = m.ones(1, requires_grad=True)
        param.grad = m.ones(1)
        disabled.step(m.optim.SGD([param], lr=0.5))  # steps the optimizer as is
        assert param.item() == 0.5


def test_optimizers_with_their_own_scaling():
    """``_step_supports_amp_scaling`` optimizers get ``grad_scale`` and ``found_inf``."""
    seen = {}
    for m in FRAMEWORKS:
        class SelfScaling(m.optim.SGD):
            _step_supports_amp_scaling = True

            def step(self, closure=None):
                seen[m] = (self.grad_scale.item(), self.found_inf.item())

        param = m.ones(2, requires_grad=True)
        scaler = m.amp.GradScaler(device(m), init_scale=16.0)
        optimizer = SelfScaling([param], lr=0.1)
        scaler.scale(param.sum()).backward()
        param.grad[0] = float("inf")
        scaler.step(optimizer)
        assert not hasattr(optimizer, "grad_scale") and not hasattr(optimizer, "found_inf")
    assert seen[rustorch] == seen[torch] == (16.0, 1.0)


def test_two_optimizers_one_with_inf():
    results = {}
    for m in FRAMEWORKS:
        scaler = m.amp.GradScaler(device(m), init_scale=8.0)
        first, first_optimizer = scaled_step(m, scaler)
        second, second_optimizer = scaled_step(m, scaler)
        second.grad[0] = float("nan")
        scaler.step(first_optimizer)
        scaler.step(second_optimizer)
        scaler.update()
        results[m] = (first.tolist(), second.tolist(), scaler.get_scale())
    assert results[rustorch] == results[torch]
    assert results[torch][1:] == ([1.0, 1.0], 4.0)  # the second optimizer skipped its step


def capture(function):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function()
    return result, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("make", [
    lambda m: m.cpu.amp.GradScaler(init_scale=8.0),
    lambda m: m.cuda.amp.GradScaler(),
    lambda m: m.amp.GradScaler(),
], ids=["cpu_amp", "cuda_amp", "cuda_default"])
def test_deprecated_spellings_and_cuda_without_a_gpu(make):
    if torch.cuda.is_available() or rustorch.cuda.is_available():
        pytest.skip("the warnings compared are those of a machine without CUDA")
    expected_scaler, expected = capture(lambda: make(torch))
    actual_scaler, actual = capture(lambda: make(rustorch))
    assert actual == expected
    assert actual_scaler.is_enabled() == expected_scaler.is_enabled()
    assert actual_scaler.get_scale() == expected_scaler.get_scale()
    assert isinstance(actual_scaler, rustorch.amp.GradScaler)
