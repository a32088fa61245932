"""pixelshuffle (being written)."""
__all__ = []
