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
