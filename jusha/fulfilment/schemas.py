"""What the batches API answers: amounts in minor units beside a currency, RFC 3339 times."""

from django.urls import reverse
from django.utils import timezone
from ninja import Schema

from jusha.projects.regions import region_label


class BatchOut(Schema):
    number: int
    units: int
    unit: str
    unit_cost: int
    cost: int
    currency: str
    status: str
    late: bool
    due_at: str | None
    funded_at: str | None
    created_at: str
    purchased_at: str | None
    shipped_at: str | None
    delivered_at: str | None
    disclosed_at: str | None
    cancelled_at: str | None
    delivered_count: int
    carrier: str
    tracking_number: str
    url: str


class BatchListOut(Schema):
    items: list[BatchOut]
    count: int


class ConfirmationOut(Schema):
    recipient: str
    county: str
    county_name: str
    delivered_at: str
    photo_url: str | None


class InvoiceOut(Schema):
    amount: int
    description: str
    voucher_url: str
    voucher_sha256: str


class BatchDetailOut(BatchOut):
    invoice: InvoiceOut | None
    disclosure: str
    confirmations: list[ConfirmationOut]


def _time(value):
    return timezone.localtime(value).isoformat() if value else None


def batch_out(request, batch) -> dict:
    """A batch with its timeline (selectors.with_timeline) and `delivered` count."""
    return {
        "number": batch.number,
        "units": batch.units,
        "unit": batch.project.unit_name,
        "unit_cost": batch.unit_cost,
        "cost": batch.cost,
        "currency": batch.currency,
        "status": batch.status,
        "late": batch.late,
        "due_at": _time(batch.due),
        **{field: _time(getattr(batch, field)) for field in (
            "funded_at", "created_at", "purchased_at", "shipped_at", "delivered_at", "disclosed_at", "cancelled_at")},
        "delivered_count": batch.delivered,
        "carrier": batch.carrier,
        "tracking_number": batch.tracking_number,
        "url": request.build_absolute_uri(reverse("fulfilment:detail", args=[batch.project.slug, batch.number])),
    }


def batch_detail_out(request, batch, confirmations) -> dict:
    x = batch.expenditure
    return {
        **batch_out(request, batch),
        "invoice": {
            "amount": x.amount, "description": x.description, "voucher_sha256": x.voucher_sha256,
            "voucher_url": request.build_absolute_uri(x.voucher.url),
        } if x else None,
        "disclosure": batch.disclosure,
        "confirmations": [
            {
                "recipient": c.recipient,
                "county": c.county_code,
                "county_name": region_label(c.county_code),
                "delivered_at": _time(c.delivered_at),
                "photo_url": request.build_absolute_uri(c.photo.url) if c.photo else None,
            }
            for c in confirmations
        ],
    }
