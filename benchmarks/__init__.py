"""Reproducible speed and memory measurements, run by `make bench`."""
