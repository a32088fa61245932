"""Tensor printing in PyTorch's format: ``tensor([1., 2.], requires_grad=True)``."""
from __future__ import annotations

import numpy as np

from . import dtypes as _dtypes

__all__ = ["tensor_repr", "set_printoptions", "get_printoptions"]


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTIONS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Set how tensors print (same arguments as ``torch.set_printoptions``)."""
    if profile == "default":
        PRINT_OPTIONS.precision, PRINT_OPTIONS.threshold = 4, 1000
        PRINT_OPTIONS.edgeitems, PRINT_OPTIONS.linewidth = 3, 80
    elif profile == "short":
        PRINT_OPTIONS.precision, PRINT_OPTIONS.threshold = 2, 1000
        PRINT_OPTIONS.edgeitems, PRINT_OPTIONS.linewidth = 2, 80
    elif profile == "full":
        PRINT_OPTIONS.precision, PRINT_OPTIONS.threshold = 4, np.inf
        PRINT_OPTIONS.edgeitems, PRINT_OPTIONS.linewidth = 3, 80
    if precision is not None:
        PRINT_OPTIONS.precision = precision
    if threshold is not None:
        PRINT_OPTIONS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTIONS.linewidth = linewidth
    PRINT_OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict:
    return {"precision": PRINT_OPTIONS.precision, "threshold": PRINT_OPTIONS.threshold,
            "edgeitems": PRINT_OPTIONS.edgeitems, "linewidth": PRINT_OPTIONS.linewidth,
            "sci_mode": PRINT_OPTIONS.sci_mode}


def _format_body(array: np.ndarray, indent: int) -> str:
    if array.dtype == _dtypes.bfloat16.numpy or array.dtype == np.float16:
        array = array.astype(np.float32)
    kind = array.dtype.kind
    options = dict(separator=", ", prefix=" " * indent,
                   threshold=PRINT_OPTIONS.threshold if array.size > PRINT_OPTIONS.threshold
                   else np.inf, edgeitems=PRINT_OPTIONS.edgeitems,
                   max_line_width=PRINT_OPTIONS.linewidth)
    if kind == "f":
        finite = array[np.isfinite(array)]
        integral = finite.size == 0 or bool(np.all(finite == np.round(finite)))
        magnitude = np.abs(finite) if finite.size else np.array([0.0])
        nonzero = magnitude[magnitude != 0]
        sci = PRINT_OPTIONS.sci_mode
        if sci is None:
            sci = bool(nonzero.size) and (nonzero.max() / max(nonzero.min(), 1e-300) > 1000.0
                                          or nonzero.max() > 1e8 or nonzero.min() < 1e-4)
        precision = PRINT_OPTIONS.precision
        if integral and not sci:
            def formatter(value):
                if not np.isfinite(value):
                    return str(value).replace("inf", "inf").replace("nan", "nan")
                return f"{value:.0f}."
        elif sci:
            def formatter(value):
                return f"{value:.{precision}e}"
        else:
            def formatter(value):
                return f"{value:.{precision}f}"
        width = max((len(formatter(v)) for v in np.ravel(array)[:2000]), default=1)
        options["formatter"] = {"float_kind": lambda v: formatter(v).rjust(width)}
    elif kind == "b":
        options["formatter"] = {"bool": lambda v: str(bool(v)).rjust(5)}
    text = np.array2string(array, **options)
    return text


def tensor_repr(tensor) -> str:
    array = tensor._data if tensor.is_cpu else tensor._data.get()
    prefix = "tensor("
    suffixes = []
    if tensor.is_cuda:
        suffixes.append(f"device='{tensor.device}'")
    if array.size == 0 and array.ndim != 1 or array.size == 0:
        body = "[]"
        if array.ndim != 1 or array.shape != (0,):
            suffixes.append(f"size={tuple(array.shape)}")
    else:
        body = _format_body(array, len(prefix))
    default_dtypes = (_dtypes.get_default_dtype(), _dtypes.int64, _dtypes.bool)
    if tensor.dtype not in default_dtypes and not (
            tensor.dtype is _dtypes.default_complex_dtype()):
        suffixes.append(f"dtype={tensor.dtype}")
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{tensor.grad_fn.name()}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + body
    for suffix in suffixes:
        text += ", " + suffix
    return text + ")"
