"""__init__ (being written)."""
__all__ = []
