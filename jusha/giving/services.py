"""Every write of giving: creating gifts, recording payments, refunds, expiry, claims."""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid, NotFound
from jusha.core.money import EXPONENTS
from jusha.core.richtext import plain_text
from jusha.core.statemachine import SYSTEM
from jusha.giving import rules
from jusha.giving.models import Donation, Refund, StatusChange
from jusha.giving.states import DONATION
from jusha.projects.selectors import project_sums
from jusha.ledger.services import gift_journal, project_funds_lock, refund_journal
from jusha.payments.providers import default_provider_name, get_provider
from jusha.projects.models import Project
from jusha.projects.rules import gift_refusal
from jusha.transparency.services import fact_queue

logger = logging.getLogger("jusha.giving")

PUBLIC_STATUSES = ("fundraising", "funded", "executing", "completed", "cancelled")


def _set_status(donation: Donation, target: str, *, roles, actor=None, reason: str = "") -> None:
    DONATION.check(donation.status, target, roles)
    StatusChange.objects.create(donation=donation, source=donation.status, target=target, reason=reason[:200], actor=actor if getattr(actor, "is_authenticated", False) else None)
    donation.status = target


def project_accepting(project: Project, *, raised: int | None = None) -> tuple[bool, str, str]:
    """(accepting, code, reason) for a new gift to this project (`raised`: when the caller
    has just read it)."""
    code = gift_refusal(
        status=project.status,
        ends_at=project.ends_at,
        raised=project_sums([project.pk])[project.pk].raised if raised is None else raised,
        goal=project.goal,
        now=timezone.now(),
    )
    if code is None:
        return True, "", ""
    reasons = {
        "project_not_fundraising": _("This project is not taking gifts."),
        "project_ended": _("This project's fundraising has ended."),
        "project_fully_funded": _("This project is already fully funded."),
    }
    # "ended" is, for a donor, one more way of not fundraising: one code for both.
    return False, "project_not_fundraising" if code == "project_ended" else code, reasons[code]


def unmet_need_slugs(project: Project) -> list[str]:
    from jusha.projects.selectors import largest_unmet_needs

    return [p.slug for p in largest_unmet_needs(exclude_id=project.pk, limit=3)]


@transaction.atomic(savepoint=False)  # one transaction with its caller's: no savepoint to pay for
def donation_create(
    *,
    project: Project,
    amount,
    currency: str,
    message: str = "",
    name: str = "",
    anonymous: bool = False,
    email: str = "",
    donor=None,
    return_url_for=None,
) -> tuple[Donation, str]:
    """Open a gift: a pending donation with a payment intent at the provider.

    Returns the donation and its access token (shown once: it opens the receipt).
    `return_url_for(donation, token)` gives the page the payer returns to after paying.
    """
    if currency not in settings.JUSHA_CURRENCIES or currency not in EXPONENTS:
        raise Invalid(_("Unknown or unsupported currency."), code="invalid_currency")
    if currency != project.currency:
        raise Invalid(_("This project takes gifts in %(currency)s.") % {"currency": project.currency}, code="invalid_currency")
    try:
        rules.check_amount(amount, minimum=settings.JUSHA_MIN_GIFT, maximum=settings.JUSHA_MAX_GIFT)
    except rules.AmountError as exc:
        messages = {
            "invalid_amount": _("The amount must be a positive whole number of fen (1 yuan = 100)."),
            "amount_too_small": _("The amount is below the smallest gift."),
            "amount_too_large": _("The amount is above the largest gift this site accepts."),
        }
        raise Invalid(messages[exc.code], code=exc.code) from exc
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise Invalid(_("The email address is not valid."), code="invalid_email") from exc
    message = plain_text(message)
    name = plain_text(name)
    if len(message) > 200:
        raise Invalid(_("The message is longer than 200 characters."), code="message_too_long")
    if len(name) > 40:
        raise Invalid(_("The name is longer than 40 characters."), code="name_too_long")
    accepting, code, reason = project_accepting(project)
    if not accepting:
        raise Conflict(reason, code=code, extra={"suggestions": unmet_need_slugs(project)})

    provider_name = default_provider_name()
    token = rules.new_access_token()
    donor = donor if getattr(donor, "is_authenticated", False) else None
    donation = Donation(
        project=project,
        amount=amount,
        currency=currency,
        message=message,
        name=name,
        anonymous=bool(anonymous),
        donor=donor,
        email=email or (donor.email if donor else ""),
        provider=provider_name,
        access_digest=Donation.digest(token),
        expires_at=timezone.now() + timedelta(seconds=settings.JUSHA_PAYMENT_INTENT_TTL),
    )  # its id (a UUID) is known before it is saved: the intent refers to it
    intent = get_provider(provider_name).create_intent(
        reference=str(donation.pk),
        amount=amount,
        currency=currency,
        description=project.title,
        return_url=return_url_for(donation, token) if return_url_for else "",
    )
    donation.intent_id = intent.intent_id
    donation.payment_url = intent.payment_url
    donation.save(force_insert=True)
    return donation, token


@transaction.atomic(savepoint=False)  # one transaction with its caller's: no savepoint to pay for
def donation_payment_succeeded(*, provider: str, intent_id: str, amount: int, currency: str) -> Donation:
    """The provider took the money: record the gift exactly once, whatever happened since.

    A gift whose intent had expired, or whose project filled or closed meanwhile, is still
    recorded (the money was taken) and then refunded or kept as disclosed overflow, by
    the project's overflow rule.
    """
    # of=("self",): lock the gift only, never the project row it joins (that would queue every gift).
    donation = (
        Donation.objects.select_for_update(of=("self",)).select_related("project", "gift_context", "attribution")
        .filter(provider=provider, intent_id=intent_id).first()
    )
    if donation is None:
        raise NotFound(_("No gift is waiting for this payment."), code="unknown_intent")
    if donation.status in (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED, Donation.Status.REFUNDED):
        return donation  # already recorded
    if amount != donation.amount or currency != donation.currency:
        logger.error("payment %s amount %s %s does not match donation %s", intent_id, amount, currency, donation.pk)
        raise Invalid(_("The paid amount does not match the gift."), code="amount_mismatch")

    project = donation.project
    late = donation.status == Donation.Status.EXPIRED
    raised_before = project_sums([project.pk])[project.pk].raised
    accepting, _code, _reason = project_accepting(project, raised=raised_before)
    reason = "late payment" if late else ""
    _set_status(donation, Donation.Status.PAID, roles=SYSTEM, reason=reason)
    now = timezone.now()
    donation.paid_at = now
    donation.receipt_number = rules.new_receipt_number(timezone.localtime(now).year)
    overflow = late or not accepting
    if overflow and project.overflow_rule == Project.OverflowRule.KEEP:
        donation.overflow = True
    donation.save(update_fields=["status", "paid_at", "receipt_number", "overflow"])
    gift_journal(donation=donation)
    from jusha.social.services import attribution_sync

    attribution_sync(donation=donation)  # a gift made through a share link now counts in its relay
    if not overflow:  # matched in this transaction: a failed or refused gift never spends a match
        from jusha.matching.services import match_gift

        match_gift(donation=donation)
    fact_queue(
        kind="gift",
        public={"id": str(donation.pk), "receipt": donation.receipt_number, "project": project.slug, "amount": donation.amount,
                "currency": donation.currency, "paid_at": timezone.localtime(now).isoformat(), "overflow": donation.overflow},
        personal={"email": donation.email, "name": donation.name, "donor": donation.donor_id},
    )

    from jusha.fulfilment import tasks as fulfilment_tasks
    from jusha.giving import tasks

    donation_id = str(donation.pk)
    if overflow and project.overflow_rule == Project.OverflowRule.REFUND:
        transaction.on_commit(lambda: tasks.refund_overflow.enqueue(donation_id))
    # Funded once gifts reach the goal. Read after commit, so that of two gifts that fill
    # the project together, the one that commits last sees both.
    goal = project.goal
    transaction.on_commit(lambda: _check_full_after_commit(project.pk, goal))
    transaction.on_commit(lambda: fulfilment_tasks.after_gift(project.pk), robust=True)  # delivery batches
    if donation.email:
        transaction.on_commit(lambda: tasks.send_receipt.enqueue(donation_id))
    return donation


def _check_full_after_commit(project_id: int, goal: int) -> None:
    from jusha.giving import tasks

    if project_sums([project_id])[project_id].raised >= goal:
        tasks.project_check_full.enqueue(project_id)


@transaction.atomic
def donation_payment_failed(*, provider: str, intent_id: str) -> Donation:
    donation = Donation.objects.select_for_update().filter(provider=provider, intent_id=intent_id).first()
    if donation is None:
        raise NotFound(_("No gift is waiting for this payment."), code="unknown_intent")
    if donation.status == Donation.Status.PENDING:
        _set_status(donation, Donation.Status.FAILED, roles=SYSTEM, reason="payment failed")
        donation.save(update_fields=["status"])
    return donation


def donations_expire_stale(*, now=None) -> int:
    """Periodic: pending gifts past their 30 minutes. Ask the provider first; a payment
    that did succeed is recorded, one that can still be cancelled is cancelled and expired."""
    now = now or timezone.now()
    expired = 0
    stale = list(
        Donation.objects.filter(status=Donation.Status.PENDING, expires_at__lt=now).values_list("pk", "provider", "intent_id")[:500]
    )
    for pk, provider_name, intent_id in stale:
        try:
            expired += _expire_one(pk, provider_name, intent_id)
        except Exception:  # noqa: BLE001 - one bad intent must not stop the sweep
            logger.exception("could not expire donation %s", pk)
    return expired


def _expire_one(pk, provider_name: str, intent_id: str) -> int:
    provider = get_provider(provider_name)
    state = provider.query(intent_id)
    if state == "succeeded":
        # The notification is late or lost: record the gift now (never twice).
        amount, currency = Donation.objects.values_list("amount", "currency").get(pk=pk)
        donation_payment_succeeded(provider=provider_name, intent_id=intent_id, amount=amount, currency=currency)
        return 0
    if state == "failed":
        donation_payment_failed(provider=provider_name, intent_id=intent_id)
        return 0
    if state == "pending" and not provider.cancel(intent_id):
        return 0  # it completed just now; its notification will say how
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=pk)
        if donation.status != Donation.Status.PENDING:
            return 0
        _set_status(donation, Donation.Status.EXPIRED, roles=SYSTEM, reason="payment intent expired")
        donation.save(update_fields=["status"])
    return 1


def _refund_roles(actor, donation: Donation) -> set[str]:
    if actor is None:
        return {SYSTEM}
    from jusha.organisations.permissions import roles_for

    return roles_for(actor, donation.project.organisation)


@transaction.atomic
def donation_refund(*, donation: Donation, amount: int, reason: str, actor, automatic: bool = False) -> Refund:
    """Refund (part of) a paid gift to its original payment method, as a reversing entry."""
    roles = _refund_roles(actor, donation)
    if not (roles & {"finance", "owner", "staff", SYSTEM}):
        raise Forbidden(_("Only the organisation's finance members can refund gifts."), code="not_finance")
    reason = plain_text(reason)
    if not reason:
        raise Invalid(_("Say why the gift is refunded."), code="reason_required")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Invalid(_("The refund amount must be a positive whole number of fen."), code="invalid_amount")
    # Lock order everywhere: the project's fund lock, then the donation.
    project_funds_lock(donation.project)
    donation = Donation.objects.select_for_update(of=("self",)).select_related("project__organisation").get(pk=donation.pk)
    if donation.status == Donation.Status.REFUNDED:
        raise Conflict(_("This gift has already been refunded."), code="already_refunded")
    if donation.status not in (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED):
        raise Conflict(_("Only a paid gift can be refunded."), code="not_paid")
    limit = rules.refundable(
        amount=donation.amount,
        refunded=donation.refunded_amount,
        project_available=project_sums([donation.project_id])[donation.project_id].available,
    )
    if amount > limit:
        raise Conflict(
            _("At most %(limit)s fen of this gift can be refunded: the rest is refunded or already spent.") % {"limit": limit},
            code="exceeds_refundable",
            extra={"refundable": limit},
        )
    provider_refund_id = get_provider(donation.provider).refund(intent_id=donation.intent_id, amount=amount, reason=reason)
    refund = Refund.objects.create(
        donation=donation,
        amount=amount,
        currency=donation.currency,
        reason=reason[:200],
        status=Refund.Status.SUCCEEDED,
        provider_refund_id=provider_refund_id,
        requested_by=actor,
        automatic=automatic,
    )
    refund_journal(refund=refund, actor=actor)
    fact_queue(kind="refund", public={
        "id": str(refund.pk), "donation": str(donation.pk), "receipt": donation.receipt_number, "project": donation.project.slug,
        "amount": amount, "currency": refund.currency, "automatic": automatic,
    })
    donation.refunded_amount += amount
    target = rules.status_after_refund(amount=donation.amount, refunded_total=donation.refunded_amount)
    _set_status(donation, target, roles=roles, actor=actor, reason=reason)
    donation.save(update_fields=["status", "refunded_amount"])
    from jusha.social.services import attribution_sync

    attribution_sync(donation=donation)  # what is left of it counts in its relay (nothing, if all refunded)
    from jusha.matching.services import match_return_for_refund

    match_return_for_refund(donation=donation, refund=refund)
    if actor is not None:
        audit_record(actor=actor, action="donation.refund", target=donation, data={"amount": amount, "reason": reason})
    return refund


def donations_refund_all(*, project: Project, reason: str) -> int:
    """Refund what is left of every gift to a project (a cancelled project with the refund
    rule). Each gift in its own transaction, so one failure does not undo the others."""
    count = 0
    ids = Donation.objects.filter(project=project, status__in=(Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED)).values_list("pk", flat=True)
    for pk in list(ids):
        donation = Donation.objects.select_related("project").get(pk=pk)
        limit = rules.refundable(
            amount=donation.amount,
            refunded=donation.refunded_amount,
            project_available=project_sums([project.pk])[project.pk].available,
        )
        if limit > 0:
            donation_refund(donation=donation, amount=limit, reason=reason, actor=None, automatic=True)
            count += 1
    return count


@transaction.atomic
def donation_claim(*, donation: Donation, access_token: str, user) -> Donation:
    """A guest gift joins the account with the same email, proven by the receipt link."""
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if not access_token_valid(donation, access_token):
        raise Forbidden(_("The receipt link is not valid for this gift."), code="bad_access_token")
    if donation.donor_id is not None:
        if donation.donor_id == user.pk:
            return donation
        raise Conflict(_("This gift already belongs to an account."), code="already_claimed")
    if not donation.email or donation.email.lower() != user.email.lower():
        raise Forbidden(_("Only the account with the gift's email address can claim it."), code="email_mismatch")
    donation.donor = user
    donation.save(update_fields=["donor"])
    return donation


RECEIPT_SALT = "jusha.giving.receipt"


def receipt_link_token(donation: Donation) -> str:
    """A second key to the receipt, for links in emails (the access token is not stored)."""
    return signing.dumps(str(donation.pk), salt=RECEIPT_SALT, compress=True)


def access_token_valid(donation: Donation, token: str | None) -> bool:
    if not token:
        return False
    if hmac.compare_digest(Donation.digest(token), donation.access_digest):
        return True
    try:
        return signing.loads(token, salt=RECEIPT_SALT) == str(donation.pk)
    except signing.BadSignature:
        return False


def donation_can_view_private(donation: Donation, *, user=None, access_token: str | None = None) -> bool:
    if access_token_valid(donation, access_token):
        return True
    return bool(getattr(user, "is_authenticated", False) and donation.donor_id == user.pk)
