from __future__ import annotations

from ninja import Field, Schema


class WebhookIn(Schema):
    url: str = Field(..., max_length=500, description="An https:// address that answers 2xx")
    events: list[str] = Field(..., description="Events to receive, e.g. donation.paid", max_length=20)
    organisation: str | None = Field(None, max_length=60, description="The organisation's slug; none: platform-wide (staff)")
    description: str = Field("", max_length=120)


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    organisation: str | None
    description: str
    active: bool
    disabled_reason: str
    created_at: str


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(..., description="The signing secret (whsec_…), shown only once")


class WebhookListOut(Schema):
    items: list[WebhookOut]
    count: int


class AttemptOut(Schema):
    number: int
    status_code: int | None
    error: str
    duration_ms: int
    replay: bool
    at: str


class DeliveryOut(Schema):
    id: int
    event: str
    webhook_id: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: str | None
    created_at: str
    delivered_at: str | None
    attempt_log: list[AttemptOut]


class DeliveryListOut(Schema):
    items: list[DeliveryOut]
    count: int
