"""Benchmarks: each figure of PERFORMANCE.md as a ratio against a baseline of the same run."""
