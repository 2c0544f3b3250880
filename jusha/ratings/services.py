"""Computing ratings (daily by the worker, on demand by staff) and the donors' feedback."""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.giving.models import Donation
from jusha.ratings import rules, selectors
from jusha.ratings.models import Feedback, Snapshot

logger = logging.getLogger("jusha.ratings")


def _plain(item: rules.Indicator) -> dict:
    data = asdict(item)
    data["score"] = None if item.score is None else round(item.score, 1)
    data["value"] = None if item.value is None else round(item.value, 4)
    return data


@transaction.atomic
def rating_compute(*, organisation, actor=None, now=None) -> Snapshot:
    """Compute the organisation's rating from its record now and keep it as today's
    snapshot (a second computation the same day replaces the first). `actor`: staff asking
    for it on demand (audit-logged); None: the worker."""
    if actor is not None and not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff can recompute a rating."), code="staff_only")
    now = now or timezone.now()
    record = selectors.record_of(organisation, now=now)
    items = rules.indicators(record)
    enough = rules.enough_history(record)
    score = rules.score_of(items)
    snapshot, _created = Snapshot.objects.update_or_create(
        organisation=organisation, day=timezone.localdate(now),
        defaults={
            "computed_at": now, "enough_history": enough, "score": score if enough else None,
            "grade": rules.grade_of(score) if enough else "", "indicators": [_plain(i) for i in items],
            "gains": [[key, points] for key, points in rules.gains(items)], "method_version": rules.METHOD_VERSION,
        },
    )
    if actor is not None:
        audit_record(actor=actor, action="rating.compute", target=organisation,
                     data={"score": snapshot.score, "grade": snapshot.grade})
    return snapshot


def ratings_compute_all() -> int:
    """The worker's daily job: every organisation's rating, each in its own transaction (one
    failure is logged and stops no other)."""
    count = 0
    for organisation in selectors.organisations_to_rate().iterator():
        try:
            rating_compute(organisation=organisation)
            count += 1
        except Exception:  # noqa: BLE001 - one organisation's failure must not stop the others
            logger.exception("rating of organisation %s failed", organisation.pk)
    return count


@transaction.atomic
def feedback_give(*, donation: Donation, stars, allowed: bool) -> Feedback:
    """A donor answers the one question after delivery (1 to 5 stars); answering again
    changes the answer. `allowed`: the caller showed the gift is theirs (member donor or
    receipt link holder)."""
    if not allowed:
        raise Forbidden(_("Only the donor of this gift can answer."), code="not_donor")
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise Invalid(_("Choose from 1 to 5 stars."), code="stars_invalid")
    if not selectors.feedback_eligible(donation):
        raise Conflict(_("You can answer once the help has been delivered."), code="not_delivered")
    feedback, _created = Feedback.objects.update_or_create(
        donation=donation,
        defaults={"stars": stars, "project": donation.project, "organisation_id": donation.project.organisation_id},
    )
    return feedback
