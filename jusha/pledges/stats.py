"""Retention figures read from the database: for the platform, an organisation or a project
(pure arithmetic in retention.py). Donors are members (by account) and guests (by the email
they gave); gifts with neither cannot be followed and are left out. Two years of gifts are
read (the cohorts and the 12-month repeat window need no more)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jusha.giving.models import Donation
from jusha.pledges.models import Pledge, PledgeChange
from jusha.pledges.retention import Retention, retention

PAID = (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED, Donation.Status.REFUNDED)


def retention_figures(*, organisation=None, project=None, today=None, months: int = 12) -> Retention:
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=730)
    gifts = Donation.objects.filter(status__in=(Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED), paid_at__gte=since)
    pledges = Pledge.objects.filter(agreement_status__in=("active", "revoked"))
    if project is not None:
        gifts, pledges = gifts.filter(project=project), pledges.filter(project=project)
    elif organisation is not None:
        gifts, pledges = gifts.filter(project__organisation=organisation), pledges.filter(project__organisation=organisation)
    rows = gifts.values_list("donor_id", "email", "paid_at").iterator(chunk_size=5000)
    tz = timezone.get_current_timezone()
    keyed = [
        (f"u{donor}" if donor else f"e{email.lower()}", paid_at.astimezone(tz).date())
        for donor, email, paid_at in rows if donor or email
    ]
    cancelled = dict(
        PledgeChange.objects.filter(pledge__in=pledges, target=Pledge.Status.CANCELLED).values_list("pledge_id", "created_at")
    )
    spans = [
        (made.astimezone(tz).date(), cancelled[pk].astimezone(tz).date() if pk in cancelled else None)
        for pk, made in pledges.values_list("pk", "created_at")
    ]
    return retention(gifts=keyed, pledges=spans, today=today, months=months)
