"""Benchmarks that print figures (never timed assertions in tests); bench/load.py is the load benchmark."""
