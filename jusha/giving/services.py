"""Every write of giving: creating gifts, recording payments, refunds, expiry, claims."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core import events
from jusha.core.audit import audit_record
from jusha.core.client import ClientContext
from jusha.core.errors import Conflict, Forbidden, Invalid, NotFound
from jusha.core.money import Money, require_currency, require_money, require_positive
from jusha.core.ratelimit import rate_limit
from jusha.core.richtext import plain_text
from jusha.core.sql import row_insert
from jusha.core.statemachine import SYSTEM
from jusha.giving import fees, permissions, receipt_links, rules, settle, sql, tasks
from jusha.giving.selectors import donation_fees, refund_fee_returns
from jusha.giving.contributions import gift_context_checks
from jusha.giving.models import Donation, Refund, StatusChange
from jusha.giving.states import DONATION, REFUND, REFUNDERS
from jusha.projects.selectors import project_sums
from jusha.ledger.services import fee_journal, project_funds_lock, refund_journal
from jusha.organisations.permissions import roles_for
from jusha.payments.providers import ProviderError, get_provider, provider_choose, refund_answer
from jusha.payments.rules import channel_for
from jusha.payments.services import PaymentRecord
from jusha.projects.models import Project
from jusha.projects.rules import gift_refusal
from jusha.projects.selectors import alternative_out, largest_unmet_needs, project_alternatives
from jusha.transparency.services import fact_queue

logger = logging.getLogger("jusha.giving")



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
        raised=project_sums([project.pk])[project.pk].toward_goal if raised is None else raised,
        goal=project.goal,
        now=timezone.now(),
    )
    if code is None:
        return True, "", ""
    reasons = {
        "project_not_fundraising": _("This project is not taking gifts."),
        "project_suspended": _("This project's fundraising is suspended while the platform looks into it."),
        "project_ended": _("This project's fundraising has ended."),
        "project_fully_funded": _("This project is already fully funded."),
    }
    # "ended" is, for a donor, one more way of not fundraising: one code for both.
    return False, "project_not_fundraising" if code == "project_ended" else code, reasons[code]


def unmet_need_slugs(project: Project) -> list[str]:
    return [p.slug for p in largest_unmet_needs(exclude_id=project.pk, limit=3)]


def refusal_extra(project: Project) -> dict:
    """What a refused gift's 409 carries besides its code: `alternatives` (the cooler: the
    most similar projects still in need, with their gap and days left) and, for one more
    release, `suggestions` (the slugs of the largest unmet needs anywhere)."""
    return {
        "alternatives": [alternative_out(p) for p in project_alternatives(project, limit=5)],
        "suggestions": unmet_need_slugs(project),
    }


def _checked_gift(
    *, project: Project, amount: Money, message: str, name: str, email: str, raised: int | None = None
) -> tuple[str, str, str]:
    """Refuse what cannot be a gift to this project (Invalid or Conflict, nothing written);
    returns the cleaned message, name and email. `raised`: the project's `toward_goal` when
    the caller read it with the project (else it is read here)."""
    require_currency(require_money(amount).currency)
    if amount.currency != project.currency:
        raise Invalid(_("This project takes gifts in %(currency)s.") % {"currency": project.currency}, code="invalid_currency")
    require_positive(
        amount, message=_("The amount must be more than zero."),
        at_least=Money(settings.JUSHA_MIN_GIFT, amount.currency), small_code="amount_too_small",
        small_message=_("The amount is below the smallest gift."),
        at_most=Money(settings.JUSHA_MAX_GIFT, amount.currency), large_code="amount_too_large",
        large_message=_("The amount is above the largest gift this site accepts."),
    )
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise Invalid(_("The email address is not valid."), code="invalid_email") from exc
    message, name = plain_text(message), plain_text(name)
    if len(message) > 200:
        raise Invalid(_("The message is longer than 200 characters."), code="message_too_long")
    if len(name) > 40:
        raise Invalid(_("The name is longer than 40 characters."), code="name_too_long")
    accepting, code, reason = project_accepting(project, raised=raised)
    if not accepting:
        raise Conflict(reason, code=code, extra=refusal_extra(project))
    return message, name, email


def donation_open(
    *,
    project: Project,
    amount: Money,
    client: ClientContext,
    donor=None,
    ref: str = "",
    message: str = "",
    name: str = "",
    anonymous: bool = False,
    show_message: bool = False,
    email: str = "",
    context: dict | None = None,
    within: Callable[[Donation, str], None] | None = None,
    provider: str = "",
    raised: int | None = None,
) -> tuple[Donation, str]:
    """Open a gift: a pending donation with a payment intent at the provider, and what the
    higher apps record about its opening (core.events.gift_opened: the client's matching
    context, the share link `ref` it came through, a campaign or team in `context`).

    The provider is called first, outside any transaction of ours; the donation and what
    its opening records are then saved in one transaction, in which `within(donation,
    token)` runs too (the edge stores its idempotent answer there). An intent whose
    donation is never saved is never shown to a payer and expires at the provider.
    `provider` is the one the donor chose ("" for the site's first): Invalid
    `provider_unavailable` when it is not configured here.
    `raised`: the project's `toward_goal` when the caller read it with the project
    (`projects.selectors.project_with_sums`); else it is read here.
    Returns the donation and its access token (shown once: it opens the receipt).
    """
    provider_name = provider_choose(provider)
    message, name, email = _checked_gift(
        project=project, amount=amount, message=message, name=name, email=email, raised=raised
    )
    for check in gift_context_checks.providers():  # a team of another project: 422, nothing written
        check(project=project, context=context or {})
    token = rules.new_access_token()
    donor = donor if getattr(donor, "is_authenticated", False) else None
    donation = Donation(
        project=project,
        amount=amount.amount,
        currency=amount.currency,
        message=message,
        name=name,
        anonymous=bool(anonymous),
        show_message=bool(show_message),
        donor=donor,
        email=email or (donor.email if donor else ""),
        provider=provider_name,
        access_digest=Donation.digest(token),
        expires_at=timezone.now() + timedelta(seconds=settings.JUSHA_PAYMENT_INTENT_TTL),
    )  # its id (a UUID) is known before it is saved: the intent refers to it
    # A real provider places the order for the payer's device: a QR code or the cashier
    # page on a computer, the phone's own flow on a phone.
    device = {} if provider_name == "sandbox" else {"channel": channel_for(client.user_agent), "client_ip": client.network}
    intent = get_provider(provider_name).create_intent(
        reference=str(donation.pk),
        amount=amount.amount,
        currency=amount.currency,
        description=project.title,
        return_url=receipt_links.receipt_link(donation, via=receipt_links.API),
        **device,
    )
    donation.intent_id = intent.intent_id
    donation.payment_url = intent.payment_url
    with transaction.atomic():
        row_insert(donation)  # donation.save(force_insert=True), one plain INSERT (core.sql)
        events.gift_opened.announce(events.GiftOpened(donation=donation, client=client, ref=ref or "", context=context or {}))
        if within is not None:
            within(donation, token)
    return donation, token


def donation_open_authorised(*, project: Project, amount: Money, donor, provider: str, context: dict | None = None) -> Donation:
    """Open a gift that the donor authorised in advance (a monthly pledge's charge on a saved
    payment agreement): pending, with no pay page; the caller then charges the agreement
    and records the outcome with `donation_authorised_charged` or `donation_authorised_failed`.
    Call inside the caller's transaction (which records why the gift is made). The same
    checks as any gift (Conflict with `alternatives` when the project takes no gift)."""
    _checked_gift(project=project, amount=amount, message="", name="", email="")
    donation = Donation(
        project=project, amount=amount.amount, currency=amount.currency, donor=donor, email=donor.email if donor else "",
        provider=provider, access_digest=Donation.digest(rules.new_access_token()),
        # Never swept as an abandoned pay page (it has none); the pledge asks its provider about it.
        expires_at=timezone.now() + timedelta(days=30),
    )
    with transaction.atomic(savepoint=False):
        donation.save(force_insert=True)
        events.gift_opened.announce(events.GiftOpened(donation=donation, client=ClientContext(), context=context or {}))
    return donation


@transaction.atomic
def donation_authorised_charged(*, donation: Donation, intent_id: str) -> Donation:
    """The provider took an authorised charge: the gift is paid exactly as any gift is
    (journal, public fact, gift_paid, receipt), once."""
    Donation.objects.filter(pk=donation.pk, intent_id__isnull=True).update(intent_id=intent_id)
    return donation_payment_succeeded(provider=donation.provider, intent_id=intent_id, amount=donation.amount,
                                       currency=donation.currency)


@transaction.atomic
def donation_authorised_failed(*, donation: Donation, reason: str) -> Donation:
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if donation.status == Donation.Status.PENDING:
        _set_status(donation, Donation.Status.FAILED, roles=SYSTEM, reason=reason or "authorised charge failed")
        donation.save(update_fields=["status"])
    return donation


@transaction.atomic(savepoint=False)  # one transaction with its caller's: no savepoint to pay for
def donation_payment_succeeded(*, provider: str, intent_id: str, amount: int, currency: str, fee: int | None = None) -> Donation:
    """The provider took the money: record the gift exactly once, whatever happened since,
    and what the provider kept of it (`fee`, minor units) as its own journal entry.

    A gift whose intent had expired, or whose project filled or closed meanwhile, is still
    recorded (the money was taken) and then refunded or kept as disclosed overflow, by
    the project's overflow rule.
    """
    # The gift locked (of the gift only, never the project row it joins: that would queue
    # every gift), its project and the project's totals: one statement on PostgreSQL when
    # no one else holds the gift's row (giving.sql); otherwise (SQLite, or a wait for the
    # lock) the ORM's lock, then the totals read after it.
    locked = sql.donation_locked(provider=provider, intent_id=intent_id) if connection.vendor == "postgresql" else None
    if locked is not None:
        donation, sums = locked
    else:
        donation = (
            Donation.objects.select_for_update(of=("self",)).select_related("project")
            .filter(provider=provider, intent_id=intent_id).first()
        )
        sums = None
    if donation is None:
        raise NotFound(_("No gift is waiting for this payment."), code="unknown_intent")
    if donation.status in (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED, Donation.Status.REFUNDED):
        return donation  # already recorded
    if amount != donation.amount or currency != donation.currency:
        logger.error("payment %s amount %s %s does not match donation %s", intent_id, amount, currency, donation.pk)
        raise Invalid(_("The paid amount does not match the gift."), code="amount_mismatch")

    project = donation.project
    late = donation.status == Donation.Status.EXPIRED
    raised_before = (sums if sums is not None else project_sums([project.pk])[project.pk]).toward_goal
    accepting, _code, _reason = project_accepting(project, raised=raised_before)
    reason = "late payment" if late else ""
    source = donation.status
    DONATION.check(source, Donation.Status.PAID, SYSTEM)
    donation.status = Donation.Status.PAID
    now = timezone.now()
    donation.paid_at = now
    donation.receipt_number = rules.new_receipt_number(timezone.localtime(now).year)
    overflow = late or not accepting
    donation.arrived_late = overflow
    if overflow and project.overflow_rule == Project.OverflowRule.KEEP:
        donation.overflow = True
    # Accepted: paid (with its status change), journalled and in the project's raised
    # (read-your-writes) in this transaction: one statement on PostgreSQL (giving.sql). Its
    # log fact, match and what the higher apps record of it (gift_paid) are its
    # settlement, done in batches by giving.settle right after this commits.
    sql.donation_accept(donation=donation, source=source, reason=reason)
    if fee:
        _fee_post(donation, fee)
    if settings.JUSHA_SETTLE["inline"]:
        settle.settle_locked([donation])
    else:
        transaction.on_commit(settle.settle_kick)

    donation_id = str(donation.pk)
    if overflow and project.overflow_rule == Project.OverflowRule.REFUND:
        transaction.on_commit(lambda: tasks.refund_overflow.enqueue(donation_id))
    if donation.email:
        transaction.on_commit(lambda: tasks.send_receipt.enqueue(donation_id))
    return donation


def _fee_post(donation: Donation, fee: int, *, reference: str = "") -> None:
    if not 0 < fee <= donation.amount:
        raise Invalid(_("The provider's fee is more than the gift."), code="fee_invalid")
    fee_journal(donation=donation, fee=Money(fee, donation.currency), reference=reference)
    fact_queue(kind="fee", public={
        "donation": str(donation.pk), "receipt": donation.receipt_number, "project": donation.project.slug,
        "provider": donation.provider, "amount": fee, "currency": donation.currency,
    })


@transaction.atomic
def donation_fee_record(*, provider: str, intent_id: str, fee: int) -> int:
    """A provider's statement says what it kept of a paid gift: journal it when none is
    yet, or the part it kept beyond what is journalled (never less: a smaller fee on the
    statement is a difference for finance staff, not an entry). Returns the fee now
    journalled for the gift."""
    donation = Donation.objects.select_related("project").filter(provider=provider, intent_id=intent_id).first()
    if donation is None:
        raise NotFound(_("No gift is waiting for this payment."), code="unknown_intent")
    if donation.receipt_number is None:
        raise Conflict(_("Only a paid gift has a fee."), code="not_paid")
    recorded = donation_fees([donation.pk]).get(str(donation.pk), 0)
    if fee > recorded:
        _fee_post(donation, fee - recorded, reference=str(donation.pk) if not recorded else f"{donation.pk}:statement")
        events.gift_fee_changed.announce(events.GiftFeeChanged(donation=donation))
        return fee
    return recorded


def payment_records(*, provider: str, day, intent_ids) -> list[PaymentRecord]:
    """What our books say of a provider's payments: the gifts paid through it on `day`
    (Beijing time) or named by `intent_ids`, each with its fee and refunds."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.db.models import Q

    beijing = ZoneInfo("Asia/Shanghai")
    start = datetime.combine(day, time.min, tzinfo=beijing)
    end = start + timedelta(days=1)
    paid = (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED, Donation.Status.REFUNDED)
    gifts = list(Donation.objects.filter(provider=provider).filter(
        Q(intent_id__in=list(intent_ids)) | Q(status__in=paid, paid_at__gte=start, paid_at__lt=end)
        | Q(refunds__created_at__gte=start, refunds__created_at__lt=end)
    ).distinct().prefetch_related("refunds"))
    fees = donation_fees([g.pk for g in gifts])
    returned = refund_fee_returns([r.pk for g in gifts for r in g.refunds.all()])
    return [
        PaymentRecord(
            intent_id=g.intent_id, amount=g.amount, currency=g.currency, paid=g.status in paid,
            paid_on=g.paid_at.astimezone(beijing).date() if g.paid_at else None,
            fee=fees.get(str(g.pk)),
            refunds=[(str(r.pk), r.amount, r.status, r.created_at.astimezone(beijing).date()) for r in g.refunds.all()],
            fee_returns={str(r.pk): returned[str(r.pk)] for r in g.refunds.all() if str(r.pk) in returned},
        )
        for g in gifts
    ]


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
    stale = list(  # an authorised charge not yet made has no intent: its pledge asks about it
        Donation.objects.filter(status=Donation.Status.PENDING, expires_at__lt=now, intent_id__isnull=False)
        .values_list("pk", "provider", "intent_id")[:500]
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
    return roles_for(actor, donation.project.organisation)


def donation_refund(
    *, donation: Donation, amount: Money, reason: str, actor, automatic: bool = False,
    within: Callable[[Refund], None] | None = None,
) -> Refund:
    """Refund (part of) a paid gift to its original payment method.

    First recorded, in one transaction: the refund (pending), its reversing journal entry,
    its public fact, the gift's status, and what higher apps do about it
    (core.events.gift_refunded: the match goes back to its pool, the relay figures shrink);
    `within(refund)` runs there too. Only then, outside any transaction of ours, is the
    provider asked, with the refund's id as its idempotency key, and the refund confirmed.
    So a rollback can never leave a provider refund unrecorded; a refund whose provider
    call did not get through stays pending and `refunds_settle_pending` asks again (the
    same key never refunds twice)."""
    refund = _refund_record(donation=donation, amount=amount, reason=reason, actor=actor, automatic=automatic, within=within)
    return refund_settle(refund=refund)


@transaction.atomic
def _refund_record(*, donation: Donation, amount: Money, reason: str, actor, automatic: bool, within) -> Refund:
    require_money(amount)
    roles = _refund_roles(actor, donation)
    if not (roles & REFUNDERS):
        raise Forbidden(_("Only the organisation's finance members can refund gifts."), code="not_finance")
    reason = plain_text(reason)
    if not reason:
        raise Invalid(_("Say why the gift is refunded."), code="reason_required")
    require_positive(amount, currency=donation.currency, message=_("The refund amount must be more than zero."))
    # Lock order everywhere: the project's fund lock, then the donation.
    project_funds_lock(donation.project)
    donation = Donation.objects.select_for_update(of=("self",)).select_related("project__organisation").get(pk=donation.pk)
    if donation.settling:  # its match must exist before it is returned: settle it first, here
        settle.settle_locked([donation])
    if donation.status == Donation.Status.REFUNDED:
        raise Conflict(_("This gift has already been refunded."), code="already_refunded")
    if donation.status not in (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED):
        raise Conflict(_("Only a paid gift can be refunded."), code="not_paid")
    limit = fees.donation_refundable(donation)
    if amount.amount > limit:
        raise Conflict(
            _("At most %(limit)s of this gift can be refunded: the rest is refunded or already spent.")
            % {"limit": Money(limit, donation.currency).display()},
            code="exceeds_refundable",
            extra={"refundable": limit},
        )
    refund = Refund.objects.create(
        donation=donation,
        amount=amount.amount,
        currency=donation.currency,
        reason=reason[:200],
        status=Refund.Status.PENDING,
        requested_by=actor,
        automatic=automatic,
    )
    refund_journal(refund=refund, actor=actor)
    fact_queue(kind="refund", public={
        "id": str(refund.pk), "donation": str(donation.pk), "receipt": donation.receipt_number, "project": donation.project.slug,
        "amount": amount.amount, "currency": refund.currency, "automatic": automatic,
    })
    donation.refunded_amount += amount.amount
    target = rules.status_after_refund(amount=donation.amount, refunded_total=donation.refunded_amount)
    _set_status(donation, target, roles=roles, actor=actor, reason=reason)
    donation.save(update_fields=["status", "refunded_amount"])
    events.gift_refunded.announce(events.GiftRefunded(donation=donation, refund=refund))
    if actor is not None:
        audit_record(actor=actor, action="donation.refund", target=donation, data={"amount": amount.amount, "reason": reason})
    if within is not None:
        within(refund)
    return refund


def refund_settle(*, refund: Refund) -> Refund:
    """Ask the provider to pay a recorded refund back (outside any transaction of ours), then
    confirm it. A provider that says no marks it failed (logged: the organisation owes the
    donor that money and must pay it another way); one that cannot be reached leaves it
    pending for the next try. Returns the refund as it now stands."""
    if refund.status != Refund.Status.PENDING:
        return refund
    donation = refund.donation
    try:
        answer = refund_answer(get_provider(donation.provider).refund(
            intent_id=donation.intent_id, amount=refund.amount, reason=refund.reason, reference=str(refund.pk)
        ))
    except ProviderError as exc:
        logger.error("provider refused refund %s of donation %s: %s", refund.pk, donation.pk, exc.detail)
        return _refund_conclude(refund, Refund.Status.FAILED, reason=str(exc.detail))
    except Exception:  # noqa: BLE001 - the outcome is unknown: ask again later, with the same key
        logger.exception("refund %s of donation %s: provider not reached, will retry", refund.pk, donation.pk)
        return refund
    return _refund_conclude(refund, Refund.Status.SUCCEEDED, provider_refund_id=answer.refund_id,
                            fee_returned=answer.fee_returned)


@transaction.atomic
def _refund_conclude(refund: Refund, target: str, *, provider_refund_id: str = "", reason: str = "",
                     fee_returned: int | None = None) -> Refund:
    refund = Refund.objects.select_for_update().select_related("donation__project").get(pk=refund.pk)
    if refund.status != Refund.Status.PENDING:
        return refund  # settled meanwhile by another try
    REFUND.check(refund.status, target, SYSTEM)
    refund.status = target
    refund.provider_refund_id = provider_refund_id[:64]
    refund.settled_at = timezone.now()
    refund.save(update_fields=["status", "provider_refund_id", "settled_at"])
    if target == Refund.Status.SUCCEEDED and fee_returned:
        fees.refund_fee_return(refund=refund, fee=fee_returned)  # what the provider gave back of its fee
    return refund


def refunds_settle_pending(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Periodic: refunds recorded but not yet confirmed by their provider (a crash or a
    network failure between the two). Returns how many are now settled."""
    cutoff = timezone.now() - older_than
    pending = Refund.objects.filter(status=Refund.Status.PENDING, created_at__lt=cutoff).select_related("donation")[:200]
    return sum(refund_settle(refund=refund).status != Refund.Status.PENDING for refund in list(pending))


def donations_refund_all(*, project: Project, reason: str) -> int:
    """Refund what is left of every gift to a project (a cancelled project with the refund
    rule). Each gift in its own transaction, so one failure does not undo the others."""
    count = 0
    ids = Donation.objects.filter(project=project, status__in=(Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED)).values_list("pk", flat=True)
    for pk in list(ids):
        donation = Donation.objects.select_related("project").get(pk=pk)
        limit = fees.donation_refundable(donation)
        if limit > 0:
            donation_refund(donation=donation, amount=Money(limit, donation.currency), reason=reason, actor=None, automatic=True)
            count += 1
    return count


@transaction.atomic
def receipt_link_send(*, donation: Donation) -> bool:
    """Send a paid gift's receipt email again, with a new one-use link, to the address the
    gift was given with (never another): for a donor whose link expired or was used.
    At most `JUSHA_RATE_LIMITS["receipt_link"]` a gift (RateLimited past it); False when
    there is nothing to send (no address, never paid)."""
    rate_limit("receipt_link", f"gift:{donation.pk}")
    if not donation.email or not donation.receipt_number:
        return False
    donation_id = str(donation.pk)
    transaction.on_commit(lambda: tasks.send_receipt.enqueue(donation_id))
    return True


def donation_claim(*, donation: Donation, access_token: str, user) -> Donation:
    """A guest gift joins the account with the same email, proven by the receipt link."""
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if not permissions.access_token_valid(donation, access_token):
        raise Forbidden(_("The receipt link is not valid for this gift."), code="bad_access_token")
    if donation.donor_id is not None:
        if donation.donor_id == user.pk:
            return donation
        raise Conflict(_("This gift already belongs to an account."), code="already_claimed")
    if not donation.email or donation.email.lower() != user.email.lower():
        raise Forbidden(_("Only the account with the gift's email address can claim it."), code="email_mismatch")
    if user.email_verified_at is None:  # the address must be proven the account's own
        raise Forbidden(
            _("Confirm your email address first: open the link we emailed you when you signed up, or send it "
              "again from your account page."),
            code="email_not_confirmed",
        )
    donation.donor = user
    donation.save(update_fields=["donor"])
    return donation
