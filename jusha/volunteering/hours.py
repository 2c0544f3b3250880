"""Every write of hours records: from check-ins, reported by the volunteer, from delivery
confirmations; confirming, rejecting and disputing them. A confirmed record is final and
becomes a public fact in the transparency log (kind "volunteer_hours"): activity,
organisation, minutes, county, cause and day, never a name; the volunteer's name is in it
only as a commitment salted per fact (its salt outside the log, on their certificate)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.richtext import text_field
from jusha.core.statemachine import SYSTEM
from jusha.core.uploads import clean_image
from jusha.organisations.permissions import roles_for
from jusha.transparency.services import fact_queue
from jusha.volunteering import rules, states
from jusha.volunteering.models import Activity, DeliveryAssignment, HoursRecord

H = HoursRecord.Status
FACT_KIND = "volunteer_hours"
MAX_REPORTED_MINUTES = 12 * 60  # one day's self-reported service


def certificate_name(user) -> str:
    """The name a certificate shows and the log's commitment binds: the display name."""
    return (user.display_name or user.public_name)[:60]


def personal_of(name: str) -> dict:
    """What a fact's commitment commits to (the certificate gives it with the salt)."""
    return {"volunteer": name}


def _public(record: HoursRecord) -> dict:
    public = {
        "id": str(record.pk), "organisation": record.organisation.slug, "minutes": record.minutes,
        "county": record.county_code, "cause": record.cause, "served_on": record.served_on.isoformat(),
        "source": record.source,
    }
    if record.activity_id:
        public["activity"] = record.activity_id
    if record.batch_id:
        public["batch"] = f"{record.batch.project.slug}#{record.batch.number}"
    return public


def _confirm(record: HoursRecord, actor) -> None:
    """Confirmed: final, and a fact in the log in this transaction."""
    record.status, record.decided_by, record.confirmed_at = H.CONFIRMED, actor, timezone.now()
    record.committed_name = certificate_name(record.volunteer)
    record.save(update_fields=["status", "decided_by", "confirmed_at", "committed_name", "minutes"])
    fact_queue(kind=FACT_KIND, public=_public(record), personal=personal_of(record.committed_name))


def _county(activity: Activity) -> str:
    return activity.region_code


def hours_from_checkin(*, checkin) -> HoursRecord | None:
    """At check-out (in its transaction): the minutes within the shift, pending."""
    shift = checkin.shift
    minutes = rules.served_minutes(shift.starts_at, shift.ends_at, checkin.checked_in_at, checkin.checked_out_at)
    if minutes <= 0:
        return None
    activity = shift.activity
    return HoursRecord.objects.create(
        volunteer=checkin.volunteer, organisation=activity.organisation, activity=activity, checkin=checkin,
        source=HoursRecord.Source.CHECKIN, minutes=minutes,
        cap_minutes=rules.shift_minutes(shift.starts_at, shift.ends_at),
        served_on=timezone.localdate(shift.starts_at), cause=activity.cause, county_code=_county(activity),
    )


def _locked(record) -> HoursRecord:
    return (HoursRecord.objects.select_for_update(of=("self",)).select_related("organisation", "volunteer", "activity")
            .get(pk=record.pk))


def _organiser(actor, record) -> set[str]:
    roles = roles_for(actor, record.organisation) & states.ORGANISERS
    if not roles:
        raise Forbidden(_("Only the organisation's owners and editors confirm hours."), code="not_organiser")
    return roles


@transaction.atomic
def hours_confirm(*, record, actor, minutes: int | None = None) -> HoursRecord:
    """The organiser confirms (optionally correcting the minutes, never beyond the shift)."""
    record = _locked(record)
    roles = _organiser(actor, record)
    states.HOURS.check(record.status, H.CONFIRMED, roles)
    if minutes is not None:
        if not isinstance(minutes, int) or minutes <= 0:
            raise Invalid(_("Give the minutes served (a whole number above 0)."), code="invalid_minutes")
        if record.cap_minutes is not None and minutes > record.cap_minutes:
            raise Invalid(_("The shift lasted %(n)d minutes: more cannot be confirmed.") % {"n": record.cap_minutes},
                          code="longer_than_shift")
        if minutes > MAX_REPORTED_MINUTES and record.cap_minutes is None:
            raise Invalid(_("At most %(n)d minutes for one day.") % {"n": MAX_REPORTED_MINUTES}, code="invalid_minutes")
        record.minutes = minutes
    _confirm(record, actor)
    audit_record(actor=actor, action="volunteering.hours_confirm", target=record, data={"minutes": record.minutes})
    return record


@transaction.atomic
def hours_reject(*, record, actor, reason: str = "") -> HoursRecord:
    record = _locked(record)
    roles = _organiser(actor, record)
    states.HOURS.check(record.status, H.REJECTED, roles)
    record.status, record.decided_by = H.REJECTED, actor
    record.save(update_fields=["status", "decided_by"])
    audit_record(actor=actor, action="volunteering.hours_reject", target=record,
                 data={"reason": text_field(reason, limit=300, label=_("Reason"), required=False)})
    return record


@transaction.atomic
def hours_dispute(*, record, actor, reason: str) -> HoursRecord:
    """The volunteer disputes a pending or rejected record (say why): it waits for the
    organisation again, marked disputed."""
    record = _locked(record)
    if actor != record.volunteer:
        raise Forbidden(_("Only the volunteer disputes their own hours."), code="not_yours")
    states.HOURS.check(record.status, H.DISPUTED, {states.VOLUNTEER})
    record.status = H.DISPUTED
    record.dispute_reason = text_field(reason, limit=300, label=_("Why"))
    record.save(update_fields=["status", "dispute_reason"])
    return record


@transaction.atomic
def hours_report(*, volunteer, activity, minutes: int, served_on: date, note: str = "", photo=None) -> HoursRecord:
    """Hours the volunteer reports (an online task, a visit without a code) with a note or
    a photo as evidence: pending until the organisation confirms."""
    if activity.status != Activity.Status.PUBLISHED:
        raise Conflict(_("This activity was cancelled."), code="activity_cancelled")
    if not isinstance(minutes, int) or not 0 < minutes <= MAX_REPORTED_MINUTES:
        raise Invalid(_("Report between 1 and %(n)d minutes for one day.") % {"n": MAX_REPORTED_MINUTES},
                      code="invalid_minutes")
    today = timezone.localdate()
    if not isinstance(served_on, date) or served_on > today or (today - served_on).days > 366:
        raise Invalid(_("The day served is within the last year, not in the future."), code="invalid_served_on")
    note = text_field(note, limit=2000, label=_("Note"), required=False)
    if not note and not photo:
        raise Invalid(_("Add a note or a photo as evidence."), code="evidence_required")
    record = HoursRecord(
        volunteer=volunteer, organisation=activity.organisation, activity=activity, source=HoursRecord.Source.SELF,
        minutes=minutes, served_on=served_on, cause=activity.cause, county_code=_county(activity), note=note,
    )
    if photo:
        clean = clean_image(photo)
        record.photo.save(clean.content.name, clean.content, save=False)
    record.save()
    return record


# --- deliveries ---------------------------------------------------------------------------

@transaction.atomic
def delivery_assign(*, batch, volunteer, actor, deliverer_name: str = "", minutes_per_delivery: int = 30):
    """Assign a volunteer to a delivery batch. Deliveries confirmed with `deliverer_name`
    as "delivered by" count as their hours."""
    organisation = batch.project.organisation
    if not roles_for(actor, organisation) & states.ORGANISERS:
        raise Forbidden(_("Only the organisation's owners and editors assign volunteers."), code="not_organiser")
    if batch.status in ("delivered", "disclosed", "cancelled"):
        raise Conflict(_("This batch is no longer being delivered."), code="batch_closed")
    name = text_field(deliverer_name or certificate_name(volunteer), limit=60, label=_("Delivered by"))
    if not isinstance(minutes_per_delivery, int) or not 0 < minutes_per_delivery <= 480:
        raise Invalid(_("Between 1 and 480 minutes per delivery."), code="invalid_minutes")
    if DeliveryAssignment.objects.filter(batch=batch, volunteer=volunteer).exists():
        raise Conflict(_("This volunteer is already assigned to this batch."), code="already_assigned")
    if DeliveryAssignment.objects.filter(batch=batch, deliverer_name=name).exists():
        raise Conflict(_("Another volunteer on this batch has that name: give another."), code="name_taken")
    assignment = DeliveryAssignment.objects.create(batch=batch, volunteer=volunteer, deliverer_name=name,
                                                   minutes_per_delivery=minutes_per_delivery, assigned_by=actor)
    audit_record(actor=actor, action="volunteering.delivery_assign", target=assignment)
    return assignment


def on_delivery_confirmed(event) -> None:
    """In fulfilment's transaction (core.events.delivery_confirmed): a delivery by a volunteer
    assigned to the batch is confirmed hours for them (the organisation recorded it)."""
    confirmation, batch = event.confirmation, event.batch
    assignment = (DeliveryAssignment.objects.select_related("volunteer")
                  .filter(batch=batch, deliverer_name=confirmation.deliverer).first())
    if assignment is None:
        return
    project = batch.project
    record = HoursRecord.objects.create(
        volunteer=assignment.volunteer, organisation=project.organisation, batch=batch,
        source=HoursRecord.Source.DELIVERY, minutes=assignment.minutes_per_delivery,
        served_on=timezone.localdate(confirmation.delivered_at), cause=project.cause,
        county_code=confirmation.county_code, note=_("Delivery to %(recipient)s") % {"recipient": confirmation.recipient},
    )
    record.batch = batch
    states.HOURS.check(record.status, H.CONFIRMED, {SYSTEM})
    _confirm(record, event.actor)
