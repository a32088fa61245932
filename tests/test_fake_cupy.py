"""Self-test of the fake CuPy in tests/fake_cuda (runs only with RUSTORCH_FAKE_CUDA=1): it must be
as strict as CuPy about NumPy arrays, and keep CuPy's view and scalar semantics."""
import os

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(os.environ.get("RUSTORCH_FAKE_CUDA") != "1",
                                reason="checks the fake CuPy (RUSTORCH_FAKE_CUDA=1)")


@pytest.fixture
def cp():
    import cupy
    assert getattr(cupy, "_FAKE", False), "the fake CuPy must shadow any real one"
    return cupy


def test_not_a_numpy_array_and_no_implicit_conversion(cp):
    a = cp.arange(3.0)
    assert not isinstance(a, np.ndarray)
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array"):
        np.asarray(a)
    with pytest.raises(TypeError):
        np.array([a, a])


@pytest.mark.parametrize("op", [lambda x, y: x + y, lambda x, y: y * x, lambda x, y: x @ y,
                                lambda x, y: x < y, lambda x, y: np.add(x, y)])
def test_mixing_with_numpy_raises(cp, op):
    with pytest.raises(TypeError):
        op(cp.ones(3), np.ones(3))
    with pytest.raises(TypeError):
        cp.concatenate([cp.ones(2), np.ones(2)])
    with pytest.raises(TypeError):
        cp.exp(np.ones(2))


def test_scalars_mix_fine(cp):
    a = cp.ones(2, dtype=np.float32)
    assert (a + 1).dtype == np.float32 and (a * np.float32(2)).dtype == np.float32
    assert isinstance(2.0 - a, cp.ndarray)


def test_numpy_functions_dispatch_to_device(cp):
    a = cp.arange(4.0)
    assert isinstance(np.exp(a), cp.ndarray)
    assert isinstance(np.sum(a), cp.ndarray) and np.sum(a).shape == ()
    assert isinstance(np.concatenate([a, a]), cp.ndarray)


def test_zero_d_results_are_device_arrays(cp):
    a = cp.arange(4.0)
    for value in (a.sum(), cp.sum(a), a[0], a.max(), cp.add(1, 2)):
        assert isinstance(value, cp.ndarray) and value.shape == ()
    assert float(a[1]) == 1.0 and int(a[2]) == 2 and bool(a[1])


def test_views_share_memory_and_base_is_the_owner(cp):
    a = cp.arange(6.0)
    b = a[1:]
    c = b.reshape(5, 1)[2:]
    assert b.base is a and c.base is a and a.base is None
    b[0] = 100.0
    assert a[1].item() == 100.0
    assert a.data.mem is c.data.mem and c.data.ptr == a.data.ptr + 3 * 8
    assert a[0].base is a  # an integer index gives a 0-d view


def test_get_copies_and_asarray_copies_host_data(cp):
    host = np.arange(3.0)
    a = cp.asarray(host)
    host[0] = 5
    assert a[0].item() == 0.0
    out = a.get()
    out[1] = 7
    assert isinstance(out, np.ndarray) and a[1].item() == 1.0
    assert cp.asarray(a) is a and cp.asnumpy(a).tolist() == [0.0, 1.0, 2.0]


def test_ufunc_methods_follow_cupy(cp):
    a = cp.zeros(3)
    cp.add.at(a, cp.asarray([0, 0, 2]), 1.0)
    assert a.tolist() == [2.0, 0.0, 1.0]
    with pytest.raises(NotImplementedError):
        cp.maximum.at(a, cp.asarray([0]), 5.0)
    with pytest.raises(TypeError, match="only supports"):  # no 64-bit integer atomicAdd
        cp.add.at(cp.zeros(2, dtype=np.int64), cp.asarray([0, 0]), 1)
    assert cp.add.reduceat(cp.arange(4.0), cp.asarray([0, 2])).tolist() == [1.0, 5.0]
    with pytest.raises(TypeError):
        cp.add(a, a, where=a > 0)  # CuPy only knows the private _where


def test_signatures_and_names_are_cupys(cp):
    with pytest.raises(TypeError):
        cp.arange(3.0).argsort(kind="stable")
    with pytest.raises(TypeError):
        cp.asarray([1.0], copy=False)
    with pytest.raises(AttributeError):
        cp.linalg.eig  # noqa: B018
    with pytest.raises(TypeError):
        cp.sum(cp.ones(2), where=cp.ones(2, dtype=bool))


def test_integer_array_indices_wrap_around(cp):
    a = cp.arange(3)
    assert a[cp.asarray([1, 3])].tolist() == [1, 0]


def test_unsupported_dtypes_fail_in_kernels(cp):
    import ml_dtypes
    with pytest.raises(ValueError):
        cp.asarray(np.zeros(2, dtype=ml_dtypes.bfloat16))
    with pytest.raises(TypeError):
        cp.zeros(2).astype(ml_dtypes.bfloat16)


def test_cuda_runtime(cp):
    assert cp.cuda.runtime.getDeviceCount() >= 1
    with cp.cuda.Device(0) as device:
        assert device.id == cp.cuda.runtime.getDevice() == 0
    assert cp.zeros(1).device.id == 0
    assert isinstance(cp.cuda.runtime.getDeviceProperties(0)["name"], bytes)
    start, end = cp.cuda.Event(), cp.cuda.Event()
    start.record()
    end.record()
    assert cp.cuda.get_elapsed_time(start, end) >= 0
    assert cp.get_default_memory_pool().used_bytes() >= 0
