from django.contrib import admin

from geography.models import Commune, District, Province, Village


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
