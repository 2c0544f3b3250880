"""A delivery's course (webhook deliveries and ActivityPub deliveries alike):
pending → delivered | retrying | failed; retrying → retrying | delivered | failed. The
worker (the platform itself) takes those steps; the endpoint's owners and platform staff
may replay a delivery that was delivered or gave up (it goes back to pending, with the
same webhook-id)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jusha.alliance.models import Delivery
from jusha.core.statemachine import SYSTEM, TransitionTable

OWNER, STAFF = "owner", "staff"
D = Delivery.Status

DELIVERY = TransitionTable(
    gettext_lazy("delivery"),
    [
        (D.PENDING, D.DELIVERED, {SYSTEM}),
        (D.PENDING, D.RETRYING, {SYSTEM}),
        (D.PENDING, D.FAILED, {SYSTEM}),
        (D.RETRYING, D.RETRYING, {SYSTEM}),
        (D.RETRYING, D.DELIVERED, {SYSTEM}),
        (D.RETRYING, D.FAILED, {SYSTEM}),
        (D.DELIVERED, D.PENDING, {OWNER, STAFF}),  # a replay
        (D.FAILED, D.PENDING, {OWNER, STAFF}),  # a replay
    ],
    labels=Delivery.Status.choices,
)

SENDABLE = (D.PENDING, D.RETRYING)
