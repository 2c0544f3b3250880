from datetime import datetime, time

from django.utils import timezone
from ninja import Field, Schema

from jusha.giving.schemas import DonationIn


class CampaignIn(Schema):
    slug: str = Field(..., max_length=60)
    title: str = Field(..., max_length=200)
    summary: str = Field("", max_length=500)
    description: str = Field("", max_length=20_000)
    starts_at: datetime
    ends_at: datetime
    daily_opens: time | None = Field(None, description="Daily opening hour, Asia/Shanghai (with daily_closes)")
    daily_closes: time | None = None
    currency: str = "CNY"
    publish: bool = False


class ApplicationIn(Schema):
    project: str = Field(..., description="The project's slug")
    pitch: str = Field("", max_length=1000)


class TransitionIn(Schema):
    target: str = Field(..., description="accepted, rejected (staff); withdrawn, applied (the organisation)")
    reason: str = Field("", max_length=1000)


class CampaignDonationIn(DonationIn):
    project: str = Field(..., description="The slug of a project accepted in the campaign")


def _time(value):
    return timezone.localtime(value).isoformat() if value else None


def campaign_item(campaign) -> dict:
    """A campaign with its live figures (see selectors.with_figures)."""
    totals = campaign.totals
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "summary": campaign.summary,
        "starts_at": _time(campaign.starts_at),
        "ends_at": _time(campaign.ends_at),
        "daily_hours": (
            [campaign.daily_opens.isoformat(), campaign.daily_closes.isoformat()] if campaign.daily_opens else None
        ),
        "phase": campaign.phase,
        "countdown_to": _time(campaign.countdown),
        "currency": campaign.currency,
        "raised": totals.raised,
        "matched": totals.matched,
        "held": totals.held,
        "total": totals.total,
        "donors": totals.donors,
    }


def campaign_detail(campaign, *, pools, leaderboard, recent) -> dict:
    """With selectors.pools_of, selectors.leaderboard and selectors.ticker."""
    return {
        **campaign_item(campaign),
        "description": campaign.description,
        "pools": [p.pk for p in pools],
        "projects": [p.slug for p in leaderboard],
        "leaderboard": [
            {"project": p.slug, "title": p.title, "organisation": p.organisation.name, "raised": p.campaign_raised,
             "matched": p.campaign_matched, "total": p.campaign_total, "donors": p.campaign_donors}
            for p in leaderboard
        ],
        "recent": [
            {"donor_name": d.public_name, "project": d.project.slug, "amount": d.amount,
             "matched": d.campaign_matched or 0, "paid_at": _time(d.paid_at)}
            for d in recent
        ],
    }


def application_out(application) -> dict:
    return {
        "id": application.pk,
        "campaign": application.campaign.slug,
        "project": application.project.slug,
        "status": application.status,
        "pitch": application.pitch,
        "review_note": application.review_note,
        "created_at": _time(application.created_at),
        "decided_at": _time(application.decided_at),
    }
