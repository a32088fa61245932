"""``torch.backends.cpu``: the vector instruction set the CPU kernels can use."""
from __future__ import annotations

__all__ = ["get_cpu_capability"]


def _numpy_cpu_features() -> dict[str, bool]:
    """NumPy's runtime CPU feature table (what ``numpy.show_runtime()`` prints)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # NumPy 1.x
        try:
            from numpy.core._multiarray_umath import __cpu_features__
        except ImportError:
            return {}
    return dict(__cpu_features__)


def get_cpu_capability() -> str:
    """PyTorch's name for the CPU's vector capability: "AVX512" or "AVX2" on x86, "VSX" on
    POWER, "Z VECTOR" on s390x, else "DEFAULT"; read from NumPy's CPU feature detection.

    >>> get_cpu_capability() in ("DEFAULT", "AVX2", "AVX512", "VSX", "Z VECTOR")
    True
    """
    features = _numpy_cpu_features()

    def has(*names: str) -> bool:
        return all(features.get(name, False) for name in names)

    if has("AVX512F", "AVX512BW", "AVX512DQ", "AVX512VL", "FMA3"):
        return "AVX512"
    if has("AVX2", "FMA3"):
        return "AVX2"
    if has("VSX"):
        return "VSX"
    if has("VX"):
        return "Z VECTOR"
    return "DEFAULT"
