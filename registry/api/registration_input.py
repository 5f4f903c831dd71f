"""What the staff API and the registrant API both do with a registration's input: one
path into the registration service's rules (person_data_clean, work_data_clean), so
both accept and refuse exactly what the web forms do."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError

from api.errors import field_error
from programmes.models import Programme
from registry.api.serializers import DATA_SHARING
from registry.models import Person
from registry.models.people import ActorType
from registry.services.people import PERSON_FIELDS, PersonData, person_data_clean
from registry.services.work import WorkData, work_data_clean

VILLAGE_FIELDS = ("village", "village_code", "commune_code", "village_name")


def merge_errors(errors: dict, error: ValidationError) -> None:
    for field, messages in error.error_dict.items():
        errors.setdefault(field, []).extend(messages)


def consent_purposes(codes: set[str]) -> tuple[set[int | None], list[str]]:
    """Consent purposes as the consent service wants them (programme ids, None = sharing),
    and the codes that name no active programme."""
    purposes: set[int | None] = {None} if DATA_SHARING in codes else set()
    wanted = codes - {DATA_SHARING}
    if not wanted:
        return purposes, []
    found = dict(
        Programme.objects.filter(code__in=wanted, is_active=True).values_list("code", "pk")
    )
    purposes |= set(found.values())
    return purposes, sorted(wanted - set(found))


def registration_input_clean(
    values: Mapping, *, errors: dict, phone_required: bool = False
) -> tuple[PersonData | None, WorkData | None, set[int | None]]:
    """The person, their work and their consents from an API body; every problem is
    added to `errors` (field: [ValidationError]) rather than raised, so the caller
    reports them all at once with its own."""
    purposes, unknown = consent_purposes(set(values.get("consents") or []))
    if unknown:
        errors["consents"] = [field_error("consent_unknown", purpose=code) for code in unknown]
    data = work = None
    try:
        data = person_data_clean(raw=values, phone_required=phone_required)
    except ValidationError as error:
        merge_errors(errors, error)
    actor_type = data.actor_type if data else str(values.get("actor_type", "")).lower()
    if actor_type in ActorType.values:
        try:
            work = work_data_clean(raw=values, actor_type=actor_type)
        except ValidationError as error:
            merge_errors(errors, error)
    return data, work, purposes


def current_values(person: Person) -> dict:
    """A record's details as person_data_clean reads them, to apply a partial change."""
    raw = {field: getattr(person, field) for field in PERSON_FIELDS}
    raw["phone"] = str(person.phone) if person.phone else ""
    return raw


def correction_clean(person: Person, values: Mapping) -> PersonData:
    """The whole record checked again with `values` (only what changes) applied."""
    raw = current_values(person)
    if any(field in values for field in VILLAGE_FIELDS):
        raw.pop("village")
    raw.update(values)
    return person_data_clean(raw=raw)
