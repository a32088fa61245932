"""Padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad`` and
``CircularPad`` in 1, 2 and 3 dimensions (thin wrappers of ``F.pad``)."""
from __future__ import annotations

from ...tensor import Tensor
from .._functional.vision import pad as _pad
from .module import Module

__all__ = [f"{kind}Pad{n}d" for kind in ("Zero", "Constant", "Reflection", "Replication",
                                         "Circular") for n in (1, 2, 3)]


def _widths(padding, n: int) -> tuple:
    if isinstance(padding, (list, tuple)):
        return tuple(padding)
    return (padding,) * (2 * n)


class _PadNd(Module):
    """``F.pad(input, padding, mode, value)``; ``padding`` is (last_low, last_high, ...)."""

    __constants__ = ["padding", "mode"]
    _spatial = 1
    mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _widths(padding, self._spatial)

    def forward(self, input: Tensor) -> Tensor:
        return _pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return _pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _make(kind: str, base: type, mode: str | None, n: int, doc: str) -> type:
    attributes = {"_spatial": n, "__doc__": doc, "__module__": __name__}
    if mode is not None:
        attributes["mode"] = mode
    return type(f"{kind}Pad{n}d", (base,), attributes)


for _n in (1, 2, 3):
    globals()[f"ZeroPad{_n}d"] = _make("Zero", _ZeroPadNd, None, _n,
                                       f"Pad the last {_n} dim(s) with zeros.")
    globals()[f"ConstantPad{_n}d"] = _make("Constant", _ConstantPadNd, None, _n,
                                           f"Pad the last {_n} dim(s) with ``value``.")
    globals()[f"ReflectionPad{_n}d"] = _make(
        "Reflection", _PadNd, "reflect", _n,
        f"Pad the last {_n} dim(s) with their reflection (edge not repeated).")
    globals()[f"ReplicationPad{_n}d"] = _make(
        "Replication", _PadNd, "replicate", _n, f"Pad the last {_n} dim(s) by repeating edges.")
    globals()[f"CircularPad{_n}d"] = _make("Circular", _PadNd, "circular", _n,
                                           f"Pad the last {_n} dim(s) periodically.")
