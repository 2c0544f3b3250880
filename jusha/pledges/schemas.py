from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictBool, StrictInt


class PledgeIn(Schema):
    amount: StrictInt = Field(..., description="Minor units each month (fen): 100 = 1 yuan")
    currency: str = "CNY"
    day: StrictInt = Field(..., description="Day of the month to charge, 1 to 28 (otherwise 422)")
    project: str | None = Field(None, max_length=80, description="A project's slug")
    cause: str | None = Field(None, max_length=20, description="A cause: the gift goes to its fund")
    sponsorship: str | None = Field(None, max_length=80, description="A sponsorship (when that feature is installed)")


class PledgePatch(Schema):
    status: str | None = Field(None, description="paused, active or cancelled")
    amount: StrictInt | None = Field(None, description="A new amount each month, in minor units")
    move_to_fund: StrictBool = Field(False, description="Consent to move a pledge whose project closed to its cause fund")


def _time(value):
    return timezone.localtime(value).isoformat() if value else None


def pledge_out(pledge) -> dict:
    return {
        "id": str(pledge.pk),
        "status": pledge.status,
        "pause_reason": pledge.pause_reason or None,
        "amount": pledge.amount,
        "currency": pledge.currency,
        "day": pledge.day,
        "target": {"kind": pledge.target_kind, "ref": pledge.target_ref, "project": pledge.project.slug},
        "agreement": {"status": pledge.agreement_status, "signing_url": pledge.signing_url or None},
        "next_charge_on": pledge.next_charge_on.isoformat() if pledge.next_charge_on else None,
        "created_at": _time(pledge.created_at),
    }
