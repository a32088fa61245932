"""Test configuration: make the repository root importable (for ``tests._oracle``); with
``RUSTORCH_TEST_DEVICE`` set (``cuda``), rustorch's factory functions default to that device."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

if os.environ.get("RUSTORCH_TEST_DEVICE", "cpu") != "cpu":
    import rustorch

    rustorch.set_default_device(os.environ["RUSTORCH_TEST_DEVICE"])
