"""More in-place spellings PyTorch has on Tensor: the comparisons (``eq_``, ``lt_`` ...),
``logical_not_``, ``cumsum_``/``cumprod_``, ``sgn_``, the ``addmm_`` family and the
``true_divide`` method, all through ``Tensor._inplace`` (leaf and cast checks, the graph when one
is recorded); and small facts: ``is_same_size``, ``dim_order``, ``const_data_ptr``, the device
flags of devices rustorch has no backend for, ``new_empty_strided``.
"""
from __future__ import annotations

from .. import creation
from ..errors import ArgumentValueError, NotSupportedError
from ..tensor import Tensor, tensor_method
from . import einsum, scan, selection
from .composite import _inplace_method
from .elementwise import sgn
from .linalg_core import addmm
from .._factory_out import factory

__all__: list[str] = []

for _function in (selection.eq, selection.ne, selection.lt, selection.le, selection.gt,
                  selection.ge, selection.logical_not, addmm, einsum.addmv, einsum.addr,
                  einsum.baddbmm, einsum.addbmm, sgn):
    _inplace_method(_function)

for _alias, _name in (("greater_", "gt_"), ("greater_equal_", "ge_"), ("less_", "lt_"),
                      ("less_equal_", "le_"), ("not_equal_", "ne_")):
    setattr(Tensor, _alias, getattr(Tensor, _name))


@tensor_method(name="cumsum_")
def cumsum_(self, dim: int, *, dtype=None) -> Tensor:
    """In-place ``cumsum`` along ``dim``."""
    return self._inplace(lambda target: scan.cumsum(target, dim, dtype=dtype))


@tensor_method(name="cumprod_")
def cumprod_(self, dim: int, *, dtype=None) -> Tensor:
    """In-place ``cumprod`` along ``dim``."""
    return self._inplace(lambda target: scan.cumprod(target, dim, dtype=dtype))


Tensor.true_divide = Tensor.div


@tensor_method
def is_same_size(self, other: Tensor) -> bool:
    return tuple(self.shape) == tuple(other.shape)


@tensor_method
def dim_order(self, *, ambiguity_check=False) -> tuple:
    """Dimensions from the outermost in memory to the innermost (by decreasing stride; ties
    keep the dimension order). ``ambiguity_check=True`` raises when two dims share a stride."""
    strides = self.stride()
    if not isinstance(ambiguity_check, bool):
        raise NotSupportedError("dim_order(ambiguity_check=<list of memory formats>) is not "
                                "supported yet; pass True or False")
    if ambiguity_check and len(set(strides)) < len(strides):
        raise ArgumentValueError("The tensor does not have unique dim order, or cannot map to "
                                 "exact one of the given memory formats.")
    return tuple(sorted(range(self.ndim), key=lambda dim: -strides[dim]))


@tensor_method
def const_data_ptr(self) -> int:
    return self.data_ptr()


@tensor_method
@factory
def new_empty_strided(self, size, stride, *, dtype=None, device=None,
                      requires_grad: bool = False, layout=None,
                      pin_memory: bool = False) -> Tensor:
    return creation.empty_strided(size, stride, dtype=dtype or self.dtype,
                                  device=device or self.device, requires_grad=requires_grad)


def _false(self) -> bool:
    return False


for _flag in ("is_xpu", "is_mps", "is_ipu", "is_mtia", "is_maia", "is_vulkan", "is_xla",
              "is_mkldnn", "is_nested", "is_sparse_csr"):
    setattr(Tensor, _flag, property(_false))
