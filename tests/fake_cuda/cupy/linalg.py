"""``cupy.linalg`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the tests
when RUSTORCH_FAKE_CUDA=1): ``numpy.linalg`` on the arrays' buffers, CuPy 13.6's names only.

As in CuPy, failures of the factorizations (singular ``inv``/``solve``, non positive-definite
``cholesky``) do not raise LinAlgError unless ``cupyx.errstate(linalg='raise')`` is active:
the results are NaN (CuPy returns whatever cuSOLVER left, typically inf/NaN)."""
import numpy as _numpy

from ._dispatch import call as _call, module_getattr as _module_getattr
from ._wrap import unsupported_type as _unsupported

LinAlgError = _numpy.linalg.LinAlgError


def _quiet(name, function):
    """``function`` returning NaNs of its usual shape where NumPy raises LinAlgError."""
    def run(a, *rest):
        try:
            return function(a, *rest)
        except _numpy.linalg.LinAlgError:
            import cupyx
            if cupyx.geterr()["linalg"] == "raise":
                raise
            identity = _numpy.broadcast_to(_numpy.eye(a.shape[-1], dtype=a.dtype), a.shape)
            result = function(identity, *rest)
            return _numpy.full_like(result, _numpy.nan)
    return run


def _check(*arrays):
    from ._core import ndarray
    for array in arrays:
        if not isinstance(array, ndarray):
            raise _unsupported(array)


def inv(a):
    _check(a)
    return _call("cupy.linalg", "inv", _quiet("inv", _numpy.linalg.inv), (a,), {})


def cholesky(a):
    _check(a)
    return _call("cupy.linalg", "cholesky", _quiet("cholesky", _numpy.linalg.cholesky), (a,), {})


def solve(a, b):
    """CuPy 13's rules: ``b`` is (..., M) when ``a.ndim == b.ndim + 1``, else (..., M, K), with
    the same batch shape as ``a`` (no broadcasting)."""
    _check(a, b)
    if not ((a.ndim == b.ndim or a.ndim == b.ndim + 1) and a.shape[:-1] == b.shape[:a.ndim - 1]):
        raise ValueError("a must have (..., M, M) shape and b must have (..., M) or (..., M, K)")

    def solve_numpy(x, y):
        if x.ndim == y.ndim + 1:
            return _numpy.linalg.solve(x, y[..., None])[..., 0]
        return _numpy.linalg.solve(x, y)
    return _call("cupy.linalg", "solve", _quiet("solve", solve_numpy), (a, b), {})


__getattr__ = _module_getattr("cupy.linalg", _numpy.linalg, globals())
