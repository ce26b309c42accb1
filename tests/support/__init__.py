"""Test support shared by the tests and the benchmarks: real Prometheus, synthetic Triton data."""
