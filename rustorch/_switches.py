"""Process-wide switches PyTorch scripts set: deterministic algorithms, float32 matmul
precision, and small helpers (typename, is_storage)."""
from __future__ import annotations

__all__: list[str] = []
