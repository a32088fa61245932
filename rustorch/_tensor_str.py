"""Tensor printing in PyTorch's exact format: ``tensor([1., 2.], requires_grad=True)``.

The rules (PyTorch's ``torch/_tensor_str.py``): one formatter per tensor (two for complex:
real and imaginary parts) decides from the non-zero finite values whether to print integers
as ``1.``, fixed point with ``precision`` digits, or scientific notation (when
max/min > 1000, max > 1e8 or min < 1e-4), and pads every element to the widest one. Rows wrap
at ``linewidth``; tensors with more than ``threshold`` elements are summarized with ``...``
keeping ``edgeitems`` at each end of every dimension.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

from . import dtypes as _dtypes

__all__ = ["tensor_repr", "set_printoptions", "get_printoptions", "printoptions"]


class _PrintOptions:
    precision = 4
    threshold: float = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTIONS = _PrintOptions()

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
             "full": (4, math.inf, 3, 80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print (``torch.set_printoptions``); ``profile`` is one of
    ``"default"``, ``"short"``, ``"full"``, and ``sci_mode=None`` means automatic."""
    options = PRINT_OPTIONS
    if profile is not None:
        if profile not in _PROFILES:
            from .errors import ArgumentError
            raise ArgumentError(f"set_printoptions: unknown profile {profile!r}; expected one "
                                f"of {sorted(_PROFILES)}")
        (options.precision, options.threshold, options.edgeitems,
         options.linewidth) = _PROFILES[profile]
    if precision is not None:
        options.precision = precision
    if threshold is not None:
        options.threshold = threshold
    if edgeitems is not None:
        options.edgeitems = edgeitems
    if linewidth is not None:
        options.linewidth = linewidth
    options.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current options, as keyword arguments for ``set_printoptions``."""
    options = PRINT_OPTIONS
    return {"precision": options.precision, "threshold": options.threshold,
            "edgeitems": options.edgeitems, "linewidth": options.linewidth,
            "sci_mode": options.sci_mode}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as ``set_printoptions``)."""
    previous = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**previous)


class _Formatter:
    """Chooses the number style and the common width from the values that will be shown."""

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        precision = PRINT_OPTIONS.precision
        if not floating:
            texts = [str(value) for value in values.ravel().tolist()]
            self.width = max([1] + [len(text) for text in texts])
            return
        flat = values.astype(np.float64).ravel()
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return
        magnitude = np.abs(shown)
        smallest, largest = float(magnitude.min()), float(magnitude.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if PRINT_OPTIONS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = bool(PRINT_OPTIONS.sci_mode)
        if self.sci_mode:
            pattern, extra = f"{{:.{precision}e}}", 0
        elif self.int_mode:
            pattern, extra = "{:.0f}", 1  # room for the trailing "."
        else:
            pattern, extra = f"{{:.{precision}f}}", 0
        self.width = max(len(pattern.format(value)) for value in shown.tolist()) + extra

    def format(self, value) -> str:
        if self.floating:
            precision = PRINT_OPTIONS.precision
            if self.sci_mode:
                text = f"{value:{self.width}.{precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{precision}f}"
        else:
            text = str(value)
        return text.rjust(self.width)


def _summarized(array: np.ndarray, edgeitems: int) -> np.ndarray:
    """Only the elements a summarized print shows (what the formatter must fit)."""
    if array.ndim == 0:
        return array
    if array.ndim > 1 and edgeitems == 0:
        return array[(slice(0, 0),) * array.ndim]
    for axis, size in enumerate(array.shape):
        if size > 2 * edgeitems and edgeitems:
            keep = np.r_[0:edgeitems, size - edgeitems:size]
            array = np.take(array, keep, axis=axis)
    return array


class _Printer:
    def __init__(self, real: _Formatter, imag: _Formatter | None, summarize: bool) -> None:
        self.real, self.imag, self.summarize = real, imag, summarize

    def value(self, value) -> str:
        if self.imag is None:
            return self.real.format(value)
        real_text = self.real.format(value.real)
        imag_text = (self.imag.format(value.imag) + "j").lstrip()
        if imag_text[0] in "+-":
            return real_text + imag_text
        return real_text + "+" + imag_text

    def vector(self, array: np.ndarray, indent: int) -> str:
        edgeitems = PRINT_OPTIONS.edgeitems
        element_length = self.real.width + 2
        if self.imag is not None:
            element_length += self.imag.width + 1
        per_line = max(1, math.floor((PRINT_OPTIONS.linewidth - indent) / element_length))
        if self.summarize and not edgeitems:
            items = ["..."]
        elif self.summarize and array.shape[0] > 2 * edgeitems:
            items = ([self.value(v) for v in array[:edgeitems].tolist()] + [" ..."]
                     + [self.value(v) for v in array[-edgeitems:].tolist()])
        else:
            items = [self.value(v) for v in array.tolist()]
        lines = [", ".join(items[start:start + per_line])
                 for start in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"

    def block(self, array: np.ndarray, indent: int) -> str:
        if array.ndim == 0:
            return self.value(array.tolist())
        if array.ndim == 1:
            return self.vector(array, indent)
        edgeitems = PRINT_OPTIONS.edgeitems
        size = array.shape[0]
        if self.summarize and size > 2 * edgeitems:
            parts = ([self.block(array[i], indent + 1) for i in range(edgeitems)] + ["..."]
                     + [self.block(array[i], indent + 1) for i in range(size - edgeitems, size)])
        else:
            parts = [self.block(array[i], indent + 1) for i in range(size)]
        separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
        return "[" + separator.join(parts) + "]"


def _plain_values(array: np.ndarray) -> np.ndarray:
    """float16/bfloat16 print through float32 (exact); everything else as is."""
    if array.dtype == _dtypes.bfloat16.numpy or array.dtype == np.float16:
        return array.astype(np.float32)
    return array


def format_array(array: np.ndarray, indent: int) -> str:
    """The bracketed body of a tensor's repr (without prefix and suffixes)."""
    if array.size == 0:
        return "[]"
    array = _plain_values(array)
    summarize = array.size > PRINT_OPTIONS.threshold
    shown = _summarized(array, PRINT_OPTIONS.edgeitems) if summarize else array
    if array.dtype.kind == "c":
        printer = _Printer(_Formatter(shown.real, True), _Formatter(shown.imag, True), summarize)
    else:
        printer = _Printer(_Formatter(shown, array.dtype.kind == "f"), None, summarize)
    return printer.block(array, indent)


def _join_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Append ``, suffix`` items, starting a new line where one would pass ``linewidth``."""
    pieces = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTIONS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def tensor_repr(tensor) -> str:
    """``repr(tensor)`` exactly as PyTorch prints it."""
    from .tensor import Tensor
    array = tensor._data if tensor.is_cpu else tensor._data.get()
    plain = type(tensor) is Tensor or type(tensor).__name__ == "Parameter"
    prefix = "tensor(" if plain else f"{type(tensor).__name__}("
    indent = len(prefix)
    suffixes = []
    if tensor.is_cuda:
        suffixes.append(f"device='{tensor.device}'")
    dtype = tensor.dtype
    default = _dtypes.get_default_dtype()
    default_complex = _dtypes.complex128 if default is _dtypes.float64 else _dtypes.complex64
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if dtype is not default:
            suffixes.append(f"dtype={dtype}")
        body = "[]"
    else:
        if not PRINT_OPTIONS.edgeitems:
            suffixes.append(f"size={tuple(array.shape)}")
        if dtype not in (default, default_complex, _dtypes.int64, _dtypes.bool):
            suffixes.append(f"dtype={dtype}")
        body = format_array(array, indent)
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{tensor.grad_fn.name().rsplit('::', 1)[-1]}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return _join_suffixes(prefix + body, suffixes, indent)
