"""Benchmarks: each prints its figures with the machine and date, and saves them as JSON."""
