"""The Tensor's Python protocol and metadata against torch: item/tolist/numpy, sizes and
strides of views, dtype conversions, dunder methods, ``.data``, DLPack, pickling."""
import copy
import pickle

import numpy as np
import pytest

from tests._oracle import ON_CPU, as_numpy, assert_close, randn, rustorch, torch
from tests.nn._helpers import on_device_tensor_repr, on_device_type
from rustorch.utils.dlpack import from_dlpack

#: the test device has bfloat16 tensors (CuPy has no bfloat16 arrays)
BFLOAT16 = ON_CPU or rustorch.cuda.is_bf16_supported()
NEEDS_BFLOAT16 = pytest.mark.skipif(not BFLOAT16, reason="the test device has no bfloat16")
MODULES = pytest.mark.parametrize("m", [torch, rustorch], ids=["torch", "rustorch"])
A = randn(3, 4, dtype=np.float32, seed=30)


def pair(array=A, **kwargs):
    return torch.tensor(array, **kwargs), rustorch.tensor(array, **kwargs)


# ------------------------------------------------------------------ values out
@pytest.mark.parametrize("value", [3.5, -2, True, 1 + 2j])
def test_item(value):
    expected, actual = pair(np.array(value))
    assert type(actual.item()) is type(expected.item())
    assert actual.item() == expected.item()
    assert rustorch.tensor([[value]]).item() == torch.tensor([[value]]).item()


def test_item_errors():
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError):
            m.tensor([1.0, 2.0]).item()
    with pytest.raises(rustorch.RusTorchError):
        rustorch.tensor([1.0, 2.0]).item()


@pytest.mark.parametrize("array", [A, np.array(2.5), np.array([[1, 2], [3, 4]]),
                                   np.array([True, False]), np.zeros((2, 0))])
def test_tolist(array):
    expected, actual = pair(array)
    assert actual.tolist() == expected.tolist()
    assert type(actual.tolist()) is type(expected.tolist())


@NEEDS_BFLOAT16
def test_tolist_bfloat16():
    expected = torch.tensor([1.5, 2.25]).bfloat16().tolist()
    assert rustorch.tensor([1.5, 2.25]).bfloat16().tolist() == expected


def test_numpy_shares_memory_and_refuses_grad():
    # numpy() shares memory with (and refuses grad for) CPU tensors only, in torch too: on
    # CUDA it refuses the device first; numpy(force=True) copies from any device
    tensor = rustorch.tensor(A, device="cpu")
    array = tensor.numpy()
    array[0, 0] = 42.0
    assert tensor[0, 0].item() == 42.0
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError, match="requires grad"):
            m.tensor(A, requires_grad=True, device="cpu").numpy()
        assert m.tensor(A, requires_grad=True).numpy(force=True).shape == (3, 4)


def test_array_protocol():
    tensor = rustorch.tensor(A, device="cpu")
    np.testing.assert_array_equal(np.asarray(tensor), A)
    assert np.asarray(tensor).dtype == np.float32
    assert np.asarray(tensor, dtype=np.float64).dtype == np.float64
    np.testing.assert_array_equal(np.asarray(rustorch.tensor([1, 2], device="cpu")), [1, 2])


def test_array_protocol_refuses_what_numpy_refuses_like_torch():
    """``np.asarray`` goes through ``numpy()``: a tensor that requires grad raises torch's
    RuntimeError; a GPU tensor raises TypeError naming its device (no hidden copy)."""
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError, match="requires grad"):
            np.asarray(m.ones(2, requires_grad=True, device="cpu"))
    if rustorch.cuda.is_available():
        with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor"):
            np.asarray(rustorch.ones(2, device="cuda"))
        with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor"):
            rustorch.ones(2, device="cuda", requires_grad=True).numpy()
        np.testing.assert_array_equal(
            rustorch.ones(2, device="cuda").numpy(force=True), [1.0, 1.0])


# ------------------------------------------------------------------ metadata of views
VIEWS = {
    "contiguous": lambda t: t,
    "transposed": lambda t: t.t(),
    "sliced": lambda t: t[1:, ::2],
    "row": lambda t: t[1],
    "expanded": lambda t: t[:1].expand(5, 4),
    "unsqueezed": lambda t: t.unsqueeze(1),
    "permuted": lambda t: t.reshape(3, 2, 2).permute(2, 0, 1),
    "scalar": lambda t: t[0, 0],
    "empty": lambda t: t[:0],
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_metadata_of_views(name):
    view = VIEWS[name]
    expected, actual = (view(t) for t in pair())
    assert actual.size() == expected.size() and actual.shape == expected.shape
    assert actual.dim() == expected.dim() and actual.ndim == expected.ndim
    assert actual.numel() == expected.numel()
    assert actual.stride() == expected.stride()
    for dim in range(actual.dim()):
        assert actual.stride(dim) == expected.stride(dim)
        assert actual.size(dim) == expected.size(dim)
    assert actual.is_contiguous() == expected.is_contiguous()
    assert actual.element_size() == expected.element_size()
    assert actual.itemsize == expected.itemsize
    assert actual.nbytes == expected.nbytes
    assert actual.storage_offset() == expected.storage_offset()
    assert repr(actual.shape) == repr(expected.shape)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64", "int8", "int32", "bool",
                                   "complex64"])
def test_element_size_per_dtype(dtype):
    expected = torch.zeros(2, 3, dtype=getattr(torch, dtype))
    actual = rustorch.zeros(2, 3, dtype=getattr(rustorch, dtype))
    assert actual.element_size() == expected.element_size()
    assert actual.nbytes == expected.nbytes


# ------------------------------------------------------------------ conversions
CONVERSIONS = {
    "float": lambda m, t: t.float(), "double": lambda m, t: t.double(),
    "long": lambda m, t: t.long(), "int": lambda m, t: t.int(), "half": lambda m, t: t.half(),
    "bfloat16": lambda m, t: t.bfloat16(), "bool": lambda m, t: t.bool(),
    "short": lambda m, t: t.short(), "byte": lambda m, t: t.abs().byte(),
    "char": lambda m, t: t.char(),
    "to_dtype": lambda m, t: t.to(m.float64), "to_other": lambda m, t: t.to(m.zeros(1).int()),
    "to_keyword": lambda m, t: t.to(dtype=m.int16),
    "type_dtype": lambda m, t: t.type(m.int32), "type_string": lambda m, t: t.type(
        "torch.DoubleTensor"),
    "type_as": lambda m, t: t.type_as(m.zeros(1, dtype=m.int64)),
    "clone": lambda m, t: t.clone(), "detach": lambda m, t: t.detach(),
}


@pytest.mark.parametrize("name", sorted(CONVERSIONS))
def test_conversions(name):
    conversion = CONVERSIONS[name]
    values = A * 10
    expected = conversion(torch, torch.tensor(values))
    actual = conversion(rustorch, rustorch.tensor(values))
    assert_close(actual, expected)


def test_type_without_argument():
    for dtype in ("float32", "float64", "int64", "bool", "float16", "uint8"):
        expected = on_device_type(torch.zeros(1, dtype=getattr(torch, dtype)).type())
        assert rustorch.zeros(1, dtype=getattr(rustorch, dtype)).type() == expected


def test_to_same_dtype_returns_self():
    for m in (torch, rustorch):
        tensor = m.tensor(A)
        assert tensor.to(m.float32) is tensor
        assert tensor.float() is tensor
        assert tensor.to(m.float32, copy=True) is not tensor


def test_conversion_keeps_grad():
    def run(m):
        x = m.tensor(A, requires_grad=True)
        y = x.double() * 2
        y.sum().backward()
        return y, x.grad
    assert_close(run(rustorch), run(torch))


# ------------------------------------------------------------------ dunder protocol
@MODULES
def test_len_iter_bool(m):
    tensor = m.tensor(A)
    assert len(tensor) == 3
    rows = list(tensor)
    assert len(rows) == 3 and tuple(rows[0].shape) == (4,)
    assert bool(m.tensor([1.0])) and not bool(m.tensor(0))
    with pytest.raises(RuntimeError):
        bool(m.tensor([1.0, 2.0]))
    with pytest.raises(TypeError):
        len(m.tensor(1.0))
    with pytest.raises(TypeError):
        iter(m.tensor(1.0))


def test_bool_error_is_rustorch_error():
    with pytest.raises(rustorch.RusTorchError):
        bool(rustorch.tensor([1.0, 2.0]))


@MODULES
def test_scalar_conversions(m):
    assert float(m.tensor([2.5])) == 2.5
    assert int(m.tensor(3.9)) == 3
    assert complex(m.tensor(1.5)) == 1.5 + 0j
    assert [10, 20, 30][m.tensor(1)] == 20
    assert list(range(10))[m.tensor(2):m.tensor(4)] == [2, 3]
    with pytest.raises(TypeError):
        [1, 2][m.tensor(1.0)]
    with pytest.raises((TypeError, ValueError, RuntimeError)):
        float(m.tensor([1.0, 2.0]))


@MODULES
def test_hash_is_identity(m):
    a, b = m.tensor([1.0]), m.tensor([1.0])
    assert hash(a) != hash(b)
    assert len({a, b}) == 2 and a in {a: 1}


def test_format():
    for spec in (".2f", "", ".3e", "8.1f"):
        assert format(rustorch.tensor(3.14159), spec) == format(torch.tensor(3.14159), spec)
    assert format(rustorch.tensor([1.0])) == on_device_tensor_repr(format(torch.tensor([1.0])))


# ------------------------------------------------------------------ .data
@MODULES
def test_data_get_and_set(m):
    x = m.tensor(A.copy(), requires_grad=True)
    data = x.data
    assert not data.requires_grad and data.is_leaf
    data.mul_(2)  # allowed: .data escapes autograd, and shares memory
    np.testing.assert_allclose(as_numpy(x.detach()), A * 2)
    x.data = m.zeros(5)
    assert tuple(x.shape) == (5,) and x.requires_grad
    (x * 3).sum().backward()
    np.testing.assert_allclose(as_numpy(x.grad), 3.0)


# ------------------------------------------------------------------ DLPack
def test_dlpack_numpy_round_trip_shares_memory():
    array = np.arange(6.0).reshape(2, 3)
    tensor = from_dlpack(array)
    tensor[0, 0] = 100.0
    assert array[0, 0] == 100.0
    back = np.from_dlpack(tensor)
    back[1, 1] = -1.0
    assert tensor[1, 1].item() == -1.0


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool",
                                   "float16", "complex64"])
def test_dlpack_torch_round_trip(dtype):
    source = torch.arange(6).reshape(2, 3).to(getattr(torch, dtype))
    tensor = from_dlpack(source)
    assert tensor.dtype.name == dtype and tuple(tensor.shape) == (2, 3)
    assert tensor.tolist() == source.tolist()
    back = torch.from_dlpack(tensor)
    assert back.dtype == source.dtype and back.tolist() == source.tolist()
    if dtype == "float32":
        tensor.add_(1)
        assert source[0, 0].item() == 1.0  # memory is shared


def test_dlpack_non_contiguous_and_capsule():
    source = torch.arange(12.0).reshape(3, 4).t()
    tensor = from_dlpack(source)
    assert tensor.stride() == source.stride() and tensor.tolist() == source.tolist()
    capsule = torch.utils.dlpack.to_dlpack(torch.arange(3.0))
    assert from_dlpack(capsule).tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("name, offset", [(b"dltensor", 0), (b"dltensor_versioned", 32)])
def test_bare_capsule_device_is_read_from_its_dltensor(name, offset):
    """A bare capsule says where its memory is only inside its struct: a CUDA one (device
    type 2, id 3) must not be taken for host memory."""
    import ctypes
    from rustorch.utils.dlpack import _capsule_device
    struct = (ctypes.c_int32 * 32)()
    pointer_words = ctypes.sizeof(ctypes.c_void_p) // 4
    struct[(offset // 4) + pointer_words] = 2       # DLDevice.device_type after DLTensor.data
    struct[(offset // 4) + pointer_words + 1] = 3   # DLDevice.device_id
    new_capsule = ctypes.pythonapi.PyCapsule_New
    new_capsule.restype, new_capsule.argtypes = ctypes.py_object, \
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    capsule = new_capsule(ctypes.addressof(struct), name, None)
    assert _capsule_device(capsule) == (2, 3)
    assert _capsule_device(np.arange(3.0).__dlpack__()) == (1, 0)


def test_dlpack_refuses_tensors_requiring_grad():
    for m in (torch, rustorch):
        with pytest.raises(BufferError):
            m.ones(2, requires_grad=True).__dlpack__()
    expected = torch.ones(2).__dlpack_device__()
    if not ON_CPU:  # torch's DLPack device of a tensor on the test device
        device = rustorch.empty(0).device
        expected = (getattr(torch.utils.dlpack.DLDeviceType, f"kDL{device.type.upper()}"),
                    device.index)
    assert rustorch.ones(2).__dlpack_device__() == expected


# ------------------------------------------------------------------ pickling and copies
@pytest.mark.parametrize("make", [
    lambda m: m.tensor(A), lambda m: m.tensor(A, requires_grad=True),
    lambda m: m.tensor([1, 2, 3]), lambda m: m.tensor(A).t(), lambda m: m.tensor(2.5),
    pytest.param(lambda m: m.tensor([1.5]).bfloat16(), marks=NEEDS_BFLOAT16),
])
def test_pickle_and_deepcopy(make):
    tensor = make(rustorch)
    for clone in (pickle.loads(pickle.dumps(tensor)), copy.deepcopy(tensor)):
        assert clone is not tensor
        assert clone.dtype == tensor.dtype and clone.shape == tensor.shape
        assert clone.requires_grad == tensor.requires_grad
        assert clone.tolist() == tensor.tolist()
        assert clone.data_ptr() != tensor.data_ptr()


def test_deepcopy_keeps_grad_and_refuses_non_leaf():
    x = rustorch.tensor(A, requires_grad=True)
    (x * 2).sum().backward()
    clone = copy.deepcopy(x)
    assert clone.grad is not None and clone.grad.tolist() == x.grad.tolist()
    for m in (torch, rustorch):
        with pytest.raises(RuntimeError):
            copy.deepcopy(m.tensor(A, requires_grad=True) * 2)


def test_deepcopy_keeps_views_sharing_one_copied_storage():
    results = {}
    for m in (torch, rustorch):
        base = m.arange(12.0)
        grid = base.view(3, 4)
        parts = [base, base[2:], grid.t(), grid[1], grid[:, ::2], m.ones(2)]
        parameter = m.nn.Parameter(m.zeros(4))
        clones = copy.deepcopy(parts + [parameter, parameter[1:].detach()])
        clones[0][5] = -1.0  # writes through to every other view of the copied storage
        clones[6].data[2] = 7.0  # a Parameter is cloned on its own, as in torch
        results[m] = clones
        assert clones[0].data_ptr() != base.data_ptr()
        assert all(clone is not part for clone, part in zip(clones, parts))
    for mine, theirs in zip(results[rustorch], results[torch]):
        assert mine.tolist() == theirs.tolist()
        assert mine.stride() == theirs.stride()
        assert mine.storage_offset() == theirs.storage_offset()
        assert type(mine).__name__ == type(theirs).__name__


def test_shallow_copy_shares_memory():
    tensor = rustorch.tensor(A)
    clone = copy.copy(tensor)
    assert clone.data_ptr() == tensor.data_ptr()


# ------------------------------------------------------------------ untyped storage
def test_untyped_storage_views_the_tensors_bytes():
    for m in (torch, rustorch):
        base = m.arange(3, dtype=m.int16)
        storage = base[1:].untyped_storage()
        assert m.is_storage(storage) and isinstance(storage, m.UntypedStorage)
        assert (storage.nbytes(), storage.size(), len(storage), storage.element_size()) == (6, 6,
                                                                                           6, 1)
        assert storage.data_ptr() == base.data_ptr() and storage.tolist() == [0, 0, 1, 0, 2, 0]
        device = m.empty(0).device  # the default device: rustorch's test device
        assert (storage[1], storage[-2], storage.is_cuda, str(storage.device)) == (
            0, 2, device.type == "cuda", str(device))
        storage[0] = 300  # bytes wrap around
        assert base.tolist() == [44, 1, 2]
        assert storage[2:4].tolist() == [1, 0] and storage[2:4].data_ptr() == base[1].data_ptr()
        clone = storage.clone()
        assert clone.data_ptr() != storage.data_ptr() and clone.tolist() == storage.tolist()
        clone.fill_(1)
        storage.copy_(clone)
        assert base.tolist() == [257, 257, 257]
        assert m.UntypedStorage(3).nbytes() == 3
        assert repr(m.tensor([1.5]).untyped_storage()) == repr(
            torch.tensor([1.5]).untyped_storage()).replace("(device=cpu)", f"(device={device})")
        with pytest.raises(IndexError):
            storage[6]
        with pytest.raises(TypeError):
            storage["a"]
        with pytest.raises(RuntimeError):
            storage.copy_(m.empty(2).untyped_storage())


def test_storage_offset_and_shared_storage_of_views():
    for m in (torch, rustorch):
        grid = m.arange(12.0).view(3, 4)
        view = grid[1:, 2:].t()
        assert view.storage_offset() == 6
        assert view.untyped_storage().data_ptr() == grid.untyped_storage().data_ptr()
        assert view.untyped_storage().nbytes() == 48
        assert m.arange(4.0)[::2].contiguous().storage_offset() == 0
