"""einsum (being written)."""
__all__ = []
