"""What the alliance does when lower apps announce something: each event becomes signed
webhook deliveries (queued in the announcer's transaction, so an event and its deliveries
commit together), and a project's progress update or milestone becomes an ActivityPub Note
for its followers. Payloads carry what the organisation's own pages show, never a donor's
contact details nor a missing person's private fields.

A failure here must never undo a gift: each handler works in a savepoint and logs what
went wrong."""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.urls import reverse

from jusha.alliance import federation, partners, sections
from jusha.alliance.services import event_publish
from jusha.core import events
from jusha.core.moments import iso
from jusha.organisations import contributions as organisation
from jusha.transparency.witnesses import extra_witnessed_logs, extra_witnesses

logger = logging.getLogger(__name__)

# Milestones that followers hear about (a draft's steps stay private).
PUBLIC_MILESTONES = ("fundraising", "funded", "executing", "completed", "cancelled")


def _absolute(path: str) -> str:
    return settings.JUSHA_PUBLIC_URL.rstrip("/") + path


def project_url(project) -> str:
    return _absolute(reverse("projects:detail", args=[project.slug]))


def _guarded(handler):
    """The handler's failure is logged, never raised into the announcer (a gift!). Its
    writes run in savepoints (services.event_publish, federation's notes), so a failed one
    leaves the announcer's transaction usable; reads come first, and most events meet no
    endpoint and no follower, costing one query and no savepoint."""
    @wraps(handler)
    def run(payload):
        try:
            handler(payload)
        except Exception:  # noqa: BLE001 - the announcer's work goes on without us
            logger.exception("alliance: %s failed", handler.__name__)

    return run


def _publish(event: str, organisation_id, data: dict) -> None:
    event_publish(event=event, organisation_id=organisation_id, data=data)


def _project_part(project) -> dict:
    return {"project": project.slug, "organisation": project.organisation.slug, "project_url": project_url(project)}


@_guarded
def on_gift_paid(paid: events.GiftPaid) -> None:
    donation = paid.donation
    project = donation.project
    _publish("donation.paid", project.organisation_id, {
        "id": str(donation.pk), **_project_part(project), "amount": donation.amount, "currency": donation.currency,
        "paid_at": iso(donation.paid_at), "overflow": bool(paid.overflow),
        "name": None if donation.anonymous else (donation.name or None),
    })


@_guarded
def on_gift_refunded(refunded: events.GiftRefunded) -> None:
    donation, refund = refunded.donation, refunded.refund
    project = donation.project
    _publish("donation.refunded", project.organisation_id, {
        "id": str(donation.pk), "refund": str(refund.pk), **_project_part(project), "amount": refund.amount,
        "currency": refund.currency, "refunded_total": donation.refunded_amount, "status": refund.status,
        "automatic": bool(refund.automatic),
    })


@_guarded
def on_project_updated(updated: events.ProjectUpdated) -> None:
    project, update = updated.project, updated.update
    data = {**_project_part(project), "title": project.title, "status": project.status, "update": None}
    if update is not None:
        data["update"] = {"id": update.pk, "title": update.title, "created_at": iso(update.created_at),
                          "url": _absolute(reverse("projects:progress", args=[project.slug]))}
    _publish("project.updated", project.organisation_id, data)


@_guarded
def on_project_status_changed(changed: events.ProjectStatusChanged) -> None:
    project = changed.project
    _publish("project.status_changed", project.organisation_id, {
        **_project_part(project), "title": project.title, "from": changed.source, "to": changed.target,
        "reason": changed.reason, "by_platform": changed.actor is None,
    })


@_guarded
def on_expenditure_recorded(recorded: events.ExpenditureRecorded) -> None:
    expenditure = recorded.expenditure
    project = expenditure.project
    _publish("expenditure.recorded", project.organisation_id, {
        "id": expenditure.pk, **_project_part(project), "amount": expenditure.amount,
        "currency": expenditure.currency, "budget_line": expenditure.budget_line.title,
        "description": expenditure.description, "spent_on": str(expenditure.spent_on),
        "voucher_sha256": expenditure.voucher_sha256,
    })


@_guarded
def on_batch_delivered(delivered: events.BatchDelivered) -> None:
    batch = delivered.batch
    project = batch.project
    _publish("batch.delivered", project.organisation_id, {
        "batch": batch.number, **_project_part(project), "units": batch.units, "unit": project.unit_name,
        "cost": batch.cost, "currency": batch.currency, "delivered_at": iso(batch.delivered_at),
    })


@_guarded
def on_missing_case_found(found: events.MissingCaseFound) -> None:
    case = found.case
    _publish("missing.case_found", case.organisation_id, {
        "case": case.pk, "organisation": case.organisation.slug, "found_at": iso(case.closed_at),
    })


# --- ActivityPub: progress updates and milestones as Notes ----------------------------------

@_guarded
def note_for_update(updated: events.ProjectUpdated) -> None:
    if updated.update is None:
        return  # a draft's edit: not public
    federation.note_for_progress(project=updated.project, update=updated.update)


@_guarded
def note_for_milestone(changed: events.ProjectStatusChanged) -> None:
    if changed.target not in PUBLIC_MILESTONES:
        return
    federation.note_for_status(project=changed.project, target=changed.target)


@_guarded
def note_for_batch(delivered: events.BatchDelivered) -> None:
    federation.note_for_delivery(batch=delivered.batch)


def connect() -> None:
    """Called from AllianceConfig.ready(): every subscription of this app, in one place."""
    IN = events.IN_TRANSACTION
    events.gift_paid.subscribe(on_gift_paid, order=90, phase=IN)
    events.gift_refunded.subscribe(on_gift_refunded, order=90, phase=IN)
    events.project_updated.subscribe(on_project_updated, order=10, phase=IN)
    events.project_updated.subscribe(note_for_update, order=20, phase=IN)
    events.project_status_changed.subscribe(on_project_status_changed, order=10, phase=IN)
    events.project_status_changed.subscribe(note_for_milestone, order=20, phase=IN)
    events.expenditure_recorded.subscribe(on_expenditure_recorded, order=10, phase=IN)
    events.batch_delivered.subscribe(on_batch_delivered, order=10, phase=IN)
    events.batch_delivered.subscribe(note_for_batch, order=20, phase=IN)
    events.missing_case_found.subscribe(on_missing_case_found, order=10, phase=IN)
    extra_witnesses.register(partners.partner_witnesses, order=10)
    extra_witnessed_logs.register(partners.partner_logs, order=10)
    organisation.detail_sections.register(sections.organisation_page, order=90)
    organisation.dashboard_sections.register(sections.organisation_dashboard, order=90)
