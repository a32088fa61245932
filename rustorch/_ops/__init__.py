"""Primitive ops by family; importing this package attaches their Tensor methods."""
from . import (conversion, elementwise, indexing, inplace, linalg_core,  # noqa: F401
               movement, reduce)
