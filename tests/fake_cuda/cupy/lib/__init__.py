"""``cupy.lib`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the tests when
RUSTORCH_FAKE_CUDA=1)."""
from . import stride_tricks  # noqa: F401
