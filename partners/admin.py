from django.contrib import admin

from partners.models import Branch, Partner


class BranchInline(admin.TabularInline):
    model = Branch
    extra = 0
    autocomplete_fields = ["province"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_km", "is_active"]
    search_fields = ["code", "name", "name_km"]
    inlines = [BranchInline]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "partner", "province", "is_active"]
    list_filter = ["partner", "is_active"]
    search_fields = ["code", "name", "partner__name"]
    autocomplete_fields = ["province"]
