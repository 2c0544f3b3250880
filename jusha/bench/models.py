from django.db import models


class BenchRow(models.Model):
    """One row per request on the benchmarks' bare path (bench/): the stack's own limit."""

    payload = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
