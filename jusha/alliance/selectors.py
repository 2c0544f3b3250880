"""Reads of the alliance used by more than one caller."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from jusha.alliance.models import Delivery, Endpoint, Partner, PartnerEvent, PartnerProject
from jusha.campaigns.selectors import public_campaigns
from jusha.matching.models import Pool
from jusha.projects import states as project_states
from jusha.projects.models import Project
from jusha.organisations.models import Organisation


def calendar_campaigns(*, now=None, past_days: int = 365):
    """Our published giving days, from a year ago on, soonest first."""
    now = now or timezone.now()
    return public_campaigns().filter(ends_at__gte=now - timedelta(days=past_days)).order_by("starts_at")


def giving_days(*, now=None) -> list[dict]:
    """Ours and our partners' giving days that have not ended, side by side, by start."""
    now = now or timezone.now()
    days = [{"title": c.title, "starts_at": c.starts_at, "ends_at": c.ends_at,
             "url": reverse("campaigns:detail", args=[c.slug]), "partner": None}
            for c in calendar_campaigns(now=now).filter(ends_at__gte=now)]
    for event in PartnerEvent.objects.filter(partner__active=True).select_related("partner"):
        if (event.ends_at or event.starts_at) >= now:
            days.append({"title": event.title, "starts_at": event.starts_at, "ends_at": event.ends_at,
                         "url": event.url, "partner": event.partner})
    return sorted(days, key=lambda d: d["starts_at"])


def partner_projects(limit: int = 60):
    return (PartnerProject.objects.filter(partner__active=True).select_related("partner")
            .order_by("partner__name", "title")[:limit])


def active_partners():
    return Partner.objects.filter(active=True)


def open_data_organisations():
    """Verified organisations, each with `made_grants` (a sponsor whose pools went live)."""
    pools = Pool.objects.filter(sponsor=OuterRef("pk")).exclude(status=Pool.Status.DRAFT)
    visible = Q(status__in=project_states.PUBLIC) | Q(status=project_states.CANCELLED, published_at__isnull=False)
    projects = Project.objects.filter(visible, organisation=OuterRef("pk"))
    return (Organisation.objects.filter(verification=Organisation.Verification.VERIFIED)
            .annotate(made_grants=Exists(pools), has_activities=Exists(projects) | Exists(pools)).order_by("name"))


def endpoint_summaries(endpoints) -> list[Endpoint]:
    """Endpoints, each with its latest deliveries (`recent`)."""
    endpoints = list(endpoints)
    for endpoint in endpoints:
        endpoint.recent = list(Delivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")[:10])
    return endpoints
