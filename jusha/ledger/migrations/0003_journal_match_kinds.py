# Journal kinds for matching pools: deposits, matches and returned matches.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0002_append_only_triggers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='journalentry',
            name='kind',
            field=models.CharField(choices=[('gift', 'Gift received'), ('refund', 'Refund'), ('expenditure', 'Expenditure'), ('fee', 'Fee'), ('pool_deposit', 'Matching pool deposit'), ('match', 'Matched by a sponsor'), ('match_return', 'Match returned to its pool')], max_length=16),
        ),
    ]
