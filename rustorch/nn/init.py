"""init (being written)."""
__all__ = []
