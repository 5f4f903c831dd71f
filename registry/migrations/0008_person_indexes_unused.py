# Indexes no query reads: every insert of a person or of a history entry paid for them.

import django.db.models.deletion
from django.db import migrations, models

# The index Django made for PersonChange.person; personchange_person_at_idx starts with
# the same column.
PERSON_CHANGE_PERSON_INDEX = "registry_personchange_person_id_c6a09167"


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_dedup_run_started_by"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="person",
            name="person_national_id_idx",
        ),
        migrations.RemoveIndex(
            model_name="person",
            name="person_dob_idx",
        ),
        # AlterField would drop and re-add the foreign key, checking every history row
        # again under a lock; only the index goes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="personchange",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="registry.person",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{PERSON_CHANGE_PERSON_INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX IF NOT EXISTS "{PERSON_CHANGE_PERSON_INDEX}"'
                        ' ON "registry_personchange" ("person_id")'
                    ),
                ),
            ],
        ),
    ]
