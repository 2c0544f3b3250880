"""Writes of sponsorship's care side: reports and letters, messages relayed through the
organisation, follow-up cases when contact is lost, the donor's choices after one, the
end of a term, and a beneficiary's withdrawal.

Safeguarding holds here: there is no private channel (every message passes the
organisation), no contact details in anything relayed (422 `contact_details`, naming
what to remove), photos only with consent and never with their metadata, and a meeting
only as a step the organisation arranges and records on a case.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.statemachine import SYSTEM
from jusha.core.uploads import clean_image
from jusha.organisations.models import Organisation
from jusha.organisations.permissions import roles_for
from jusha.sponsorship import rules, states
from jusha.sponsorship.models import Beneficiary, CaseStep, FollowUpCase, Message, Report, Sponsorship
from jusha.sponsorship.refunds import held_redirect, held_refund
from jusha.sponsorship.services import (
    _beneficiary_follows, _require, _set_beneficiary, _set_sponsorship, sponsorship_figures, today,
)
from jusha.transparency.services import fact_queue

KIND_LABELS = {
    rules.PHONE: gettext_lazy("a phone number"), rules.WECHAT: gettext_lazy("a WeChat id"),
    rules.QQ: gettext_lazy("a QQ number"), rules.EMAIL: gettext_lazy("an e-mail address"),
    rules.ADDRESS: gettext_lazy("an address"), rules.LINK: gettext_lazy("a link"),
}


def refuse_contact_details(text: str) -> None:
    """422 `contact_details` naming each thing to remove; nothing is saved."""
    found = rules.find_contact_details(text)
    if not found:
        return
    parts = "; ".join(f"{KIND_LABELS[f.kind]} “{f.text}”" for f in found)
    raise Invalid(
        _("For everyone's safety, contact details are never passed on. Please remove: %(parts)s.") % {"parts": parts},
        code="contact_details", extra={"found": [{"kind": f.kind, "text": f.text} for f in found]},
    )


def _locked(sponsorship) -> Sponsorship:
    return Sponsorship.objects.select_for_update().select_related("programme__organisation", "programme__project", "beneficiary").get(pk=sponsorship.pk)


def _tell_donor(sponsorship, what: str) -> None:
    from jusha.sponsorship import tasks

    sponsorship_id = str(sponsorship.pk)
    transaction.on_commit(lambda: tasks.tell_donor.enqueue(sponsorship_id, what))


# --- reports and letters -------------------------------------------------------------------------

@transaction.atomic
def report_post(*, sponsorship, actor, grades: str = "", letter: str = "", photo=None,
                kind: str = Report.Kind.PROGRESS) -> Report:
    """The organisation posts a report (grades, the student's letter, a photo with
    consent). The next one is due a programme interval from today."""
    sponsorship = _locked(sponsorship)
    _require(actor, sponsorship.programme.organisation, states.CARERS, _("Only the organisation's owners and editors post reports."))
    if sponsorship.status not in (Sponsorship.Status.ACTIVE, Sponsorship.Status.PAUSED, Sponsorship.Status.COMPLETED):
        raise Conflict(_("Reports are posted on an active sponsorship."), code="sponsorship_not_active")
    grades, letter = (grades or "").strip(), (letter or "").strip()
    if not (grades or letter or photo):
        raise Invalid(_("A report needs grades, a letter or a photo."), code="report_empty")
    refuse_contact_details(grades + "\n" + letter)
    clean = None
    if photo:
        if not sponsorship.beneficiary.photo_consent:
            raise Invalid(_("The guardian has not consented to photos: post the report without one."), code="photo_consent")
        clean = clean_image(photo)  # re-encoded: no EXIF, no GPS
    report = Report(sponsorship=sponsorship, kind=kind, due_on=sponsorship.next_report_due, grades=grades[:500],
                    letter=letter[:4000], posted_by=actor)
    if clean is not None:
        report.photo.save(clean.content.name, clean.content, save=False)
    report.save()
    if kind == Report.Kind.PROGRESS:
        sponsorship.next_report_due = rules.next_report_due(today(), sponsorship.programme.report_every_days)
        sponsorship.save(update_fields=["next_report_due"])
    audit_record(actor=actor, action="sponsorship.report_post", target=report)
    _tell_donor(sponsorship, "report")
    return report


# --- messages ------------------------------------------------------------------------------------

@transaction.atomic
def message_send(*, sponsorship, actor, body: str, from_beneficiary: bool = False) -> Message:
    """The sponsor writes to the student (it waits for the organisation), or the
    organisation types in the student's reply (relayed at once: it has read it)."""
    sponsorship = _locked(sponsorship)
    body = (body or "").strip()
    if not body:
        raise Invalid(_("Write a message first."), code="message_empty")
    if len(body) > 2000:
        raise Invalid(_("A message is at most 2000 characters."), code="message_too_long")
    if from_beneficiary:
        _require(actor, sponsorship.programme.organisation, states.CARERS, _("Only the organisation relays the student's letters."))
        direction, status = Message.Direction.TO_SPONSOR, Message.Status.RELAYED
    else:
        if actor is None or sponsorship.donor_id != actor.pk:
            raise Forbidden(_("Only the sponsor writes to the student."), code="not_sponsor")
        direction, status = Message.Direction.TO_BENEFICIARY, Message.Status.PENDING
    if sponsorship.status in (Sponsorship.Status.PENDING, Sponsorship.Status.CANCELLED):
        raise Conflict(_("Messages can be sent once the sponsorship has started."), code="sponsorship_not_active")
    refuse_contact_details(body)
    now = timezone.now()
    message = Message.objects.create(
        sponsorship=sponsorship, direction=direction, body=body, status=status, written_by=actor,
        moderated_by=actor if from_beneficiary else None, moderated_at=now if from_beneficiary else None,
    )
    if from_beneficiary:
        _tell_donor(sponsorship, "letter")
    return message


@transaction.atomic
def message_moderate(*, message, actor, relay: bool, note: str = "") -> Message:
    """The organisation relays a sponsor's message to the student, or declines it with a
    note the sponsor sees."""
    message = Message.objects.select_for_update().select_related("sponsorship__programme__organisation").get(pk=message.pk)
    _require(actor, message.sponsorship.programme.organisation, states.CARERS, _("Only the organisation's owners and editors moderate messages."))
    if message.status != Message.Status.PENDING:
        raise Conflict(_("This message has already been moderated."), code="already_moderated")
    note = (note or "").strip()
    if not relay and not note:
        raise Invalid(_("Tell the sponsor kindly why the message is not passed on."), code="note_required")
    message.status = Message.Status.RELAYED if relay else Message.Status.DECLINED
    message.moderation_note, message.moderated_by, message.moderated_at = note[:280], actor, timezone.now()
    message.save(update_fields=["status", "moderation_note", "moderated_by", "moderated_at"])
    return message


# --- lost contact --------------------------------------------------------------------------------

def _open_case(sponsorship: Sponsorship, reason: str) -> FollowUpCase:
    case = FollowUpCase.objects.create(sponsorship=sponsorship, reason=reason, status_changed_at=timezone.now())
    if sponsorship.status == Sponsorship.Status.ACTIVE:
        _set_sponsorship(sponsorship, Sponsorship.Status.PAUSED, {SYSTEM})
        _beneficiary_follows(Beneficiary.objects.select_for_update().get(pk=sponsorship.beneficiary_id))
    fact_queue(kind="sponsorship_follow_up", public={
        "id": f"case:{case.pk}", "sponsorship": str(sponsorship.pk), "alias": sponsorship.beneficiary.alias,
        "county": rules.county_of(sponsorship.beneficiary.region_code), "reason": reason,
    })
    _tell_donor(sponsorship, "case_opened")
    return case


@transaction.atomic
def beneficiary_mark_unreachable(*, sponsorship, actor, note: str) -> FollowUpCase:
    """The organisation cannot reach the student: a follow-up case opens now."""
    sponsorship = _locked(sponsorship)
    _require(actor, sponsorship.programme.organisation, states.CARERS, _("Only the organisation's owners and editors open follow-up cases."))
    if FollowUpCase.objects.filter(sponsorship=sponsorship, status=FollowUpCase.Status.OPEN).exists():
        raise Conflict(_("A follow-up case is already open."), code="case_open")
    if sponsorship.status != Sponsorship.Status.ACTIVE:
        raise Conflict(_("Only an active sponsorship can be followed up."), code="sponsorship_not_active")
    case = _open_case(sponsorship, FollowUpCase.Reason.UNREACHABLE)
    CaseStep.objects.create(case=case, note=(note or _("Marked unreachable."))[:1000], actor=actor)
    return case


def sponsorships_check_reports(*, on: date | None = None) -> int:
    """Periodic: a report late past the programme's threshold opens a follow-up case
    (reports merely late are flagged on the pages). Returns how many cases opened."""
    on = on or today()
    opened = 0
    candidates = Sponsorship.objects.filter(status=Sponsorship.Status.ACTIVE, next_report_due__lt=on).select_related("programme")
    for sponsorship in candidates:
        state = rules.report_state(due_on=sponsorship.next_report_due, today=on,
                                   lost_contact_after_days=sponsorship.programme.lost_contact_after_days)
        if not state.lost_contact:
            continue
        with transaction.atomic():
            locked = _locked(sponsorship)
            if locked.status != Sponsorship.Status.ACTIVE or FollowUpCase.objects.filter(
                sponsorship=locked, status=FollowUpCase.Status.OPEN
            ).exists():
                continue
            _open_case(locked, FollowUpCase.Reason.REPORT_OVERDUE)
            opened += 1
    return opened


def _locked_case(case) -> FollowUpCase:
    return FollowUpCase.objects.select_for_update().select_related(
        "sponsorship__programme__organisation", "sponsorship__beneficiary"
    ).get(pk=case.pk)


def _case_roles(case, actor) -> set[str]:
    """The organisation's roles, or a partner organisation's members acting as editors."""
    roles = _require_any(case, actor)
    return roles


def _require_any(case, actor) -> set[str]:
    roles = roles_for(actor, case.sponsorship.programme.organisation)
    if roles & states.CARERS:
        return roles
    if case.partner_id and roles_for(actor, case.partner) & states.CARERS:
        return {states.EDITOR}
    raise Forbidden(_("Only the organisation (or the partner it shared the case with) works on this case."), code="not_allowed")


@transaction.atomic
def case_step_add(*, case, actor, note: str, kind: str = CaseStep.Kind.NOTE) -> CaseStep:
    """A call, a visit, a note, or a meeting the organisation arranged (the only way a
    sponsor and student ever meet is one recorded here)."""
    case = _locked_case(case)
    _case_roles(case, actor)
    if case.status != FollowUpCase.Status.OPEN:
        raise Conflict(_("This case is closed."), code="case_closed")
    note = (note or "").strip()
    if not note:
        raise Invalid(_("Write what was done."), code="note_required")
    if kind not in CaseStep.Kind.values:
        raise Invalid(_("Choose what kind of step this was."), code="kind_unknown")
    return CaseStep.objects.create(case=case, kind=kind, note=note[:1000], actor=actor)


@transaction.atomic
def case_share(*, case, actor, partner: Organisation) -> FollowUpCase:
    """Share the case with a partner organisation near the student (it sees the case and
    adds steps; never the private record)."""
    case = _locked_case(case)
    _require(actor, case.sponsorship.programme.organisation, states.CARERS, _("Only the organisation shares its cases."))
    if partner.pk == case.sponsorship.programme.organisation_id:
        raise Invalid(_("Choose another organisation to share the case with."), code="partner_self")
    case.partner = partner
    case.save(update_fields=["partner"])
    audit_record(actor=actor, action="sponsorship.case_share", target=case, data={"partner": partner.pk})
    return case


@transaction.atomic
def case_close(*, case, actor, outcome: str, note: str = "") -> FollowUpCase:
    """The follow-up ends: reached or a changed plan (payments resume unless the donor
    chose to end), or withdrawn (the student leaves; the donor chooses a refund or to
    redirect what is held)."""
    case = _locked_case(case)
    roles = _case_roles(case, actor)
    states.check(states.CASE, case.status, FollowUpCase.Status.CLOSED, roles)
    if outcome not in FollowUpCase.Outcome.values:
        raise Invalid(_("Choose the outcome: reached, changed plan or withdrawn."), code="outcome_unknown")
    sponsorship = _locked(case.sponsorship)
    case.status, case.status_changed_at, case.closed_at = FollowUpCase.Status.CLOSED, timezone.now(), timezone.now()
    case.outcome, case.outcome_note = outcome, (note or "").strip()[:500]
    case.save(update_fields=["status", "status_changed_at", "closed_at", "outcome", "outcome_note"])
    CaseStep.objects.create(case=case, note=(note or FollowUpCase.Outcome(outcome).label)[:1000], actor=actor)
    if outcome == FollowUpCase.Outcome.WITHDRAWN:
        beneficiary = Beneficiary.objects.select_for_update().get(pk=sponsorship.beneficiary_id)
        _set_beneficiary(beneficiary, Beneficiary.Status.WITHDRAWN, {SYSTEM})
    elif sponsorship.status == Sponsorship.Status.PAUSED and case.donor_choice in ("", FollowUpCase.Choice.RESUME):
        _resume(sponsorship)
    fact_queue(kind="sponsorship_follow_up_closed", public={
        "id": f"case:{case.pk}:closed", "sponsorship": str(sponsorship.pk), "alias": sponsorship.beneficiary.alias,
        "county": rules.county_of(sponsorship.beneficiary.region_code), "outcome": outcome,
    })
    _tell_donor(sponsorship, "case_closed")
    return case


def _resume(sponsorship: Sponsorship) -> None:
    """Payments resume (the pledge too); the months paused, and any months not paid before
    the pause, are not charged (the term moves on by them: the next month is due now at the
    latest), and the next report is due an interval from today."""
    paused_since = sponsorship.status_changed_at.date() if sponsorship.status_changed_at else today()
    skipped = max(0, (today().year - paused_since.year) * 12 + today().month - paused_since.month)
    starts_on = max(rules.add_months(sponsorship.starts_on, skipped), rules.add_months(today(), -sponsorship.paid_through))
    _set_sponsorship(
        sponsorship, Sponsorship.Status.ACTIVE, {SYSTEM},
        starts_on=starts_on,
        next_report_due=rules.next_report_due(today(), sponsorship.programme.report_every_days),
    )
    _beneficiary_follows(Beneficiary.objects.select_for_update().get(pk=sponsorship.beneficiary_id))


REFUND_REASON = gettext_lazy("Sponsorship ended: what it held is refunded by the donor's choice.")


def sponsorship_choose(*, sponsorship, actor, choice: str) -> Sponsorship:
    """The donor's choice while payments are paused or the student has withdrawn: carry on
    (once the case is closed with the student reached), or end and have what is held
    refunded or given to the programme."""
    if choice not in FollowUpCase.Choice.values:
        raise Invalid(_("Choose to carry on, a refund, or to give what is held to the programme."), code="choice_unknown")
    with transaction.atomic():
        locked = _locked(sponsorship)
        if actor is None or locked.donor_id != actor.pk:
            raise Forbidden(_("Only the sponsor makes this choice."), code="not_sponsor")
        if locked.status == Sponsorship.Status.ENDED and choice != FollowUpCase.Choice.RESUME and sponsorship_figures(locked).held > 0:
            # A refund that could not be made left money held after the end: the donor chooses again.
            audit_record(actor=actor, action="sponsorship.choose", target=locked, data={"choice": choice, "again": True})
            if choice == FollowUpCase.Choice.REDIRECT:
                held_redirect(sponsorship=locked, actor=actor)
            again = True
        elif locked.status != Sponsorship.Status.PAUSED:
            raise Conflict(_("There is nothing to choose: the sponsorship is not paused."), code="not_paused")
        else:
            again = False
    if not again:
        return _choose_while_paused(sponsorship, actor, choice)
    if choice == FollowUpCase.Choice.REFUND:
        held_refund(sponsorship=locked, actor=actor, reason=str(REFUND_REASON))
    return locked


def _choose_while_paused(sponsorship, actor, choice) -> Sponsorship:
    with transaction.atomic():
        locked = _locked(sponsorship)
        if locked.status != Sponsorship.Status.PAUSED:
            raise Conflict(_("There is nothing to choose: the sponsorship is not paused."), code="not_paused")
        case = FollowUpCase.objects.select_for_update().filter(sponsorship=locked).order_by("-opened_at").first()
        withdrawn = locked.beneficiary.status == Beneficiary.Status.WITHDRAWN
        if choice == FollowUpCase.Choice.RESUME:
            if withdrawn:
                raise Conflict(_("The student has left the programme: choose a refund or to give to the programme."),
                               code="beneficiary_withdrawn")
            if case is not None and case.status == FollowUpCase.Status.OPEN:
                case.donor_choice = choice
                case.save(update_fields=["donor_choice"])
                return locked  # it resumes when the case closes with the student reached
            _resume(locked)
            return locked
        if case is not None:
            case.donor_choice = choice
            case.save(update_fields=["donor_choice"])
        _set_sponsorship(locked, Sponsorship.Status.ENDED, {SYSTEM}, outcome=Sponsorship.Outcome.WITHDRAWN if withdrawn else "",
                         outcome_note=_("Ended by the donor's choice after a follow-up."))
        _beneficiary_follows(Beneficiary.objects.select_for_update().get(pk=locked.beneficiary_id))
        audit_record(actor=actor, action="sponsorship.choose", target=locked, data={"choice": choice})
        if choice == FollowUpCase.Choice.REDIRECT:
            held_redirect(sponsorship=locked, actor=actor)
    if choice == FollowUpCase.Choice.REFUND:
        held_refund(sponsorship=locked, actor=actor, reason=str(REFUND_REASON))
    return locked


@transaction.atomic
def beneficiary_withdraw(*, beneficiary, actor, note: str) -> Beneficiary:
    """The student leaves the programme mid-term: each sponsorship pauses (nothing more is
    charged) and its donor chooses a refund of what is held or to give it to the programme."""
    beneficiary = Beneficiary.objects.select_for_update().select_related("programme__organisation").get(pk=beneficiary.pk)
    roles = _require(actor, beneficiary.programme.organisation, states.CARERS, _("Only the organisation's owners and editors withdraw a beneficiary."))
    note = (note or "").strip()
    if not note:
        raise Invalid(_("Say why the student left."), code="note_required")
    for sponsorship in Sponsorship.objects.select_for_update().filter(beneficiary=beneficiary, status__in=Sponsorship.HOLDING):
        sponsorship.beneficiary = beneficiary
        if sponsorship.status == Sponsorship.Status.PENDING:
            _set_sponsorship(sponsorship, Sponsorship.Status.CANCELLED, {SYSTEM}, outcome_note=note[:500])
            continue
        case = FollowUpCase.objects.filter(sponsorship=sponsorship, status=FollowUpCase.Status.OPEN).first()
        if case is None:
            case = FollowUpCase.objects.create(sponsorship=sponsorship, reason=FollowUpCase.Reason.UNREACHABLE,
                                               status_changed_at=timezone.now())
        if sponsorship.status == Sponsorship.Status.ACTIVE:
            _set_sponsorship(sponsorship, Sponsorship.Status.PAUSED, {SYSTEM})
        case.status, case.closed_at, case.outcome, case.outcome_note = (
            FollowUpCase.Status.CLOSED, timezone.now(), FollowUpCase.Outcome.WITHDRAWN, note[:500])
        case.save(update_fields=["status", "closed_at", "outcome", "outcome_note"])
        CaseStep.objects.create(case=case, note=note[:1000], actor=actor)
        _tell_donor(sponsorship, "withdrawn")
    _set_beneficiary(beneficiary, Beneficiary.Status.WITHDRAWN, roles)
    audit_record(actor=actor, action="sponsorship.beneficiary_withdraw", target=beneficiary, data={"note": note})
    return beneficiary


# --- the end of a term ---------------------------------------------------------------------------

@transaction.atomic
def term_complete(*, sponsorship, actor, outcome: str, note: str) -> Sponsorship:
    """The term ends with its outcome report (posted first): graduated, a changed plan (a
    technical school instead of university), or continuing (the donor may renew)."""
    sponsorship = _locked(sponsorship)
    roles = _require(actor, sponsorship.programme.organisation, states.CARERS, _("Only the organisation's owners and editors close a term."))
    if outcome not in (Sponsorship.Outcome.GRADUATED, Sponsorship.Outcome.CHANGED_PLAN, Sponsorship.Outcome.RENEWED):
        raise Invalid(_("Choose the outcome: graduated, changed plan, or continuing for renewal."), code="outcome_unknown")
    if not sponsorship.reports.filter(kind=Report.Kind.OUTCOME).exists():
        raise Conflict(_("Post the outcome report first: the donor reads how the term went."), code="outcome_report_missing")
    states.check(states.SPONSORSHIP, sponsorship.status, Sponsorship.Status.COMPLETED, roles)
    _set_sponsorship(sponsorship, Sponsorship.Status.COMPLETED, roles, outcome=outcome, outcome_note=(note or "")[:500])
    beneficiary = Beneficiary.objects.select_for_update().get(pk=sponsorship.beneficiary_id)
    if outcome == Sponsorship.Outcome.GRADUATED:
        _set_beneficiary(beneficiary, Beneficiary.Status.GRADUATED, {SYSTEM})
    else:
        _beneficiary_follows(beneficiary)
    fact_queue(kind="sponsorship_completed", public={
        "id": f"{sponsorship.pk}:completed", "sponsorship": str(sponsorship.pk), "alias": beneficiary.alias,
        "county": rules.county_of(beneficiary.region_code), "months_paid": sponsorship.paid_through, "outcome": outcome,
    })
    _tell_donor(sponsorship, "term_completed")
    return sponsorship
