"""embedding (being written)."""
__all__ = []
