"""Public facts for the transparency log: a batch created, a unit delivered.

`jusha.transparency.services.fact_queue(kind=..., public=...)` takes them in the caller's
transaction. Until that function exists (the log is built in parallel), nothing is
queued; an error inside the log's own code is never hidden.
"""

from importlib.util import find_spec


def fact_publish(*, kind: str, public: dict) -> None:
    if find_spec("jusha.transparency.services") is None:
        return
    from jusha.transparency import services

    queue = getattr(services, "fact_queue", None)
    if queue is not None:
        queue(kind=kind, public=public)
