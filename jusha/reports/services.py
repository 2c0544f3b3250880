"""Every write on reports: submitting one (guest or member, rate-limited per member and
per network, evidence through core.uploads), staff moving it through its states with a
public outcome, the organisation's answer, and staff notes. Each writes its trail row
(ReportEvent) and, for staff, an audit row in the same transaction; e-mails go after commit.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.ratelimit import rate_limit
from jusha.core.richtext import plain_text
from jusha.core.statemachine import SYSTEM
from jusha.core.uploads import clean_voucher
from jusha.organisations.permissions import roles_for
from jusha.reports import registry, states
from jusha.reports.models import Evidence, Report, ReportEvent

logger = logging.getLogger("jusha.reports")

MAX_DETAILS = 4000
MAX_OUTCOME = 2000
ANSWER_ROLES = {"owner", "editor", "finance"}


def _roles(actor) -> set[str]:
    if actor is None:
        return {SYSTEM}
    return {states.STAFF} if getattr(actor, "is_staff", False) else set()


def _event(report: Report, action: str, actor=None, note: str = "") -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, action=action, actor=actor if getattr(actor, "is_authenticated", False) else None, note=note
    )


def _check_files(files) -> list:
    files = [f for f in files or () if f]
    if len(files) > settings.JUSHA_REPORT_MAX_FILES:
        raise Invalid(
            _("Attach at most %(n)d files.") % {"n": settings.JUSHA_REPORT_MAX_FILES}, code="too_many_files"
        )
    return [clean_voucher(f) for f in files]  # type-sniffed, size-capped; before anything is written


def report_submit(
    *, kind: str, target, reason: str, details: str = "", reporter=None, contact: str = "", network: str = "",
    files=(),
) -> Report:
    """Anyone reports something of a registered kind. Refused, with nothing written: an
    unknown or missing reason (Invalid), one's own organisation's things (Invalid), a member's
    second report of the same target (Conflict), floods (RateLimited, per member and per
    network), oversize or disguised files (TooLarge / Invalid)."""
    spec = registry.kind(kind)
    member = reporter if getattr(reporter, "is_authenticated", False) else None
    if not reason:
        raise Invalid(_("Choose a reason for the report."), code="reason_required")
    if reason not in spec.reasons:
        raise Invalid(_("This is not one of the reasons a report can give."), code="reason_unknown")
    details = plain_text(details or "").strip()
    if len(details) > MAX_DETAILS:
        raise Invalid(_("Keep the details under %(n)d characters.") % {"n": MAX_DETAILS}, code="details_too_long")
    if member is not None and spec.is_own(target, member):
        if spec.held_pending_review:
            raise Invalid(_("You cannot report what you wrote yourself."), code="own_target")
        raise Invalid(_("You cannot report your own organisation's work."), code="own_target")
    contact = "" if member is not None else plain_text(contact or "").strip()[:200]
    if member is not None:
        rate_limit("report", f"user:{member.pk}")
    if network:
        rate_limit("report_network", network)
    cleaned = _check_files(files)
    organisation = spec.organisation_of(target)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                kind=kind, object_id=target.pk, target_label=str(spec.describe(target))[:200],
                organisation=organisation, reason=reason, details=details, reporter=member,
                reporter_contact=contact,
            )
            for clean in cleaned:
                evidence = Evidence(report=report, content_type=clean.content_type, sha256=clean.sha256, size=clean.size)
                evidence.file.save(clean.content.name, clean.content, save=False)
                evidence.save()
            _event(report, ReportEvent.Action.SUBMITTED, member)
            if member is not None:
                audit_record(actor=member, action=f"{kind}.report", target=report, data={"reason": reason})
            if spec.held_pending_review and member is not None:
                _hold(spec, report, target)
            if spec.after_report is not None:
                spec.after_report(report, target)
    except IntegrityError as exc:
        raise Conflict(_("You have already reported this."), code="already_reported") from exc
    if organisation is not None:
        transaction.on_commit(lambda: _queue_notice(report.pk))
    return report


def _hold(spec, report: Report, target) -> None:
    """A member's report hides members' content until staff decide (a guest's report is
    queued only: one anonymous request must not take a member's post down)."""
    if spec.hide(target, None, _("report #%(n)d") % {"n": report.pk}):
        _event(report, ReportEvent.Action.HIDDEN)


def _settle(spec, report: Report, actor, outcome: str) -> None:
    """Staff decided a report about held content: upheld removes it; dismissed restores it,
    unless another report about it is still open (it stays hidden for that one)."""
    subject = spec.get(report.object_id)
    if subject is None:
        return
    if report.status == states.UPHELD:
        if spec.remove is not None and spec.remove(subject, actor, outcome):
            _event(report, ReportEvent.Action.REMOVED, actor)
        return
    still_open = Report.objects.filter(kind=report.kind, object_id=report.object_id, status__in=states.OPEN)
    if spec.restore is not None and not still_open.exists() and spec.restore(subject, actor, outcome):
        _event(report, ReportEvent.Action.RESTORED, actor)


def _queue_notice(report_id: int) -> None:
    from jusha.reports.tasks import notify_organisation

    try:
        notify_organisation.enqueue(report_id)
    except Exception:  # noqa: BLE001 - the report is committed; a lost notice is logged, not a 500
        logger.exception("could not queue the notice of report %s", report_id)


def _lock(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def report_transition(*, report: Report, target: str, actor, outcome: str = "", suspend: bool = False) -> Report:
    """Staff take a report up, uphold it or dismiss it. Deciding needs a public outcome (no
    reporter's name in it: the page shows it as written). Upholding with `suspend` suspends
    the target's fundraising through the kind (a project's transition table, with the
    outcome as its reason). Deciding about members' content held pending review removes it
    (upheld) or shows it again (dismissed, when no other report about it is open)."""
    locked = _lock(report)
    roles = _roles(actor)
    states.REPORT.check(locked.status, target, roles)
    outcome = plain_text(outcome or "").strip()
    if target in states.DECIDED and not outcome and actor is not None:
        raise Invalid(_("Write the outcome the public will read."), code="outcome_required")
    if len(outcome) > MAX_OUTCOME:
        raise Invalid(_("Keep the outcome under %(n)d characters.") % {"n": MAX_OUTCOME}, code="outcome_too_long")
    if suspend and target != states.UPHELD:
        raise Invalid(_("Only an upheld report can suspend fundraising."), code="suspend_not_upheld")
    source = locked.status
    locked.status = target
    changed = ["status"]
    if target in states.DECIDED:
        locked.outcome, locked.decided_at = outcome, timezone.now()
        changed += ["outcome", "decided_at"]
    locked.save(update_fields=changed)
    _event(locked, target, actor, outcome)
    if actor is not None:
        audit_record(actor=actor, action=f"report.{target}", target=locked, data={"from": source, "to": target})
    held = registry.kinds().get(locked.kind)
    if target in states.DECIDED and held is not None and held.held_pending_review:
        _settle(held, locked, actor, outcome)
    if suspend and not (held is not None and held.held_pending_review):
        spec = registry.kind(locked.kind)
        subject = spec.get(locked.object_id)
        if spec.hide is not None and subject is not None:
            count = spec.hide(subject, actor, outcome)
            _event(locked, ReportEvent.Action.SUSPENDED, actor, str(count))
    report.__dict__.update({f: getattr(locked, f) for f in changed})
    return locked


@transaction.atomic
def reports_dismiss_open(*, kind: str, object_ids, actor, outcome: str) -> int:
    """Dismiss every open report of these targets at once (social: staff reinstate a sharer's
    links, having reviewed the reports and found nothing wrong)."""
    count = 0
    for report in Report.objects.filter(kind=kind, object_id__in=list(object_ids), status__in=states.OPEN):
        report_transition(report=report, target=states.DISMISSED, actor=actor, outcome=outcome)
        count += 1
    return count


@transaction.atomic
def report_answer(*, report: Report, actor, answer: str) -> Report:
    """A member of the reported organisation answers (shown to staff, and beside the outcome
    in public once the report is decided). The organisation never learns who reported it."""
    organisation = report.organisation
    if organisation is None or not roles_for(actor, organisation) & ANSWER_ROLES:
        raise Forbidden(_("Only the organisation's members can answer this report."), code="not_member")
    locked = _lock(report)
    if locked.status not in states.OPEN:
        raise Conflict(_("This report has been decided; it can no longer be answered."), code="report_decided")
    answer = plain_text(answer or "").strip()
    if not answer:
        raise Invalid(_("Write your answer."), code="answer_required")
    if len(answer) > MAX_DETAILS:
        raise Invalid(_("Keep the answer under %(n)d characters.") % {"n": MAX_DETAILS}, code="answer_too_long")
    locked.answer, locked.answered_at = answer, timezone.now()
    locked.save(update_fields=["answer", "answered_at"])
    _event(locked, ReportEvent.Action.ANSWERED, actor, answer)
    audit_record(actor=actor, action="report.answer", target=locked, data={})
    report.answer, report.answered_at = locked.answer, locked.answered_at
    return locked


@transaction.atomic
def report_note(*, report: Report, actor, note: str) -> ReportEvent:
    """Staff keep a note on the trail (what they checked, whom they called)."""
    if states.STAFF not in _roles(actor):
        raise Forbidden(_("Only platform staff can do this."), code="staff_only")
    note = plain_text(note or "").strip()[:MAX_DETAILS]
    if not note:
        raise Invalid(_("Write the note."), code="note_required")
    audit_record(actor=actor, action="report.note", target=report, data={})
    return _event(report, ReportEvent.Action.NOTE, actor, note)
