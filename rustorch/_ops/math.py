"""math (being written)."""
__all__ = []
