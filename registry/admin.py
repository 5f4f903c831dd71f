from django.contrib import admin

from registry.models import Commune, District, Person, Programme, Province, Village


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_km", "name_en"]
    search_fields = ["code", "name_km", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_km", "name_en", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_km", "name_en"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name_km", "name_en", "district", "in_source"]
    list_filter = ["in_source", "district__province"]
    search_fields = ["code", "name_km", "name_en"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_km", "name_en", "commune"]
    list_filter = ["commune__district__province"]
    search_fields = ["code", "name_km", "name_en"]
    list_select_related = ["commune"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_km", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_en", "name_km"]


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
