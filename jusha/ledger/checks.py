"""Proofs that every displayed figure equals the journal (`manage.py ledger_check`).

One function per check, each returning its problems as sentences. The ledger knows only
its own rows (entries, postings, expenditures, running totals); the apps above it prove
their own rows against the journal (giving: gifts and refunds; fulfilment: batches;
matching: pools and matches) by registering a check in `ledger_checks` from their
`AppConfig.ready()`. The `order` numbers set the order of the report:

    100 entries balance              (ledger)
    200 gifts, 300 refunds, 310 fees given back with refunds (giving)
    400 expenditures                 (ledger)
    500 running totals, 510 project balances (ledger)
    600 delivery batches             (fulfilment)
    700 matching pools and matches   (matching)
    800 provider statements          (payments: differences still open)

`ledger_notes` are what the report tells besides its problems (payments: which days are
reconciled against the providers' statements and which are not).
"""

from collections import defaultdict

from django.db.models import Count, Q, Sum

from jusha.core.events import Contributions
from jusha.ledger.models import Expenditure, JournalEntry, Posting
from jusha.projects.models import ProjectTotal

ledger_checks = Contributions("ledger checks")
"""provider() -> [problem]: one check of the journal against an app's own rows."""

ledger_notes = Contributions("ledger notes")
"""provider() -> [note]: facts the report states that are not problems."""


def ledger_problems() -> list[str]:
    """Every check's problems, in the checks' order (empty: the books agree)."""
    return [problem for problems in ledger_checks.collect() for problem in problems]


def entry_problems() -> list[str]:
    """Every entry balances, per currency, and its total equals its debits."""
    problems: list[str] = []
    sums = Posting.objects.values("entry_id", "currency").annotate(
        net=Sum("amount"), debits=Sum("amount", filter=Q(amount__gt=0)), n=Count("id")
    )
    totals = dict(JournalEntry.objects.values_list("id", "amount"))
    seen_entries = set()
    for row in sums:
        seen_entries.add(row["entry_id"])
        if row["net"] != 0:
            problems.append(f"entry {row['entry_id']} does not balance in {row['currency']}: {row['net']}")
        if row["debits"] != totals.get(row["entry_id"]):
            problems.append(f"entry {row['entry_id']} total {totals.get(row['entry_id'])} != debits {row['debits']}")
        if row["n"] < 2:
            problems.append(f"entry {row['entry_id']} has fewer than two postings")
    for entry_id in set(totals) - seen_entries:
        problems.append(f"entry {entry_id} has no postings")
    return problems


def expenditure_problems() -> list[str]:
    """Every expenditure is in the journal once, for its amount."""
    problems: list[str] = []
    spent_entries = dict(JournalEntry.objects.filter(kind="expenditure").values_list("reference", "amount"))
    for x in Expenditure.objects.values("id", "amount"):
        if spent_entries.pop(str(x["id"]), None) != x["amount"]:
            problems.append(f"expenditure {x['id']} is missing from the journal or differs")
    for ref in spent_entries:
        problems.append(f"expenditure entry {ref} has no expenditure")
    return problems


def _journal_by_project_and_kind():
    return JournalEntry.objects.values("project_id", "kind").annotate(total=Sum("amount"), n=Count("id")).order_by()


def running_total_problems() -> list[str]:
    """The sharded running totals every page and gift reads equal the journal."""
    journal_totals = {
        (row["project_id"], row["kind"]): (row["total"], row["n"])
        for row in _journal_by_project_and_kind() if row["project_id"] is not None
    }
    shards = ProjectTotal.objects.values("project_id", "kind").annotate(total=Sum("amount"), n=Sum("entries"))
    shard_totals = {(row["project_id"], row["kind"]): (row["total"], row["n"]) for row in shards.order_by()}
    problems = []
    for key in sorted(set(journal_totals) | set(shard_totals)):
        journal, shard = journal_totals.get(key, (0, 0)), shard_totals.get(key, (0, 0))
        if journal != shard:
            problems.append(f"project {key[0]} {key[1]} running total {shard} != journal {journal}")
    return problems


def project_balance_problems() -> list[str]:
    """Each project's fund account balance equals gifts - refunds + matches - returned
    matches - expenditures - payment providers' fees + the fees they gave back with refunds - what is held for delivery batches (commitments - releases),
    which its committed account holds; neither is ever overdrawn."""
    problems: list[str] = []
    by_kind: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in _journal_by_project_and_kind():
        by_kind[row["project_id"]][row["kind"]] = row["total"]

    def balances(suffix):
        postings = Posting.objects.filter(account__key__endswith=suffix)
        return dict(postings.values_list("account__project_id").annotate(total=Sum("amount")))

    funds, committed = balances(":fund"), balances(":committed")
    for project_id, kinds in by_kind.items():
        held = kinds["commitment"] - kinds["release"]
        expected = -(kinds["gift"] - kinds["refund"] + kinds["match"] - kinds["match_return"] + kinds["grant"]
                     - kinds["grant_out"] - kinds["expenditure"] - kinds["fee"] + kinds["fee_return"] - held)
        if funds.get(project_id, 0) != expected:
            problems.append(f"project {project_id} fund balance {funds.get(project_id, 0)} != journal {expected}")
        if committed.get(project_id, 0) != -held:
            problems.append(f"project {project_id} committed balance {committed.get(project_id, 0)} != journal {-held}")
        if expected > 0 or held < 0:
            problems.append(f"project {project_id} is overdrawn: available {-expected}, held for batches {held}")
    return problems


def organisation_cash_problems() -> list[str]:
    """Each organisation's cash equals what it owes (its projects' funds and commitments, its
    matching pools): money matched from one organisation's pool to another's project moved
    the sponsor's cash with it (a settlement), so no organisation holds money that its
    ledger says another owes, or owes money it does not hold."""
    rows = (
        Posting.objects.filter(account__organisation__isnull=False)
        .values_list("account__organisation_id", "currency", "account__kind").annotate(total=Sum("amount")).order_by()
    )
    balances: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for organisation_id, currency, kind, total in rows:
        balances[(organisation_id, currency)][kind] += total
    problems = []
    for (organisation_id, currency), kinds in sorted(balances.items()):
        cash, owed = kinds["asset"], -kinds["liability"]
        if cash != owed:
            problems.append(f"organisation {organisation_id} holds {cash} {currency} in cash but owes {owed}")
    return problems


ledger_checks.register(entry_problems, order=100)
ledger_checks.register(expenditure_problems, order=400)
ledger_checks.register(running_total_problems, order=500)
ledger_checks.register(project_balance_problems, order=510)
ledger_checks.register(organisation_cash_problems, order=520)
