from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from campaigns.models import Attribution, Campaign, Event


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    raw_id_fields = ["village"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_en",
        "status",
        "organiser",
        "province",
        "starts_on",
        "ends_on",
        "target",
    ]
    search_fields = ["code", "name_en", "name_km"]
    list_filter = ["status", "province"]
    autocomplete_fields = ["organiser", "province", "district", "commune"]
    raw_id_fields = ["village"]
    filter_horizontal = ["partners"]
    inlines = [EventInline]


@admin.register(Attribution)
class AttributionAdmin(ReadOnlyAdmin):
    """Written by the registration that the campaign brought in (registration_submit):
    look, don't edit, like the registry's records (registry/admin.py)."""

    list_display = ["person", "campaign", "event", "created_at"]
    list_filter = ["campaign"]
    raw_id_fields = ["person", "event"]
