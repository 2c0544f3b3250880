"""Reconciliation: a provider's statement read against our books, line by line.

Every payment line is matched to its gift (the order number is the gift's id in hex):
paid at the provider but not recorded here → recorded now, through the same exactly-once
path a notification takes (its event id `statement:<provider's number>`), and flagged;
a different amount → flagged, nothing recorded; a fee not yet journalled → journalled
now; a different fee → flagged. Every refund line is matched to its refund by the
merchant's refund number. Then the other way: a gift paid or refunded here that day, not
on the statement → flagged. One Reconciliation per provider and day; reading a statement
again replaces its findings (what was recorded the first time is found recorded).
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from jusha.core.errors import DomainError, Invalid
from jusha.payments import rules
from jusha.payments.models import Finding, ProviderOrder, Reconciliation
from jusha.payments.providers import Event
from jusha.payments.services import event_record, payment_handler

logger = logging.getLogger("jusha.payments.reconcile")
K = Finding.Kind


def _refund_key(reference: str) -> str:
    try:
        return str(uuid.UUID(reference.strip()))
    except ValueError:
        return reference.strip()


def statement_read(*, provider: str, data: bytes, source: str, day=None) -> Reconciliation:
    """Read one statement file (bytes as downloaded) and reconcile it. Invalid when the
    file is not that provider's statement (nothing written)."""
    parser = rules.PARSERS.get(provider)
    if parser is None:
        raise Invalid(_("No statement format is known for “%(name)s”.") % {"name": provider[:20]}, code="provider_unknown")
    try:
        statement = parser(data)
    except rules.StatementError as exc:
        raise Invalid(_("This is not a statement of %(name)s: %(why)s") % {"name": provider, "why": exc},
                      code="statement_invalid") from exc
    day = day or statement.day
    if day is None:
        raise Invalid(_("The statement does not say which day it covers: give --day."), code="statement_day_unknown")
    return reconcile(provider=provider, statement=statement, day=day, source=source)


def reconcile(*, provider: str, statement: rules.Statement, day, source: str) -> Reconciliation:
    handler = payment_handler()
    numbers = [line.out_trade_no for line in statement.lines if line.out_trade_no]
    orders = {o.out_trade_no: o for o in ProviderOrder.objects.filter(provider=provider, out_trade_no__in=numbers)}
    findings: list[Finding] = []
    matched = gross = fees = refunds = 0
    for bad in statement.bad:
        findings.append(Finding(kind=K.BAD_LINE, note=_("line %(n)d: %(why)s") % {"n": bad.number, "why": bad.reason}))

    # Payments first: a refund line may be about a gift the statement also shows paid.
    for line in sorted(statement.lines, key=lambda item: item.kind != rules.PAYMENT):
        if line.kind == rules.PAYMENT:
            gross += line.amount
            fees += line.fee
        else:
            refunds += line.amount
        order = orders.get(line.out_trade_no)
        if order is None:
            findings.append(Finding(kind=K.UNKNOWN_ORDER, out_trade_no=line.out_trade_no[:64], theirs=line.amount,
                                    note=_("line %(n)d, %(id)s") % {"n": line.number, "id": line.provider_id[:64]}))
            continue
        record = _records(handler, provider, day, [order.intent_id]).get(order.intent_id)
        if line.kind == rules.PAYMENT:
            findings += _payment(handler, provider, line, order, record)
        else:
            findings += _refund(handler, provider, line, order, record)
        if not any(f.out_trade_no == line.out_trade_no and not f.resolved for f in findings):
            matched += 1

    # The other way: what our books say happened that day, that the statement does not show.
    seen_payments = {line.out_trade_no for line in statement.lines if line.kind == rules.PAYMENT}
    seen_refunds = {_refund_key(line.refund_reference) for line in statement.lines if line.kind == rules.REFUND}
    ours_that_day = _records(handler, provider, day, [])
    intent_to_number = dict(ProviderOrder.objects.filter(provider=provider, intent_id__in=list(ours_that_day))
                            .values_list("intent_id", "out_trade_no"))
    for intent_id, record in ours_that_day.items():
        number = intent_to_number.get(intent_id, intent_id)
        if record.paid and record.paid_on == day and number not in seen_payments:
            findings.append(Finding(kind=K.NOT_AT_PROVIDER, out_trade_no=number[:64], ours=record.amount,
                                    note=_("paid in our books that day")))
        for refund_id, amount, status, on in record.refunds:
            if on == day and status == "succeeded" and refund_id not in seen_refunds:
                findings.append(Finding(kind=K.REFUND_MISSING_THERE, out_trade_no=number[:64], reference=refund_id,
                                        ours=amount))

    with transaction.atomic():
        run, _created = Reconciliation.objects.update_or_create(
            provider=provider, day=day,
            defaults={"source": source[:200], "lines": len(statement.lines) + len(statement.bad), "matched": matched,
                      "gross": gross, "fees": fees, "refunds": refunds},
        )
        run.findings.all().delete()
        for finding in findings:
            finding.reconciliation = run
        Finding.objects.bulk_create(findings)
    return run


def _records(handler, provider, day, intent_ids) -> dict:
    if handler.records is None:
        return {}
    return {r.intent_id: r for r in handler.records(provider=provider, day=day, intent_ids=intent_ids)}


def _payment(handler, provider: str, line: rules.Line, order: ProviderOrder, record) -> list[Finding]:
    number = line.out_trade_no[:64]
    if line.amount != order.amount or line.currency != order.currency:
        return [Finding(kind=K.AMOUNT_MISMATCH, out_trade_no=number, ours=order.amount, theirs=line.amount,
                        note=f"{order.currency} / {line.currency}")]
    found: list[Finding] = []
    if record is None or not record.paid:
        # Paid at the provider, never recorded here (a lost notification): record it now,
        # through the notification's own exactly-once path, and say so.
        event = Event(event_id=f"statement:{line.provider_id or number}"[:64], type="payment.succeeded",
                      intent_id=order.intent_id, amount=line.amount, currency=line.currency,
                      payload={"statement_line": line.number, "provider_id": line.provider_id}, fee=line.fee or None)
        try:
            event_record(provider_name=provider, event=event)
        except DomainError as exc:
            return [Finding(kind=K.AMOUNT_MISMATCH, out_trade_no=number, theirs=line.amount, note=str(exc.detail)[:300])]
        return [Finding(kind=K.RECORDED_NOW, out_trade_no=number, theirs=line.amount, resolved=True)]
    if record.amount != line.amount:
        return [Finding(kind=K.AMOUNT_MISMATCH, out_trade_no=number, ours=record.amount, theirs=line.amount)]
    if line.fee and record.fee is None and handler.fee is not None:
        handler.fee(provider=provider, intent_id=order.intent_id, fee=line.fee)
        found.append(Finding(kind=K.FEE_RECORDED, out_trade_no=number, theirs=line.fee, resolved=True))
    elif (record.fee or 0) != line.fee:
        found.append(Finding(kind=K.FEE_MISMATCH, out_trade_no=number, ours=record.fee or 0, theirs=line.fee))
    return found


def _refund(handler, provider: str, line: rules.Line, order: ProviderOrder, record) -> list[Finding]:
    number, key = line.out_trade_no[:64], _refund_key(line.refund_reference)
    refunds = [(refund_id, amount, status) for refund_id, amount, status, _on in (record.refunds if record else [])
               if status != "failed"]
    ours = {refund_id: amount for refund_id, amount, _status in refunds}
    if key not in ours:
        return [Finding(kind=K.REFUND_MISSING_HERE, out_trade_no=number, reference=key[:64], theirs=line.amount)]
    if ours[key] != line.amount:
        return [Finding(kind=K.AMOUNT_MISMATCH, out_trade_no=number, reference=key[:64], ours=ours[key], theirs=line.amount)]
    # The fee the provider gave back with this refund (the statement's refund line says it).
    returned = record.fee_returns.get(key) if record else None
    settled = any(refund_id == key and status == "succeeded" for refund_id, _amount, status in refunds)
    if line.fee and returned is None and settled and handler.fee_return is not None:
        try:
            journalled = handler.fee_return(provider=provider, intent_id=order.intent_id, refund_id=key, fee=line.fee)
        except DomainError as exc:
            return [Finding(kind=K.FEE_MISMATCH, out_trade_no=number, reference=key[:64], ours=0, theirs=line.fee,
                            note=str(exc.detail)[:300])]
        if journalled == line.fee:
            return [Finding(kind=K.FEE_RECORDED, out_trade_no=number, reference=key[:64], theirs=line.fee, resolved=True,
                            note=_("fee given back with the refund"))]
        return [Finding(kind=K.FEE_MISMATCH, out_trade_no=number, reference=key[:64], ours=journalled, theirs=line.fee,
                        note=_("fee given back with the refund"))]
    if (returned or 0) != line.fee and (returned is not None or line.fee):
        return [Finding(kind=K.FEE_MISMATCH, out_trade_no=number, reference=key[:64], ours=returned or 0, theirs=line.fee,
                        note=_("fee given back with the refund"))]
    return []


def day_status() -> dict[str, list[tuple[str, object, int]]]:
    """For `ledger_check`: per provider and Beijing day on which a real provider told us of
    a payment, whether its statement was reconciled clean, reconciled with differences
    still open, or not reconciled at all."""
    from zoneinfo import ZoneInfo

    from jusha.payments.config import REAL_PROVIDERS
    from jusha.payments.models import PaymentEvent

    beijing = ZoneInfo("Asia/Shanghai")
    status: dict[str, list] = {"reconciled": [], "open": [], "unreconciled": []}
    runs = {(run.provider, run.day): run for run in Reconciliation.objects.prefetch_related("findings")}
    for (provider, day), run in sorted(runs.items()):
        status["open" if run.open_findings else "reconciled"].append((provider, day, run.open_findings))
    days = set()
    for provider, received in PaymentEvent.objects.filter(provider__in=REAL_PROVIDERS, type="payment.succeeded") \
            .values_list("provider", "received_at"):
        days.add((provider, received.astimezone(beijing).date()))
    status["unreconciled"] = [(provider, day, 0) for provider, day in sorted(days) if (provider, day) not in runs]
    return status


def reconciliation_problems() -> list[str]:
    """ledger_check: a difference found on a statement and not yet set right is a problem."""
    return [
        f"payments: {provider} statement of {day} has {count} difference(s) still open"
        for provider, day, count in day_status()["open"]
    ]


def reconciliation_notes() -> list[str]:
    """Nothing on a site no real provider has paid through and no statement was read for."""
    status = day_status()
    if not any(status.values()):
        return []
    notes = [f"payments: {len(status['reconciled'])} provider day(s) reconciled clean, "
             f"{len(status['open'])} with differences open, {len(status['unreconciled'])} not reconciled"]
    notes += [f"payments: {provider} {day} not reconciled" for provider, day, _n in status["unreconciled"][-31:]]
    return notes
