"""Reads of reports used by pages, the API and ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from jusha.reports import registry, states
from jusha.reports.models import Report


@dataclass(frozen=True)
class OrganisationView:
    """A report as its organisation sees it: what is said, never who said it (no reporter,
    contact, evidence nor trail actors)."""

    pk: int
    kind: str
    target_label: str
    reason: str
    reason_label: str
    details: str
    status: str
    status_label: str
    created_at: datetime
    answer: str
    answered_at: datetime | None
    outcome: str
    decided_at: datetime | None

    @classmethod
    def of(cls, report: Report) -> OrganisationView:
        return cls(
            pk=report.pk, kind=report.kind, target_label=report.target_label, reason=report.reason,
            reason_label=report.get_reason_display(), details=report.details, status=report.status,
            status_label=report.get_status_display(), created_at=report.created_at, answer=report.answer,
            answered_at=report.answered_at, outcome=report.outcome, decided_at=report.decided_at,
        )


def reports_of_organisation(organisation) -> list[OrganisationView]:
    return [OrganisationView.of(r) for r in Report.objects.filter(organisation=organisation)]


def open_count_of_organisations(organisation_ids) -> dict[int, int]:
    rows = (
        Report.objects.filter(organisation_id__in=list(organisation_ids), status__in=states.OPEN)
        .values("organisation_id").annotate(n=Count("pk"))
    )
    return {row["organisation_id"]: row["n"] for row in rows}


def staff_queue(status: str = ""):
    reports = Report.objects.select_related("organisation").annotate(files=Count("evidence"))
    if status:
        reports = reports.filter(status=status)
    else:
        reports = reports.filter(status__in=states.OPEN)
    return reports.order_by("created_at", "pk")


def queue_counts() -> dict[str, int]:
    return dict(Report.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def decided_about(kind: str, object_id: int) -> list[Report]:
    """Decided reports about one target, for its public page: reason, outcome, the
    organisation's answer and dates — never the reporter nor the details they wrote."""
    return list(
        Report.objects.filter(kind=kind, object_id=object_id, status__in=states.DECIDED)
        .only("pk", "kind", "reason", "status", "outcome", "answer", "created_at", "decided_at")
        .order_by("-decided_at", "-pk")
    )


def open_about(kind: str, object_id: int) -> int:
    return Report.objects.filter(kind=kind, object_id=object_id, status__in=states.OPEN).count()


def pending_count(kind: str, object_ids) -> int:
    return Report.objects.filter(kind=kind, object_id__in=list(object_ids), status__in=states.OPEN).count()


def upheld_of_organisations(organisation_ids, *, since=None) -> dict[int, int]:
    """Upheld reports per organisation (for ratings)."""
    query = Q(organisation_id__in=list(organisation_ids), status=states.UPHELD)
    if since is not None:
        query &= Q(decided_at__gte=since)
    rows = Report.objects.filter(query).values("organisation_id").annotate(n=Count("pk"))
    return {row["organisation_id"]: row["n"] for row in rows}


def answer_delays(organisation) -> list[float]:
    """Hours from each report about the organisation to its answer (ratings' responsiveness);
    a report left unanswered counts from its creation to its decision, or to now if open."""
    from django.utils import timezone

    now = timezone.now()
    delays = []
    for created, answered, decided in Report.objects.filter(organisation=organisation).values_list(
        "created_at", "answered_at", "decided_at"
    ):
        end = answered or decided or now
        delays.append(max((end - created).total_seconds() / 3600, 0.0))
    return delays


def target_of(report: Report):
    spec = registry.kinds().get(report.kind)
    return None if spec is None else spec.get(report.object_id)


def target_url(report: Report) -> str:
    spec = registry.kinds().get(report.kind)
    target = None if spec is None else spec.get(report.object_id)
    return spec.url(target) if target is not None else ""


def suspension_of(project):
    """The status change that suspended the project (its reason is public), or None."""
    return project.status_changes.filter(target="suspended").order_by("-created_at").first()
