"""Small objects handed out by the fake CuPy's ndarray (a NumPy-backed stand-in for CuPy, used
only by the tests when RUSTORCH_FAKE_CUDA=1): ``flags``, ``flat`` and DLPack capsules."""
from __future__ import annotations

import numpy

from ._wrap import from_numpy_result, unwrap


class Flags:
    """CuPy's flags: c_contiguous, f_contiguous, owndata, fnc, forc (no ``writeable``: CuPy
    arrays are always writable)."""

    def __init__(self, c_contiguous: bool, f_contiguous: bool, owndata: bool) -> None:
        self._c, self._f, self._own = c_contiguous, f_contiguous, owndata

    c_contiguous = property(lambda self: self._c)
    f_contiguous = property(lambda self: self._f)
    owndata = property(lambda self: self._own)
    fnc = property(lambda self: self._f and not self._c)
    forc = property(lambda self: self._f or self._c)

    def __getitem__(self, name: str) -> bool:
        table = {"C_CONTIGUOUS": self._c, "F_CONTIGUOUS": self._f, "OWNDATA": self._own}
        if name not in table:
            raise KeyError(f"{name} is not defined for cupy.ndarray.flags")
        return table[name]

    def __repr__(self) -> str:
        return (f"  C_CONTIGUOUS : {self._c}\n  F_CONTIGUOUS : {self._f}\n"
                f"  OWNDATA : {self._own}")


class PyCapsule:
    """Stands in for a DLPack capsule of device memory (NumPy cannot import it; CuPy can)."""

    def __init__(self, array) -> None:
        self.array = array


class flatiter:
    """``x.flat``: CuPy supports an int, a slice or Ellipsis as index, nothing else."""

    def __init__(self, base) -> None:
        self._base = base
        self._index = 0

    @property
    def base(self):
        return self._base

    def _check(self, index):
        if index is Ellipsis:
            return slice(None)
        if isinstance(index, (tuple, bool)) or not (numpy.isscalar(index) or
                                                    isinstance(index, slice)):
            raise IndexError("unsupported iterator index")
        return index

    def __getitem__(self, index):
        index = self._check(index)
        result = self._base._array.reshape(-1)[index] if self._base._array.flags.c_contiguous \
            else self._base._array.flatten()[index]
        return from_numpy_result(numpy.array(result))

    def __setitem__(self, index, value):
        index = self._check(index)
        self._base._array.flat[index] = unwrap(value, host_ok=True)

    def __len__(self) -> int:
        return self._base.size

    def __iter__(self):
        return self

    def __next__(self):
        if self._index == len(self):
            raise StopIteration()
        self._index += 1
        return self[self._index - 1]

    def copy(self):
        return self._base.flatten()
