"""Reads of sponsorship used by the API and the pages: public profiles, a sponsorship's
figures, its journey as one timeline, what the organisation must act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.pledges.models import PledgeCharge
from jusha.projects.regions import PROVINCES, REGIONS
from jusha.sponsorship import rules
from jusha.sponsorship.models import Beneficiary, FollowUpCase, Message, Outflow, Payment, Report, Sponsorship
from jusha.sponsorship.permissions import public_beneficiaries
from jusha.sponsorship.refunds import refunds_owed
from jusha.sponsorship.services import failed_months_in_a_row, sponsorship_figures, today

__all__ = ["sponsorship_figures", "failed_months_in_a_row", "refunds_owed"]


def beneficiaries_public(*, region: str = "", stage: str = ""):
    """Public profiles, filtered by province (or any code within one) and stage."""
    # Students still waiting first, then those sponsored (a donor comes for the first).
    items = public_beneficiaries().order_by(Case(When(status=Beneficiary.Status.WAITING, then=0), default=1), "id")
    if region:
        items = items.filter(region_code__startswith=rules.province_of(region)[:2])
    if stage:
        items = items.filter(stage=stage)
    return items


def public_profile(beneficiary: Beneficiary, on: date | None = None) -> dict:
    province = rules.province_of(beneficiary.region_code)
    return {
        "id": beneficiary.pk, "alias": beneficiary.alias, "age_band": rules.age_band(beneficiary.birth_year, on or today()),
        "region": province, "region_name": PROVINCES.get(province, ""), "stage": beneficiary.stage,
        "stage_label": str(beneficiary.get_stage_display()), "need": beneficiary.need, "status": beneficiary.status,
        "organisation": beneficiary.programme.organisation.name,
    }


def places_left(beneficiary: Beneficiary) -> int:
    if beneficiary.status not in (Beneficiary.Status.WAITING, Beneficiary.Status.SPONSORED):
        return 0
    holding = Sponsorship.objects.filter(beneficiary=beneficiary, status__in=Sponsorship.HOLDING).count()
    return max(0, beneficiary.programme.sponsors_per_beneficiary - holding)


def suggested(*, user, region: str = "", limit: int = 3) -> list[Beneficiary]:
    """A suggested match: waiting students in the donor's preferred region (or the region of
    the students they already sponsor), then the longest waiting anywhere."""
    region = region or (
        Sponsorship.objects.filter(donor=user).values_list("beneficiary__region_code", flat=True).first()
        if getattr(user, "is_authenticated", False) else ""
    ) or ""
    waiting = public_beneficiaries().filter(status=Beneficiary.Status.WAITING).order_by("created_at", "id")
    near = list(waiting.filter(region_code__startswith=region[:2])[:limit]) if region else []
    rest = list(waiting.exclude(pk__in=[b.pk for b in near])[: limit - len(near)])
    return near + rest


@dataclass(frozen=True)
class ReportFlag:
    due_on: date | None
    overdue: bool
    lost_contact: bool
    days_late: int


def report_flag(sponsorship: Sponsorship, on: date | None = None) -> ReportFlag:
    if sponsorship.status != Sponsorship.Status.ACTIVE:
        return ReportFlag(sponsorship.next_report_due, False, False, 0)
    state = rules.report_state(due_on=sponsorship.next_report_due, today=on or today(),
                               lost_contact_after_days=sponsorship.programme.lost_contact_after_days)
    return ReportFlag(sponsorship.next_report_due, state.overdue, state.lost_contact, state.days_late)


@dataclass(frozen=True)
class Moment:
    at: datetime
    kind: str
    title: str
    text: str = ""
    obj: object = None


def timeline(sponsorship: Sponsorship, *, for_sponsor: bool) -> list[Moment]:
    """The whole journey, oldest first: the start, each month paid, each report, letter and
    message, payments out, follow-ups and their outcome, the end of the term."""
    moments = [Moment(sponsorship.created_at, "start", _("Sponsorship started"),
                      _("%(months)d months for %(alias)s") % {"months": sponsorship.months, "alias": sponsorship.beneficiary.alias})]
    months = list(Payment.objects.filter(sponsorship=sponsorship, status__in=[Payment.Status.PAID, Payment.Status.REFUNDED]))
    by_pledge = set(PledgeCharge.objects.filter(donation_id__in=[p.donation_id for p in months]).values_list("donation_id", flat=True))
    for payment in months:
        moments.append(Moment(payment.paid_at or payment.created_at, "month", _("Month %(n)d paid") % {"n": payment.period or 0},
                              _("Charged by the monthly pledge") if payment.donation_id in by_pledge else "", obj=payment))
    for report in Report.objects.filter(sponsorship=sponsorship):
        title = _("Outcome report") if report.kind == Report.Kind.OUTCOME else _("Progress report")
        moments.append(Moment(report.created_at, "report", title, report.grades, obj=report))
    messages = Message.objects.filter(sponsorship=sponsorship)
    if for_sponsor:
        messages = messages.exclude(direction=Message.Direction.TO_SPONSOR, status=Message.Status.PENDING)
    for message in messages:
        mine = message.direction == Message.Direction.TO_BENEFICIARY
        moments.append(Moment(message.created_at, "message", _("You wrote") if mine and for_sponsor else message.get_direction_display(),
                              message.body, obj=message))
    for outflow in Outflow.objects.filter(sponsorship=sponsorship):
        moments.append(Moment(outflow.created_at, "outflow", outflow.get_kind_display(), outflow.note, obj=outflow))
    for case in FollowUpCase.objects.filter(sponsorship=sponsorship):
        moments.append(Moment(case.opened_at, "case", _("We began following up"), obj=case))
        if case.closed_at:
            moments.append(Moment(case.closed_at, "case_closed", _("Follow-up finished: %(outcome)s") % {
                "outcome": case.get_outcome_display()}, case.outcome_note, obj=case))
    if sponsorship.status == Sponsorship.Status.COMPLETED:
        moments.append(Moment(sponsorship.status_changed_at, "end", _("Term completed: %(outcome)s") % {
            "outcome": sponsorship.get_outcome_display()}, sponsorship.outcome_note))
    return sorted(moments, key=lambda m: (m.at or timezone.now()))


def open_case(sponsorship: Sponsorship) -> FollowUpCase | None:
    return FollowUpCase.objects.filter(sponsorship=sponsorship, status=FollowUpCase.Status.OPEN).first()


def latest_case(sponsorship: Sponsorship) -> FollowUpCase | None:
    return FollowUpCase.objects.filter(sponsorship=sponsorship).order_by("-opened_at").first()


def pending_month(sponsorship: Sponsorship) -> Payment | None:
    return Payment.objects.filter(sponsorship=sponsorship, status=Payment.Status.PENDING).select_related("donation").first()


def programme_overview(programme) -> dict:
    """The organisation's view: beneficiaries, sponsorships with late reports, open cases,
    messages waiting for moderation."""
    sponsorships = list(Sponsorship.objects.filter(programme=programme).exclude(status=Sponsorship.Status.CANCELLED)
                        .select_related("beneficiary", "donor", "programme"))
    for s in sponsorships:
        s.flag = report_flag(s)
    return {
        "beneficiaries": list(Beneficiary.objects.filter(programme=programme).order_by("status", "id")),
        "sponsorships": sponsorships,
        "overdue": [s for s in sponsorships if s.flag.overdue],
        "cases": list(FollowUpCase.objects.filter(sponsorship__programme=programme, status=FollowUpCase.Status.OPEN)
                      .select_related("sponsorship__beneficiary")),
        "to_moderate": list(Message.objects.filter(sponsorship__programme=programme, status=Message.Status.PENDING)
                            .select_related("sponsorship__beneficiary")),
    }


def region_name(code: str) -> str:
    return REGIONS.get(code, code)


def my_sponsorships(user):
    return (Sponsorship.objects.filter(donor=user).exclude(status=Sponsorship.Status.CANCELLED)
            .select_related("beneficiary", "programme__organisation"))
