"""flatten (being written)."""
__all__ = []
