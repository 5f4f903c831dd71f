from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from dedup.models import DedupRun, DuplicateCase, Merge


@admin.register(DuplicateCase)
class DuplicateCaseAdmin(ReadOnlyAdmin):
    list_display = [
        "person_a",
        "person_b",
        "score",
        "decision",
        "automatic",
        "source",
        "decided_by",
    ]
    list_filter = ["decision", "automatic", "source"]


@admin.register(Merge)
class MergeAdmin(ReadOnlyAdmin):
    list_display = ["survivor", "merged", "merged_by", "merged_at", "undone_at"]


@admin.register(DedupRun)
class DedupRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "started_at", "started_by", "done", "total", "finished_at"]
    list_filter = ["status"]
