"""Reads: the cases the public may see, the notice's choice for a site and region, a
partner's cases and sightings."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jusha.core.models import AuditLog
from jusha.missing import rules
from jusha.missing.models import Case, DailyCount, Partner, Sighting

NOTICE_SIZE = 3
NOTICE_POOL = 200  # the most recent cases considered for one notice


def public_cases():
    """Active cases with consent on file, not past their expiry, of a standing partner."""
    today = timezone.localdate()
    standing = Partner.objects.filter(organisation=OuterRef("organisation"), revoked_at__isnull=True)
    return (
        Case.objects.filter(status=Case.Status.ACTIVE, expires_on__gte=today)
        .exclude(Q(consent_by="") | Q(consent_recorded_by=""))
        .filter(Exists(standing), organisation__verification="verified")
    )


def is_shown(case: Case) -> bool:
    return public_cases().filter(pk=case.pk).exists()


def cases_in_region(region: str = ""):
    cases = public_cases()
    prefixes = rules.region_prefixes(region)
    if prefixes:
        cases = cases.filter(region_code__startswith=prefixes[0])
    return cases.order_by("-lost_at", "-pk")


def notice_cases(*, region: str, size: int = NOTICE_SIZE) -> list[Case]:
    """The cases a notice shows: nearest region first (county, prefecture, province,
    anywhere), then the most recently lost."""
    prefixes = rules.region_prefixes(region)
    cases = public_cases().only(
        "pk", "name", "birth_date", "sex", "lost_at", "region_code", "notice_photo", "organisation_id"
    )
    if prefixes:
        near = list(cases.filter(region_code__startswith=prefixes[-1]).order_by("-lost_at", "-pk")[:NOTICE_POOL])
        near.sort(key=lambda c: rules.rank_for_region(c.region_code, prefixes))
        if len(near) >= size:
            return near[:size]
        rest = cases.exclude(pk__in=[c.pk for c in near]).order_by("-lost_at", "-pk")[: size - len(near)]
        return near + list(rest)
    return list(cases.order_by("-lost_at", "-pk")[:size])


def organisation_cases(organisation):
    return Case.objects.filter(organisation=organisation).order_by("-created_at", "-pk")


def case_sightings(case):
    return Sighting.objects.filter(case=case).order_by("-created_at")


def organisation_sightings(organisation, status: str | None = None):
    sightings = Sighting.objects.filter(case__organisation=organisation).select_related("case")
    return sightings.filter(status=status) if status else sightings


def outcomes_by_month(months: int = 12) -> list[dict]:
    """Per month (newest last): cases found, and those found where a sighting came through
    Jusha. Counts only."""
    since = timezone.now() - timezone.timedelta(days=31 * months)
    found = Case.objects.filter(status=Case.Status.FOUND, closed_at__gte=since, is_demo=False)
    by_month = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: row
        for row in found.annotate(month=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
        .values("month").annotate(found=Count("pk", distinct=True),
                                   with_sighting=Count("pk", distinct=True, filter=Q(sightings__isnull=False)))
    }
    return [{"month": month, "found": row["found"], "with_sighting": row["with_sighting"]}
            for month, row in sorted(by_month.items())]


def site_figures(site, days: int = 30) -> dict:
    """A site's impressions and clicks over the last `days` days (for its owner)."""
    since = timezone.localdate() - timezone.timedelta(days=days)
    rows = DailyCount.objects.filter(site=site, day__gte=since).values("kind").annotate(total=Sum("count"))
    totals = {row["kind"]: row["total"] for row in rows}
    return {"impressions": totals.get("impression", 0), "clicks": totals.get("click", 0), "days": days}


def case_figures(case) -> dict:
    rows = DailyCount.objects.filter(case=case).values("kind").annotate(total=Sum("count"))
    totals = {row["kind"]: row["total"] for row in rows}
    return {"impressions": totals.get("impression", 0), "clicks": totals.get("click", 0)}


def active_case(pk) -> Case | None:
    """An active case by id (the widget's impression counter), or None."""
    if not isinstance(pk, int) or pk <= 0:
        return None
    return Case.objects.filter(pk=pk, status=Case.Status.ACTIVE).first()


def sighting_response_hours(organisation) -> list[float]:
    """For the organisation's credibility rating (jusha/ratings): hours from each sighting sent
    to its cases to the first time the organisation acted on it (checked, passed to the
    police, not relevant: the audit row of that move); a sighting still new counts until now."""
    sightings = list(Sighting.objects.filter(case__organisation=organisation).values_list("pk", "created_at"))
    if not sightings:
        return []
    moved: dict[str, object] = {}
    for target_id, at in (
        AuditLog.objects.filter(action="missing.sighting_moved", target_type="missing.sighting",
                                target_id__in=[str(pk) for pk, _at in sightings])
        .order_by("created_at").values_list("target_id", "created_at")
    ):
        moved.setdefault(target_id, at)
    now = timezone.now()
    return [max(((moved.get(str(pk)) or now) - created).total_seconds() / 3600, 0.0) for pk, created in sightings]
