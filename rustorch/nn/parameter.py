"""parameter (being written)."""
__all__ = []
