"""``python -m benchmarks``: run the benchmark suite (``--help`` for options)."""

from benchmarks.runner import main

if __name__ == "__main__":
    raise SystemExit(main())
