"""Benchmarks: every figure of PERFORMANCE.md as a ratio against a baseline measured in the same run."""
