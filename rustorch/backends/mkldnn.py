"""``torch.backends.mkldnn``: oneDNN (MKL-DNN), which rustorch does not use."""
from __future__ import annotations

__all__ = ["is_available", "enabled"]

#: recorded only; rustorch has no oneDNN kernels to switch
enabled = True


def is_available() -> bool:
    """False, unlike PyTorch's CPU builds: rustorch's CPU kernels are NumPy's, not oneDNN's,
    so scripts must not take oneDNN-only paths such as ``Tensor.to_mkldnn()``."""
    return False
