"""gradcheck (being written)."""
__all__ = []
