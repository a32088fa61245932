"""``cupyx`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the tests when
RUSTORCH_FAKE_CUDA=1): scatter ops, ``errstate``/``seterr`` (the ``linalg`` mode that decides
whether ``cupy.linalg`` raises), pinned-memory helpers and ``cupyx.scipy``."""
from __future__ import annotations

import contextlib

import numpy as _numpy

_CONFIG = {"linalg": "ignore"}  # CuPy's default: cuSOLVER failures are not checked


def geterr() -> dict:
    return {"divide": None, "over": None, "under": None, "invalid": None, **_CONFIG}


def seterr(*, divide=None, over=None, under=None, invalid=None, linalg=None) -> dict:
    old = geterr()
    if linalg is not None:
        if linalg not in ("ignore", "raise"):
            raise NotImplementedError(f"linalg={linalg!r} is not supported")
        _CONFIG["linalg"] = linalg
    return old


@contextlib.contextmanager
def errstate(*, divide=None, over=None, under=None, invalid=None, linalg=None):
    old = seterr(linalg=linalg)
    try:
        yield
    finally:
        _CONFIG["linalg"] = old["linalg"]


def scatter_add(a, slices, value) -> None:
    a.scatter_add(slices, value)


def scatter_max(a, slices, value) -> None:
    a.scatter_max(slices, value)


def scatter_min(a, slices, value) -> None:
    a.scatter_min(slices, value)


def rsqrt(x, out=None):
    import cupy
    return cupy.reciprocal(cupy.sqrt(x), out=out)


def empty_pinned(shape, dtype=float, order="C"):
    return _numpy.empty(shape, dtype, order)


def zeros_pinned(shape, dtype=float, order="C"):
    return _numpy.zeros(shape, dtype, order)


def empty_like_pinned(a, dtype=None, order="K", subok=None, shape=None):
    return _numpy.empty_like(a, dtype, order, subok, shape)


def zeros_like_pinned(a, dtype=None, order="K", subok=None, shape=None):
    return _numpy.zeros_like(a, dtype, order, subok, shape)


from . import scipy  # noqa: E402,F401
