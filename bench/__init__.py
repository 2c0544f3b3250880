"""Benchmarks: `make bench` (full) and `make bench-quick` (CI) run bench/run_all.py.

They print figures; they fail only when the platform misbehaves under load (a request
errors, an invariant breaks), never on timings.
"""
