from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark-only endpoints (bench/): installed only with JUSHA_BENCH_ENDPOINTS=1 (and in
    the test suite, which checks them); production settings never install it."""

    name = "jusha.bench"
    label = "bench"
    verbose_name = "Benchmarks"
