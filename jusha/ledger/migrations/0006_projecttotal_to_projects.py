# ProjectTotal now belongs to projects (projects 0004 takes it over, table and all): the
# ledger forgets it in its state only. The table, ledger_projecttotal, stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0005_project_totals'),
        ('projects', '0004_projecttotal'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ProjectTotal')],
            database_operations=[],
        ),
    ]
