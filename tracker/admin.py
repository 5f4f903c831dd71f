from django.contrib import admin

from tracker.models import Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """The help desk queue: registrants' questions about their tracker's entries."""

    list_display = ("id", "created_at", "status", "about", "channel")
    list_filter = ("status", "channel")
    list_editable = ("status",)
    date_hierarchy = "created_at"
    readonly_fields = ("person", "about", "text", "channel", "created_at", "updated_at")
    fields = ("person", "about", "text", "channel", "created_at", "status", "answer", "updated_at")
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
