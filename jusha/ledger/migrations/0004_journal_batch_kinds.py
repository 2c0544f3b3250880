# Journal kinds for delivery batches: money committed to a batch, and released as it is purchased.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0003_journal_match_kinds'),
    ]

    operations = [
        migrations.AlterField(
            model_name='journalentry',
            name='kind',
            field=models.CharField(choices=[('gift', 'Gift received'), ('refund', 'Refund'), ('expenditure', 'Expenditure'), ('fee', 'Fee'), ('pool_deposit', 'Matching pool deposit'), ('match', 'Matched by a sponsor'), ('match_return', 'Match returned to its pool'), ('commitment', 'Committed to a delivery batch'), ('release', 'Batch commitment used')], max_length=16),
        ),
    ]
