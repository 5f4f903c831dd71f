from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from sharing import schedules
from sharing.models import ExportDownload, ExportJob, ExportSchedule, ProgrammeToken


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "programme", "kind", "file_format", "status", "row_count", "created_at"]
    list_filter = ["status", "kind", "programme"]
    exclude = ["criteria"]


@admin.register(ExportDownload)
class ExportDownloadAdmin(ReadOnlyAdmin):
    list_display = ["job", "user", "at", "channel", "file_name"]
    list_filter = ["channel"]


@admin.register(ProgrammeToken)
class ProgrammeTokenAdmin(admin.ModelAdmin):
    """Administrators see and revoke (delete) keys; keys are made on the programme page."""

    list_display = ["programme", "user", "created_at", "last_used_at"]
    fields = ("programme", "user", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ExportSchedule)
class ExportScheduleAdmin(admin.ModelAdmin):
    """Saving here keeps the django-celery-beat periodic task in step."""

    list_display = ["programme", "kind", "file_format", "frequency", "hour", "is_active"]
    list_filter = ["programme", "frequency", "is_active"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        schedules.schedule_save(schedule=obj)

    def delete_model(self, request, obj) -> None:
        schedules.schedule_delete(schedule=obj)

    def delete_queryset(self, request, queryset) -> None:
        for schedule in queryset:
            schedules.schedule_delete(schedule=schedule)
