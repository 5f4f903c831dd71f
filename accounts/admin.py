from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleAssignment, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by services (people, work, consent, history, messages,
    codes, decisions, attributions): administrators look, never edit. It is about what
    staff may do, and every app that uses it sits above accounts."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["branch", "partner", "province", "district", "commune", "programme"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "roles", "is_active", "last_login"]
    list_filter = ["role_assignments__role", "is_active", "is_staff"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("Preferences"), {"fields": ("language",)}))

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(str(a) for a in obj.role_assignments.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "branch", "partner", "province", "district", "programme"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = [
        "user",
        "branch",
        "partner",
        "province",
        "district",
        "commune",
        "programme",
    ]
