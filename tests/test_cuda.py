"""rustorch.cuda: CPU-only behaviour everywhere, real-GPU checks where CUDA is available."""
import numpy as np
import pytest

from tests._oracle import rustorch, torch

cuda = rustorch.cuda
needs_cuda = pytest.mark.skipif(not cuda.is_available(), reason="needs CuPy and a CUDA GPU")
without_cuda = pytest.mark.skipif(cuda.is_available(), reason="checks the CPU-only behaviour")


def test_api_surface_matches_torch_cuda():
    for name in ("is_available", "device_count", "current_device", "set_device", "synchronize",
                 "manual_seed", "manual_seed_all", "get_device_name", "memory_allocated",
                 "max_memory_allocated", "memory_reserved", "empty_cache", "device", "Stream",
                 "Event", "current_stream", "get_device_capability", "is_initialized",
                 "get_rng_state", "set_rng_state", "get_rng_state_all", "set_rng_state_all"):
        assert hasattr(torch.cuda, name) and hasattr(cuda, name), name


@without_cuda
def test_cpu_only_answers_like_cpu_torch():
    assert cuda.is_available() is False
    assert cuda.device_count() == 0
    assert cuda.memory_allocated() == cuda.max_memory_allocated() == 0
    assert cuda.memory_reserved() == 0
    assert cuda.manual_seed(0) is None and cuda.manual_seed_all(0) is None
    assert cuda.empty_cache() is None
    assert cuda.set_device(-1) is None
    with cuda.device(-1), cuda.device(None):
        pass


@without_cuda
@pytest.mark.parametrize("call", [
    lambda: cuda.current_device(), lambda: cuda.synchronize(), lambda: cuda.get_device_name(),
    lambda: cuda.set_device(0), lambda: cuda.Stream(), lambda: cuda.Event(),
    lambda: cuda.current_stream(), lambda: cuda.device(0).__enter__(),
    lambda: rustorch.ones(2).to("cuda"), lambda: rustorch.ones(2).cuda(),
    lambda: rustorch.zeros(2, device="cuda"), lambda: cuda.get_rng_state(),
    lambda: cuda.set_rng_state(rustorch.get_rng_state()),
])
def test_gpu_calls_raise_device_error(call):
    with pytest.raises(RuntimeError) as info:
        call()
    assert isinstance(info.value, rustorch.DeviceError)
    assert isinstance(info.value, rustorch.RusTorchError)


@without_cuda
def test_to_cuda_says_how_to_install_cupy():
    with pytest.raises(rustorch.DeviceError, match=r"pip install 'rustorch\[cuda12\]'"):
        rustorch.ones(3).to("cuda")


@without_cuda
def test_cuda_seed_does_not_touch_cpu_generator():
    rustorch.manual_seed(3)
    expected = rustorch.rand(4).numpy()
    rustorch.manual_seed(3)
    cuda.manual_seed(99)
    np.testing.assert_array_equal(rustorch.rand(4).numpy(), expected)


@pytest.mark.cuda
@needs_cuda
def test_cuda_rng_state_round_trips():
    state = cuda.get_rng_state()
    assert state.dtype is rustorch.uint8 and not state.is_cuda
    first = rustorch.rand(5, device="cuda").cpu().numpy()
    cuda.set_rng_state(state)
    np.testing.assert_array_equal(rustorch.rand(5, device="cuda").cpu().numpy(), first)
    states = cuda.get_rng_state_all()
    assert len(states) == cuda.device_count()
    cuda.set_rng_state_all(states)


@pytest.mark.cuda
@needs_cuda
def test_device_management_on_gpu():
    assert cuda.device_count() >= 1
    assert cuda.current_device() == 0
    assert isinstance(cuda.get_device_name(0), str) and cuda.get_device_name()
    major, _ = cuda.get_device_capability()
    assert major >= 3
    with cuda.device(0):
        assert cuda.current_device() == 0
    cuda.synchronize()


@pytest.mark.cuda
@needs_cuda
def test_memory_counters_on_gpu():
    cuda.empty_cache()
    before = cuda.memory_allocated()
    tensor = rustorch.ones(1024, 1024, device="cuda")
    assert cuda.memory_allocated() >= before + 4 * 1024 * 1024
    assert cuda.max_memory_allocated() >= cuda.memory_allocated()
    assert cuda.memory_reserved() >= cuda.memory_allocated()
    del tensor
    cuda.empty_cache()


@pytest.mark.cuda
@needs_cuda
def test_streams_and_events_on_gpu():
    start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
    side = cuda.Stream()
    start.record()
    with cuda.stream(side):
        result = (rustorch.ones(256, 256, device="cuda") * 2).sum()
    end.record(side)
    end.synchronize()
    assert end.query() and side.query()
    assert start.elapsed_time(end) >= 0.0
    assert result.item() == 2 * 256 * 256
    assert isinstance(cuda.current_stream(), cuda.Stream)


@pytest.mark.cuda
@needs_cuda
def test_tensor_round_trip_and_optimizer_on_gpu():
    param = rustorch.ones(3, device="cuda", requires_grad=True)
    optimizer = rustorch.optim.Adam([param], lr=0.1, capturable=True)
    (param * param).sum().backward()
    optimizer.step()
    assert param.device.type == "cuda"
    assert optimizer.state[param]["exp_avg"].device.type == "cuda"
    np.testing.assert_allclose(param.detach().cpu().numpy(), [0.9, 0.9, 0.9], rtol=1e-5)


def _small_cnn_training(device: str):
    """Three Adam steps of a conv/batch-norm/relu/max-pool/linear model with cross entropy."""
    rustorch.manual_seed(0)
    nn = rustorch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 14 * 14, 10)).to(device)
    optimizer = rustorch.optim.Adam(model.parameters(), lr=1e-3)
    generator = np.random.default_rng(0)
    inputs = rustorch.from_numpy(generator.standard_normal((16, 1, 28, 28), dtype=np.float32))
    targets = rustorch.from_numpy(generator.integers(0, 10, 16))
    inputs, targets = inputs.to(device), targets.to(device)
    losses = []
    for _ in range(3):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, [parameter.detach().cpu().numpy() for parameter in model.parameters()]


@pytest.mark.cuda
@needs_cuda
def test_training_step_on_gpu_matches_cpu():
    """Channels-last batch norm, array gradients, the fused cross entropy and Adam on CuPy."""
    cpu_losses, cpu_parameters = _small_cnn_training("cpu")
    gpu_losses, gpu_parameters = _small_cnn_training("cuda")
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-4, atol=1e-5)
    for gpu, cpu in zip(gpu_parameters, cpu_parameters):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-3, atol=1e-4)


@pytest.mark.cuda
@needs_cuda
def test_large_reductions_and_gradients_on_gpu_match_cpu():
    values = np.random.default_rng(1).standard_normal((512, 3000)).astype(np.float32)
    targets = np.random.default_rng(2).integers(0, 3000, 512)

    def run(device):
        x = rustorch.from_numpy(values).to(device).requires_grad_()
        t = rustorch.from_numpy(targets).to(device)
        loss = (rustorch.nn.functional.cross_entropy(x, t) + x.var(dim=1).sum()
                + x.max(dim=0).values.sum() + (x.sigmoid() * x.tanh().exp()).sum())
        loss.backward()
        return (loss.item(), x.grad.cpu().numpy(), x.argmax(dim=0).cpu().numpy(),
                x.std(dim=0).detach().cpu().numpy())

    for gpu, cpu in zip(run("cuda"), run("cpu")):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-4, atol=1e-4)


@pytest.mark.cuda
@needs_cuda
def test_tensors_from_cupy_arrays_stay_on_the_gpu():
    import cupy
    array = cupy.arange(6.0).reshape(2, 3)
    shared = rustorch.as_tensor(array)
    assert shared.device == rustorch.device("cuda", 0) and shared.data_ptr() == array.data.ptr
    copied = rustorch.tensor(array)
    assert copied.is_cuda and copied.data_ptr() != array.data.ptr
    host = rustorch.as_tensor(array, device="cpu")
    assert host.device.type == "cpu" and host.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


@pytest.mark.cuda
@needs_cuda
def test_singular_solves_and_wrapped_indices_raise_on_gpu():
    singular = rustorch.zeros(2, 2, device="cuda")
    for call in (lambda: rustorch.linalg.inv(singular),
                 lambda: rustorch.linalg.solve(singular, rustorch.ones(2, 1, device="cuda")),
                 lambda: rustorch.linalg.cholesky(singular)):
        with pytest.raises(RuntimeError):
            call()
    values = rustorch.arange(3.0, device="cuda")
    with pytest.raises(IndexError):
        values[rustorch.tensor([0, 3], device="cuda")]
    assert (values + 2).tolist() == [2.0, 3.0, 4.0]
    assert (values * rustorch.tensor(2.0)).tolist() == [0.0, 2.0, 4.0]  # 0-d CPU operand


@pytest.mark.cuda
@needs_cuda
def test_special_functions_cupyx_lacks_run_on_a_host_copy():
    x = rustorch.linspace(-0.9, 0.9, 7, dtype=rustorch.float64)
    for compute in (lambda t: rustorch.special.chebyshev_polynomial_u(t, 3),
                    lambda t: rustorch.special.airy_ai(t),
                    lambda t: rustorch.special.spherical_bessel_j0(t)):
        on_gpu = compute(x.cuda())
        assert on_gpu.is_cuda
        np.testing.assert_allclose(on_gpu.cpu().numpy(), compute(x).numpy(), rtol=1e-12)


@pytest.mark.cuda
@needs_cuda
def test_cpu_scalar_operands_get_cpu_gradients_on_gpu():
    """A 0-d CPU tensor may join a CUDA op (as in torch); its gradient comes back on the CPU."""
    x = rustorch.tensor([1.0, 2.0, 3.0], device="cuda", requires_grad=True)
    scale = rustorch.tensor(2.0, requires_grad=True)
    (x * scale + scale).sum().backward()
    assert scale.grad.device.type == "cpu" and x.grad.device.type == "cuda"
    assert scale.grad.item() == 9.0
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [2.0, 2.0, 2.0])
    slope, = rustorch.autograd.grad((x * scale).sum(), scale, create_graph=True)
    assert slope.device.type == "cpu" and slope.requires_grad and slope.item() == 6.0


@pytest.mark.cuda
@needs_cuda
def test_cpu_index_tensors_index_gpu_tensors():
    x = rustorch.arange(12.0, device="cuda").reshape(3, 4).requires_grad_()
    rows = rustorch.tensor([2, 0])
    assert x[rows].device.type == "cuda" and x[rows].tolist() == [[8, 9, 10, 11], [0, 1, 2, 3]]
    x[rows].sum().backward()
    assert x.grad.sum(1).tolist() == [4.0, 0.0, 4.0]
    target = rustorch.zeros(3, 4, device="cuda")
    target[rustorch.tensor([True, False, True])] = 1.0
    assert target.sum().item() == 8.0
    with pytest.raises(IndexError):
        x[rustorch.tensor([3])]


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("call", [
    lambda x: rustorch.nn.functional.nll_loss(x, rustorch.tensor([0, 1, 2])),
    lambda x: rustorch.nn.functional.cross_entropy(x, rustorch.tensor([0, 1, 2])),
    lambda x: rustorch.nn.functional.cross_entropy(x, rustorch.tensor([0, 1, 2], device="cuda"),
                                                   weight=rustorch.ones(4)),
    lambda x: rustorch.nn.functional.batch_norm(x, rustorch.zeros(4), rustorch.ones(4),
                                                training=True),
    lambda x: rustorch.index_select(x, 0, rustorch.tensor([0])),
    lambda x: rustorch.take(x, rustorch.tensor([0])),
    lambda x: x.index_reduce(0, rustorch.tensor([0]), rustorch.ones(1, 4, device="cuda"),
                             "prod"),
    lambda x: x + rustorch.ones(4),
], ids=["nll_target", "cross_entropy_target", "cross_entropy_weight", "batch_norm_stats",
        "index_select", "take", "index_reduce", "add"])
def test_cpu_arguments_of_gpu_ops_raise_torchs_device_error(call):
    x = rustorch.randn(3, 4, device="cuda")
    with pytest.raises(RuntimeError, match="same device") as error:
        call(x)
    assert isinstance(error.value, rustorch.RusTorchError)


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("call", [
    lambda: rustorch.add(rustorch.ones(3), 1, out=rustorch.empty(3, device="cuda")),
    lambda: rustorch.sort(rustorch.ones(2, 3), 1, out=(rustorch.empty(2, 3, device="cuda"),
                                                     rustorch.empty(2, 3, device="cuda",
                                                                    dtype=rustorch.int64))),
    lambda: rustorch.sum(rustorch.ones(2, device="cuda"), 0, out=rustorch.empty(())),
    lambda: rustorch.zeros(3)[rustorch.tensor([0, 1], device="cuda")],
    lambda: rustorch.nn.functional.fractional_max_pool2d(
        rustorch.randn(1, 1, 6, 6, device="cuda"), 2, output_size=3,
        _random_samples=rustorch.rand(1, 1, 2)),
], ids=["add_out", "sort_out", "sum_out", "cuda_index_for_cpu", "fractional_samples"])
def test_tensors_on_the_wrong_device_raise_runtime_error(call):
    with pytest.raises(RuntimeError) as error:
        call()
    assert isinstance(error.value, rustorch.RusTorchError)


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("call", [
    lambda: rustorch.ones(2, device="cuda").bfloat16(),
    lambda: rustorch.ones(2, device="cuda").to(rustorch.bfloat16),
    lambda: rustorch.ones(2, device="cuda", dtype=rustorch.bfloat16),
    lambda: rustorch.ones(2, dtype=rustorch.bfloat16).cuda(),
], ids=["bfloat16()", "to", "create", "move"])
def test_bfloat16_on_gpu_says_cupy_has_none(call):
    with pytest.raises(rustorch.NotSupportedError, match="CuPy has no bfloat16"):
        call()


@pytest.mark.cuda
@needs_cuda
def test_deepcopy_keeps_gpu_views_sharing_one_copied_storage():
    import copy
    base = rustorch.arange(6.0, device="cuda")
    pair = copy.deepcopy([base, base[2:]])
    pair[0][3] = -1.0
    assert pair[1].device.type == "cuda" and pair[1].tolist() == [2.0, -1.0, 4.0, 5.0]
    assert base.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
