"""Factory functions never ignore ``layout=`` or ``pin_memory=``: strided is the only layout
so far (others raise NotSupportedError), and pinning needs an accelerator, as in PyTorch."""
import pytest

from tests._oracle import check_error, rustorch

FACTORIES = {
    "zeros": lambda m, **k: m.zeros(2, **k), "ones": lambda m, **k: m.ones(2, **k),
    "empty": lambda m, **k: m.empty(2, **k), "full": lambda m, **k: m.full((2,), 1.0, **k),
    "arange": lambda m, **k: m.arange(3, **k), "linspace": lambda m, **k: m.linspace(0, 1, 3, **k),
    "eye": lambda m, **k: m.eye(2, **k), "empty_strided": lambda m, **k: m.empty_strided(
        (2,), (1,), **k),
    "zeros_like": lambda m, **k: m.zeros_like(m.ones(2), **k),
    "rand": lambda m, **k: m.rand(2, **k), "randn_like": lambda m, **k: m.randn_like(
        m.ones(2), **k),
    "new_zeros": lambda m, **k: m.ones(2).new_zeros(3, **k),
    "hann_window": lambda m, **k: m.hann_window(4, **k),
    "tril_indices": lambda m, **k: m.tril_indices(3, 3, **k),
    "fftfreq": lambda m, **k: m.fft.fftfreq(4, **k),
}
PINNABLE = ["zeros", "ones", "empty", "full", "empty_strided", "rand", "new_zeros",
            "hann_window"]


@pytest.mark.parametrize("name", list(FACTORIES))
def test_strided_layout_is_accepted_and_sparse_layouts_are_refused(name):
    assert FACTORIES[name](rustorch, layout=rustorch.strided).layout is rustorch.strided
    with pytest.raises(rustorch.NotSupportedError, match="layout=torch.sparse_csr"):
        FACTORIES[name](rustorch, layout=rustorch.sparse_csr)


@pytest.mark.parametrize("name", PINNABLE)
def test_pin_memory_without_an_accelerator_raises_like_torch(name):
    if rustorch.cuda.is_available():
        pytest.skip("an accelerator is available here")
    check_error(lambda m: FACTORIES[name](m, pin_memory=True))


@pytest.mark.parametrize("name", PINNABLE)
def test_pin_memory_with_an_accelerator_gives_pinned_cpu_tensors(name):
    if not rustorch.cuda.is_available():
        pytest.skip("needs CUDA (or RUSTORCH_FAKE_CUDA=1)")
    result = FACTORIES[name](rustorch, pin_memory=True, device="cpu") if name not in (
        "new_zeros",) else rustorch.ones(2, device="cpu").new_zeros(3, pin_memory=True)
    assert result.is_pinned() and result.device.type == "cpu"
    assert not FACTORIES[name](rustorch, device="cpu").is_pinned()
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        rustorch.zeros(2, device="cuda", pin_memory=True)
