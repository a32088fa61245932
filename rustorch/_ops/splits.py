"""Splitting and reshaping helpers: tensor_split, hsplit/vsplit/dsplit, sum_to_size, and the
in-place Tensor methods fill_diagonal_, resize_/resize_as_, apply_/map_."""
from __future__ import annotations

__all__: list[str] = []
