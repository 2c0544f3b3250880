"""Every write of campaigns: creating and publishing them (staff), applications by projects'
organisations and their review (through the table in states.py)."""

from __future__ import annotations

import re
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.campaigns import rules, states
from jusha.campaigns.models import Application, Campaign
from jusha.campaigns.selectors import CLOSED_PROJECTS
from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid, NotFound, TransitionRefused
from jusha.core.events import CampaignChanged, campaign_changed
from jusha.core.money import require_currency
from jusha.core.richtext import plain_text, sanitize_html
from jusha.projects.models import Project
from jusha.projects.permissions import user_roles

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


def _require_staff(actor) -> None:
    if not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff can do this."), code="not_staff")


def _window(starts_at, ends_at, daily_opens, daily_closes) -> rules.Window:
    for moment in (starts_at, ends_at):
        if not isinstance(moment, datetime) or timezone.is_naive(moment):
            raise Invalid(_("Give the start and end as dates with times and a time zone."), code="invalid_window")
    for hour in (daily_opens, daily_closes):
        if hour is not None and (not isinstance(hour, time) or hour.tzinfo is not None):
            raise Invalid(_("Daily hours are Beijing times of day, without an offset."), code="invalid_hours")
    window = rules.Window(starts_at, ends_at, daily_opens, daily_closes)
    if problems := rules.window_problems(window):
        raise Invalid(
            {"invalid_window": _("The campaign must end after it starts."),
             "invalid_hours": _("Daily hours need an opening time before the closing time.")}[problems[0]],
            code=problems[0],
        )
    return window


@transaction.atomic
def campaign_create(
    *, actor, slug: str, title: str, starts_at, ends_at, summary: str = "", description: str = "",
    daily_opens=None, daily_closes=None, currency: str = "CNY", publish: bool = False,
) -> Campaign:
    _require_staff(actor)
    if not _SLUG.match(slug or ""):
        raise Invalid(_("The address must be lowercase ASCII letters, digits and hyphens."), code="invalid_slug")
    title, summary = plain_text(title), plain_text(summary)
    if not title or len(title) > 120 or len(summary) > 280:
        raise Invalid(_("Give a title of at most 120 characters (and a summary of at most 280)."), code="invalid_title")
    require_currency(currency)
    _window(starts_at, ends_at, daily_opens, daily_closes)
    if Campaign.objects.filter(slug=slug).exists():
        raise Conflict(_("Another campaign already has this address."), code="slug_taken")
    campaign = Campaign.objects.create(
        slug=slug, title=title, summary=summary, description=sanitize_html(description), starts_at=starts_at,
        ends_at=ends_at, daily_opens=daily_opens, daily_closes=daily_closes, currency=currency,
        published_at=timezone.now() if publish else None, created_by=actor,
    )
    audit_record(actor=actor, action="campaign.create", target=campaign, data={"publish": bool(publish)})
    return campaign


@transaction.atomic
def campaign_save(*, campaign, actor, changed=()) -> Campaign:
    """Staff save a campaign created or edited in the admin (its form has set and checked
    the fields), with its audit row (`changed`: the fields the form changed). A changed
    campaign announces it: its pools match in the new window and hours at once."""
    _require_staff(actor)
    _window(campaign.starts_at, campaign.ends_at, campaign.daily_opens, campaign.daily_closes)
    created = campaign.pk is None
    if created:
        campaign.created_by = actor
    campaign.save()
    audit_record(
        actor=actor, action="campaign.create" if created else "campaign.update", target=campaign,
        data={"fields": sorted(changed), "via": "admin"},
    )
    if not created:
        campaign_changed.announce(CampaignChanged(campaign))
    return campaign


@transaction.atomic
def campaign_publish(*, campaign, actor) -> Campaign:
    _require_staff(actor)
    if campaign.published_at is None:
        campaign.published_at = timezone.now()
        campaign.save(update_fields=["published_at"])
        audit_record(actor=actor, action="campaign.publish", target=campaign)
        campaign_changed.announce(CampaignChanged(campaign))  # its pools may match from now on
    return campaign


@transaction.atomic
def application_submit(*, campaign, project, actor, pitch: str = "") -> Application:
    """An owner or editor applies for one of the organisation's projects to join a campaign
    that has not ended (or applies again after withdrawing or being turned down)."""
    roles = user_roles(actor, project.organisation) & states.MEMBERS
    if not roles:
        raise Forbidden(_("Only the organisation's owners and editors can apply."), code="not_project_editor")
    if campaign.published_at is None:
        raise NotFound(_("There is no such campaign."), code="not_found")
    if timezone.now() >= campaign.ends_at:
        raise Conflict(_("This campaign has ended."), code="campaign_closed")
    if project.status in CLOSED_PROJECTS:
        raise Conflict(_("A cancelled or completed project cannot join a campaign."), code="project_not_eligible")
    pitch = plain_text(pitch)[:280]
    application = Application.objects.select_for_update().filter(campaign=campaign, project=project).first()
    if application is None:
        return Application.objects.create(campaign=campaign, project=project, pitch=pitch, applied_by=actor)
    if application.status in (states.APPLIED, states.ACCEPTED):
        raise Conflict(_("This project has already applied to this campaign."), code="already_applied")
    states.APPLICATION.check(application.status, states.APPLIED, roles)
    application.status, application.pitch, application.applied_by = states.APPLIED, pitch, actor
    application.decided_by, application.decided_at, application.review_note = None, None, ""
    application.save()
    return application


@transaction.atomic
def application_transition(*, application, target: str, actor, reason: str = "") -> Application:
    """Staff accept or turn down (with a reason); the organisation withdraws."""
    applications = Application.objects.select_for_update(of=("self",)).select_related("project__organisation", "campaign")
    locked = applications.get(pk=application.pk)
    roles = user_roles(actor, locked.project.organisation)
    if not roles:
        raise Forbidden(_("Only the organisation's members and platform staff can change this."), code="forbidden")
    source = locked.status
    states.APPLICATION.check(source, target, roles)
    reason = plain_text(reason)[:280]
    if (source, target) in states.REASON_REQUIRED and not reason:
        raise TransitionRefused(_("Say why: a reason is required for this change."), code="reason_required")
    locked.status = target
    if states.STAFF in roles and target in (states.ACCEPTED, states.REJECTED):
        locked.decided_by, locked.decided_at, locked.review_note = actor, timezone.now(), reason
    locked.save()
    if actor.is_staff:
        audit_record(
            actor=actor, action=f"campaign.application.{target}", target=locked, data={"from": source, "reason": reason}
        )
    return locked


def campaign_project_for_gift(*, campaign, slug: str, now=None) -> Project:
    """The project a gift through the campaign goes to: refused unless the campaign is open
    now and the project is accepted in it."""
    now = now or timezone.now()
    if not rules.is_open(campaign.window, now):
        raise Conflict(
            _("This campaign is not open for gifts right now."), code="campaign_not_open",
            extra={"phase": rules.phase(campaign.window, now)},
        )
    project = Project.objects.select_related("organisation").filter(
        slug=slug, campaign_applications__campaign=campaign, campaign_applications__status=states.ACCEPTED
    ).first()
    if project is None:
        raise Invalid(_("This project is not part of the campaign."), code="project_not_in_campaign")
    return project
