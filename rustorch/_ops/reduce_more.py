"""reduce_more (being written)."""
__all__ = []
