from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from jusha.core.events import Contributions
from jusha.giving import receipt_links
from jusha.transparency.selectors import log_index_for

# Fields that higher apps add to a gift's API answer (matching: `matched`, `match_status`),
# registered in their AppConfig.ready(): each provider takes the donation, returns a dict.
donation_answer = Contributions("fields of a gift's API answer")


class DonationIn(Schema):
    amount: StrictInt = Field(..., description="Minor units (fen): 100 = 1 yuan")
    currency: str = "CNY"
    message: str = Field("", max_length=2000)
    name: str = Field("", max_length=200)
    anonymous: StrictBool = False
    show_message: StrictBool = Field(
        False, description="Show the message on the project page and in the gift's public answer"
    )
    email: str = Field("", max_length=254)
    ref: str = Field("", max_length=200, description="Share-link code (ignored if unknown, expired or another project's)")
    provider: str = Field("", max_length=20, description='"sandbox" | "alipay" | "wechatpay" | "stripe"; empty: the '
                          "site's first. One not configured here is 422 `provider_unavailable`")
    team: str = Field("", max_length=64, description="A team's slug (一起捐): the gift counts toward that team of this "
                                                   "project; an unknown team or another project's is 422")


class RefundIn(Schema):
    amount: StrictInt = Field(..., description="Minor units to refund")
    reason: str = Field(..., max_length=500)


# --- what the API answers (plain dicts: amounts in minor units, RFC 3339 times) --------

def _time(value):
    return timezone.localtime(value).isoformat() if value else None


def donation_out(donation, *, private: bool) -> dict:
    body = {
        "id": str(donation.pk),
        "status": donation.status,
        "amount": donation.amount,
        "currency": donation.currency,
        "refunded": donation.refunded_amount,
        "project": donation.project.slug,
        "receipt_number": donation.receipt_number,
        "anonymous": donation.anonymous,
        "donor_name": donation.public_name,
        "show_message": donation.show_message,
        "overflow": donation.overflow,
        "matched": 0,
        "match_status": "none",
        "provider": donation.provider,
        "created_at": _time(donation.created_at),
        "paid_at": _time(donation.paid_at),
        "expires_at": _time(donation.expires_at),
        # Its place in the transparency log, once integrated: one indexed lookup, none unpaid.
        # A gift still settling has no fact yet: no lookup.
        "log_index": log_index_for("gift", str(donation.pk)) if donation.receipt_number and not donation.settling else None,
    }
    for fields in donation_answer.collect(donation):
        body.update(fields)
    # Paid and accepted, its match and log fact still being settled (seconds, giving.settle):
    # `matched` is not final yet.
    body["settling"] = donation.settling
    if donation.settling:
        body["match_status"] = "pending"
    if private:
        body.update({"message": donation.message, "name": donation.name, "email": donation.email})
    elif donation.show_message:
        body["message"] = donation.public_message
    return body


def donation_created(donation, token: str, request) -> dict:
    body = donation_out(donation, private=True)
    body.update(
        {
            "payment_url": request.build_absolute_uri(donation.payment_url),
            # The provider's merchant order number (Alipay and WeChat Pay out_trade_no, Stripe
            # client_reference_id): the gift's id in hex.
            "out_trade_no": donation.pk.hex,
            # A one-use link for a browser (receipt_links.py); the token itself is for
            # `Authorization: Bearer`, never for a URL.
            "receipt_url": request.build_absolute_uri(receipt_links.receipt_link(donation, via=receipt_links.API)),
            "access_token": token,
        }
    )
    return body


def refund_out(refund) -> dict:
    return {
        "id": str(refund.pk),
        "donation": str(refund.donation_id),
        "amount": refund.amount,
        "currency": refund.currency,
        "reason": refund.reason,
        "status": refund.status,
        "donation_status": refund.donation.status,
        "created_at": _time(refund.created_at),
    }
