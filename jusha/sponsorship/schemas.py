"""The sponsorship API's shapes."""

from __future__ import annotations

from ninja import Field, Schema

from jusha.core.money import Money
from jusha.sponsorship import selectors
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
        "outcome": sponsorship.outcome or None,
        "created_at": sponsorship.created_at.isoformat(),
    }


def created_out(sponsorship: Sponsorship, donation, token: str) -> dict:
    return {
        "id": str(sponsorship.pk), "status": sponsorship.status, "beneficiary": sponsorship.beneficiary_id,
        "amount": sponsorship.amount, "currency": sponsorship.currency, "months": sponsorship.months,
        "first_month": {"donation": str(donation.pk), "payment_url": donation.payment_url, "access_token": token,
                        "amount": Money(donation.amount, donation.currency).amount},
    }
