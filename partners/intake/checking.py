"""Checking the rows of a bulk file: the rules of `person_data_clean`, plus the file's own.

The rules are registry.services.people's (`person_fields_clean`, the fields of
`person_data_clean`) and `village_resolve`'s. Everything here is pure: the database is
read once, up front, into a `CheckContext` (the villages the file names, the programmes,
the references this partner already registered), so rows can be checked in other
processes forked from the one that prepared it. A checked row comes out as one line of
PostgreSQL COPY text for `partners_intakerow`.

Why not `person_data_clean` row by row: its rules are per field, and a 50,000-row file
repeats most values, so each distinct value of a field is cleaned once (FieldCleaner),
and each distinct village reference resolved once; a test checks that the outcome is
the one `person_data_clean` gives.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from campaigns.services import campaign_for_code
from geography.models import Village
from geography.selectors import village_resolve
from partners.intake.columns import (
    CONSENT_COLUMN_PREFIX,
    CONSENT_SEPARATOR,
    DATA_SHARING,
    MONTH_SEPARATOR,
    REFERENCE_MAX_LENGTH,
    header_key,
    is_consent_column,
)
from partners.intake.reading import IntakeRowCells
from partners.models import IntakeRow
from programmes.models import Programme
from registry.models.people import ActorType
from registry.normalise import clean_text, khmer_digits_to_ascii
from registry.services.people import PERSON_FIELDS, _as_text, person_fields_clean
from registry.services.registration_many import registration_record
from registry.services.work import WorkData, work_data_clean

LANGUAGES = ("km", "en")
# The registry's names for what the file's columns hold.
_FIELD_COLUMNS = {"village": "village_code", "enterprise_name": "business_name"}
# work_data_clean's messages speak to a registrant filling in a form; a file's rows are
# about someone else. Same rules, the file's words.
_WORK_MESSAGES = {
    "enterprise_required": _("Enter the name of the person's business."),
    "employer_required": _("Enter the name of the person's employer."),
    "months_required": _(
        "Enter the months in which the person works: numbers from 1 to 12 separated by ; "
        "(for example 1;2;11)."
    ),
}
_MONTHS_SPLIT = re.compile(r"[;,\s]+")
_YES = frozenset({"yes", "y", "1", "true", "បាទ", "ចាស", "បាទ/ចាស"})
_NO = frozenset({"no", "n", "0", "false", "ទេ"})
_FIELDS_WITHOUT_VILLAGE = tuple(f for f in PERSON_FIELDS if f != "village")
_CONSENT_SPLIT = re.compile(r"[;,]")


@dataclass
class ResolvedVillage:
    pk: int
    text: str  # as the "registered" history writes it


class FieldCleaner:
    """`person_fields_clean`, called once per distinct value of each field.

    Each of its rules reads only its own field's value (and today's date, fixed for the
    run), so a value seen in an earlier row gets the same answer: a file repeats sexes,
    sectors, villages, family names and dates of birth thousands of times. The rules
    themselves stay in registry.services.people; a rule that ever reads two fields at
    once must be checked per row here too.
    """

    def __init__(self, today) -> None:
        self.today = today
        self.memo: dict[str, dict[str, tuple[str | None, list | None]]] = {
            name: {} for name in _FIELDS_WITHOUT_VILLAGE
        }

    def clean(self, name: str, value: str) -> tuple[str | None, list | None]:
        """(the value as _as_text gives it, None) or (None, the field's errors)."""
        memo = self.memo[name]
        answer = memo.get(value)
        if answer is None:
            try:
                cleaned = person_fields_clean(raw={name: value}, fields=(name,), today=self.today)
                answer = (_as_text(cleaned[name]), None)
            except ValidationError as error:
                answer = (None, error.error_dict[name])
            memo[value] = answer
        return answer


@dataclass
class CheckContext:
    """What checking needs from the database, read once per file."""

    batch_id: int
    fields: FieldCleaner
    # (village_code, commune_code, village_name) cells -> the village, or why not.
    villages: dict[tuple[str, str, str], ResolvedVillage | ValidationError]
    # programme code (lower case) -> id; DATA_SHARING -> None.
    purposes: dict[str, int | None]
    # row number -> errors about the reference, or the id of the person already registered.
    reference_errors: dict[int, list[ValidationError]] = field(default_factory=dict)
    existing: dict[int, int] = field(default_factory=dict)
    # The file's columns; work is checked only for the rows a present column is about.
    columns: frozenset[str] = frozenset()
    # consent_<code> column -> the purpose (programme id; None = data sharing).
    consent_columns: dict[str, int | None] = field(default_factory=dict)
    # campaign_code cell (as in the file) -> (the code, cleaned; the running campaign's
    # id or None); absent when the file has no campaign_code column.
    campaigns: dict[str, tuple[str, int | None]] = field(default_factory=dict)


@dataclass
class CheckedChunk:
    copy_data: bytes  # UTF-8 COPY text, encoded in the (parallel) checker
    counts: dict[str, int]


def reference_of(row: IntakeRowCells) -> str:
    value = row.cells.get("reference", "")
    # Most references are plain ASCII without spaces to collapse: already clean.
    if value.isascii() and value.isprintable() and value == value.strip() and "  " not in value:
        return value
    return clean_text(value)


def check_context_build(*, batch, rows: list[IntakeRowCells], today) -> CheckContext:
    """Read the database once for the whole file and check the references across rows."""
    columns = frozenset(rows[0].cells) if rows else frozenset()
    purposes = _purposes()
    context = CheckContext(
        batch_id=batch.pk,
        fields=FieldCleaner(today),
        villages=_villages_resolve(rows),
        purposes=purposes,
        columns=columns,
        consent_columns=_consent_columns(columns, purposes),
        campaigns=_campaigns(rows) if "campaign_code" in columns else {},
    )
    first_use: dict[str, int] = {}
    for row in rows:
        reference = reference_of(row)
        if not reference:
            error = ValidationError(
                _("Enter the reference: the partner's own form number for this person."),
                code="reference_required",
            )
        elif len(reference) > REFERENCE_MAX_LENGTH:
            error = ValidationError(
                _("The reference can have at most %(max)s characters."),
                code="reference_length",
                params={"max": REFERENCE_MAX_LENGTH},
            )
        elif reference in first_use:
            error = ValidationError(
                _("This reference is repeated: it was first used in row %(row)s."),
                code="reference_repeated",
                params={"row": first_use[reference]},
            )
        else:
            first_use[reference] = row.number
            continue
        context.reference_errors[row.number] = [error]
    registered = _registered_references(partner_id=batch.branch.partner_id, refs=first_use)
    context.existing = {first_use[ref]: person_id for ref, person_id in registered.items()}
    return context


def _registered_references(*, partner_id: int, refs: Iterable[str]) -> dict[str, int]:
    # One query for the whole file; the partial unique index answers it.
    with connection.cursor() as cursor:
        cursor.execute(
            # The references as one JSON text: psycopg builds array parameters in Python,
            # slowly for tens of thousands.
            "SELECT reference, id FROM registry_person "
            "WHERE partner_id = %s AND reference <> '' AND reference = ANY("
            "ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))",
            [partner_id, orjson.dumps(list(refs)).decode()],
        )
        return dict(cursor.fetchall())


def _purposes() -> dict[str, int | None]:
    purposes: dict[str, int | None] = {
        code.lower(): pk
        for pk, code in Programme.objects.filter(is_active=True).values_list("pk", "code")
    }
    purposes[DATA_SHARING] = None
    return purposes


def _consent_columns(columns, purposes: dict[str, int | None]) -> dict[str, int | None]:
    """The purpose of each consent_<code> column; a column naming no programme refuses
    the file (ValidationError), as an unknown column does."""
    by_key = {header_key(f"{CONSENT_COLUMN_PREFIX}{code}"): pk for code, pk in purposes.items()}
    found = {column: by_key.get(column) for column in columns if is_consent_column(column)}
    unknown = sorted(column for column in found if column not in by_key)
    if unknown:
        known = sorted(f"{CONSENT_COLUMN_PREFIX}{code}" for code in purposes)
        raise ValidationError(
            _(
                "These consent columns name no running programme: %(columns)s. Use "
                "consent_ followed by a programme code: %(known)s."
            ),
            code="consent_columns_unknown",
            params={"columns": ", ".join(unknown), "known": ", ".join(known)},
        )
    return found


def _campaigns(rows: list[IntakeRowCells]) -> dict[str, tuple[str, int | None]]:
    """Each distinct campaign code of the file, through the rule of /register/?campaign=."""
    found: dict[str, tuple[str, int | None]] = {}
    by_code: dict[str, int | None] = {}
    for cell in {row.cells.get("campaign_code", "") for row in rows}:
        code = clean_text(cell).lower()
        if code and code not in by_code:
            campaign = campaign_for_code(code=code)
            by_code[code] = campaign.pk if campaign is not None else None
        found[cell] = (code, by_code.get(code))
    return found


def _village_cells(cells: dict[str, str]) -> tuple[str, str, str]:
    return (
        cells.get("village_code", ""),
        cells.get("commune_code", ""),
        cells.get("village_name", ""),
    )


def _code(value: str) -> str:
    # Plain ASCII digits (nearly every cell) are already what the cleaning would give.
    if value.isascii() and value.isdigit():
        return value
    return khmer_digits_to_ascii(clean_text(value))


def _village_key(cells: tuple[str, str, str]) -> tuple[str, str, str]:
    code, commune, name = cells
    return (_code(code), _code(commune), clean_text(name).casefold() if name else "")


def _villages_resolve(rows: list[IntakeRowCells]) -> dict:
    """Each distinct village reference of the file, resolved once.

    The common case (a code that names exactly one village, in the commune given if
    any) is answered from one read of the gazetteer; anything else (unknown, shared or
    repeated codes) goes to `village_resolve`, which owns those rules and messages.
    """
    by_code: dict[str, list[tuple[int, str, str]]] = {}
    for pk, code, name_en, commune in Village.objects.values_list(
        "pk", "code", "name_en", "commune__code"
    ):
        by_code.setdefault(code, []).append((pk, name_en, commune))
    # One instance to format every village the way the history does (_as_text).
    village_text = Village()
    resolved: dict[tuple[str, str, str], ResolvedVillage | ValidationError] = {}
    by_cells: dict[tuple[str, str, str], ResolvedVillage | ValidationError] = {}
    for cells in {_village_cells(row.cells) for row in rows}:
        key = _village_key(cells)
        if key in resolved:
            by_cells[cells] = resolved[key]
            continue
        code, commune, name = key
        candidates = by_code.get(code, [])
        if len(candidates) == 1 and commune in ("", candidates[0][2]):
            pk, village_text.name_en, _commune = candidates[0]
            village_text.pk, village_text.code = pk, code
            village = village_text
        else:
            try:
                village = village_resolve(
                    village_code=code, commune_code=commune, village_name=name
                )
            except ValidationError as error:
                resolved[key] = by_cells[cells] = error
                continue
        resolved[key] = by_cells[cells] = ResolvedVillage(pk=village.pk, text=_as_text(village))
    return by_cells


def _consents(text: str, purposes: dict[str, int | None]) -> list[list]:
    wanted: dict[str, int | None] = {}
    unknown = []
    for part in _CONSENT_SPLIT.split(text):
        code = clean_text(part).lower()
        if not code:
            continue
        if code in purposes:
            wanted[code] = purposes[code]
        else:
            unknown.append(code)
    if unknown:
        known = sorted(code for code in purposes if code != DATA_SHARING)
        raise ValidationError(
            _(
                "Unknown consent codes: %(codes)s. Write the codes of the programmes the "
                "person agrees to (%(known)s) and %(data_sharing)s, separated by "
                "%(separator)s."
            ),
            code="consents_unknown",
            params={
                "codes": ", ".join(unknown),
                "known": ", ".join(known) or "-",
                "data_sharing": DATA_SHARING,
                "separator": CONSENT_SEPARATOR,
            },
        )
    return [[pk, code] for code, pk in wanted.items()]


def errors_render(errors: dict[str, list[ValidationError]]) -> dict[str, dict[str, list[str]]]:
    """{"field": {"km": [...], "en": [...]}}: every message in both languages."""
    rendered: dict[str, dict[str, list[str]]] = {}
    for name, error_list in errors.items():
        column = _FIELD_COLUMNS.get(name, name)
        messages = {}
        for language in LANGUAGES:
            with override(language):
                messages[language] = [str(m) for m in ValidationError(error_list).messages]
        rendered[column] = messages
    return rendered


def row_check(row: IntakeRowCells, context: CheckContext) -> tuple[str, dict, dict, int | None]:
    """(status, errors, cleaned, person_id) of one row."""
    if row.number in context.existing:
        return IntakeRow.Status.EXISTING, {}, {}, context.existing[row.number]
    errors: dict[str, list[ValidationError]] = {}
    if row.number in context.reference_errors:
        errors["reference"] = context.reference_errors[row.number]
    if row.overflow:
        errors["row"] = [
            ValidationError(
                _("This row has values to the right of the last column of the header."),
                code="row_overflow",
            )
        ]
    cells = row.cells
    cleaned: dict[str, Any] = {}
    clean = context.fields.clean
    for name in PERSON_FIELDS:
        if name == "village":
            village = context.villages[_village_cells(cells)]
            if isinstance(village, ResolvedVillage):
                cleaned["village"] = village.text
                cleaned["village_id"] = village.pk
            else:
                errors["village"] = village.error_list
            continue
        text, field_errors = clean(name, cells.get(name, ""))
        if field_errors is None:
            cleaned[name] = text
        else:
            errors[name] = field_errors
    purposes: set[int | None] = set()
    try:
        purposes.update(pk for pk, _code in _consents(cells.get("consents", ""), context.purposes))
    except ValidationError as error:
        errors["consents"] = [error]
    for column, purpose in context.consent_columns.items():
        try:
            if _yes_no(cells.get(column, ""), listed=purpose in purposes):
                purposes.add(purpose)
        except ValidationError as error:
            errors[column] = [error]
    work = None
    if "actor_type" in cleaned:
        try:
            work = _work(cells, cleaned["actor_type"], context.columns)
        except ValidationError as error:
            errors.update(error.error_dict)
    code, campaign_id = context.campaigns.get(cells.get("campaign_code", ""), ("", None))
    if code and campaign_id is None:
        errors["campaign_code"] = [
            ValidationError(
                _(
                    "No campaign with the code %(code)s is running today: check the code "
                    "on the poster, or leave the cell empty."
                ),
                code="campaign_unknown",
                params={"code": code},
            )
        ]
    if errors:
        return IntakeRow.Status.INVALID, errors_render(errors), {}, None
    # The registration as the registry takes it (the "registered" history included):
    # built here, in the parallel check, so the commit only moves it into the registry.
    record = registration_record(
        person=cleaned,
        village_id=cleaned["village_id"],
        work=work,
        purposes=purposes,
        campaign_id=campaign_id,
    )
    return IntakeRow.Status.VALID, {}, record, None


def _yes_no(text: str, *, listed: bool) -> bool:
    """Whether a consent_<code> cell says yes; empty says nothing (False)."""
    if text in _YES:  # as typed, mostly: nothing to clean
        return True
    answer = khmer_digits_to_ascii(clean_text(text)).lower() if text else ""
    if not answer:
        return False
    if answer in _YES:
        return True
    if answer in _NO:
        if listed:
            raise ValidationError(
                _("This column says no, but the consents column lists this programme."),
                code="consent_conflict",
            )
        return False
    raise ValidationError(
        _("Write yes or no (y/n, 1/0, បាទ/ចាស/ទេ), or leave the cell empty."),
        code="consent_value",
    )


def _work(cells: dict[str, str], actor_type: str, columns: frozenset[str]) -> WorkData | None:
    """The work of the row, through work_data_clean, when the file has the columns for
    the row's actor type (business_name for owners, employer_name for workers)."""
    if actor_type == ActorType.MICROENTERPRISE_OWNER and "business_name" in columns:
        raw: dict[str, Any] = {
            "enterprise_name": cells.get("business_name", ""),
            "workers": cells.get("workers", ""),
        }
    elif (
        actor_type in (ActorType.MICROENTERPRISE_WORKER, ActorType.SEASONAL_WORKER)
        and "employer_name" in columns
    ):
        raw = {"employer_name": cells.get("employer_name", "")}
        if actor_type == ActorType.SEASONAL_WORKER:
            raw["seasonal_months"] = _months(cells.get("seasonal_months", ""))
    else:
        return None
    try:
        return work_data_clean(raw=raw, actor_type=actor_type)
    except ValidationError as error:
        raise ValidationError(
            {
                name: [
                    ValidationError(_WORK_MESSAGES[e.code], code=e.code)
                    if e.code in _WORK_MESSAGES
                    else e
                    for e in errors
                ]
                for name, errors in error.error_dict.items()
            }
        ) from None


def _months(text: str) -> list[str]:
    """`1;2;11` (Khmer digits, commas or spaces tolerated) as the month numbers."""
    parts = [p for p in _MONTHS_SPLIT.split(khmer_digits_to_ascii(clean_text(text))) if p]
    if any(not p.isdigit() or not 1 <= int(p) <= 12 for p in parts):
        raise ValidationError(
            {
                "seasonal_months": [
                    ValidationError(
                        _(
                            "Write the months as numbers from 1 to 12 separated by "
                            "%(separator)s (for example 1;2;11)."
                        ),
                        code="months_format",
                        params={"separator": MONTH_SEPARATOR},
                    )
                ]
            }
        )
    return parts


def _copy_bytes(value: bytes) -> bytes:
    # COPY's text format escapes backslash, tab and line breaks with a backslash. JSON
    # text has no raw tab or line break (it writes them as \t and \n): only backslashes.
    return value.replace(b"\\", b"\\\\") if b"\\" in value else value


def _copy_text(value: str) -> bytes:
    value_bytes = _copy_bytes(value.encode())
    if "\t" in value or "\n" in value or "\r" in value:
        value_bytes = value_bytes.replace(b"\t", b"\\t").replace(b"\n", b"\\n")
        value_bytes = value_bytes.replace(b"\r", b"\\r")
    return value_bytes


def chunk_check(rows: list[IntakeRowCells], context: CheckContext) -> CheckedChunk:
    """Check rows and render them as COPY text for partners_intakerow (COPY_COLUMNS)."""
    lines = []
    counts = dict.fromkeys(IntakeRow.Status.values, 0)
    batch = str(context.batch_id).encode()
    for row in rows:
        status, errors, cleaned, person_id = row_check(row, context)
        counts[status] += 1
        reference = reference_of(row)[:REFERENCE_MAX_LENGTH]
        lines.append(
            b"\t".join(
                (
                    batch,
                    str(row.number).encode(),
                    _copy_text(reference),
                    status.encode(),
                    _copy_bytes(orjson.dumps(row.cells)),
                    _copy_bytes(orjson.dumps(errors)) if errors else b"{}",
                    _copy_bytes(orjson.dumps(cleaned)),
                    b"\\N" if person_id is None else str(person_id).encode(),
                )
            )
        )
    lines.append(b"")
    return CheckedChunk(copy_data=b"\n".join(lines), counts=counts)


COPY_COLUMNS = "batch_id, row_number, reference, status, cells, errors, cleaned, person_id"
