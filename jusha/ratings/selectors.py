"""Reads for ratings: an organisation's record on the platform (every number traceable to
the journal, the log's facts, expenditures, batches, reports and feedback), its snapshots,
and the grade on cards and in the project list."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Min, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.fulfilment.models import Batch
from jusha.giving.models import Donation
from jusha.ledger.models import Expenditure, JournalEntry
from jusha.organisations.models import Organisation, VerificationStep
from jusha.projects.contributions import CardBadge, ListOption
from jusha.projects.models import BudgetLine, Project, StatusChange
from jusha.projects.selectors import project_sums
from jusha.ratings import rules
from jusha.ratings.contributions import response_hours
from jusha.ratings.models import Feedback, Snapshot
from jusha.reports.selectors import answer_delays, upheld_of_organisations
from jusha.transparency.models import Fact

EXECUTION_DAYS = 180  # a project executing for longer than this should have completed
UPHELD_YEARS = 2
PAST_FUNDRAISING = ("funded", "executing", "completed")
BATCH_STEPS = [("created", "created_at", "purchased_at"), ("purchasing", "purchased_at", "shipped_at"),
               ("shipped", "shipped_at", "delivered_at"), ("delivered", "delivered_at", "disclosed_at")]


def _batch_on_time(batch: Batch, now) -> bool:
    """Every step within its deadline (JUSHA_BATCH_DEADLINE_DAYS), the current one included."""
    days = settings.JUSHA_BATCH_DEADLINE_DAYS
    for status, start_field, end_field in BATCH_STEPS:
        start, end = getattr(batch, start_field), getattr(batch, end_field)
        if start is None:
            continue
        if end is None:
            end = now if batch.status == status else None
        if end is not None and status in days and end - start > timedelta(days=days[status]):
            return False
    return not batch.overdue_flagged


def record_of(organisation: Organisation, *, now=None) -> rules.Record:
    now = now or timezone.now()
    projects = Project.objects.filter(organisation=organisation)
    first = projects.aggregate(first=Min("published_at"))["first"]
    spends_rows = list(
        Expenditure.objects.filter(project__organisation=organisation)
        .values_list("pk", "amount", "spent_on", "created_at", "voucher_sha256")
    )
    logged = set(
        Fact.objects.filter(kind="expenditure", ref__in=[str(row[0]) for row in spends_rows], queued__isnull=True)
        .values_list("ref", flat=True)
    ) if spends_rows else set()
    # disclosed_at in the site's time zone, as spent_on is a local date (a disclosure at
    # 01:00 in Beijing is that day's, not the previous UTC day's).
    spends = [rules.Spend(amount=a, spent_on=d, disclosed_at=timezone.localtime(c), has_voucher=bool(v),
                          logged=str(pk) in logged)
              for pk, a, d, c, v in spends_rows]
    journal_out = JournalEntry.objects.filter(
        project__organisation=organisation, kind=JournalEntry.Kind.EXPENDITURE
    ).aggregate(total=Sum("amount"))["total"] or 0
    spending_projects = projects.filter(Q(status__in=("executing", "completed")) | Q(expenditures__isnull=False)).distinct()
    reported_lines = set(Expenditure.objects.filter(project__in=spending_projects).values_list("budget_line_id", flat=True))
    lines = [rules.Line(amount=amount, reported=pk in reported_lines)
             for pk, amount in BudgetLine.objects.filter(project__in=spending_projects).values_list("pk", "amount")]
    completed = projects.filter(status="completed").count()
    started = dict(
        StatusChange.objects.filter(project__organisation=organisation, target="executing", project__status="executing")
        .values_list("project_id").annotate(at=Min("created_at")).values_list("project_id", "at")
    )
    overdue = sum(1 for at in started.values() if now - at > timedelta(days=EXECUTION_DAYS))
    batches = [rules.BatchRecord(cost=b.cost, on_time=_batch_on_time(b, now))
               for b in Batch.objects.filter(project__organisation=organisation).exclude(status="cancelled")]
    closed_ids = list(projects.filter(status__in=PAST_FUNDRAISING).values_list("pk", flat=True))
    sums = project_sums(closed_ids) if closed_ids else {}
    other_hours = [h for hours in response_hours.collect(organisation) for h in hours or ()]
    steps = VerificationStep.objects.filter(organisation=organisation, status=VerificationStep.Status.APPROVED).count()
    return rules.Record(
        now=now, first_published=first, spends=spends, journal_out=journal_out, lines=lines,
        projects_due=completed + overdue, projects_completed=completed, batches=batches,
        raised_closed=sum(s.received for s in sums.values()), spent_closed=sum(s.spent for s in sums.values()),
        answer_hours=answer_delays(organisation), other_hours=other_hours,
        feedback=list(Feedback.objects.filter(organisation=organisation).values_list("stars", flat=True)),
        upheld=upheld_of_organisations([organisation.pk], since=now - timedelta(days=365 * UPHELD_YEARS)).get(organisation.pk, 0),
        verified=organisation.is_verified, qualified=organisation.public_fundraising_qualified,
        steps_approved=steps, steps_total=len(VerificationStep.Step.values),
    )


def latest_snapshot(organisation) -> Snapshot | None:
    return Snapshot.objects.filter(organisation=organisation).order_by("-day").first()


def history(organisation, *, days: int = 365) -> list[Snapshot]:
    since = timezone.localdate() - timedelta(days=days)
    return list(Snapshot.objects.filter(organisation=organisation, day__gte=since).order_by("day"))


def _latest(field: str):
    return Subquery(
        Snapshot.objects.filter(organisation=OuterRef("organisation"), enough_history=True)
        .order_by("-day").values(field)[:1]
    )


def latest_by_organisation(organisation_ids) -> dict[int, Snapshot]:
    latest_day = Snapshot.objects.filter(organisation=OuterRef("organisation")).order_by("-day").values("day")[:1]
    rows = Snapshot.objects.filter(organisation_id__in=list(organisation_ids), day=Subquery(latest_day))
    return {s.organisation_id: s for s in rows.only("organisation_id", "grade", "score", "enough_history", "day")}


def card_grades(project_ids) -> dict:
    """The organisation's grade as a badge on each project card (one query for the projects'
    organisations, one for their latest snapshots)."""
    orgs = dict(Project.objects.filter(pk__in=list(project_ids)).values_list("pk", "organisation__slug"))
    org_ids = dict(Project.objects.filter(pk__in=list(project_ids)).values_list("pk", "organisation_id"))
    latest = latest_by_organisation(set(org_ids.values()))
    badges = {}
    for pid, org_id in org_ids.items():
        snap = latest.get(org_id)
        if snap is None or not snap.enough_history or not snap.grade:
            continue
        badges[pid] = [CardBadge(
            label=_("Rating %(grade)s") % {"grade": snap.grade},
            title=_("The organisation's credibility rating: %(score)s of 100. How it is computed: one click.")
            % {"score": f"{snap.score:.0f}"},
            url=reverse("ratings:organisation", args=[orgs[pid]]), css=f"grade grade-{rules.grade_css(snap.grade)}",
        )]
    return {"badges": badges}


GRADE_FILTER = "grade"
SORT = "sort"


def _filter_grade(projects, value: str):
    floors = dict((grade, floor) for floor, grade in rules.BANDS)
    if value not in floors:
        return projects
    return projects.annotate(rating_score=_latest("score")).filter(rating_score__gte=floors[value])


def _sort(projects, value: str):
    if value != "grade":
        return projects
    return projects.annotate(rating_score=_latest("score")).order_by(F("rating_score").desc(nulls_last=True), "-pk")


def list_options() -> list[ListOption]:
    return [
        ListOption(name=GRADE_FILTER, label=gettext_lazy("Rating"), apply=_filter_grade, choices=[
            ("", gettext_lazy("Any rating")),
            *[(grade, gettext_lazy("%(grade)s or better") % {"grade": grade}) for _floor, grade in rules.BANDS[:-1]],
        ]),
        ListOption(name=SORT, label=gettext_lazy("Order"), apply=_sort, choices=[
            ("", gettext_lazy("Newest")), ("grade", gettext_lazy("Best rated first")),
        ]),
    ]


def organisations_to_rate():
    """Verified organisations, and any that ever published a project."""
    return Organisation.objects.filter(
        Q(verification=Organisation.Verification.VERIFIED) | Q(projects__published_at__isnull=False)
    ).distinct()


def feedback_eligible(donation: Donation) -> bool:
    """A paid gift to a project whose help has been delivered (a batch delivered, or the
    project completed)."""
    if donation.status != Donation.Status.PAID:
        return False
    project = donation.project
    return project.status == "completed" or Batch.objects.filter(
        project=project, status__in=("delivered", "disclosed")).exists()


def feedback_of(donation) -> Feedback | None:
    return Feedback.objects.filter(donation=donation).first()
