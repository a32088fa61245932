"""``torch.nn.utils.parametrizations``: ``orthogonal``, ``weight_norm`` and ``spectral_norm``
written with :mod:`rustorch.nn.utils.parametrize` (PyTorch's modules, names and state_dict keys).

>>> layer = orthogonal(rustorch.nn.Linear(20, 40))
>>> Q = layer.weight                      # Q.T @ Q == I
"""
from __future__ import annotations

from enum import Enum, auto


from ... import creation
from ...autograd.grad_mode import no_grad
from ...dtypes import finfo
from ...errors import ArgumentError, TensorIndexError
from ...linalg._legacy_lu import geqrf
from ...tensor import Tensor
from .._functional.linear import normalize
from ..modules.module import Module
from . import parametrize
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _is_orthogonal(Q: Tensor) -> bool:
    from ..._ops.math_logical import allclose
    n, k = Q.size(-2), Q.size(-1)
    identity = creation.eye(k, dtype=Q.dtype, device=Q.device)
    eps = 10.0 * n * finfo(Q.dtype).eps
    return allclose(Q.mH @ Q, identity, atol=eps)


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q factor of the tall ``A = QR`` with ``diag(R)`` real and non-negative."""
    from ...linalg import qr
    Q, R = qr(A)
    # the cast: rustorch's sgn of complex64 gives complex128 (torch keeps complex64)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().to(Q.dtype).unsqueeze(-2)


def _householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """``torch.linalg.householder_product`` composed from differentiable ops: the first ``k``
    columns of ``H_0 ... H_{k-1}``, ``H_i = I - tau_i v_i v_i^H``, ``v_i`` the i-th column of
    the unit lower trapezoid of ``A`` (n x k)."""
    n, k = A.size(-2), A.size(-1)
    identity = creation.eye(n, k, dtype=A.dtype, device=A.device)
    reflectors = A.tril(-1) + identity
    Q = identity.expand(*A.shape[:-2], n, k)
    for index in range(k - 1, -1, -1):
        v = reflectors[..., :, index:index + 1]
        Q = Q - tau[..., index:index + 1].unsqueeze(-1) * (v @ (v.mH @ Q))
    return Q


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps a matrix (or batch) to an orthogonal one; with the dynamic trivialization the result
    is ``base @ map(X)``, ``base`` a buffer."""

    base: Tensor

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ArgumentError("The householder parametrization does not support complex "
                                "tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        from ..._ops.elementwise import add
        from ..._ops.movement import cat
        from ...linalg import matrix_exp, solve
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = matrix_exp(A)
            else:
                identity = creation.eye(n, dtype=A.dtype, device=A.device)
                Q = solve(add(identity, A, alpha=-0.5), add(identity, A, alpha=0.5))
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            # PyTorch truncates the diagonal to an int: it carries only the signs
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q: Tensor) -> Tensor:
        if Q.shape != self.shape:
            raise ArgumentError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                f"Got a tensor of shape {Q.shape}.")
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError("It is not possible to assign to the matrix "
                                          "exponential or the Cayley parametrizations when "
                                          "use_trivialization=False.")
            A, tau = geqrf(Q)
            diagonal = A.diagonal(dim1=-2, dim2=-1)
            diagonal.sign_()
            # a column with tau == 0 is not reflected: the -1 stored on the diagonal undoes it
            diagonal.copy_(diagonal * (1.0 - 2.0 * (tau == 0.0).to(diagonal.dtype)))
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:
            from ..._ops.movement import cat
            from ...random import randn
            extra = randn(*(tuple(Q.size()[:-2]) + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(cat([Q, extra], dim=-1))
        self.base = Q
        negative_identity = creation.zeros_like(Q_init)
        negative_identity.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return negative_identity


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Make ``module.<name>`` (a matrix or batch of matrices) orthogonal (unitary if complex):
    ``Q^H Q = I`` when tall, ``Q Q^H = I`` when wide. ``orthogonal_map`` is ``"matrix_exp"``
    (default for square or complex), ``"cayley"`` or ``"householder"`` (default otherwise)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ArgumentError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ArgumentError("Expected a matrix or batch of matrices. "
                            f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    map_enum = getattr(_OrthMaps, orthogonal_map, None)
    if map_enum is None:
        raise ArgumentError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                            f'"householder". Got: {orthogonal_map}')
    parametrization = _Orthogonal(weight, map_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, parametrization, unsafe=True)
    return module


class _WeightNorm(Module):
    """``(g, v) -> g v / ||v||``; its right inverse splits a weight into ``(||w||, w)``."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Weight normalization :math:`w = g v / \\|v\\|` as a parametrization: ``g`` and ``v`` are
    ``parametrizations.<name>.original0`` and ``original1``. Old ``<name>_g``/``<name>_v``
    checkpoints still load."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys,
                                 unexpected_keys, error_msgs) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    """``W -> W / sigma(W)``, ``sigma`` estimated by power iteration on the buffers ``_u`` and
    ``_v`` (updated on each access in training mode)."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise TensorIndexError("Dimension out of range (expected to be in range of "
                                   f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ArgumentError("Expected n_power_iterations to be positive, but got "
                                f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            with no_grad():
                u = weight_mat.new_empty(h).normal_(0, 1)
                v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", normalize(v, dim=0, eps=self.eps))
            # start from good estimates of the singular vectors
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if weight.ndim <= 1:
            raise AssertionError(f"Expected weight to have more than 1 dimension, got "
                                 f"{weight.ndim}")
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        from ..._ops.linalg_core import mv
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = normalize(mv(weight_mat, self._v), dim=0, eps=self.eps, out=self._u)
                self._v = normalize(mv(weight_mat.H, self._u), dim=0, eps=self.eps,
                                    out=self._v)

    def forward(self, weight: Tensor) -> Tensor:
        from ..._ops.linalg_core import mv, vdot
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # clones: the in-place power iteration must not touch tensors saved for backward
        u, v = self._u.clone(), self._v.clone()
        sigma = vdot(u, mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Spectral normalization :math:`W / \\sigma(W)` as a parametrization; ``dim`` defaults to 0
    (1 for ConvTranspose layers). The vectors live in ``parametrizations.<name>.0._u``/``_v``."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ArgumentError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
        transposed = (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
        dim = 1 if isinstance(module, transposed) else 0
    parametrization = _SpectralNorm(weight, n_power_iterations, dim, eps)
    parametrize.register_parametrization(module, name, parametrization)
    return module
