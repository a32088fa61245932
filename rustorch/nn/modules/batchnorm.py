"""batchnorm (being written)."""
__all__ = []
