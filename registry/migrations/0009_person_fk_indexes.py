# Foreign-key indexes every intake row paid for: "entered by" is never looked up, and
# "merged into" is empty for almost every record, so its index now holds only the others.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The indexes Django made for the two foreign keys.
ENTERED_BY_INDEX = "registry_person_entered_by_id_3d65a1b3"
MERGED_INTO_INDEX = "registry_person_merged_into_id_729f6004"


def _index_only(
    name: str, field: str, column: str, new_field
) -> migrations.operations.base.Operation:
    # AlterField would drop and re-add the foreign key, checking every row again under a
    # lock; only the index goes.
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name="person", name=field, field=new_field)],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{name}"',
                reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "registry_person" ("{column}")',
            ),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("registry", "0008_person_indexes_unused"),
    ]

    operations = [
        _index_only(
            ENTERED_BY_INDEX,
            "entered_by",
            "entered_by_id",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="entered by",
            ),
        ),
        _index_only(
            MERGED_INTO_INDEX,
            "merged_into",
            "merged_into_id",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_records",
                to="registry.person",
                verbose_name="merged into",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="person_merged_into_idx",
            ),
        ),
    ]
