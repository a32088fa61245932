"""The older top-level LU and QR-reflector functions PyTorch keeps: ``torch.lu`` and
``torch.lu_solve`` (deprecated, with their warnings), ``torch.lu_unpack``, ``torch.geqrf`` and
``torch.orgqr``, and their Tensor-method forms. Re-exported into ``rustorch``."""
from __future__ import annotations

import warnings

import numpy as np

from ..errors import ShapeError
from ..return_types import namedtuple_result
from ..tensor import Tensor, tensor_method
from ._factorizations import lu_factor_ex, lu_solve as _lu_solve, lu_unpack
from ._helpers import check_float
from ._more import householder_product
from .._ops._results import accepts_out

__all__ = ["lu", "lu_solve", "lu_unpack", "geqrf", "orgqr"]

_LU_WARNING = ("torch.lu is deprecated in favor of torch.linalg.lu_factor / "
               "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.")
_LU_SOLVE_WARNING = ("torch.lu_solve is deprecated in favor of torch.linalg.lu_solve and will "
                     "be removed in a future PyTorch release. Note that torch.linalg.lu_solve "
                     "has its arguments reversed.")


@tensor_method
@accepts_out(exact_dtype=True)
def lu(A, pivot: bool = True, get_infos: bool = False, out=None):  # noqa: N803
    """``(LU, pivots)`` (and ``infos`` with ``get_infos``), as ``linalg.lu_factor_ex``."""
    warnings.warn(_LU_WARNING, UserWarning, stacklevel=2)
    factors, pivots, infos = lu_factor_ex(A, pivot=pivot, check_errors=not get_infos)
    return (factors, pivots, infos) if get_infos else (factors, pivots)


@tensor_method
@accepts_out(exact_dtype=True)
def lu_solve(b, LU_data, LU_pivots, *, out=None) -> Tensor:  # noqa: N803
    """``A X = b`` from ``torch.lu``'s factors (``linalg.lu_solve`` with the arguments in the
    old order)."""
    warnings.warn(_LU_SOLVE_WARNING, UserWarning, stacklevel=2)
    return _lu_solve(LU_data, LU_pivots, b)


@tensor_method
@accepts_out(exact_dtype=True)
def geqrf(input, *, out=None):
    """LAPACK's ``geqrf``: R on and above the diagonal, the Householder reflectors below it,
    and their scales ``tau`` (``orgqr`` rebuilds Q); not differentiable, as in PyTorch."""
    check_float(input, "geqrf")
    if input.ndim < 2:
        raise ShapeError(f"torch.geqrf: input must have at least 2 dimensions, got "
                         f"{input.ndim}")
    from scipy.linalg import lapack  # noqa: PLC0415 - scipy is imported on first use

    array = np.asarray(input.detach().cpu().numpy())
    m, n = array.shape[-2:]
    batch = array.reshape((int(np.prod(array.shape[:-2])), m, n))  # empty matrices too
    routine = lapack.get_lapack_funcs("geqrf", (batch,))
    factors = np.empty_like(batch)
    taus = np.zeros((batch.shape[0], min(m, n)), dtype=batch.dtype)
    for index, matrix in enumerate(batch):
        if matrix.size:
            factors[index], taus[index] = routine(matrix)[:2]
    device = input.device
    return namedtuple_result(
        "geqrf", Tensor._make(factors.reshape(array.shape)).to(device),
        Tensor._make(taus.reshape(array.shape[:-2] + (min(m, n),))).to(device),
        fields=("a", "tau"))


@tensor_method
def orgqr(input, tau) -> Tensor:
    """Q from ``geqrf``'s reflectors (``linalg.householder_product``)."""
    return householder_product(input, tau)
