"""The four primitives every ``torch.fft`` transform is built from.

``Resize`` zero-pads or truncates dims (what ``n``/``s`` do), ``ComplexTransform`` is the
complex-to-complex DFT, ``RealToComplex`` the one-sided real DFT and ``ComplexToReal`` its
inverse. Forward passes call ``xp.fft`` (numpy.fft or cupy.fft); backward passes are the
adjoint transforms written with these same primitives, so they are differentiable again.

Adjoints: the DFT scaled by ``norm`` has as adjoint the opposite-direction DFT scaled by the
dual norm ("backward" <-> "forward", "ortho" stays). A one-sided real transform keeps the first
``n // 2 + 1`` outputs, so its adjoint zero-pads the gradient back to ``n`` before the inverse
complex transform and keeps the real part. The complex-to-real transform reads each kept
non-DC, non-Nyquist coefficient twice (itself and its mirror image), so its adjoint is the
one-sided real transform of the gradient with those entries doubled.
"""
from __future__ import annotations

from ..autograd.function import Primitive
from ..tensor import Tensor
from ._common import dual_norm

__all__ = ["Resize", "ComplexTransform", "RealToComplex", "ComplexToReal", "resize"]

_COMPLEX_OF = {"float32": "complex64", "float64": "complex128", "complex64": "complex64",
               "complex128": "complex128"}
_REAL_OF = {"float32": "float32", "float64": "float64", "complex64": "float32",
            "complex128": "float64"}


class Resize(Primitive):
    """Each of ``dims`` truncated or zero-padded at its end to the matching ``sizes``."""

    def forward(self, xp, array, dims=(), sizes=()):
        self.dims = dims
        self.input_sizes = tuple(array.shape[d] for d in dims)
        shape = list(array.shape)
        for dim, size in zip(dims, sizes):
            shape[dim] = size
        result = xp.zeros(shape, array.dtype)
        overlap = [slice(None)] * array.ndim
        for dim, size in zip(dims, sizes):
            overlap[dim] = slice(0, min(size, array.shape[dim]))
        overlap = tuple(overlap)
        result[overlap] = array[overlap]
        return result

    def backward(self, grad):
        return (Resize.apply(grad, dims=self.dims, sizes=self.input_sizes),)


def resize(input: Tensor, dims, sizes) -> Tensor:
    """``input`` with ``dims`` resized to ``sizes`` (itself when nothing changes)."""
    changes = [(d, size) for d, size in zip(dims, sizes) if input.shape[d] != size]
    if not changes:
        return input
    return Resize.apply(input, dims=tuple(d for d, _ in changes),
                        sizes=tuple(size for _, size in changes))


class ComplexTransform(Primitive):
    """``fftn`` (``inverse`` False) or ``ifftn`` over ``dims``; a real input is read as complex
    with zero imaginary part (its gradient is the real part of the complex one)."""

    def name(self) -> str:
        return "FftC2CBackward0"

    def forward(self, xp, array, dims=(), norm="backward", inverse=False):
        self.dims, self.norm, self.inverse = dims, norm, inverse
        self.real_input = array.dtype.kind != "c"
        dtype = _COMPLEX_OF[array.dtype.name]
        if not dims:
            return array.astype(dtype)
        transform = xp.fft.ifftn if inverse else xp.fft.fftn
        return transform(array, axes=dims, norm=norm).astype(dtype, copy=False)

    def backward(self, grad):
        result = ComplexTransform.apply(grad, dims=self.dims, norm=dual_norm(self.norm),
                                        inverse=not self.inverse)
        return (result.real if self.real_input else result,)


class RealToComplex(Primitive):
    """``rfftn`` over ``dims``: the last of ``dims`` keeps ``n // 2 + 1`` outputs."""

    def name(self) -> str:
        return "FftR2CBackward0"

    def forward(self, xp, array, dims=(), norm="backward"):
        self.dims, self.norm = dims, norm
        self.length = array.shape[dims[-1]]
        result = xp.fft.rfftn(array, axes=dims, norm=norm)
        return result.astype(_COMPLEX_OF[array.dtype.name], copy=False)

    def backward(self, grad):
        full = resize(grad, (self.dims[-1],), (self.length,))
        result = ComplexTransform.apply(full, dims=self.dims, norm=dual_norm(self.norm),
                                        inverse=True)
        return (result.real,)


class ComplexToReal(Primitive):
    """``irfftn`` over ``dims`` to ``length`` points along the last of them; the input holds
    exactly ``length // 2 + 1`` coefficients there."""

    def name(self) -> str:
        return "FftC2RBackward0"

    def forward(self, xp, array, dims=(), norm="backward", length=2):
        self.dims, self.norm = dims, norm
        self.real_input = array.dtype.kind != "c"
        self.mirrored = length - array.shape[dims[-1]]  # coefficients that have a mirror image
        sizes = [array.shape[d] for d in dims[:-1]] + [length]
        result = xp.fft.irfftn(array, s=sizes, axes=dims, norm=norm)
        return result.astype(_REAL_OF[array.dtype.name], copy=False)

    def backward(self, grad):
        result = RealToComplex.apply(grad, dims=self.dims, norm=dual_norm(self.norm))
        if self.mirrored > 0:
            last = self.dims[-1]
            xp = grad._xp()
            weight_shape = [1] * grad.ndim
            weight_shape[last] = result.shape[last]
            weight = xp.ones(weight_shape, grad._data.dtype)
            index = [slice(None)] * grad.ndim
            index[last] = slice(1, 1 + self.mirrored)
            weight[tuple(index)] = 2
            result = result * Tensor._make(weight)
        return (result.real if self.real_input else result,)
