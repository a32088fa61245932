"""``cupyx.scipy.linalg`` of the fake CuPy (a NumPy-backed stand-in for CuPy, used only by the
tests when RUSTORCH_FAKE_CUDA=1): ``scipy.linalg`` on the arrays' buffers, limited to the names
CuPy 13.6 has (``lu``, ``lu_factor``, ``lu_solve``, ``solve_triangular``, ``expm`` ..., but no
``qr``, ``cholesky``, ``svd``, ``eig``, ``ldl``, ``schur``)."""
import numpy as _numpy
import scipy.linalg as _linalg

from cupy._dispatch import call as _call, module_getattr as _module_getattr


def _substitute(a, b, lower, unit_diagonal):
    """Plain forward/back substitution: a zero pivot gives inf/NaN, as cuBLAS's trsm."""
    x = _numpy.array(b, dtype=_numpy.result_type(a, b, _numpy.float32), copy=True)
    n = a.shape[0]
    with _numpy.errstate(all="ignore"):
        for i in (range(n) if lower else range(n - 1, -1, -1)):
            known = slice(0, i) if lower else slice(i + 1, n)
            x[i] = x[i] - a[i, known] @ x[known]
            if not unit_diagonal:
                x[i] = x[i] / a[i, i]
    return x


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=False):
    """cuBLAS's trsm does not check the diagonal: singular systems give inf/NaN, no error."""
    def run(a, b):
        try:
            return _linalg.solve_triangular(a, b, trans, lower, unit_diagonal, overwrite_b,
                                            check_finite)
        except _numpy.linalg.LinAlgError:
            flip = trans in (1, 2, "T", "C")
            matrix = (a.conj().T if trans in (2, "C") else a.T) if flip else a
            return _substitute(matrix, b, lower != flip, unit_diagonal)
    return _call("cupyx.scipy.linalg", "solve_triangular", run, (a, b), {})


__getattr__ = _module_getattr("cupyx.scipy.linalg", _linalg, globals())
