"""activation (being written)."""
__all__ = []
