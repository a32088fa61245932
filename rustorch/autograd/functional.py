"""functional (being written)."""
__all__ = []
