"""set_default_device / get_default_device and ``with torch.device(...)``, against torch."""
import threading

import numpy as np
import pytest
import torch.utils._device as torch_device_mode

from tests._oracle import DEVICE, rustorch, torch

cuda_missing = pytest.mark.skipif(rustorch.cuda.is_available(), reason="checks the CPU-only path")


@pytest.fixture(autouse=True)
def _restore_default_device():
    before = rustorch.get_default_device()
    yield
    rustorch.set_default_device(before)
    torch.set_default_device(None)


def test_default_is_the_cpu_as_in_torch():
    rustorch.set_default_device(None)
    assert str(rustorch.get_default_device()) == str(torch.get_default_device()) == "cpu"
    assert rustorch.get_default_device() == rustorch.device("cpu")


def test_set_and_reset():
    rustorch.set_default_device("cuda:1")
    assert rustorch.get_default_device() == rustorch.device("cuda", 1)
    rustorch.set_default_device(rustorch.device("cpu"))
    assert rustorch.get_default_device() == rustorch.device("cpu")
    rustorch.set_default_device("cuda:0")
    rustorch.set_default_device(None)
    assert rustorch.get_default_device().type == "cpu"


def test_device_context_restores_the_previous_default_like_torch():
    before = rustorch.get_default_device()  # the CPU, or the GPU test device (torch's: the CPU)
    with torch.device("meta"), rustorch.device("cuda:0"):
        assert torch.get_default_device().type == "meta"
        assert rustorch.get_default_device() == rustorch.device("cuda:0")
        with torch.device("cpu"), rustorch.device("cpu") as inner:
            assert inner == rustorch.device("cpu")
            assert torch.zeros(1).device.type == "cpu"
            assert rustorch.zeros(1).device.type == "cpu"
        assert rustorch.get_default_device() == rustorch.device("cuda:0")
    assert rustorch.get_default_device() == before and torch.get_default_device().type == "cpu"
    assert before.type == DEVICE


def test_context_restores_after_an_exception():
    before = rustorch.get_default_device()
    with pytest.raises(KeyError), rustorch.device("cuda:0"):
        raise KeyError("inside")
    assert rustorch.get_default_device() == before and before.type == DEVICE


def test_default_device_is_per_thread_like_torch():
    rustorch.set_default_device("cuda:0")
    torch.set_default_device("meta")
    seen = {}

    def look():
        seen["rustorch"] = rustorch.get_default_device().type
        seen["torch"] = torch.get_default_device().type

    worker = threading.Thread(target=look)
    worker.start()
    worker.join()
    assert seen == {"rustorch": "cpu", "torch": "cpu"}


# Every factory function of torch's device mode that rustorch has, with a call for each.
_FACTORIES = {
    "empty": lambda m: m.empty(2), "empty_strided": lambda m: m.empty_strided((2,), (1,)),
    "ones": lambda m: m.ones(2), "zeros": lambda m: m.zeros(2), "full": lambda m: m.full((2,), 3.0),
    "arange": lambda m: m.arange(3), "eye": lambda m: m.eye(2),
    "linspace": lambda m: m.linspace(0, 1, 3), "logspace": lambda m: m.logspace(0, 1, 3),
    "rand": lambda m: m.rand(2), "randn": lambda m: m.randn(2),
    "randint": lambda m: m.randint(0, 5, (2,)), "randperm": lambda m: m.randperm(3),
    "tril_indices": lambda m: m.tril_indices(3, 3), "triu_indices": lambda m: m.triu_indices(3, 3),
    "asarray": lambda m: m.asarray([1.0]), "tensor": lambda m: m.tensor([1.0]),
    "as_tensor": lambda m: m.as_tensor(np.ones(2)), "scalar_tensor": lambda m: m.scalar_tensor(1),
    "fftfreq": lambda m: m.fft.fftfreq(4), "rfftfreq": lambda m: m.fft.rfftfreq(4),
    "hann_window": lambda m: m.hann_window(4), "hamming_window": lambda m: m.hamming_window(4),
    "blackman_window": lambda m: m.blackman_window(4),
    "bartlett_window": lambda m: m.bartlett_window(4),
    "kaiser_window": lambda m: m.kaiser_window(4),
}


def test_every_torch_device_constructor_rustorch_has_is_covered():
    names = {function.__name__ for function in torch_device_mode._device_constructors()}
    ours = {name for name in names
            if hasattr(rustorch, name) or hasattr(rustorch.fft, name)} - {"range"}
    assert ours <= set(_FACTORIES), sorted(ours - set(_FACTORIES))


@pytest.mark.parametrize("name", sorted(_FACTORIES))
def test_factories_follow_the_default_device(name):
    make = _FACTORIES[name]
    with torch.device("meta"):
        assert make(torch).device.type == "meta"  # the spec: torch moves it too
    with rustorch.device("cpu"):
        assert make(rustorch).device.type == "cpu"
    if rustorch.cuda.is_available():
        with rustorch.device("cuda"):
            assert make(rustorch).device.type == "cuda"
    else:
        with rustorch.device("cuda"), pytest.raises(rustorch.DeviceError, match="CUDA"):
            make(rustorch)


@cuda_missing
@pytest.mark.parametrize("make", [
    lambda m: m.from_numpy(np.ones(2)), lambda m: m.zeros_like(m.ones(2, device="cpu")),
    lambda m: m.ones(2, device="cpu").new_zeros(3), lambda m: m.ones(2, device="cpu").clone(),
    lambda m: m.ones(2, device="cpu") + 1, lambda m: m.Generator().device,
    lambda m: m.range(0, 2),  # deprecated; torch's range ignores the default device
], ids=["from_numpy", "zeros_like", "new_zeros", "clone", "add", "generator", "range"])
def test_what_does_not_follow_the_default_device(make):
    def device_type(result):
        return (result if hasattr(result, "type") and not hasattr(result, "shape")
                else result.device).type

    with torch.device("meta"):
        assert device_type(make(torch)) == "cpu"
    with rustorch.device("cuda"):
        assert device_type(make(rustorch)) == "cpu"


def test_explicit_device_wins():
    with rustorch.device("cuda"):
        assert rustorch.zeros(2, device="cpu").device.type == "cpu"
        assert rustorch.tensor([1], device=rustorch.device("cpu")).device.type == "cpu"


def test_meta_device_says_it_is_not_supported():
    with pytest.raises(rustorch.NotSupportedError, match="meta"):
        rustorch.empty(3, device="meta")
