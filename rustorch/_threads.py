"""Thread control (``set_num_threads``/``get_num_threads``): the BLAS pools NumPy uses and
rustorch's own pool for large elementwise ops and reductions (``rustorch._parallel``)."""
from __future__ import annotations



from . import _parallel

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
    _parallel.set_threads(int(threads))


def get_num_threads() -> int:
    """Threads an op may use: the CPUs this process may run on, ``OMP_NUM_THREADS`` when set,
    or what ``set_num_threads`` chose."""
    return _parallel.threads()


def set_num_interop_threads(threads: int) -> None:
    global _interop_threads
    _interop_threads = int(threads)


def get_num_interop_threads() -> int:
    return _interop_threads
