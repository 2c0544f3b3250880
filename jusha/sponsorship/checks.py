"""Proofs about sponsorships (registered in `jusha.ledger.checks.ledger_checks`, run by
`manage.py ledger_check`): each sponsorship's account holds exactly what its rows say it
holds, never less than nothing; every earmark is a paid month and every release an outflow."""

from django.db.models import Sum

from jusha.ledger.models import JournalEntry, Posting
from jusha.sponsorship.models import Outflow, Payment, Sponsorship
from jusha.sponsorship.services import sponsorship_figures


def sponsorship_problems() -> list[str]:
    problems = []
    balances = dict(
        Posting.objects.filter(account__key__startswith="sponsorship:").values_list("account__key").annotate(total=Sum("amount")).order_by()
    )
    for sponsorship in Sponsorship.objects.exclude(status=Sponsorship.Status.CANCELLED).select_related("programme"):
        held = sponsorship_figures(sponsorship).held
        balance = -balances.pop(sponsorship.account_key, 0)
        if balance != held:
            problems.append(f"sponsorship {sponsorship.pk} account holds {balance}, its rows say {held}")
        if held < 0:
            problems.append(f"sponsorship {sponsorship.pk} is overdrawn: {held}")
    problems += [f"account {key} has no sponsorship" for key in balances]
    earmarks = set(JournalEntry.objects.filter(kind="commitment", reference__startswith="sponsorship:").values_list("reference", flat=True))
    paid = {f"sponsorship:{pk}" for pk in Payment.objects.filter(earmarked__gt=0).values_list("donation_id", flat=True)}
    problems += [f"earmark {ref} has no paid month" for ref in sorted(earmarks - paid)]
    problems += [f"paid month {ref} has no earmark" for ref in sorted(paid - earmarks)]
    outflows = Outflow.objects.count()
    releases = (JournalEntry.objects.filter(kind="release", reference__startswith="sponsorship-")
                .exclude(reference__startswith="sponsorship-fee:").count())  # a month's fee is no outflow
    if releases != outflows:
        problems.append(f"{releases} sponsorship release entries for {outflows} outflows")
    return problems
