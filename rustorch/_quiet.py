"""Floating-point exceptions stay quiet inside rustorch's ops, as in PyTorch.

PyTorch computes ``inf - inf`` as nan and ``1 / 0`` as inf without a warning; numpy warns
("RuntimeWarning: invalid value encountered in add") or raises under ``np.seterr``. Every op's
forward (``Primitive.apply``) and every backward pass run with numpy's error handling set to
"ignore" for their duration, then the caller's setting comes back.

``np.errstate`` costs ~2.5 us per use, a tenth of a small op. numpy keeps its error state in a
context variable; setting that variable to a prebuilt "ignore everything" state and resetting
it costs ~0.4 us. Where a numpy release no longer exposes it, ``np.errstate`` is used.
"""
from __future__ import annotations

import numpy as np

__all__ = ["enter", "leave", "STATE", "IGNORE"]


class _ErrstateFallback:
    """``set``/``reset`` through ``np.errstate``, for a numpy without the context variable."""

    def set(self, _ignored):
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def reset(self, token) -> None:
        token.__exit__(None, None, None)


try:
    from numpy._core.umath import _extobj_contextvar as STATE
    with np.errstate(all="ignore"):
        IGNORE = STATE.get()
except ImportError:  # pragma: no cover - another numpy layout
    STATE, IGNORE = _ErrstateFallback(), None


def enter():
    """Make floating-point exceptions quiet; returns the token ``leave`` takes. The hot paths
    call ``STATE.set(IGNORE)`` and ``STATE.reset(token)`` themselves."""
    return STATE.set(IGNORE)


def leave(token) -> None:
    """Bring back the error handling that was in force before ``enter``."""
    STATE.reset(token)
