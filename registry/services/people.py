"""Registering and changing registrants: the one path every channel takes.

The web form, branch counter, bulk file, API and campaign events all call
`person_data_clean` then `person_register`, so a rule is written once.
"""

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from geography.models import Village
from geography.selectors import village_resolve
from onboarding.jobs import enqueue_on_commit
from registry import normalise
from registry.models import Person, PersonChange
from registry.models.people import ActorType, Sector, Sex
from registry.regnumber import REGISTRATION_NUMBER_ATTEMPTS, registration_number_new
from registry.services.consent import consent_set

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


def _choice(value: Any, choices: type, *, field: str, message) -> str:
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


PARTNER_REFERENCE_UNIQUE = "person_partner_reference_unique"


def person_register(
    *,
    data: PersonData,
    channel: str,
    entered_by=None,
    branch=None,
    reference: str = "",
) -> tuple[Person, bool]:
    """Save a new registrant with its "registered" history; returns (person, created).

    A repeated (partner, reference) returns the existing record instead of a second one,
    even when two requests race: the partial unique index decides, and the record is
    looked up only when the index refuses the insert. A clash of random registration
    numbers is retried with a new one.
    """
    partner = branch.partner if branch is not None else None
    reference = normalise.clean_text(reference)
    values = asdict(data)
    # Joins the caller's transaction if there is one (no savepoint of its own), else is one.
    with transaction.atomic(savepoint=False):
        person, created = _person_insert(
            values=values,
            channel=channel,
            entered_by=entered_by,
            branch=branch,
            partner=partner,
            reference=reference,
        )
        if created:
            PersonChange.objects.create(
                person=person,
                action=PersonChange.Action.REGISTERED,
                changes={field: [None, _as_text(values[field])] for field in PERSON_FIELDS},
                actor=entered_by,
                channel=channel,
            )
    return person, created


def _person_insert(*, values, channel, entered_by, branch, partner, reference):
    """(the new record, True), or (the record the partner's reference names, False)."""
    for _attempt in range(REGISTRATION_NUMBER_ATTEMPTS):
        person = Person(
            registration_number=registration_number_new(),
            channel=channel,
            entered_by=entered_by,
            branch=branch,
            partner=partner,
            reference=reference,
            **values,
        )
        try:
            # A savepoint, so that a refused insert leaves the transaction usable.
            with transaction.atomic():
                person.save()
            return person, True
        except IntegrityError as error:
            constraint = _constraint_name(error) or ""
            if constraint == PARTNER_REFERENCE_UNIQUE:
                existing = _by_reference(partner=partner, reference=reference)
                if existing is not None:
                    return existing, False
            if "registration_number" not in constraint:
                raise
    raise IntegrityError("could not allocate a registration number")  # pragma: no cover


def _constraint_name(error: IntegrityError) -> str | None:
    diagnostic = getattr(error.__cause__, "diag", None)
    return getattr(diagnostic, "constraint_name", None)


def _by_reference(*, partner, reference: str) -> Person | None:
    """The record a partner's reference names, followed to its survivor if merged."""
    person = Person.objects.filter(partner=partner, reference=reference).first()
    seen = set()
    while person is not None and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.get(pk=person.merged_into_id)
    return person


@transaction.atomic
def person_update(*, person: Person, data: PersonData, channel: str, actor=None) -> dict:
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
def person_leave(*, person: Person, channel: str, actor=None) -> Person:
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
