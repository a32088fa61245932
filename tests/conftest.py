"""Test configuration: make the repository root importable (for ``tests._oracle``)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
