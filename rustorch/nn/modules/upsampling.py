"""upsampling (being written)."""
__all__ = []
