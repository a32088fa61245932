"""``python benchmarks/run.py``: the same runner as ``python -m benchmarks``."""

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: sys.path[0] is benchmarks/ itself; the repository root must replace it
    # so that ``benchmarks`` imports as a package and its modules shadow no other names.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.runner import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
