"""Writes to the journal. Every movement of money is one balanced entry, posted once."""

import contextlib
import contextvars
import hashlib
import random

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.events import ExpenditureRecorded, expenditure_recorded
from jusha.core.money import Money, MoneyError, require_money, require_positive
from jusha.core.uploads import clean_voucher
from jusha.ledger import rules, sql
from jusha.ledger.models import Account, Expenditure, JournalEntry
from jusha.projects.models import ProjectTotal
from jusha.transparency.services import fact_queue
from jusha.organisations.permissions import roles_for


def _account(key: str, **fields) -> Account:
    return _accounts((key, fields))[0]


def _account_create(key: str, fields: dict) -> Account:
    try:
        with transaction.atomic():
            return Account.objects.create(key=key, **fields)
    except IntegrityError:  # created by a concurrent request
        return Account.objects.get(key=key)


# Accounts committed to the database, by key. An account is never deleted and its key,
# kind and currency never change, so once this process has seen one committed it finds it
# again without a query (a gift's entry needs two: cash and fund). Only committed accounts
# are kept: one created or read in a transaction that then rolls back may not exist.
_committed: dict[str, Account] = {}


def _accounts(*specs: tuple[str, dict]) -> list[Account]:
    """Several accounts by (key, fields to create it with): none, or one query."""
    missing = [key for key, _fields in specs if key not in _committed]
    if not missing:
        return [_committed[key] for key, _fields in specs]
    found = {a.key: a for a in Account.objects.filter(key__in=missing)}
    for key, fields in specs:
        if key in missing and key not in found:
            found[key] = _account_create(key, fields)
    fresh = [found[key] for key in missing]
    transaction.on_commit(lambda: _remember(fresh))
    return [found[key] if key in found else _committed[key] for key, _fields in specs]


def _remember(accounts: list[Account]) -> None:
    for account in accounts:
        account._state.fields_cache.clear()  # keep no related objects (a project as it was then)
        _committed[account.key] = account


def accounts_forget() -> None:
    """Drop the accounts this process remembers (tests: each starts with an empty database)."""
    _committed.clear()


def _fund(project) -> tuple[str, dict]:
    return f"project:{project.pk}:fund", {
        "kind": Account.Kind.LIABILITY, "currency": project.currency, "name": f"Funds held for {project.title}",
        "organisation_id": project.organisation_id, "project": project,
    }


def _cash(organisation_id: int, currency: str) -> tuple[str, dict]:
    return f"org:{organisation_id}:cash:{currency}", {
        "kind": Account.Kind.ASSET, "currency": currency, "name": f"Cash of organisation {organisation_id} ({currency})",
        "organisation_id": organisation_id,
    }


def _pool(pool) -> tuple[str, dict]:
    return f"pool:{pool.pk}", {
        "kind": Account.Kind.LIABILITY, "currency": pool.currency, "name": f"Matching pool {pool.pk}: {pool.name}"[:160],
        "organisation_id": pool.sponsor_id,
    }


def project_fund_account(project) -> Account:
    """Liability: what the organisation holds for this project (credit-normal)."""
    key, fields = _fund(project)
    return _account(key, **fields)


def organisation_cash_account(organisation_id: int, currency: str) -> Account:
    """Asset: money received on the organisation's behalf through payment providers."""
    key, fields = _cash(organisation_id, currency)
    return _account(key, **fields)


def pool_account(pool) -> Account:
    """Liability: what a matching pool holds for matches, owed to the gifts it will match."""
    key, fields = _pool(pool)
    return _account(key, **fields)


def pool_and_fund_accounts(pool, project) -> tuple[Account, Account]:
    """The pool's account and the project's fund account, in one query (a match moves
    money from the one to the other)."""
    pool_account_, fund = _accounts(_pool(pool), _fund(project))
    return pool_account_, fund


def _postings(lines: list[tuple[Account, Money]]) -> tuple[str, int]:
    """The entry's currency and total (sum of debits), from signed Money postings in their
    accounts' currency. Anything else is a programming error: refused, nothing written."""
    for account, amount in lines:
        require_money(amount, name=f"posting to {account.key}")
        if amount.currency != account.currency:
            raise MoneyError(f"posting to {account.key} is in {amount.currency}, the account in {account.currency}")
    currencies = {amount.currency for _account, amount in lines}
    if len(currencies) != 1:
        raise rules.UnbalancedEntry(f"an entry is in one currency, not {sorted(currencies)}")
    total = rules.check_balanced([(account.key, amount.amount, amount.currency) for account, amount in lines])
    return currencies.pop(), total


_batched: contextvars.ContextVar[list | None] = contextvars.ContextVar("jusha_ledger_batched", default=None)


@contextlib.contextmanager
def entries_batched():
    """A settler's batch: the entries posted with `batched=True` inside are checked at once
    and written together when the block ends without an error (ledger.sql.entries_write_many:
    one statement on PostgreSQL, one increment per (project, kind, shard) per batch), in
    the caller's transaction. A (kind, reference) journalled already raises Conflict then,
    and the caller's transaction, which must not commit, rolls the batch back."""
    if _batched.get() is not None:  # nested: the outer batch writes them
        yield
        return
    pending: list[dict] = []
    token = _batched.set(pending)
    try:
        yield
        shards: dict[tuple, int] = {}
        for entry in pending:  # one shard per (project, kind) per batch: one increment each
            entry["shard"] = shards.setdefault((entry["project_id"], entry["kind"]), entry["shard"])
        if sql.entries_write_many(pending) != len(pending):
            raise Conflict(_("This movement is already in the journal."), code="already_journalled")
    finally:
        _batched.reset(token)


def entry_post(*, kind: str, reference: str, project, lines: list[tuple[Account, Money]], memo: str = "", actor=None,
               batched: bool = False) -> JournalEntry:
    """Post one balanced entry: signed Money postings (debits positive, credits negative),
    all in one currency, the entry's. The (kind, reference) pair is unique: a second
    posting of the same gift, refund or expenditure fails with Conflict and writes nothing.
    `batched` (a caller that never reads the entry back in its transaction): inside
    `entries_batched()`, the entry is written with the batch's others when it ends (the
    returned entry has no id then)."""
    currency, total = _postings(lines)
    entry = JournalEntry(
        kind=kind, reference=reference, project=project, currency=currency, amount=total, memo=memo[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None, created_at=timezone.now(),
    )
    pending = _batched.get() if batched else None
    if pending is not None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("a batched journal entry is written in its batch's transaction")
        pending.append({
            "kind": kind, "reference": reference, "project_id": project.pk if project is not None else None,
            "currency": currency, "amount": total, "memo": entry.memo, "created_by_id": entry.created_by_id,
            "created_at": entry.created_at, "postings": [(account.pk, amount.amount) for account, amount in lines],
            "shard": random.randrange(ProjectTotal.SHARDS),
        })
        return entry
    with transaction.atomic(savepoint=False):  # the caller's transaction, or one of its own
        # Entry, postings and the shard's increment: one statement on PostgreSQL (ledger.sql).
        entry.pk = sql.entry_write(
            kind=kind, reference=reference, project_id=project.pk if project is not None else None,
            currency=currency, amount=total, memo=entry.memo, created_by_id=entry.created_by_id,
            created_at=entry.created_at, postings=[(account.pk, amount.amount) for account, amount in lines],
            shard=random.randrange(ProjectTotal.SHARDS),
        )
        if entry.pk is not None:
            entry._state.adding, entry._state.db = False, connection.alias
    if entry.pk is None:
        # Already journalled. Nothing was written and no statement failed, so the caller's
        # transaction goes on as it was (no savepoint needed to keep it usable).
        raise Conflict(_("This movement is already in the journal."), code="already_journalled")
    return entry


def settlement_post(*, reference: str, project, payer_id: int, payee_id: int, amount: Money, memo: str = "",
                    batched: bool = False) -> JournalEntry:
    """Cash moves from one organisation's account to another's for money a fund already
    counts: a sponsor's deposit matched to a project of another organisation (payer the
    sponsor, payee the project's organisation), or a match returned (the other way). Each
    organisation's cash then equals what it owes (`ledger_check` proves it). Shown on the
    project's ledger, not counted again in its figures."""
    require_positive(amount, currency=project.currency)
    payer, payee = _accounts(_cash(payer_id, amount.currency), _cash(payee_id, amount.currency))
    return entry_post(
        kind=JournalEntry.Kind.SETTLEMENT, reference=reference, project=project,
        lines=[(payee, amount), (payer, -amount)], memo=memo, batched=batched,
    )


def grant_post(*, reference: str, source, target, amount: Money, memo: str = "", actor=None) -> tuple[JournalEntry, JournalEntry]:
    """A grant from a cause fund's own project (`source`, held by the platform) to another
    project (`target`): two balanced entries in the caller's transaction, each on one
    project's figures. `grant_out`: the source's fund gives the money up and its
    organisation's cash goes with it; `grant`: the target's organisation receives the cash
    and its fund owes it to the target (as a gift does). So each organisation's cash still
    equals what it owes, and the target's figures show the grant apart (`granted`). The
    caller holds the source's `project_funds_lock` and has seen that much available."""
    require_positive(amount, currency=source.currency)
    source_fund, source_cash, target_cash, target_fund = _accounts(
        _fund(source), _cash(source.organisation_id, amount.currency),
        _cash(target.organisation_id, amount.currency), _fund(target),
    )
    out = entry_post(kind=JournalEntry.Kind.GRANT_OUT, reference=reference, project=source,
                     lines=[(source_fund, amount), (source_cash, -amount)], memo=memo, actor=actor)
    into = entry_post(kind=JournalEntry.Kind.GRANT, reference=reference, project=target,
                      lines=[(target_cash, amount), (target_fund, -amount)], memo=memo, actor=actor)
    return out, into


def gift_journal(*, donation) -> JournalEntry:
    """A paid gift: the organisation's cash goes up, the project's fund owes it to the project."""
    project = donation.project
    return entry_post(
        kind=JournalEntry.Kind.GIFT,
        reference=str(donation.pk),
        project=project,
        lines=_gift_lines(donation),
        memo=donation.receipt_number or "",
    )


def _gift_lines(donation) -> list[tuple[Account, Money]]:
    project = donation.project
    cash, fund = _accounts(_cash(project.organisation_id, donation.currency), _fund(project))
    amount = Money(donation.amount, donation.currency)
    return [(cash, amount), (fund, -amount)]


def gift_entry(*, donation) -> dict:
    """The gift's journal entry as `ledger.sql.entry_ctes` takes it, for a notification that
    writes the gift paid and its entry in one statement (giving.sql); checked as
    `entry_post` checks it (balanced, one currency: the accounts' own)."""
    lines = _gift_lines(donation)
    currency, total = _postings(lines)
    return {
        "kind": JournalEntry.Kind.GIFT, "reference": str(donation.pk), "project_id": donation.project_id,
        "currency": currency, "amount": total, "memo": (donation.receipt_number or "")[:200], "created_by_id": None,
        "created_at": timezone.now(), "postings": [(account.pk, amount.amount) for account, amount in lines],
        "shard": random.randrange(ProjectTotal.SHARDS),
    }


def refund_journal(*, refund, actor=None) -> JournalEntry:
    """A refund reverses (part of) a gift: fund and cash both go down."""
    project = refund.donation.project
    amount = Money(refund.amount, refund.currency)
    return entry_post(
        kind=JournalEntry.Kind.REFUND,
        reference=str(refund.pk),
        project=project,
        lines=[
            (project_fund_account(project), amount),
            (organisation_cash_account(project.organisation_id, refund.currency), -amount),
        ],
        memo=refund.donation.receipt_number or "",
        actor=actor,
    )


@transaction.atomic
def expenditure_record(*, project, budget_line, amount: Money, description: str, spent_on, voucher, actor) -> Expenditure:
    """Finance members record money spent against a budget line, with its voucher. The
    amount is Money in the project's currency."""
    from jusha.ledger.selectors import project_available

    if not ({"finance", "owner"} & roles_for(actor, project.organisation)):
        raise Forbidden(_("Only the organisation's finance members can record expenditures."), code="not_finance")
    if project.status not in ("fundraising", "funded", "executing"):
        raise Conflict(_("Expenditures can only be recorded while a project is raising or executing."), code="project_not_spending")
    if budget_line.project_id != project.pk:
        raise Invalid(_("The budget line belongs to another project."), code="budget_line_mismatch")
    require_positive(amount, currency=project.currency, message=_("The amount must be more than zero."))
    description = (description or "").strip()
    if not description:
        raise Invalid(_("Describe what the money was spent on."), code="description_required")
    # One decision on the project's funds at a time: two expenditures cannot both spend the last yuan.
    fund = project_funds_lock(project)
    if amount > project_available(project):
        raise Conflict(_("The project does not hold enough uncommitted funds for this expenditure."), code="insufficient_funds")
    clean = clean_voucher(voucher)
    expenditure = Expenditure(
        project=project,
        budget_line=budget_line,
        amount=amount.amount,
        currency=amount.currency,
        description=description[:280],
        spent_on=spent_on,
        voucher_sha256=clean.sha256,
        voucher_content_type=clean.content_type,
        recorded_by=actor,
    )
    expenditure.voucher.save(clean.content.name, clean.content, save=False)
    expenditure.save()
    entry_post(
        kind=JournalEntry.Kind.EXPENDITURE,
        reference=str(expenditure.pk),
        project=project,
        lines=[(fund, amount), (organisation_cash_account(project.organisation_id, project.currency), -amount)],
        memo=description[:200],
        actor=actor,
    )
    fact_queue(kind="expenditure", public={
        "id": str(expenditure.pk), "project": project.slug, "budget_line": budget_line.pk, "amount": amount.amount,
        "currency": amount.currency, "spent_on": str(spent_on), "voucher_sha256": clean.sha256,
        "description_sha256": hashlib.sha256(expenditure.description.encode()).hexdigest(),
    })
    expenditure_recorded.announce(ExpenditureRecorded(expenditure=expenditure))
    return expenditure


# --- delivery batches (jusha.fulfilment): money set aside, then used by the purchase ------

def project_committed_account(project) -> Account:
    """Liability: what the project has set aside for delivery batches not yet purchased."""
    return _account(
        f"project:{project.pk}:committed",
        kind=Account.Kind.LIABILITY,
        currency=project.currency,
        name=f"Committed to delivery batches of {project.title}",
        organisation_id=project.organisation_id,
        project=project,
    )


def project_funds_lock(project) -> Account:
    """Take the project's fund lock before deciding on what it holds (as refunds and
    expenditures do): one such decision at a time per project. FOR NO KEY UPDATE, so gifts,
    which only reference the account, never wait for it."""
    fund = project_fund_account(project)
    Account.objects.select_for_update(no_key=True).filter(pk=fund.pk).first()
    return fund


def commitment_post(*, project, reference: str, amount: Money, memo: str) -> JournalEntry:
    """Set money aside for a delivery batch: from the fund to the committed account. The
    caller holds `project_funds_lock` and has seen that much available."""
    require_positive(amount, currency=project.currency)
    return entry_post(
        kind=JournalEntry.Kind.COMMITMENT,
        reference=reference,
        project=project,
        lines=[(project_fund_account(project), amount), (project_committed_account(project), -amount)],
        memo=memo,
    )


def commitment_release(*, project, reference: str, amount: Money, memo: str, actor=None) -> JournalEntry:
    """Hand a batch's commitment back to the fund as its purchase is recorded: the purchase
    expenditure draws on it, and what the invoice did not use is available again."""
    require_positive(amount, currency=project.currency)
    return entry_post(
        kind=JournalEntry.Kind.RELEASE,
        reference=reference,
        project=project,
        lines=[(project_committed_account(project), amount), (project_fund_account(project), -amount)],
        memo=memo,
        actor=actor,
    )


def fee_journal(*, donation, fee: Money, reference: str = "") -> JournalEntry:
    """What a payment provider kept of a gift (its 服务费 / 手续费 / Stripe fee): the fund
    owes the project that much less and the organisation's cash is that much less. Its own
    entry on the gift's project, once per gift (`reference`: the gift, or the gift and the
    statement that added to it)."""
    project = donation.project
    require_positive(fee, currency=donation.currency)
    cash, fund = _accounts(_cash(project.organisation_id, donation.currency), _fund(project))
    return entry_post(
        kind=JournalEntry.Kind.FEE,
        reference=reference or str(donation.pk),
        project=project,
        lines=[(fund, fee), (cash, -fee)],
        memo=f"{donation.provider} fee {donation.receipt_number or ''}".strip(),
    )


def fee_return_journal(*, refund, fee: Money) -> JournalEntry:
    """The part of its fee a payment provider gave back with a refund (Alipay and WeChat Pay
    return the fee in proportion to what is refunded; Stripe keeps it): the reverse of a
    fee entry, once per refund (`reference`: the refund's id). The organisation's cash is
    that much more and the fund owes the project that much again."""
    donation = refund.donation
    project = donation.project
    require_positive(fee, currency=donation.currency)
    cash, fund = _accounts(_cash(project.organisation_id, donation.currency), _fund(project))
    return entry_post(
        kind=JournalEntry.Kind.FEE_RETURN,
        reference=str(refund.pk),
        project=project,
        lines=[(cash, fee), (fund, -fee)],
        memo=f"{donation.provider} fee returned {donation.receipt_number or ''}".strip(),
    )
