"""The ``fp32_precision`` settings shared by ``backends.cuda.matmul`` and ``backends.cudnn``."""
from __future__ import annotations

from ..errors import ArgumentTypeError, ArgumentValueError

__all__ = ["check_fp32_precision", "FP32Precision"]

_CUDA_PRECISIONS = ("ieee", "tf32", "none")


def check_fp32_precision(value: str, operator: str) -> None:
    """PyTorch's checks for a CUDA ``fp32_precision``: "ieee", "tf32" or "none"."""
    if not isinstance(value, str):
        raise ArgumentTypeError(f"fp32_precision for {operator} expects a str, got "
                                f"{type(value).__name__}")
    if value == "bf16":
        raise ArgumentValueError("backend 'cuda' does not support precision 'bf16'")
    if value not in _CUDA_PRECISIONS:
        raise ArgumentValueError(f"Unknown precision: {value}")


class FP32Precision:
    """A holder of one operator's ``fp32_precision`` (``cudnn.conv``, ``cudnn.rnn``)."""

    __slots__ = ("_operator", "_value")

    def __init__(self, operator: str, value: str = "tf32") -> None:
        self._operator = operator
        self._value = value

    @property
    def fp32_precision(self) -> str:
        return self._value

    @fp32_precision.setter
    def fp32_precision(self, value: str) -> None:
        check_fp32_precision(value, self._operator)
        self._value = value

    def __setattr__(self, name: str, value) -> None:
        if name not in ("fp32_precision", "_operator", "_value"):
            raise AttributeError(f"Unknown attribute {name}")
        object.__setattr__(self, name, value)
