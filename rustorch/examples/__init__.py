"""Runnable demos: ``python -m rustorch.examples.digits`` trains a CNN on handwritten digits."""
