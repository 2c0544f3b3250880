# The project's running totals move from the ledger app to projects (they are the
# project's figures; the ledger still writes them). State only: the table keeps its
# name, ledger_projecttotal, and its constraint; nothing in the database changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0003_alter_project_options_alter_projectupdate_options_and_more'),
        ('ledger', '0005_project_totals'),  # where the table is created (and filled)
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ProjectTotal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('gift', 'Gift received'), ('refund', 'Refund'), ('expenditure', 'Expenditure'), ('fee', 'Fee'), ('pool_deposit', 'Matching pool deposit'), ('match', 'Matched by a sponsor'), ('match_return', 'Match returned to its pool'), ('commitment', 'Committed to a delivery batch'), ('release', 'Batch commitment used')], max_length=16)),
                        ('shard', models.PositiveSmallIntegerField()),
                        ('amount', models.BigIntegerField(default=0)),
                        ('entries', models.BigIntegerField(default=0)),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.project')),
                    ],
                    options={
                        'db_table': 'ledger_projecttotal',
                        'constraints': [models.UniqueConstraint(fields=('project', 'kind', 'shard'), name='project_total_shard')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
