"""In-place array helpers shared by the optimizers' update rules (numpy or cupy arrays).

Scalars are cast to the array's dtype before use, as PyTorch does with its ``alpha`` and
``value`` arguments, so a float32 parameter is updated in float32 arithmetic. For float16 and
bfloat16 arrays they stay float32, PyTorch's "opmath" type: each operation then computes in
float32 and rounds once when it writes its result.
"""
from __future__ import annotations

import numpy as np

from .._backend import array_module

__all__ = ["array_module", "typed", "add_scaled", "real_view", "is_reduced", "compute_buffer"]


def is_reduced(array) -> bool:
    """float16 or bfloat16, whose arithmetic PyTorch does in float32."""
    # itemsize first: ``dtype.name`` builds a string (~3 us), called ~10 times per update
    dtype = array.dtype
    return dtype.itemsize == 2 and dtype.name in ("float16", "bfloat16")


def compute_buffer(array):
    """An empty array shaped like ``array`` in the dtype PyTorch computes it in."""
    xp = array_module(array)
    return xp.empty(array.shape, dtype=np.float32) if is_reduced(array) else \
        xp.empty_like(array)


def typed(value: float, array):
    """``value`` as a scalar of the precision PyTorch's kernels use for ``array``."""
    if is_reduced(array):
        return np.float32(value)
    return array.dtype.type(value)


def add_scaled(target, alpha: float, source, scratch=None) -> None:
    """``target += alpha * source`` in place; ``scratch`` (may be ``source``) holds the product.

    For float16/bfloat16 the product stays float32 so the sum is rounded once.
    """
    xp = array_module(target)
    if alpha == 1:
        xp.add(target, source, out=target)
        return
    if is_reduced(target):
        scratch = None
    product = xp.multiply(source, typed(alpha, target), out=scratch)
    xp.add(target, product, out=target)


def real_view(array):
    """A complex array seen as real pairs (PyTorch's ``view_as_real``); others unchanged."""
    if array.dtype.kind != "c":
        return array
    xp = array_module(array)
    real_dtype = xp.finfo(array.dtype).dtype
    return xp.expand_dims(array, -1).view(real_dtype)
