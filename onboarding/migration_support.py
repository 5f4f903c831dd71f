"""Helpers for migrations that move models between apps without touching their tables.

A model moved to another app keeps its table (Meta.db_table), so its migration is
state-only (SeparateDatabaseAndState); what does change in the database is the
model's content type, which permissions and admin history point to. Renaming the
content type's app label keeps both.
"""

from django.db import migrations


def content_types_move(*, old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """A RunPython that relabels the content types of `models` (lower-case names)."""

    def relabel(apps, source: str, target: str) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if content_type.objects.filter(app_label=target, model=model).exists():
                continue  # already there (a database migrated back and forth)
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)

    def forwards(apps, schema_editor) -> None:
        relabel(apps, old_app, new_app)

    def backwards(apps, schema_editor) -> None:
        relabel(apps, new_app, old_app)

    return migrations.RunPython(forwards, backwards)
