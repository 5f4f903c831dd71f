from django.contrib import admin

from programmes.models import EligibilityRule, Programme


class EligibilityRuleInline(admin.StackedInline):
    """The rule as data; its officers also edit it on /programmes/<code>/rule/ with a live count."""

    model = EligibilityRule
    extra = 0
    max_num = 1
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_km", "kind", "is_active", "receives_targeting"]
    list_filter = ["kind", "is_active", "receives_targeting"]
    search_fields = ["code", "name_en", "name_km"]
    inlines = [EligibilityRuleInline]
