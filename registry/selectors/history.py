"""A registrant's history as people read it: what happened, named in their language."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from programmes.models import Programme
from registry.models import Person, PersonChange
from registry.models.consent import DATA_SHARING_PURPOSE

CONSENT_ACTIONS = (PersonChange.Action.CONSENT_GIVEN, PersonChange.Action.CONSENT_WITHDRAWN)


@dataclass(frozen=True)
class HistoryLine:
    change: PersonChange
    # What it concerned: the programme of a consent, the fields of a correction.
    detail: str

    @property
    def at(self) -> datetime:
        return self.change.at


def person_history(*, person: Person, limit: int = 30) -> list[HistoryLine]:
    """The newest `limit` entries, each with the programme or fields it concerned."""
    changes = list(person.changes.select_related("actor")[:limit])
    codes = {
        value
        for change in changes
        if change.action in CONSENT_ACTIONS
        for value in change.changes.get("purpose", [])
        if value and value != DATA_SHARING_PURPOSE
    }
    names = {p.code: p.name for p in Programme.objects.filter(code__in=codes)}
    return [HistoryLine(change=change, detail=_detail(change, names)) for change in changes]


def _detail(change: PersonChange, programme_names: dict[str, str]) -> str:
    if change.action in CONSENT_ACTIONS:
        purpose = next((value for value in change.changes.get("purpose", []) if value), "")
        if purpose == DATA_SHARING_PURPOSE:
            return _("Share my registration with partner institutions")
        return programme_names.get(purpose, purpose)
    if change.action == PersonChange.Action.UPDATED:
        return ", ".join(_field_label(name) for name in change.changes)
    return ""


def _field_label(name: str) -> str:
    try:
        field = Person._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    # A history names the record's own fields; a reverse relation has no label.
    return str(getattr(field, "verbose_name", name))
