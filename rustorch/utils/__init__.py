"""Utilities: hooks and (in ``rustorch.utils.data``) data loading."""
