from django.contrib import admin

from programmes.models import Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_km", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_en", "name_km"]
