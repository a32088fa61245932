"""``torch.backends.openmp``."""
from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """False, unlike PyTorch's builds: rustorch itself is not built with OpenMP; its parallel
    work runs in NumPy's BLAS and in rustorch's own thread pool (``set_num_threads``)."""
    return False
