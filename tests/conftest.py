"""Test configuration: make the repository root importable (for ``tests._oracle``); with
``RUSTORCH_TEST_DEVICE`` set (``cuda``), rustorch's factory functions default to that device.
With ``RUSTORCH_FAKE_CUDA=1``, ``import cupy`` finds ``tests/fake_cuda/cupy``: a NumPy-backed
stand-in for CuPy that is as strict as CuPy, so the CUDA paths run on machines without a GPU."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

if os.environ.get("RUSTORCH_FAKE_CUDA") == "1":  # before anything imports rustorch
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_cuda"))

if os.environ.get("RUSTORCH_TEST_DEVICE", "cpu") != "cpu":
    import rustorch

    rustorch.set_default_device(os.environ["RUSTORCH_TEST_DEVICE"])


_TEST_DEVICE = os.environ.get("RUSTORCH_TEST_DEVICE", "cpu")


def _is_bfloat16(value) -> bool:
    """A test parameter that asks for bfloat16 (a name, numpy/ml_dtypes, torch or rustorch)."""
    if isinstance(value, (tuple, list)):
        return any(_is_bfloat16(item) for item in value)
    return isinstance(value, str) and value == "bfloat16" or \
        not isinstance(value, str) and "bfloat16" in str(getattr(value, "name", value))


def pytest_collection_modifyitems(config, items):
    """On a GPU test device: skip ``cpu_only`` tests, and bfloat16 parametrizations where the
    device has no bfloat16 arrays (CuPy has none)."""
    if _TEST_DEVICE == "cpu":
        return
    import pytest
    import rustorch

    cpu_only = pytest.mark.skip(reason=f"CPU-only behaviour (RUSTORCH_TEST_DEVICE={_TEST_DEVICE})")
    no_bfloat16 = pytest.mark.skip(reason=f"{_TEST_DEVICE} has no bfloat16 arrays")
    bfloat16_supported = rustorch.cuda.is_bf16_supported()
    for item in items:
        if item.get_closest_marker("cpu_only"):
            item.add_marker(cpu_only)
        elif not bfloat16_supported and hasattr(item, "callspec") and \
                any(_is_bfloat16(value) for value in item.callspec.params.values()):
            item.add_marker(no_bfloat16)
