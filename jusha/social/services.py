"""Every write of social charity: share links, opens, attribution, lighting the relay,
reports and blocks. Nothing here walks the relay tree: a link's place in it (parent,
depth, closure rows) is written once, when the link is made."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid, RateLimited
from jusha.core.ratelimit import rate_limit
from jusha.core.richtext import plain_text
from jusha.core.statemachine import SYSTEM
from jusha.giving.models import Donation
from jusha.giving.selectors import COUNTED
from jusha.social import rules, selectors
from jusha.social.models import Attribution, RelayPath, ShareLink, ShareOpen, SharerBlock
from jusha.social.states import ACTIVE, BLOCKED, LINK, SUSPENDED
from jusha.social.visitors import Visitor, donor_key, visitor_from
from jusha.giving.services import project_accepting
from jusha.reports import selectors as reports
from jusha.reports.services import report_submit, reports_dismiss_open

logger = logging.getLogger("jusha.social")


def _expiry(now):
    return now + timedelta(days=settings.JUSHA_SHARE_LINK_DAYS)


def _in_own_chain(link: ShareLink, visitor: Visitor, donor_id=None) -> bool:
    """Does the visitor (or the gift's member) own this link or any link above it?"""
    owned = Q()
    if member_id := donor_id or (visitor.member.pk if visitor.member else None):
        owned |= Q(ancestor__owner_id=member_id)
    if visitor.sharer:
        owned |= Q(ancestor__session_digest=visitor.sharer)
    return bool(owned) and RelayPath.objects.filter(owned, descendant=link).exists()


def _parent_for(project, visitor: Visitor, *, via: str, donation) -> ShareLink | None:
    """The link this sharer came through: the one their gift was attributed to, else the
    last one this browser opened for the project, else their latest attributed gift's."""
    candidates = []
    if donation is not None:
        candidates.append(Attribution.objects.filter(donation=donation).values_list("link_id", flat=True).first())
    if rules.is_code(via):
        candidates.append(ShareLink.objects.filter(code=via).values_list("pk", flat=True).first())
    if visitor.member:
        candidates.append(
            Attribution.objects.filter(project=project, donation__donor=visitor.member, counted=True)
            .order_by("-created_at").values_list("link_id", flat=True).first()
        )
    for pk in filter(None, candidates):
        parent = ShareLink.objects.get(pk=pk)
        if (parent.project_id == project.pk and parent.state == ACTIVE and parent.depth < rules.MAX_DEPTH
                and not _in_own_chain(parent, visitor)):
            return parent
    return None


@transaction.atomic
def share_link_for(*, project, visitor: Visitor, via: str = "", donation=None) -> tuple[ShareLink, bool]:
    """The visitor's link for the project, made on first asking: one per member (or per
    guest browser) and project. Returns (link, created). Its parent is chosen now and never
    changes, which is what keeps every project's relay a tree without loops."""
    member = visitor.member
    if member is None and not visitor.sharer:
        raise Invalid(_("Sharing needs a log-in or a browser session."), code="no_sharer")
    if member is not None and SharerBlock.objects.filter(user=member).exists():
        raise Forbidden(_("Your account may not share projects at the moment."), code="sharer_blocked")
    accepting, code, reason = project_accepting(project)
    if not accepting:  # nothing to pass on
        raise Conflict(reason, code=code)
    now = timezone.now()
    link = selectors.link_of(project, visitor)
    if link is not None:
        if link.expires_at <= now:  # asking again renews it
            link.expires_at = _expiry(now)
            link.save(update_fields=["expires_at"])
        return link, False
    parent = _parent_for(project, visitor, via=via, donation=donation)
    link = ShareLink(
        code=rules.new_code(), project=project, owner=member, session_digest="" if member else visitor.sharer,
        parent=parent, depth=parent.depth + 1 if parent else 1, expires_at=_expiry(now),
    )
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        # The same sharer asking twice at once: the other request made it.
        found = selectors.link_of(project, visitor)
        if found is None:
            raise
        return found, False
    above = RelayPath.objects.filter(descendant=parent).values_list("ancestor_id", "distance") if parent else []
    RelayPath.objects.bulk_create(
        [RelayPath(ancestor_id=pk, descendant=link, distance=distance + 1) for pk, distance in above]
        + [RelayPath(ancestor=link, descendant=link, distance=0)]
    )
    return link, True


def share_open_record(*, link: ShareLink, visitor: Visitor, now=None) -> bool:
    """Count an open of the link, at most once per visitor and day. Not counted: bots and
    link previewers, the sharer, a link that no longer attributes, a project not taking
    gifts, and an address past its rate limit. Returns whether it was counted."""
    if rules.looks_like_bot(visitor.user_agent) or visitor.owns(link) or link.state != ACTIVE:
        return False
    if link.project.status != "fundraising":
        return False
    try:
        rate_limit("share_open", visitor.rate_key)
    except RateLimited:
        return False
    day = timezone.localdate(now or timezone.now())
    try:
        with transaction.atomic():
            ShareOpen.objects.create(link=link, visitor=visitor.visitor_id, day=day)
            ShareLink.objects.filter(pk=link.pk).update(opens=F("opens") + 1)
    except IntegrityError:
        return False  # this visitor already opened it today
    return True


def attribution_capture(*, donation, code: str, visitor: Visitor) -> Attribution | None:
    """Called right after a gift is opened, in its transaction: remember which share link it
    came through. A malformed, unknown, expired, suspended or foreign code, or the donor's
    own chain, is ignored (the gift goes through all the same). It counts once paid."""
    code = (code or "").strip()
    if not rules.is_code(code):
        return None
    link = ShareLink.objects.select_related("owner").filter(code=code).first()
    if link is None:
        return None
    refusal = rules.attribution_refusal(
        same_project=link.project_id == donation.project_id,
        active=link.state == ACTIVE and (link.owner is None or link.owner.is_active),
        expired=link.expires_at <= timezone.now(),
        in_own_chain=link.project_id == donation.project_id and _in_own_chain(link, visitor, donation.donor_id),
    )
    if refusal:
        logger.info("gift %s not attributed to %s: %s", donation.pk, code, refusal)
        return None
    return Attribution.objects.create(
        donation=donation, link=link, project_id=donation.project_id, depth=link.depth,
        amount=donation.amount - donation.refunded_amount, donor_key=donor_key(donation, visitor),
        anonymous=donation.anonymous, counted=donation.status in COUNTED,
    )


def attribution_sync(*, donation) -> None:
    """The gift was paid or refunded: its attribution counts while it is paid and not
    wholly refunded, for what is left of it. One UPDATE by key, nothing recomputed; none
    when the gift was loaded with its attribution and has none."""
    if Donation.attribution.is_cached(donation) and not hasattr(donation, "attribution"):
        return
    Attribution.objects.filter(donation_id=donation.pk).update(
        counted=donation.status in COUNTED, amount=donation.amount - donation.refunded_amount
    )


def on_gift_opened(opened) -> None:
    """core.events.gift_opened: the share link the gift came through, if any."""
    donor = opened.donation.donor
    attribution_capture(donation=opened.donation, code=opened.ref, visitor=visitor_from(opened.client, user=donor))


def on_gift_changed(event) -> None:
    """core.events.gift_paid and gift_refunded: a gift made through a share link counts in its
    relay while paid, for what is left of it (nothing, once all refunded)."""
    attribution_sync(donation=event.donation)


@transaction.atomic
def relay_light(*, donation, visitor: Visitor, shown_name: str = "") -> ShareLink:
    """点亮爱心接力: after a paid gift, its donor takes (or keeps) their own link for the
    project, placed under the link the gift came through, and is shown as a lit badge
    (under `shown_name` if they chose one, else anonymously)."""
    if donation.status not in COUNTED:
        raise Conflict(_("Only a paid gift can light the relay."), code="not_paid")
    link, _created = share_link_for(project=donation.project, visitor=visitor, donation=donation)
    if link.lit_at is None:
        shown_name = plain_text(shown_name or "")[:40]
        ShareLink.objects.filter(pk=link.pk, lit_at__isnull=True).update(
            lit_at=timezone.now(), lit_donation=donation, shown_name=shown_name
        )
        link.refresh_from_db()
    return link


def _set_state(links, target: str, *, roles) -> int:
    """Move links to `target`, each through the transition table."""
    links = list(links)
    for link in links:
        LINK.check(link.state, target, roles)
    return ShareLink.objects.filter(pk__in=[link.pk for link in links]).update(state=target)


SHARE_LINK = "share_link"  # its kind in the platform's one reports model (jusha/reports)


@transaction.atomic
def share_link_report(*, link: ShareLink, reporter, reason: str):
    """A member reports a link (a report of kind "share_link" in jusha/reports, the reason
    they write as its details). Once enough members have (JUSHA_SHARE_REPORTS_TO_SUSPEND),
    all of its sharer's active links are suspended, so they stop attributing until staff
    review them."""
    if link.owner_id == reporter.pk:
        raise Invalid(_("You cannot report your own link."), code="own_link")
    reason = plain_text(reason or "")[:200]
    if not reason:
        raise Invalid(_("Say what is wrong with this link."), code="reason_required")
    rate_limit("share_report", f"user:{reporter.pk}")
    report = report_submit(kind=SHARE_LINK, target=link, reason="other", details=reason, reporter=reporter)
    pending = reports.pending_count(SHARE_LINK, [link.pk])
    if link.state == ACTIVE and pending >= settings.JUSHA_SHARE_REPORTS_TO_SUSPEND:
        _set_state(selectors.links_of_sharer(link).filter(state=ACTIVE), SUSPENDED, roles=SYSTEM)
    return report


@transaction.atomic
def share_link_reinstate(*, link: ShareLink, actor) -> int:
    """Staff reviewed the reports and found nothing wrong: the sharer's links attribute
    again, and the open reports about them are dismissed."""
    count = _set_state(selectors.links_of_sharer(link).filter(state=SUSPENDED), ACTIVE, roles=_roles(actor))
    reports_dismiss_open(
        kind=SHARE_LINK, object_ids=selectors.links_of_sharer(link).values_list("pk", flat=True), actor=actor,
        outcome=_("Staff reviewed the reports and reinstated the links."),
    )
    audit_record(actor=actor, action="share_link.reinstate", target=link, data={"links": count})
    return count


@transaction.atomic
def share_links_block_reported(link: ShareLink, actor, reason: str) -> int:
    """Staff upheld a report about a link: all of its sharer's links stop attributing."""
    return _set_state(selectors.links_of_sharer(link).exclude(state=BLOCKED), BLOCKED, roles=_roles(actor))


@transaction.atomic
def share_links_unblock_reported(link: ShareLink, actor, reason: str) -> int:
    return _set_state(selectors.links_of_sharer(link).filter(state=BLOCKED), ACTIVE, roles=_roles(actor))


@transaction.atomic
def sharer_block(*, user, reason: str, actor) -> SharerBlock:
    """Staff block a member from sharing: no new links, and none of theirs attributes."""
    reason = plain_text(reason or "")[:200]
    if not reason:
        raise Invalid(_("Say why the member is blocked."), code="reason_required")
    roles = _roles(actor)
    block, _created = SharerBlock.objects.update_or_create(user=user, defaults={"reason": reason, "created_by": actor})
    _set_state(ShareLink.objects.filter(owner=user).exclude(state=BLOCKED), BLOCKED, roles=roles)
    audit_record(actor=actor, action="sharer.block", target=user, data={"reason": reason})
    return block


@transaction.atomic
def sharer_unblock(*, user, actor) -> None:
    roles = _roles(actor)
    SharerBlock.objects.filter(user=user).delete()
    _set_state(ShareLink.objects.filter(owner=user, state=BLOCKED), ACTIVE, roles=roles)
    audit_record(actor=actor, action="sharer.unblock", target=user)


def _roles(actor) -> set[str]:
    if not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff can do this."), code="staff_only")
    return {"staff"}
