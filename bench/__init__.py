"""Benchmarks: each module prints a table; run `make bench BENCH=name` or `python -m bench name`."""
