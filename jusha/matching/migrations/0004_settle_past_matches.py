# Matches journalled before settlements existed moved a sponsor's pool to another
# organisation's project without moving the sponsor's cash: post those settlements now,
# once each (an entry's (kind, reference) is unique), as matching does for every new match.

from django.db import migrations
from django.db.models import F
from django.utils import timezone


def settle_past_matches(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    JournalEntry = apps.get_model("ledger", "JournalEntry")
    Posting = apps.get_model("ledger", "Posting")
    ProjectTotal = apps.get_model("projects", "ProjectTotal")
    Match = apps.get_model("matching", "Match")
    Refund = apps.get_model("giving", "Refund")

    def cash(organisation_id, currency):
        account, _created = Account.objects.get_or_create(
            key=f"org:{organisation_id}:cash:{currency}",
            defaults={"kind": "asset", "currency": currency, "organisation_id": organisation_id,
                      "name": f"Cash of organisation {organisation_id} ({currency})"},
        )
        return account

    def settle(reference, entry, payer_id, payee_id):
        if payer_id == payee_id or JournalEntry.objects.filter(kind="settlement", reference=reference).exists():
            return
        settlement = JournalEntry.objects.create(
            kind="settlement", reference=reference, project_id=entry.project_id, currency=entry.currency,
            amount=entry.amount, memo=entry.memo, created_at=timezone.now(),
        )
        Posting.objects.bulk_create([
            Posting(entry=settlement, account=cash(payee_id, entry.currency), amount=entry.amount, currency=entry.currency),
            Posting(entry=settlement, account=cash(payer_id, entry.currency), amount=-entry.amount, currency=entry.currency),
        ])
        total, created = ProjectTotal.objects.get_or_create(
            project_id=entry.project_id, kind="settlement", shard=0, defaults={"amount": entry.amount, "entries": 1}
        )
        if not created:
            ProjectTotal.objects.filter(pk=total.pk).update(amount=F("amount") + entry.amount, entries=F("entries") + 1)

    matches = {str(m.donation_id): m for m in Match.objects.select_related("pool", "project")}
    for entry in JournalEntry.objects.filter(kind="match").order_by("pk"):
        match = matches.get(entry.reference)
        if match is not None:
            settle(f"match:{entry.reference}", entry, match.pool.sponsor_id, match.project.organisation_id)
    donations = dict(Refund.objects.values_list("pk", "donation_id"))
    for entry in JournalEntry.objects.filter(kind="match_return").order_by("pk"):
        match = matches.get(str(donations.get(_uuid(entry.reference))))
        if match is not None:
            settle(f"match_return:{entry.reference}", entry, match.project.organisation_id, match.pool.sponsor_id)


def _uuid(text):
    import uuid

    try:
        return uuid.UUID(text)
    except ValueError:
        return None


class Migration(migrations.Migration):

    dependencies = [
        ("matching", "0003_alter_match_options_alter_pool_options"),
        ("ledger", "0007_settlement_kind"),
        ("projects", "0005_settlement_kind"),
        ("giving", "0002_refund_pending"),
    ]

    operations = [migrations.RunPython(settle_past_matches, migrations.RunPython.noop)]
