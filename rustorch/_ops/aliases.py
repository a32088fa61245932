"""PyTorch's other spellings of existing ops: the ``torch.*`` names of ``nn.functional``
functions (``torch.conv2d``, ``torch.dropout``, ``torch.embedding`` ...), method aliases
(``Tensor.divide`` ...), and small ops built on others: ``adjoint``, ``fill``, ``frexp``,
``histogram``, ``igamma``/``igammac``, ``Tensor.new``."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from ..errors import ArgumentTypeError, DTypeError, RusTorchError, ShapeError
from ..return_types import namedtuple_result
from ..tensor import Tensor, tensor_method
from ._results import accepts_out

__all__ = ["conv1d", "conv2d", "conv3d", "dropout", "dropout_", "feature_dropout",
           "alpha_dropout", "alpha_dropout_", "feature_alpha_dropout", "embedding", "bilinear",
           "celu", "celu_", "selu", "selu_", "prelu", "rrelu", "rrelu_", "threshold",
           "threshold_", "hardshrink", "pdist", "detach", "real", "imag", "adjoint", "fill",
           "frexp", "histogram", "igamma", "igammac", "OutOfMemoryError"]


class OutOfMemoryError(RusTorchError, RuntimeError):
    """``torch.OutOfMemoryError``: a device ran out of memory (raised by CUDA allocations)."""


def _functional():
    from ..nn import functional  # noqa: PLC0415 - nn imports the ops
    return functional


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    return _functional().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    return _functional().conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    return _functional().conv3d(input, weight, bias, stride, padding, dilation, groups)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _functional().dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _functional().dropout(input, p, train, inplace=True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Zeroes whole channels (dim 1) of a batched input, as ``torch.feature_dropout``."""
    functional = _functional()
    return (functional.dropout1d if input.dim() <= 3 else functional.dropout2d
            if input.dim() == 4 else functional.dropout3d)(input, p, train)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _functional().alpha_dropout(input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _functional().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _functional().feature_alpha_dropout(input, p, train)


def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``torch.embedding``: note the argument order (weight first) and ``padding_idx=-1`` for
    none, unlike ``nn.functional.embedding``."""
    return _functional().embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def bilinear(input1, input2, weight, bias=None) -> Tensor:
    return _functional().bilinear(input1, input2, weight, bias)


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    return _functional().celu(input, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return _functional().celu(input, alpha, inplace=True)


def selu(input: Tensor) -> Tensor:
    return _functional().selu(input)


def selu_(input: Tensor) -> Tensor:
    return _functional().selu(input, inplace=True)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, generator=None) -> Tensor:
    return _functional().rrelu(input, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False, generator=None) -> Tensor:
    return _functional().rrelu(input, lower, upper, training, inplace=True)


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    return _functional().threshold(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    return _functional().threshold(input, threshold, value, inplace=True)


@tensor_method
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    return _functional().prelu(input, weight)


@tensor_method
def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    return _functional().hardshrink(input, lambd)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    return _functional().pdist(input, p)


def detach(input: Tensor) -> Tensor:
    return input.detach()


def real(input: Tensor) -> Tensor:
    return input.real


def imag(input: Tensor) -> Tensor:
    return input.imag


@tensor_method
def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (a view for real tensors)."""
    if input.dim() < 2:
        raise ShapeError(f"adjoint() expects a tensor of at least 2 dimensions, got "
                         f"{input.dim()}-D")
    transposed = input.transpose(-2, -1)
    return transposed.conj() if input.dtype.is_complex else transposed


def fill(input: Tensor, value) -> Tensor:
    """A new tensor like ``input`` holding ``value`` everywhere (differentiable in a tensor
    ``value``), as ``torch.fill``."""
    return input.clone().fill_(value)


Tensor.divide = Tensor.div
Tensor.multiply = Tensor.mul
Tensor.subtract = Tensor.sub


class Frexp(Primitive):
    """``input = mantissa * 2 ** exponent`` with ``|mantissa|`` in [0.5, 1)."""

    multi_output = True
    differentiable_outputs = (0,)

    def forward(self, xp, a):
        mantissa, exponent = xp.frexp(a)
        self.exponent = exponent
        return mantissa, exponent.astype(np.int32)

    def backward(self, grad_mantissa, grad_exponent):
        scale = Tensor._make(self.exponent).to(grad_mantissa.dtype).exp2()
        return grad_mantissa / scale


@tensor_method
@accepts_out(exact_dtype=True)
def frexp(input: Tensor, *, out=None):
    if not input.dtype.is_floating_point:
        raise DTypeError(f"torch.frexp() only supports floating-point dtypes, got "
                         f"{input.dtype}")
    mantissa, exponent = Frexp.apply(input)
    return namedtuple_result("frexp", mantissa, exponent, fields=("mantissa", "exponent"))


@tensor_method
@accepts_out(exact_dtype=True)
def histogram(input: Tensor, bins=100, *, range=None, weight=None,  # noqa: A002
              density: bool = False, out=None):
    """Counts of ``input`` in ``bins`` equal bins over ``range`` (default: min to max) or
    between the given edges; ``(hist, bin_edges)`` of ``input``'s dtype (not differentiable)."""
    if not input.dtype.is_floating_point:
        raise DTypeError(f"torch.histogram: input tensor and bins tensors should have the "
                         f"same dtype, but got input {input.dtype.name} and bins "
                         f"{input.dtype.name} (a floating dtype is needed)")
    dtype = input.dtype.numpy
    values = np.asarray(input.detach().cpu().numpy(), dtype=np.float64).ravel()
    weights = None
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape):
            raise ShapeError(f"torch.histogram: if weight tensor is provided it should have "
                             f"the same shape as the input tensor, got {list(weight.shape)} "
                             f"and {list(input.shape)}")
        weights = np.asarray(weight.detach().cpu().numpy(), dtype=np.float64).ravel()
    if isinstance(bins, Tensor):
        edges = bins.detach().cpu().numpy().astype(dtype)
    else:
        if not isinstance(bins, (int, np.integer)) or bins <= 0:
            raise ArgumentTypeError(f"torch.histogram: bins must be a positive int or a "
                                    f"Tensor, got {bins!r}")
        low, high = range if range is not None else (
            (values.min(), values.max()) if values.size else (0.0, 0.0))
        if low == high:  # PyTorch widens an empty range by a half on each side
            low, high = low - 0.5, high + 0.5
        edges = np.linspace(low, high, int(bins) + 1).astype(dtype)
    hist, _ = np.histogram(values, bins=edges.astype(np.float64), weights=weights,
                           density=density)
    device = input.device
    return namedtuple_result("histogram", Tensor._make(hist.astype(dtype)).to(device),
                             Tensor._make(edges).to(device), fields=("hist", "bin_edges"))


@tensor_method
def igamma(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularized lower incomplete gamma function (``special.gammainc``)."""
    from ..special import gammainc  # noqa: PLC0415 - special imports scipy lazily
    return gammainc(input, other, out=out)


@tensor_method
def igammac(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularized upper incomplete gamma function (``special.gammaincc``)."""
    from ..special import gammaincc  # noqa: PLC0415
    return gammaincc(input, other, out=out)


@tensor_method(name="igamma_")
def igamma_inplace(self: Tensor, other: Tensor) -> Tensor:
    return self.copy_(igamma(self, other))


@tensor_method(name="igammac_")
def igammac_inplace(self: Tensor, other: Tensor) -> Tensor:
    return self.copy_(igammac(self, other))


@tensor_method
def new(self: Tensor, *args, **kwargs) -> Tensor:
    """The legacy ``Tensor.new``: ``torch.Tensor(...)`` with this tensor's dtype and device."""
    from ..creation import legacy_tensor_constructor  # noqa: PLC0415
    return legacy_tensor_constructor(Tensor, args, device=kwargs.get("device", self.device),
                                     dtype=kwargs.get("dtype", self.dtype))

