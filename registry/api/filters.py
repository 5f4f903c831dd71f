import datetime
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from api.errors import field_error
from registry.models import Person
from registry.models.people import ActorType, Sector, Sex
from registry.selectors.people import NAME_MIN_LENGTH, SearchTooShortError, person_search

# What the filters take, and the schema says: a date, or an ISO date-time with an
# optional offset; empty means no filter.
MOMENT_PATTERN = (
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?)?$"
)
_MOMENT = re.compile(MOMENT_PATTERN)


class DateOrDateTimeField(forms.DateTimeField):
    """A date (2026-11-25) or an ISO date-time; remembers which, for inclusive `until`."""

    def to_python(self, value):
        text = str(value or "").strip()
        if text and not _MOMENT.fullmatch(text):
            # Only the ISO forms the schema names: not the locale's other date formats.
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        result = super().to_python(value)
        if result is not None:
            text = str(value).strip()
            result = _Moment(result, date_only=len(text) == 10)
        return result


class _Moment:
    def __init__(self, value: datetime.datetime, *, date_only: bool):
        self.value = value
        self.date_only = date_only


@extend_schema_field(
    {"type": "string", "pattern": MOMENT_PATTERN, "example": "2026-11-25T08:00:00+07:00"}
)
class MomentFilter(django_filters.DateTimeFilter):
    field_class = DateOrDateTimeField

    def __init__(self, *args, until: bool = False, **kwargs):
        self.until = until
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        moment = value.value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # As UTC: Python accepts offsets up to ±23:59, PostgreSQL only to ±15:59.
        moment = moment.astimezone(datetime.UTC)
        if self.until:
            if value.date_only:  # the whole day is included
                return qs.filter(**{f"{self.field_name}__lt": moment + datetime.timedelta(days=1)})
            return qs.filter(**{f"{self.field_name}__lte": moment})
        return qs.filter(**{f"{self.field_name}__gte": moment})


def _choice_filter(choices, **kwargs) -> django_filters.ChoiceFilter:
    """A choice filter whose schema says what django-filter does: an empty value is no
    filter (`?sex=` lists everyone), so "" is one of the values it takes."""
    choice = django_filters.ChoiceFilter(choices=choices, **kwargs)
    set_override(choice, "field", {"type": "string", "enum": [*(v for v, _ in choices), ""]})
    return choice


class RegistrantFilter(django_filters.FilterSet):
    status = _choice_filter(
        Person.Status.choices,
        help_text="Default: active only. `withdrawn` and `merged` list records without "
        "personal data.",
    )
    actor_type = _choice_filter(ActorType.choices)
    sector = _choice_filter(Sector.choices)
    sex = _choice_filter(Sex.choices)
    province = django_filters.CharFilter(
        field_name="village__commune__district__province__code", help_text="Province code."
    )
    district = django_filters.CharFilter(
        field_name="village__commune__district__code", help_text="District code."
    )
    commune = django_filters.CharFilter(
        field_name="village__commune__code", help_text="Commune code."
    )
    village = django_filters.CharFilter(field_name="village__code", help_text="Village code.")
    registered_since = MomentFilter(
        field_name="created_at", help_text="A date (from its start) or an ISO date-time."
    )
    registered_until = MomentFilter(
        field_name="created_at",
        until=True,
        help_text="A date (to its end, included) or an ISO date-time.",
    )
    updated_since = MomentFilter(
        field_name="updated_at",
        help_text="Changed at or after: a date or an ISO date-time (for synchronising).",
    )
    q = django_filters.CharFilter(
        method="search",
        help_text="Registration number, partner reference, phone, national ID or parts of "
        "the name (at least 3 letters). Prefer POST /api/v1/registrants/search/: a query "
        "string ends up in access logs, and a name or phone is personal data.",
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def search(self, queryset, name, value):
        try:
            return person_search(queryset=queryset, query=value)
        except SearchTooShortError:
            raise exceptions.ValidationError(
                {"q": [field_error("search_too_short", n=NAME_MIN_LENGTH).messages[0]]},
                code="search_too_short",
            ) from None
