"""``torch.backends.mps``: Apple's Metal backend, which rustorch does not have."""
from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """False: rustorch runs on NumPy (CPU) and CuPy (CUDA) only."""
    return False


def is_built() -> bool:
    """False: rustorch has no Metal backend."""
    return False
