"""Registering and changing registrants: the one path every channel takes.

The web form, branch counter, bulk file, API and campaign events all clean with
`person_data_clean` and register through registry.services.registration_many, so a rule
is written once.
"""

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from geography.models import Village
from geography.selectors import village_resolve
from onboarding.jobs import enqueue_on_commit
from registry import normalise
from registry.models import Person, PersonChange
from registry.models.people import ActorType, Sector, Sex
from registry.services.consent import consent_set

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazy translation of one

PERSON_FIELDS = (
    "name_km",
    "name_latin",
    "sex",
    "date_of_birth",
    "national_id",
    "phone",
    "village",
    "actor_type",
    "sector",
    "occupation",
)


@dataclass(frozen=True)
class PersonData:
    """A registrant's details, validated and normalised."""

    name_km: str
    name_latin: str
    sex: str
    date_of_birth: datetime.date
    national_id: str
    phone: str
    village: Village
    actor_type: str
    sector: str
    occupation: str = ""


def _choice(
    value: Any, choices: type[models.TextChoices], *, field: str, message: "StrOrPromise"
) -> str:
    text = normalise.clean_text(str(value or "")).lower()
    if field == "sex":
        text = text.upper()
    if text not in choices.values:
        raise ValidationError(message, code=f"{field}_invalid", params={"value": value})
    return text


def person_data_clean(
    *, raw: Mapping[str, Any], phone_required: bool = False, today: datetime.date | None = None
) -> PersonData:
    """Validate and normalise raw input, reporting every field's problem at once.

    `raw` holds the PERSON_FIELDS; the village is either `village` (a Village or its id)
    or `village_code` with optional `commune_code` and `village_name`. Raises
    ValidationError whose error_dict maps field name to errors.
    """
    cleaned = person_fields_clean(
        raw=raw, fields=PERSON_FIELDS, phone_required=phone_required, today=today
    )
    return PersonData(**cleaned)


def person_fields_clean(
    *,
    raw: Mapping[str, Any],
    fields: tuple[str, ...] | list[str],
    phone_required: bool = False,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Validate some of the PERSON_FIELDS (one step of a form); same rules as a whole record."""
    cleaners = {
        "name_km": lambda: normalise.normalise_name_km(raw.get("name_km") or ""),
        "name_latin": lambda: normalise.normalise_name_latin(raw.get("name_latin") or ""),
        "sex": lambda: _choice(
            raw.get("sex"), Sex, field="sex", message=_("Choose F (female) or M (male).")
        ),
        "date_of_birth": lambda: _date_of_birth(raw.get("date_of_birth"), today=today),
        "national_id": lambda: normalise.normalise_national_id(raw.get("national_id") or ""),
        "phone": lambda: normalise.normalise_phone(raw.get("phone") or "", required=phone_required),
        "village": lambda: _village(raw),
        "actor_type": lambda: _choice(
            raw.get("actor_type"),
            ActorType,
            field="actor_type",
            message=_(
                "Choose the type of work: self_employed, microenterprise_owner, "
                "microenterprise_worker or seasonal_worker."
            ),
        ),
        "sector": lambda: _choice(
            raw.get("sector"),
            Sector,
            field="sector",
            message=_(
                "Choose the sector: agriculture, manufacturing, construction, "
                "wholesale_retail, transport, accommodation_food, services or other."
            ),
        ),
        "occupation": lambda: _occupation(raw.get("occupation") or ""),
    }
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {}
    for field in fields:
        try:
            cleaned[field] = cleaners[field]()
        except ValidationError as error:
            errors[field] = error.error_list
    if errors:
        raise ValidationError(errors)
    return cleaned


def _date_of_birth(value: Any, *, today: datetime.date | None) -> datetime.date:
    born = normalise.parse_date(value if value is not None else "")
    normalise.check_age(born, today=today)
    return born


def _village(raw: Mapping[str, Any]) -> Village:
    village = raw.get("village")
    if isinstance(village, Village):
        return village
    if village not in (None, ""):
        found = Village.objects.filter(pk=village).first() if str(village).isdigit() else None
        if found is None:
            raise ValidationError(_("Choose the village again."), code="village_unknown")
        return found
    return village_resolve(
        village_code=str(raw.get("village_code") or ""),
        commune_code=str(raw.get("commune_code") or ""),
        village_name=str(raw.get("village_name") or ""),
    )


def _occupation(value: str) -> str:
    text = normalise.clean_text(value)
    if len(text) > 150:
        raise ValidationError(
            _("Describe the occupation in at most 150 characters."), code="occupation_length"
        )
    return text


def _as_text(value: Any) -> str:
    if isinstance(value, Village):
        return f"{value.code} {value.name_en}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


@transaction.atomic
def person_update(
    *, person: Person, data: PersonData, channel: str, actor: User | None = None
) -> dict:
    """Apply corrected details; records what changed. Returns {field: [old, new]}."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    changes = {}
    for field, new in asdict(data).items():
        old = getattr(person, field)
        if _as_text(old) != _as_text(new):
            changes[field] = [_as_text(old), _as_text(new)]
            setattr(person, field, new)
    if changes:
        person.save()
        PersonChange.objects.create(
            person=person,
            action=PersonChange.Action.UPDATED,
            changes=changes,
            actor=actor,
            channel=channel,
        )
        dedup_enqueue(person_id=person.pk)
    return changes


@transaction.atomic
def person_leave(*, person: Person, channel: str, actor: User | None = None) -> Person:
    """Leave the registry: excluded from every list and export from now on; history kept."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.status == Person.Status.WITHDRAWN:
        return person
    consent_set(person=person, wanted=set(), channel=channel, actor=actor)
    old = person.status
    person.status = Person.Status.WITHDRAWN
    person.save(update_fields=["status", "updated_at"])
    PersonChange.objects.create(
        person=person,
        action=PersonChange.Action.LEFT,
        changes={"status": [old, person.status]},
        actor=actor,
        channel=channel,
    )
    return person


def dedup_enqueue(*, person_id: int) -> None:
    """Check the record against the registry once it is committed (the dedup app)."""
    enqueue_on_commit("dedup.tasks.dedup_person", person_id)


# Ids per dedup task: workers share a big file's records, and one task's work stays short.
DEDUP_SLICE = 2000


def dedup_enqueue_many(*, person_ids: list[int]) -> None:
    """Check new records against the registry once they are committed, a slice of ids
    per task (one record: the incremental check of `dedup_enqueue`)."""
    if len(person_ids) == 1:
        dedup_enqueue(person_id=person_ids[0])
        return
    for start in range(0, len(person_ids), DEDUP_SLICE):
        enqueue_on_commit("dedup.tasks.dedup_people", person_ids[start : start + DEDUP_SLICE])
