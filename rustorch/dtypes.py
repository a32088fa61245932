"""PyTorch dtypes, their NumPy storage types, and PyTorch's type-promotion rules."""
from __future__ import annotations

import builtins

import ml_dtypes
import numpy as np

from .errors import ArgumentTypeError, DTypeError

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
    "float32", "float64", "complex64", "complex128", "qint8", "quint8", "qint32",
    "half", "float", "double", "short", "int", "long", "cfloat", "cdouble",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "can_cast",
    "finfo", "iinfo", "uint16", "uint32", "uint64",
]

_BOOL, _INTEGER, _FLOATING, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type: ``rustorch.float32`` and friends (compare with ``is`` or ``==``)."""

    __slots__ = ("name", "numpy", "category", "is_quantized", "itemsize")

    def __init__(self, name: str, numpy_dtype, category: builtins.int,
                 is_quantized: builtins.bool = False) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.category = category
        self.is_quantized = is_quantized
        self.itemsize = self.numpy.itemsize

    @property
    def is_floating_point(self) -> builtins.bool:
        return self.category == _FLOATING and not self.is_quantized

    @property
    def is_complex(self) -> builtins.bool:
        return self.category == _COMPLEX

    @property
    def is_signed(self) -> builtins.bool:
        return self.category != _BOOL and self.name not in ("uint8", "uint16", "uint32",
                                                               "uint64", "quint8")

    def to_real(self) -> "dtype":
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self) -> "dtype":
        return {"float64": complex128, "float32": complex64, "float16": complex64,
                "bfloat16": complex64}.get(self.name, self)

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


bool = dtype("bool", np.bool_, _BOOL)  # noqa: A001 - PyTorch's name
uint8 = dtype("uint8", np.uint8, _INTEGER)
uint16 = dtype("uint16", np.uint16, _INTEGER)
uint32 = dtype("uint32", np.uint32, _INTEGER)
uint64 = dtype("uint64", np.uint64, _INTEGER)
int8 = dtype("int8", np.int8, _INTEGER)
int16 = dtype("int16", np.int16, _INTEGER)
int32 = dtype("int32", np.int32, _INTEGER)
int64 = dtype("int64", np.int64, _INTEGER)
float16 = dtype("float16", np.float16, _FLOATING)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, _FLOATING)
float32 = dtype("float32", np.float32, _FLOATING)
float64 = dtype("float64", np.float64, _FLOATING)
complex64 = dtype("complex64", np.complex64, _COMPLEX)
complex128 = dtype("complex128", np.complex128, _COMPLEX)
# Quantized types keep their integer storage; the quantization phase gives them meaning.
qint8 = dtype("qint8", np.int8, _INTEGER, is_quantized=True)
quint8 = dtype("quint8", np.uint8, _INTEGER, is_quantized=True)
qint32 = dtype("qint32", np.int32, _INTEGER, is_quantized=True)

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128

_ALL = [bool, uint8, uint16, uint32, uint64, int8, int16, int32, int64, float16, bfloat16,
        float32, float64, complex64, complex128, qint8, quint8, qint32]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=half, float=float32, double=float64, short=int16, int=int32, long=int64,
                cfloat=complex64, cdouble=complex128)
#: numpy dtype -> rustorch dtype (quantized types are never inferred from storage).
_FROM_NUMPY = {d.numpy: d for d in _ALL if not d.is_quantized}

_default_dtype = float32


def from_numpy_dtype(numpy_dtype) -> dtype:
    """The rustorch dtype stored as ``numpy_dtype``."""
    try:
        return _FROM_NUMPY[numpy_dtype]
    except KeyError:
        pass
    try:
        return _FROM_NUMPY[np.dtype(numpy_dtype)]
    except (KeyError, TypeError):
        raise DTypeError(
            f"can't convert numpy dtype {numpy_dtype!r}: rustorch supports only "
            f"{', '.join(d.name for d in _ALL if not d.is_quantized)}") from None


def to_dtype(value) -> dtype:
    """A rustorch dtype from a dtype argument: rustorch dtype, Python type, NumPy or torch dtype."""
    if isinstance(value, dtype):
        return value
    if value is builtins.float:
        return float64
    if value is builtins.int:
        return int64
    if value is builtins.bool:
        return bool
    if value is builtins.complex:
        return complex128
    text = str(value)
    if text.startswith("torch."):  # a real torch.dtype handed over from PyTorch code
        return _BY_NAME[text[len("torch."):]]
    try:
        return from_numpy_dtype(np.dtype(value))
    except (TypeError, DTypeError):
        raise ArgumentTypeError(f"expected a dtype, got {value!r} of type "
                                f"{type(value).__name__}") from None


def get_default_dtype() -> dtype:
    """The dtype of floating tensors created from Python floats (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(d) -> None:
    """Set the default floating dtype; only floating types are accepted, as in PyTorch."""
    global _default_dtype
    d = to_dtype(d)
    if not d.is_floating_point:
        raise ArgumentTypeError(f"set_default_dtype: only floating-point types are supported "
                                f"as the default type, got {d}")
    _default_dtype = d


def default_complex_dtype() -> dtype:
    return complex128 if _default_dtype is float64 else complex64


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype both can be cast to, by PyTorch's promotion lattice."""
    if type1 is type2:
        return type1
    if type1.is_quantized or type2.is_quantized:
        raise DTypeError(f"promote_types: promotion is not defined for quantized types "
                         f"({type1} and {type2}); dequantize first")
    if type1.category != type2.category:
        high, low = (type1, type2) if type1.category > type2.category else (type2, type1)
        if high.is_complex and low is float64:
            return complex128
        return high
    if type1.category == _FLOATING:
        if {type1.name, type2.name} == {"float16", "bfloat16"}:
            return float32
        return type1 if type1.itemsize >= type2.itemsize else type2
    promoted = np.promote_types(type1.numpy, type2.numpy)
    if promoted == np.float64:  # uint64 with a signed integer: PyTorch refuses too
        other = type1 if type2 is uint64 else type2
        raise DTypeError(f"promote_types: Promotion for uint64 and {other} is not supported; "
                         f"cast one of them explicitly")
    return _FROM_NUMPY[promoted]


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Merge a lower-priority group (0-d tensors, scalars) into a higher one, by category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        if higher.is_floating_point:
            return higher.to_complex()
        return lower
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value) -> dtype:
    """The dtype a Python scalar takes on its own (``torch.tensor(value).dtype``)."""
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int):
        return int64
    if isinstance(value, builtins.float):
        return _default_dtype
    if isinstance(value, builtins.complex):
        return default_complex_dtype()
    if isinstance(value, np.generic):
        return from_numpy_dtype(value.dtype)
    raise ArgumentTypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")


def result_type(*operands) -> dtype:
    """PyTorch's ``result_type``: dimensioned tensors, then 0-d tensors, then Python scalars."""
    dimensioned = zero_dim = wrapped = None
    for operand in operands:
        operand_dtype = getattr(operand, "dtype", None)
        if isinstance(operand_dtype, dtype) and hasattr(operand, "dim"):
            if operand.dim() > 0:
                dimensioned = operand_dtype if dimensioned is None else promote_types(
                    dimensioned, operand_dtype)
            else:
                zero_dim = operand_dtype if zero_dim is None else promote_types(
                    zero_dim, operand_dtype)
        else:
            current = scalar_dtype(operand)
            wrapped = current if wrapped is None else promote_types(wrapped, current)
    return _combine(dimensioned, _combine(zero_dim, wrapped))


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """Whether PyTorch allows casting ``from_`` to ``to`` without lowering the category."""
    if from_.category == _BOOL or from_.category <= to.category:
        return True
    return False


class finfo:
    """Machine limits of a floating dtype (``rustorch.finfo(rustorch.float16).eps``)."""

    def __init__(self, type: dtype | None = None) -> None:  # noqa: A002
        type = _default_dtype if type is None else to_dtype(type)
        if not (type.is_floating_point or type.is_complex):
            raise ArgumentTypeError(f"finfo: {type} is not a floating point dtype; "
                                    f"use iinfo for integer types")
        info = ml_dtypes.finfo(type.to_real().numpy)
        self.bits = info.bits
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = builtins.float(info.tiny)
        self.smallest_normal = self.tiny
        self.resolution = 10.0 ** -builtins.int(info.precision)  # exact, as PyTorch's
        self.dtype = type.to_real().name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype."""

    def __init__(self, type: dtype) -> None:  # noqa: A002
        type = to_dtype(type)
        if type.category != _INTEGER:  # PyTorch has no iinfo for bool either
            raise ArgumentTypeError(f"{type} is not supported by iinfo; use finfo for "
                                    f"floating types")
        info = np.iinfo(type.numpy)
        self.bits = info.bits
        self.max = builtins.int(info.max)
        self.min = builtins.int(info.min)
        self.dtype = type.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
