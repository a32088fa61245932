"""Side-by-side benchmarks of rustorch against torch (CPU); see docs/benchmarks.md."""
