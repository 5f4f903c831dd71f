"""The administrators' search of the audit: by user, person number and date, paginated.

Rows can only be looked at: no add, change or delete (the database refuses the last two
anyway). A registration number typed in the search box finds the reads of that record;
any other text finds the reads by that user name. The record's number is shown by
looking the person up by label (the registry sits above this app, see the README).
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin import DateFieldListFilter
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdmin
from accounts.models import Role
from audit.models import PersonRead

ROLE_NAMES = dict(Role.choices)
SCOPE_NAMES = {
    "branch": _("branch"),
    "partner": _("partner"),
    "province": _("province"),
    "district": _("district"),
    "commune": _("commune"),
    "programme": _("programme"),
}


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@admin.register(PersonRead)
class PersonReadAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "role_names", "scope_names", "kind", "view", "record"]
    list_filter = ["kind", ("at", DateFieldListFilter)]
    search_fields = ["=username"]
    search_help_text = _("A registration number, or a user name.")
    show_full_result_count = False
    list_per_page = 50
    ordering = ["-at", "-id"]

    def get_queryset(self, request):
        person = apps.get_model("registry", "Person")
        number = person.objects.filter(pk=OuterRef("person_id")).values("registration_number")
        return super().get_queryset(request).annotate(registration_number=Subquery(number[:1]))

    def get_search_results(self, request, queryset, search_term):
        digits = _digits(search_term)
        if len(digits) == 10:
            person = apps.get_model("registry", "Person")
            ids = list(
                person.objects.filter(registration_number=digits).values_list("pk", flat=True)
            )
            return queryset.filter(person_id__in=ids), False
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(username=term), False

    def lookup_allowed(self, lookup, value, request=None):
        # Links from a user's or a person's page filter by id: ?user_id=3, ?person_id=42.
        return lookup in {"user_id", "person_id", "at__gte", "at__lt"} or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description=_("roles"))
    def role_names(self, obj: PersonRead) -> str:
        return ", ".join(str(ROLE_NAMES.get(code, code)) for code in obj.roles)

    @admin.display(description=_("scope"))
    def scope_names(self, obj: PersonRead) -> str:
        parts = (part.partition(":") for part in obj.scope.split("; ") if part)
        return "; ".join(f"{SCOPE_NAMES.get(kind, kind)} {pk}" for kind, _sep, pk in parts)

    @admin.display(description=_("record"))
    def record(self, obj: PersonRead) -> str:
        return getattr(obj, "registration_number", None) or str(obj.person_id)
