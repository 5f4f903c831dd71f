from django.contrib import admin

from registry.models import (
    Consent,
    Employment,
    Enterprise,
    Person,
    PersonChange,
    PhoneCode,
    SmsMessage,
)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = [
        "registration_number",
        "name_km",
        "name_latin",
        "sex",
        "date_of_birth",
        "status",
        "channel",
        "partner",
        "created_at",
    ]
    list_filter = ["status", "channel", "actor_type", "sector", "sex", "partner"]
    search_fields = ["registration_number", "name_km", "name_latin", "reference", "=national_id"]
    raw_id_fields = ["village", "entered_by"]
    readonly_fields = ["registration_number", "created_at", "updated_at"]
    list_select_related = ["partner"]
    show_full_result_count = False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (history, messages, codes, decisions): look, don't edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = [
        "person",
        "programme",
        "given_at",
        "channel",
        "withdrawn_at",
        "withdrawn_channel",
    ]
    list_filter = ["programme", "channel", "withdrawn_channel"]
    raw_id_fields = ["person"]
    search_fields = ["person__registration_number"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "owner", "workers", "village"]
    list_filter = ["sector"]
    search_fields = ["name"]
    raw_id_fields = ["owner", "village"]


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ["person", "enterprise", "role", "seasonal_months"]
    list_filter = ["role"]
    raw_id_fields = ["person", "enterprise"]


@admin.register(PersonChange)
class PersonChangeAdmin(ReadOnlyAdmin):
    list_display = ["person", "action", "channel", "actor", "at"]
    list_filter = ["action", "channel"]
    search_fields = ["person__registration_number"]


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ["phone", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["phone"]


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    list_display = ["phone", "purpose", "created_at", "expires_at", "attempts", "verified_at"]
    list_filter = ["purpose"]
    exclude = ["code_hash"]
    search_fields = ["phone"]
