"""Which projects anyone may see, as a query: the queryset form of
`projects.selectors.is_public` (published statuses, or cancelled after it was published),
for lists and for filters across a relation. `tests/projects/test_visibility.py` proves the
two agree for every status, with and without `published_at`."""

from __future__ import annotations

from django.db.models import Q

from jusha.projects import states


def public_q(prefix: str = "") -> Q:
    """Projects anyone may see. `prefix` reaches them through a relation ("project__")."""
    return Q(**{f"{prefix}status__in": states.PUBLIC}) | Q(
        **{f"{prefix}status": states.CANCELLED, f"{prefix}published_at__isnull": False}
    )
