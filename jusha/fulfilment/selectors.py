"""Reads of fulfilment: a project's batches with their timeline, where each gift went,
what an organisation has to do. Each in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BigIntegerField, Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jusha.fulfilment import rules, states
from jusha.fulfilment.models import Batch, BatchPlan
from jusha.giving.models import Donation
from jusha.giving.selectors import COUNTED
from jusha.projects.selectors import project_sums

# The steps the public timeline shows, in order: (time field, label).
STEPS = [
    ("funded_at", _("Raised")),
    ("created_at", _("Batch created")),
    ("purchased_at", _("Purchased")),
    ("shipped_at", _("Shipped")),
    ("delivered_at", _("Delivered")),
    ("disclosed_at", _("Disclosed")),
]
# The step a batch in each status waits for, as the timeline and the reminders name it.
NEXT_LABELS = {
    states.CREATED: _("Purchase"),
    states.PURCHASING: _("Shipment"),
    states.SHIPPED: _("Delivery"),
    states.DELIVERED: _("Disclosure"),
}


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime | None
    took: timedelta | None


def with_timeline(batches, *, now=None) -> list[Batch]:
    """Each batch with `steps` (label, time, how long it took), `due` (when its next step
    is due), `next_label` and `late`. No queries."""
    now = now or timezone.now()
    days = settings.JUSHA_BATCH_DEADLINE_DAYS
    batches = list(batches)
    for batch in batches:
        times = [getattr(batch, field) for field, _label in STEPS]
        batch.steps = [Step(label, at, took) for (_f, label), at, took in zip(STEPS, times, rules.durations(times))]
        batch.due = rules.deadline(batch.status, batch.status_changed_at, days)
        batch.late = rules.is_late(batch.status, batch.status_changed_at, now, days)
        batch.next_label = NEXT_LABELS.get(batch.status, "")
    return batches


def project_batches(project):
    """The project's batches, newest first, with `delivered` (confirmations) counted."""
    return Batch.objects.filter(project=project).annotate(delivered=Count("confirmations")).order_by("-number")


def batch_confirmations(batch) -> list:
    """The batch's delivery confirmations, as its page and the API list them."""
    return list(batch.confirmations.all())


def project_fulfilment(project) -> dict:
    """What the project page shows: the plan, the money towards the next batch, the latest
    batches with their timeline, and whether the viewer may plan. Three queries."""
    plan = BatchPlan.objects.filter(project=project).first()
    batches = with_timeline(project_batches(project)[:10])
    can_plan = bool(getattr(project, "viewer_roles", set()) & states.PLANNERS) and project.status in states.PLANNABLE
    if plan is None and not batches and not can_plan:
        return {}
    info = {"plan": plan, "batches": batches, "count": batches[0].number if batches else 0, "can_plan": can_plan}
    if plan is not None and project.unit_cost:
        cost = plan.batch_size * project.unit_cost
        available = project_sums([project.pk])[project.pk].available
        toward = min(available, cost)
        info.update({"batch_cost": cost, "toward_next": toward, "next_percent": toward * 100 // cost})
    return info


def batch_due(project_id: int) -> bool:
    """Whether the project's uncommitted funds cover a batch of its plan (two queries)."""
    return bool(batches_due([project_id]))


def batches_due(project_ids) -> list[int]:
    """Of these projects, those whose uncommitted funds cover a batch of their plan, in the
    order given: what `batch_due` says of each, in two queries for all of them (one when
    none has a plan)."""
    project_ids = list(dict.fromkeys(project_ids))
    plans = BatchPlan.objects.filter(project_id__in=project_ids).values_list("project_id", "batch_size", "project__unit_cost")
    costs = {project_id: size * cost for project_id, size, cost in plans if cost}
    if not costs:
        return []
    sums = project_sums(list(costs))
    return [project_id for project_id in project_ids if project_id in costs and sums[project_id].available >= costs[project_id]]


def batch_size_of(project) -> int | None:
    return BatchPlan.objects.filter(project=project).values_list("batch_size", flat=True).first()


@dataclass(frozen=True)
class Share:
    batch: Batch
    amount: int


def donor_impact(donations) -> dict:
    """For each counted gift among `donations`: the batches its money went into, first in,
    first out over its project's gifts (paid time, then id) — {donation id: [Share]}.
    Two queries however many gifts and projects."""
    ids = [d.pk for d in donations if d.status in COUNTED]
    if not ids:
        return {}
    net = F("amount") - F("refunded_amount")
    earlier = (
        Donation.objects.filter(project=OuterRef("project"), status__in=COUNTED)
        .filter(Q(paid_at__lt=OuterRef("paid_at")) | Q(paid_at=OuterRef("paid_at"), id__lt=OuterRef("id")))
        .order_by().values("project").annotate(total=Sum(net)).values("total")
    )
    gifts = list(
        Donation.objects.filter(pk__in=ids)
        .annotate(before=Coalesce(Subquery(earlier, output_field=BigIntegerField()), Value(0)), net=net)
        .values_list("pk", "project_id", "before", "net")
    )
    by_project: dict[int, list[Batch]] = {}
    batches = (
        Batch.objects.filter(project_id__in={project_id for _pk, project_id, _b, _n in gifts})
        .exclude(status=states.CANCELLED)  # its money went back to the project
        .annotate(delivered=Count("confirmations")).order_by("project_id", "number")
    )
    for batch in batches:
        by_project.setdefault(batch.project_id, []).append(batch)
    ends = {project_id: rules.spans([b.cost for b in listed]) for project_id, listed in by_project.items()}
    return {
        pk: [Share(by_project[project_id][i], part) for i, part in rules.share(before, amount, ends[project_id])]
        for pk, project_id, before, amount in gifts
        if project_id in by_project
    }


def donor_impact_rows(donations) -> list[tuple]:
    """[(donation, [Share]), …] for the gifts (or the one gift) that went into a batch, in
    their order: what a donor's receipt and gifts pages show (two queries)."""
    donations = [donations] if hasattr(donations, "pk") else list(donations)
    impact = donor_impact(donations)
    return [(d, impact[d.pk]) for d in donations if impact.get(d.pk)]


def batches_needing_action(organisation) -> list[Batch]:
    """The organisation's batches not yet disclosed, oldest step first, with `late`."""
    pending = (
        Batch.objects.filter(project__organisation=organisation)
        .exclude(status__in=(states.DISCLOSED, states.CANCELLED)).select_related("project").order_by("status_changed_at")
    )
    return with_timeline(pending[:50])
