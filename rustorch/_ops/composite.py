"""Composite ops built from existing primitives: addcmul/addcdiv, renorm, histc, bincount,
isin, gradient, vander, ravel/unravel_index, conj/resolve_conj/resolve_neg, view_as_real/
view_as_complex, is_nonzero."""
from __future__ import annotations

__all__: list[str] = []
