"""Tensor layouts: ``strided`` now; ``sparse_coo`` and ``sparse_csr`` for the sparse phase."""
from __future__ import annotations

__all__ = ["layout", "strided", "sparse_coo", "sparse_csr", "memory_format",
           "contiguous_format", "channels_last", "channels_last_3d", "preserve_format"]


class _NamedConstant:
    """One object per name, as torch's layouts and memory formats: printed ``torch.<name>``,
    pickled by name and copied to itself, so identity checks survive pickle and deepcopy."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class layout(_NamedConstant):
    __slots__ = ()


class memory_format(_NamedConstant):
    __slots__ = ()


strided = layout("strided")
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")

contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")
