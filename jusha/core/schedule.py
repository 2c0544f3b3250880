"""The periodic schedule the worker runs: (name, every N seconds, dotted path of a job).

Jobs are plain service functions taking no arguments; each is safe to run twice at once
(two workers) and to be interrupted, because each does its writes in short transactions.
"""

PERIODIC_JOBS: list[tuple[str, int, str]] = [
    ("expire payment intents", 60, "jusha.giving.services.donations_expire_stale"),
    ("close ended fundraising", 300, "jusha.projects.services.projects_close_ended"),
    ("purge idempotency keys", 3600, "jusha.core.services.idempotency_purge"),
]
