"""vision (being written)."""
__all__ = []
