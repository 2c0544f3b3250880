"""Every write of fulfilment: the batch plan; batches created from the journal, each exactly
once; each step of a batch with its record; delivery confirmations; overdue flags.

Locks, always in this order: the plan row (creators of batches queue on it), a batch row,
then the project's fund account (`project_funds_lock`, which refunds and expenditures take
too). The gift path takes none of them.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core import events
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.events import BatchDelivered, batch_delivered
from jusha.core.money import Money, require_money
from jusha.core.statemachine import SYSTEM
from jusha.core.richtext import text_field
from jusha.core.uploads import clean_image
from jusha.fulfilment import rules, states
from jusha.transparency.services import fact_queue
from jusha.fulfilment.models import Batch, BatchPlan, DeliveryConfirmation, StatusChange
from jusha.projects.selectors import project_sums
from jusha.ledger.services import commitment_post, commitment_release, expenditure_record, project_funds_lock
from jusha.projects.models import Project
from jusha.projects.permissions import user_roles
from jusha.projects.regions import is_valid_region
from jusha.giving.models import Donation

logger = logging.getLogger("jusha.fulfilment")

MAX_BATCHES_PER_RUN = 20  # a huge gift makes the rest in the next run, queued at once
STAMPS = {
    states.PURCHASING: "purchased_at",
    states.SHIPPED: "shipped_at",
    states.DELIVERED: "delivered_at",
    states.DISCLOSED: "disclosed_at",
    states.CANCELLED: "cancelled_at",
}
TRACKING = re.compile(r"^[A-Za-z0-9-]{4,40}$")
LOOKS_LIKE_A_NUMBER = re.compile(r"\d{6}")  # a phone or ID number is not a pseudonym
CLOCK_SKEW = timedelta(minutes=5)


# --- the plan ---------------------------------------------------------------------------

@transaction.atomic
def batch_plan_set(*, project, batch_size, actor) -> BatchPlan:
    """How many units make a batch, by the project's owners and editors. Money already
    held may make batches at once (after commit)."""
    if not user_roles(actor, project.organisation) & states.PLANNERS:
        raise Forbidden(_("Only the organisation's owners and editors can plan batches."), code="not_project_editor")
    if project.status not in states.PLANNABLE:
        raise Conflict(_("This project is closed: its batches can no longer change."), code="project_closed")
    code = rules.plan_refusal(unit_cost=project.unit_cost, batch_size=batch_size, goal=project.goal)
    if code == "unit_cost_missing":
        raise Invalid(_("Give the project a unit and a unit cost first: a batch is a number of units."), code=code)
    if code == "invalid_batch_size":
        raise Invalid(_("The batch size must be a whole number of units, more than zero."), code=code)
    if code == "batch_exceeds_goal":
        unit, goal = project.unit_cost_money, project.goal_money
        raise Invalid(
            _(
                "A batch of %(size)d × %(unit)s = %(cost)s costs more than the goal of %(goal)s: the project"
                " might never hold enough for one batch, and its gifts would wait for ever. Choose at most"
                " %(most)d units per batch."
            ) % {
                "size": batch_size, "unit": unit, "cost": unit.times(batch_size), "goal": goal,
                "most": goal.amount // unit.amount,
            },
            code=code,
        )
    plan, _created = BatchPlan.objects.update_or_create(
        project=project, defaults={"batch_size": batch_size, "updated_by": actor}
    )
    if project.status in states.SPENDING:
        _queue_check(project.pk)
    return plan


def _queue_check(project_id: int) -> None:
    from jusha.fulfilment import tasks

    transaction.on_commit(lambda: tasks.batches_create_due.enqueue(project_id), robust=True)


# --- batches, created from the journal ----------------------------------------------------

def batches_create_due(*, project_id: int) -> list[Batch]:
    """Create as many batches as the project's uncommitted funds cover, each exactly once,
    moving each batch's cost from "available" to "committed to batch N" in the journal.

    Runs (a task) after each gift whose commit lets the funds cover a batch, when a plan is
    set, and every minute for whatever a lost task missed. Concurrent runs queue on the plan row; the funds are read from the journal inside the fund lock, so no
    refund or expenditure can take the same money; the (project, number) constraint backs
    the numbering up.
    """
    with transaction.atomic():
        plan = (
            BatchPlan.objects.select_for_update(no_key=True, of=("self",))
            .select_related("project").filter(project_id=project_id).first()
        )
        if plan is None or plan.project.status not in states.SPENDING or not plan.project.unit_cost:
            return []
        project = plan.project
        cost = project.unit_cost * plan.batch_size
        project_funds_lock(project)
        # Read again now that the plan is ours: a cancellation we waited for has committed
        # (the project joined above may be as it was before the wait).
        if Project.objects.filter(pk=project.pk).values_list("status", flat=True).first() not in states.SPENDING:
            return []
        available = project_sums([project.pk])[project.pk].available
        due = min(rules.batches_due(available=available, batch_cost=cost), MAX_BATCHES_PER_RUN)
        if not due:
            return []
        last = Batch.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
        funded_at = Donation.objects.filter(project=project, paid_at__isnull=False).aggregate(t=Max("paid_at"))["t"]
        now = timezone.now()
        batches = []
        for number in range(last + 1, last + due + 1):
            batch = Batch.objects.create(
                project=project, number=number, units=plan.batch_size, unit_cost=project.unit_cost, cost=cost,
                currency=project.currency, funded_at=funded_at, created_at=now, status_changed_at=now,
            )
            StatusChange.objects.create(batch=batch, target=states.CREATED, created_at=now)
            commitment_post(project=project, reference=str(batch.pk), amount=batch.cost_money, memo=f"#{number}")
            fact_queue(kind="batch", public={
                "id": str(batch.pk), "project": project.slug, "batch": number, "units": batch.units,
                "unit": project.unit_name, "cost": cost, "currency": project.currency, "county": project.region_code,
            })
            batches.append(batch)
        from jusha.fulfilment import tasks

        numbers = [b.number for b in batches]
        transaction.on_commit(lambda: tasks.notify_batches_created.enqueue(project.pk, numbers), robust=True)
        if due == MAX_BATCHES_PER_RUN:
            _queue_check(project.pk)
    return batches


def batches_create_all_due() -> int:
    """Periodic safety net: projects whose funds cover a batch that no gift's check made
    (a lost task, a worker that was down). One short transaction per project."""
    plans = list(
        BatchPlan.objects.filter(project__status__in=states.SPENDING, project__unit_cost__isnull=False)
        .values_list("project_id", "batch_size", "project__unit_cost")
    )
    sums = project_sums([pid for pid, _size, _cost in plans])
    created = 0
    for pid, size, unit_cost in plans:
        if sums[pid].available >= size * unit_cost:
            try:
                created += len(batches_create_due(project_id=pid))
            except Exception:  # noqa: BLE001 - one project must not stop the sweep
                logger.exception("could not create batches for project %s", pid)
    return created


# --- the steps of a batch -------------------------------------------------------------------

def _locked(batch) -> Batch:
    return (
        Batch.objects.select_for_update(no_key=True, of=("self",))
        .select_related("project__organisation").get(pk=batch.pk)
    )


def _roles(actor, project) -> set[str]:
    return {SYSTEM} if actor is None else user_roles(actor, project.organisation)


def _move(batch: Batch, target: str, *, actor, **fields) -> Batch:
    """The only place a batch's status changes; the caller has checked the table."""
    now = timezone.now()
    source = batch.status
    fields.update({"status": target, "status_changed_at": now, STAMPS[target]: now})
    for name, value in fields.items():
        setattr(batch, name, value)
    batch.save(update_fields=list(fields))
    StatusChange.objects.create(
        batch=batch, source=source, target=target, created_at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if target == states.DELIVERED:
        batch_delivered.announce(BatchDelivered(batch=batch))
    return batch


@transaction.atomic
def batch_purchase(*, batch, actor, budget_line, amount: Money, description: str, spent_on, invoice) -> Batch:
    """The purchase, by finance or an owner: an expenditure of `amount` (Money) with the
    supplier's invoice. The batch's commitment goes back to the fund and the expenditure
    draws on it, so what the invoice did not use is available again (and a dearer one
    draws on available funds)."""
    require_money(amount)
    batch = _locked(batch)
    project = batch.project
    states.check(batch.status, states.PURCHASING, _roles(actor, project))
    project_funds_lock(project)
    commitment_release(
        project=project, reference=str(batch.pk), amount=batch.cost_money, memo=f"#{batch.number}", actor=actor
    )
    expenditure = expenditure_record(
        project=project, budget_line=budget_line, amount=amount, description=description, spent_on=spent_on,
        voucher=invoice, actor=actor,
    )
    return _move(batch, states.PURCHASING, actor=actor, expenditure=expenditure)


def batches_cancel_unpurchased(*, project) -> int:
    """The project is being cancelled (in that transaction): each batch not yet purchased
    is cancelled and its commitment goes back to the project's fund (a release entry), so
    the refunds that follow can return that money to the donors. Purchased batches stay:
    their money is spent. Returns how many were cancelled. Locks in this module's order:
    the plan row first, so no batch is created beside the cancellation (a creator waiting
    for it then finds the project cancelled), then the batches, then the fund."""
    BatchPlan.objects.select_for_update(no_key=True).filter(project=project).first()
    batches = list(
        Batch.objects.select_for_update(no_key=True).filter(project=project, status=states.CREATED).order_by("number")
    )
    project_funds_lock(project)
    for batch in batches:
        states.check(batch.status, states.CANCELLED, {SYSTEM})
        commitment_release(
            project=project, reference=str(batch.pk), amount=batch.cost_money, memo=f"#{batch.number} cancelled"
        )
        _move(batch, states.CANCELLED, actor=None)
        fact_queue(kind="batch_cancelled", public={
            "id": str(batch.pk), "project": project.slug, "batch": batch.number, "cost": batch.cost,
            "currency": batch.currency,
        })
    return len(batches)


def batches_cancel_for_project(event) -> None:
    """Subscriber of `core.events.project_cancelled` (in the cancelling transaction): a
    cancelled project's batches not yet purchased are cancelled with it."""
    batches_cancel_unpurchased(project=event.project)


@transaction.atomic
def batch_ship(*, batch, actor, carrier: str, tracking_number: str) -> Batch:
    batch = _locked(batch)
    states.check(batch.status, states.SHIPPED, _roles(actor, batch.project))
    carrier = text_field(carrier, limit=60, label=_("Carrier"))
    tracking_number = (tracking_number or "").strip()
    if not TRACKING.match(tracking_number):
        raise Invalid(
            _("Give the tracking number as the carrier prints it: 4 to 40 letters, digits or dashes."),
            code="invalid_tracking_number",
        )
    return _move(batch, states.SHIPPED, actor=actor, carrier=carrier, tracking_number=tracking_number)


@transaction.atomic
def batch_mark_delivered(*, batch, actor) -> Batch:
    """Delivered with fewer confirmations than units (the rest could not be handed over).
    The platform marks it delivered by itself when the last unit is confirmed."""
    batch = _locked(batch)
    states.check(batch.status, states.DELIVERED, _roles(actor, batch.project))
    if not batch.confirmations.exists():
        raise Conflict(_("Confirm at least one delivery before marking the batch delivered."), code="no_confirmations")
    return _move(batch, states.DELIVERED, actor=actor)


@transaction.atomic
def batch_disclose(*, batch, actor, note: str = "") -> Batch:
    """The organisation's closing word on the batch; after it, nothing more is added."""
    batch = _locked(batch)
    states.check(batch.status, states.DISCLOSED, _roles(actor, batch.project))
    note = text_field(note, limit=2000, label=_("Note"), required=False)
    return _move(batch, states.DISCLOSED, actor=actor, disclosure=note)


@transaction.atomic
def delivery_confirm(
    *, project, batch, actor, recipient: str, county_code: str, delivered_at: datetime, deliverer: str,
    signature, photo=None, photo_consent: bool = False, others_consented: bool = False,
) -> DeliveryConfirmation:
    """One unit handed to one recipient, by a member of the organisation.

    Public: the recipient's pseudonym, the county, the time, and a photo only if the
    recipient consented and everyone else in it consented or is blurred or cropped out (the
    member attests it; no face detection runs here). Private: who handed it over, and the
    signature or thumbprint image (never public, shown to members only, each view audited).
    The last unit confirmed marks the batch delivered.
    """
    if batch.project_id != project.pk:
        raise Invalid(_("This batch belongs to another project."), code="batch_project_mismatch")
    if not user_roles(actor, project.organisation) & states.MEMBERS:
        raise Forbidden(_("Only the organisation's members can confirm deliveries."), code="not_member")
    batch = _locked(batch)
    if batch.status == states.DISCLOSED:
        raise Conflict(_("This batch is disclosed: its deliveries can no longer change."), code="batch_disclosed")
    if batch.status not in states.CONFIRMABLE:
        raise Conflict(_("Deliveries are confirmed once the batch is shipped."), code="batch_not_shipped")
    confirmed = batch.confirmations.count()
    if confirmed >= batch.units:
        raise Conflict(
            _("All %(units)d units of this batch are confirmed: it cannot reach more recipients than it has units.")
            % {"units": batch.units},
            code="more_recipients_than_units",
        )
    recipient = text_field(recipient, limit=40, label=_("Recipient pseudonym"))
    if LOOKS_LIKE_A_NUMBER.search(recipient):
        raise Invalid(
            _("Use a pseudonym, such as “Elder 07”: never a name, phone or ID number."), code="invalid_pseudonym"
        )
    if batch.confirmations.filter(recipient=recipient).exists():
        raise Conflict(_("This recipient already has a unit from this batch."), code="recipient_already_confirmed")
    if not is_valid_region(county_code):
        raise Invalid(_("Choose the county from the list (a GB/T 2260 code)."), code="invalid_county")
    now = timezone.now()
    if not isinstance(delivered_at, datetime) or timezone.is_naive(delivered_at):
        raise Invalid(_("Give the date and time of the delivery."), code="invalid_delivered_at")
    if delivered_at > now + CLOCK_SKEW or delivered_at < batch.shipped_at - CLOCK_SKEW:
        raise Invalid(
            _("The delivery time must be after the shipment and not in the future."), code="invalid_delivered_at"
        )
    deliverer = text_field(deliverer, limit=60, label=_("Delivered by"))
    if photo and not photo_consent:
        raise Invalid(_("A photo is shown only with the recipient's consent."), code="photo_without_consent")
    if photo and not others_consented:
        raise Invalid(
            _("Everyone else in the photo must have consented, or be blurred or cropped out."),
            code="photo_others_not_consented",
        )
    if not signature:
        raise Invalid(_("Add the recipient's signature or thumbprint."), code="signature_required")
    signed = clean_image(signature)
    picture = clean_image(photo) if photo else None
    confirmation = DeliveryConfirmation(
        batch=batch, recipient=recipient, county_code=county_code, delivered_at=delivered_at, deliverer=deliverer,
        photo_consent=bool(photo_consent), others_consented=bool(others_consented),
        signature_sha256=signed.sha256, recorded_by=actor,
    )
    confirmation.signature.save(signed.content.name, signed.content, save=False)
    if picture:
        confirmation.photo.save(picture.content.name, picture.content, save=False)
    confirmation.save()
    fact_queue(kind="delivery", public={
        "id": str(confirmation.pk), "project": project.slug, "batch": batch.number, "count": 1, "county": county_code,
        "delivered_on": timezone.localdate(delivered_at).isoformat(),
    })
    events.delivery_confirmed.announce(events.DeliveryConfirmed(confirmation=confirmation, batch=batch, actor=actor))
    if confirmed + 1 == batch.units and batch.status == states.SHIPPED:
        states.check(batch.status, states.DELIVERED, {SYSTEM})
        _move(batch, states.DELIVERED, actor=None)
    return confirmation


# --- deadlines ------------------------------------------------------------------------------

def batches_flag_overdue(*, now=None) -> int:
    """Periodic: batches past the deadline of their status are flagged, and the
    organisation told, once per status (two workers at once still tell it once)."""
    from jusha.fulfilment import tasks

    now = now or timezone.now()
    late = Q()
    for status, days in settings.JUSHA_BATCH_DEADLINE_DAYS.items():
        late |= Q(status=status, status_changed_at__lt=now - timedelta(days=days))
    flagged = 0
    for pk in list(Batch.objects.filter(late).exclude(overdue_flagged=F("status")).values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            if Batch.objects.filter(pk=pk).exclude(overdue_flagged=F("status")).update(overdue_flagged=F("status")):
                flagged += 1
                transaction.on_commit(lambda pk=pk: tasks.notify_batch_overdue.enqueue(pk), robust=True)
    return flagged
