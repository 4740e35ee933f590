"""Benchmarks, run on demand (`make bench`); results are written down in bench/README.md."""
