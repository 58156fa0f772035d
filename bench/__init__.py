"""Benchmarks: `python -m bench.<name>`. Not part of the application; never imported by it."""
