"""The legacy tensor types (torch.FloatTensor, torch.cuda.LongTensor ...), Tensor.type and
set_default_tensor_type, against torch."""
import pytest

from tests._oracle import as_numpy, check_error, rustorch, torch

NAMES = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "ByteTensor",
         "CharTensor", "ShortTensor", "IntTensor", "LongTensor", "BoolTensor"]


@pytest.mark.parametrize("name", NAMES)
def test_legacy_type_builds_and_recognizes_its_tensors(name):
    results = []
    for m in (torch, rustorch):
        kind = getattr(m, name)
        sized = kind(2, 3)
        from_data = kind([[1, 0], [2, 3]])
        results.append((repr(kind), str(kind.dtype), kind.is_cuda, tuple(sized.shape),
                        str(sized.dtype), as_numpy(from_data).tolist(), str(from_data.dtype),
                        isinstance(from_data, kind), isinstance(m.ones(2, device="cpu"), kind),
                        tuple(kind(m.Size([4])).shape),
                        m.ones(2, device="cpu").type() if name == NAMES[0]
                        else None, repr(getattr(m.cuda, name))))
    assert results[0] == results[1]


@pytest.mark.cpu_only
def test_type_converts_to_a_legacy_type():
    for target in ("torch.DoubleTensor", "torch.IntTensor"):
        for m in (torch, rustorch):
            assert str(m.ones(2).type(target).dtype) == str(torch.ones(2).type(target).dtype)
    assert rustorch.ones(2).type(rustorch.LongTensor).dtype is rustorch.int64
    check_error(lambda m: m.ones(2).type("foo"))
    check_error(lambda m: m.FloatTensor(m.ones(2, dtype=m.float64)))


@pytest.mark.cpu_only
@pytest.mark.filterwarnings("ignore:torch.set_default_tensor_type")
def test_set_default_tensor_type():
    for m in (torch, rustorch):
        try:
            m.set_default_tensor_type("torch.DoubleTensor")
            assert m.get_default_dtype() == m.float64 and m.ones(1).dtype == m.float64
            m.set_default_tensor_type(m.FloatTensor)
            assert m.get_default_dtype() == m.float32
        finally:
            m.set_default_dtype(m.float32)
    check_error(lambda m: m.set_default_tensor_type("torch.LongTensor"))
    with pytest.warns(UserWarning, match="deprecated"):
        rustorch.set_default_tensor_type(rustorch.FloatTensor)


@pytest.mark.cuda
@pytest.mark.filterwarnings("ignore:torch.set_default_tensor_type")
def test_cuda_legacy_types():
    if not rustorch.cuda.is_available():
        pytest.skip("needs CUDA (or RUSTORCH_FAKE_CUDA=1)")
    x = rustorch.cuda.FloatTensor([1.0, 2.0])
    assert x.is_cuda and isinstance(x, rustorch.cuda.FloatTensor)
    assert not isinstance(x, rustorch.FloatTensor)
    assert rustorch.ones(2).type("torch.cuda.DoubleTensor").device.type == "cuda"
    assert x.type("torch.FloatTensor").device.type == "cpu"
    previous = rustorch.get_default_device()  # the device sweep runs with a CUDA default
    try:
        rustorch.set_default_tensor_type(rustorch.FloatTensor)
        assert not rustorch.zeros(2).is_cuda
        rustorch.set_default_tensor_type(rustorch.cuda.FloatTensor)
        assert rustorch.zeros(2).is_cuda
    finally:
        rustorch.set_default_device(previous)


def test_set_flush_denormal_and_get_device():
    assert rustorch.set_flush_denormal(True) is False  # no switch for it in NumPy
    on_cpu = rustorch.ones(1, device="cpu")
    assert rustorch.get_device(on_cpu) == torch.get_device(torch.ones(1)) == -1

