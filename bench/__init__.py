"""Benchmarks and their data generator; run from the project root (``python bench/generate.py``)."""
