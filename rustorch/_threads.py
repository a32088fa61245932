"""Thread control (``set_num_threads``/``get_num_threads``) for the BLAS/OpenMP pools NumPy uses."""
from __future__ import annotations

import os

__all__ = ["set_num_threads", "get_num_threads", "set_num_interop_threads",
           "get_num_interop_threads"]

_limiter = None
_interop_threads = 1


def _controller():
    from threadpoolctl import ThreadpoolController
    return ThreadpoolController()


def set_num_threads(threads: int) -> None:
    """Limit the intra-op thread pools (BLAS, OpenMP) to ``threads``, like PyTorch's."""
    from .errors import ArgumentValueError
    global _limiter
    if int(threads) < 1:
        raise ArgumentValueError(f"set_num_threads expects a positive integer, got {threads}")
    _limiter = _controller().limit(limits=int(threads))


def get_num_threads() -> int:
    """The number of threads the BLAS pool uses (the CPU count when unset)."""
    infos = [info for info in _controller().info() if info.get("user_api") == "blas"]
    if infos:
        return int(max(info["num_threads"] for info in infos))
    return os.cpu_count() or 1


def set_num_interop_threads(threads: int) -> None:
    global _interop_threads
    _interop_threads = int(threads)


def get_num_interop_threads() -> int:
    return _interop_threads
