"""The registrant's side: the programmes a person may be eligible for, and what each
would receive about them. The same evaluation and the same column SQL as the exports."""

from dataclasses import dataclass

from django.db import connection

from programmes.columns import EXPORT_COLUMNS, columns_ordered
from programmes.models import Programme
from registry.models import Consent, Person
from sharing.eligibility import eligible_people
from sharing.exports.sql import person_values_sql, time_zone
from sharing.selectors import programme_criteria


@dataclass(frozen=True)
class ProgrammeForPerson:
    programme: Programme
    eligible: bool
    consented: bool
    # (label, this person's value) of each column the programme would receive.
    shared: list[tuple[str, str]]


def programmes_for_person(*, person: Person) -> list[ProgrammeForPerson]:
    """Every active programme, whether the person meets its rule, whether they consented,
    and the values each would receive about them."""
    consented = set(
        Consent.objects.filter(
            person=person, withdrawn_at=None, programme__isnull=False
        ).values_list("programme_id", flat=True)
    )
    out = []
    for programme in Programme.objects.filter(is_active=True).order_by("code"):
        eligible = (
            eligible_people(criteria=programme_criteria(programme)).filter(pk=person.pk).exists()
        )
        columns = columns_ordered(programme.columns)
        values = _values(person=person, columns=columns)
        shared = [
            (str(EXPORT_COLUMNS[c]), _shown(c, v)) for c, v in zip(columns, values, strict=True)
        ]
        out.append(
            ProgrammeForPerson(
                programme=programme,
                eligible=eligible,
                consented=programme.pk in consented,
                shared=shared,
            )
        )
    # The ones the person may be eligible for first.
    return sorted(out, key=lambda item: not item.eligible)


def _values(*, person: Person, columns: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(person_values_sql(columns), {"person": person.pk, "tz": time_zone()})
        row = cursor.fetchone()
    return list(row[0]) if row else [""] * len(columns)


def _shown(column: str, value: str) -> str:
    """A value as the person reads it: a choice by its name (the file carries the code)."""
    choices = _CHOICES.get(column)
    return str(choices.get(value, value)) if choices else value


_CHOICES = {field.name: dict(field.flatchoices) for field in Person._meta.fields if field.choices}
