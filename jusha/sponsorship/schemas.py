"""The sponsorship API's shapes."""

from __future__ import annotations

from ninja import Field, Schema

from jusha.core.money import Money
from jusha.sponsorship import pledging, selectors
from jusha.sponsorship.models import Sponsorship


class BeneficiaryOut(Schema):
    id: int
    alias: str
    age_band: str
    region: str = Field(description="The province's GB/T 2260 code (no finer in public)")
    region_name: str
    stage: str
    need: str
    status: str


class BeneficiaryListOut(Schema):
    items: list[BeneficiaryOut]
    count: int


class SponsorshipIn(Schema):
    beneficiary: int
    amount: int = Field(description="Per month, in minor units (fen)")
    currency: str = "CNY"
    months: int = Field(description="The term, 1 to 72 months")
    purpose: str = Sponsorship.Purpose.BOTH


class RenewIn(Schema):
    months: int = Field(description="The new term, 1 to 72 months")


def pledge_out(sponsorship: Sponsorship, *, for_sponsor: bool) -> dict | None:
    """The monthly pledge that pays the later months: its state, the next charge date, and
    (for the sponsor, until they have done it) where to authorise the payments once."""
    pledge = pledging.pledge_of(sponsorship)
    if pledge is None:
        return None
    return {
        "id": str(pledge.pk), "status": pledge.status, "agreement": pledge.agreement_status,
        "next_charge_on": pledge.next_charge_on.isoformat() if pledge.next_charge_on else None,
        "signing_url": pledge.signing_url if for_sponsor and pledge.agreement_status == "pending" else None,
    }


def sponsorship_out(sponsorship: Sponsorship, *, for_sponsor: bool) -> dict:
    figures = selectors.sponsorship_figures(sponsorship)
    flag = selectors.report_flag(sponsorship)
    case = selectors.latest_case(sponsorship)
    pending = selectors.pending_month(sponsorship)
    return {
        "id": str(sponsorship.pk), "status": sponsorship.status,
        "beneficiary": selectors.public_profile(sponsorship.beneficiary),
        "amount": sponsorship.amount, "currency": sponsorship.currency, "months": sponsorship.months,
        "purpose": sponsorship.purpose, "months_paid": sponsorship.paid_through,
        "starts_on": sponsorship.starts_on.isoformat(),
        "figures": figures.as_dict(),
        "report": {"next_due": flag.due_on.isoformat() if flag.due_on else None, "overdue": flag.overdue,
                   "days_late": flag.days_late},
        "follow_up": None if case is None else {
            "status": case.status, "opened_at": case.opened_at.isoformat(), "outcome": case.outcome or None,
            "donor_choice": case.donor_choice or None,
        },
        "payment_url": pending.donation.payment_url if pending and for_sponsor else None,
        "pledge": pledge_out(sponsorship, for_sponsor=for_sponsor),
        "months_unpaid": selectors.failed_months_in_a_row(sponsorship),
        "refunds_owed": selectors.refunds_owed(sponsorship),
        "outcome": sponsorship.outcome or None,
        "created_at": sponsorship.created_at.isoformat(),
    }


def created_out(sponsorship: Sponsorship, donation, token: str) -> dict:
    return {
        "id": str(sponsorship.pk), "status": sponsorship.status, "beneficiary": sponsorship.beneficiary_id,
        "amount": sponsorship.amount, "currency": sponsorship.currency, "months": sponsorship.months,
        "first_month": {"donation": str(donation.pk), "payment_url": donation.payment_url, "access_token": token,
                        "amount": Money(donation.amount, donation.currency).amount},
        "pledge": pledge_out(sponsorship, for_sponsor=True),
    }
