"""Registering many people at once: every rule of a registration, in set-based SQL.

`registration_submit` (one person from the web wizard, the branch counter, the API or a
campaign event) and the bulk-file commit both come here, so each rule is written once:

- the person, with a new registration number (a clash of random numbers is drawn again)
  and the "registered" history entry;
- a repeated (partner, reference) creates nothing and reports the record it names
  (followed to its survivor if it was merged);
- consents, each with its "consent given" history entry;
- work: an owner's Enterprise and OWNER Employment; a worker's or seasonal worker's
  employer found by id, else by name (case-insensitive) in the person's commune (an
  enterprise registered earlier, or by an owner in the same call), else created once per
  name and commune; seasonal months kept;
- the campaign (and event) that brought the person;
- the confirmation SMS rows, in the same statement;
- after commit: the confirmation SMS and the duplicate check, in slices of ids (one
  person: one task doing both, `dedup.tasks.person_registered`).

A registration arrives as a *record*: a JSON object with the keys of RECORD_COLUMNS,
built by `registration_record` from values the registry's cleaning functions returned.
Callers hand over a SQL source of `(entry, ord, reference, record)` rows: the bulk
intake selects the records it stored when it checked the file; Python callers pass a
list of `Registration` (`registration_submit_many`). One statement (data-modifying CTEs)
writes everything for the rows whose person could be inserted, so a row is either wholly
registered or not at all; the rows left over are either already registered (their
reference) or drew a registration number in use, and are drawn again.
"""

import hashlib
import logging
import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from django.db import DatabaseError, IntegrityError, connection, transaction

from accounts.models import User
from onboarding.jobs import enqueue_on_commit
from registry import normalise
from registry.models import Employment, Person, PersonChange
from registry.models.consent import DATA_SHARING_PURPOSE
from registry.models.people import ActorType
from registry.regnumber import (
    REGISTRATION_NUMBER_ATTEMPTS,
    registration_number_display,
    registration_number_new,
)
from registry.selectors.people import person_survivors
from registry.services.people import PERSON_FIELDS, PersonData, _as_text, dedup_enqueue_many
from registry.services.registration_sql import (
    PARTS,
    WORKER_TYPES,
    register_sql,
)
from registry.services.sms import sms_deliver_on_commit
from registry.services.work import WorkData

if TYPE_CHECKING:
    from partners.models import Branch  # partners sits above the registry: a type only

logger = logging.getLogger(__name__)


def registration_record(
    *,
    person: Mapping[str, str],
    village_id: int,
    work: WorkData | None = None,
    purposes: Iterable[int | None] = (),
    campaign_id: int | None = None,
    event_id: int | None = None,
    evidence: str = "",
) -> dict[str, Any]:
    """The record of one cleaned registration (JSON-ready).

    `person` maps every one of PERSON_FIELDS to its cleaned value as text (`_as_text`,
    as the history writes it; the village as "code name"). `work` None means the
    channel said nothing about work: no enterprise or employment is written.
    """
    record: dict[str, Any] = {
        "history": {name: [None, person[name]] for name in PERSON_FIELDS},
        "village_id": village_id,
    }
    actor_type = person["actor_type"]
    if work is not None and actor_type == ActorType.MICROENTERPRISE_OWNER:
        record["enterprise_name"] = work.enterprise_name
        record["workers"] = work.workers
    elif work is not None and actor_type in WORKER_TYPES:
        if work.employer_id:
            record["employer_id"] = work.employer_id
        record["employer_name"] = work.employer_name
        record["seasonal_months"] = list(work.seasonal_months)
    wanted = set(purposes)
    if wanted:
        record["purposes"] = sorted(wanted, key=lambda p: (p is not None, p or 0))
    if campaign_id is not None:
        record["campaign_id"] = campaign_id
        record["event_id"] = event_id
    if evidence:
        record["evidence"] = evidence
    return record


@dataclass(frozen=True)
class Registration:
    """One cleaned registration for `registration_submit_many`."""

    data: PersonData
    work: WorkData | None = None
    consents: frozenset[int | None] = frozenset()
    reference: str = ""
    campaign_id: int | None = None
    event_id: int | None = None
    evidence: str = ""  # the stored photo of a signed consent form


@dataclass
class RegistrationOutcome:
    """Per entry: the person created, or the one its (partner, reference) already names."""

    created: dict[int, int] = field(default_factory=dict)
    existing: dict[int, int] = field(default_factory=dict)
    # With `person_rows`: each created person's columns (Person._meta.concrete_fields).
    rows: dict[int, Sequence[Any]] = field(default_factory=dict)


def registration_submit_many(
    *,
    registrations: Sequence[Registration],
    channel: str,
    entered_by: User | None = None,
    branch: "Branch | None" = None,
) -> list[tuple[int, bool]]:
    """Register cleaned people; returns (person id, created) for each, in order."""
    outcome = registrations_submit_outcome(
        registrations=registrations, channel=channel, entered_by=entered_by, branch=branch
    )
    return [
        (outcome.created[entry], True)
        if entry in outcome.created
        else (outcome.existing[entry], False)
        for entry in range(len(registrations))
    ]


def registrations_submit_outcome(
    *,
    registrations: Sequence[Registration],
    channel: str,
    entered_by: User | None = None,
    branch: "Branch | None" = None,
    person_rows: bool = False,
) -> RegistrationOutcome:
    """`registration_submit_many`'s work, keyed by entry (the index in `registrations`);
    `person_rows` also hands back each created person's columns."""
    built = [
        registration_record(
            person={name: _as_text(getattr(registration.data, name)) for name in PERSON_FIELDS},
            village_id=registration.data.village.pk,
            work=registration.work,
            purposes=registration.consents,
            campaign_id=registration.campaign_id,
            event_id=registration.event_id,
            evidence=registration.evidence,
        )
        for registration in registrations
    ]
    records = [
        {
            "entry": entry,
            "reference": normalise.clean_text(registration.reference),
            "record": record,
        }
        for entry, (registration, record) in enumerate(zip(registrations, built, strict=True))
    ]
    # The parts of the statement some record needs (PARTS), by the keys it holds.
    needs = {
        "consents": "purposes",
        "owners": "enterprise_name",
        "workers": "employer_name",
        "campaign": "campaign_id",
    }
    parts = {part for part, key in needs.items() if any(key in record for record in built)}
    return registration_records_submit(
        parts=frozenset(parts),
        source=(
            "SELECT t.entry, t.entry, t.reference, t.record FROM jsonb_to_recordset("
            "%(registrations)s::jsonb) AS t(entry bigint, reference text, record jsonb)"
        ),
        source_params={"registrations": orjson.dumps(records).decode()},
        entries=list(range(len(records))),
        channel=channel,
        entered_by=entered_by,
        branch=branch,
        person_rows=person_rows,
    )


def registration_records_submit(
    *,
    source: str,
    source_params: dict[str, Any],
    entries: list[int],
    channel: str,
    entered_by: User | None = None,
    branch: "Branch | None" = None,
    parts: frozenset[str] = PARTS,
    person_rows: bool = False,
) -> RegistrationOutcome:
    """Register the records that `source` selects, as `(entry, ord, reference, record)`.

    `entries` are the entries to register (each once); `ord` orders the inserts;
    `parts` (of PARTS) are what some record may need beside person and history. Runs
    in the caller's transaction if there is one; SMS and the duplicate check are
    enqueued when it commits. `person_rows`: see RegistrationOutcome.rows.
    """
    params: dict[str, Any] = {
        **source_params,
        "channel": channel,
        "partner": branch.partner_id if branch is not None else None,
        "branch": branch.pk if branch is not None else None,
        "user": entered_by.pk if entered_by is not None else None,
        "active": Person.Status.ACTIVE,
        "registered": PersonChange.Action.REGISTERED,
        "consent_given": PersonChange.Action.CONSENT_GIVEN,
        "data_sharing": DATA_SHARING_PURPOSE,
        "owner_type": ActorType.MICROENTERPRISE_OWNER,
        "worker_type": ActorType.MICROENTERPRISE_WORKER,
        "seasonal_type": ActorType.SEASONAL_WORKER,
        "owner_role": Employment.Role.OWNER,
        "worker_role": Employment.Role.WORKER,
        "seasonal_role": Employment.Role.SEASONAL,
    }
    outcome = RegistrationOutcome()
    messages: list[int] = []
    pending = entries
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if len(entries) > 1:
            # The planner cannot know how many rows the caller's source holds and may
            # guess millions; compiling the statement (JIT) for that costs seconds.
            cursor.execute("SET LOCAL jit = off")
        statement, defaults = register_sql(source, parts, person_rows)
        params.update(defaults)
        for _attempt in range(REGISTRATION_NUMBER_ATTEMPTS):
            if not pending:
                break
            numbers: set[str] = set()
            while len(numbers) < len(pending):
                numbers.add(registration_number_new())
            # As text: psycopg builds array parameters in Python, slowly for thousands.
            params["draw_entries"] = ",".join(map(str, pending))
            params["draw_numbers"] = ",".join(numbers)
            # As the confirmation SMS shows them (numbers just drawn are valid).
            params["draw_displays"] = ",".join(map(registration_number_display, numbers))
            if len(entries) == 1:
                _execute_prepared(cursor, statement, params)
            else:
                cursor.execute(statement, params)
            for entry, person_id, _number, message_id, *columns in cursor.fetchall():
                if message_id is not None:
                    messages.append(message_id)
                    continue
                outcome.created[entry] = person_id
                if person_rows:
                    outcome.rows[entry] = columns
            left = [entry for entry in pending if entry not in outcome.created]
            pending = _left_over(cursor, source, params, left, outcome) if left else []
        if pending:
            raise IntegrityError("could not allocate registration numbers")  # pragma: no cover
        _after_commit(person_ids=list(outcome.created.values()), message_ids=sorted(messages))
    return outcome


# One person's registration statement, prepared once per database connection: PostgreSQL
# then neither parses nor plans its dozen CTEs again (≈ 1 ms of its CPU per registration,
# more than it spends running it). Only for one person (the web, counter and API): a
# bulk file's chunks keep a plan made for their own size. Django binds parameters on the
# client, so nothing is prepared unless asked. Keyed by the driver's connection, which a
# reconnect replaces; a statement PostgreSQL refuses to prepare runs unprepared.
_PREPARED: "weakref.WeakKeyDictionary[Any, dict[str, tuple[str, list[str]] | None]]" = (
    weakref.WeakKeyDictionary()
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _execute_prepared(cursor, statement: str, params: dict[str, Any]) -> None:
    prepared = _PREPARED.setdefault(connection.connection, {})
    if statement not in prepared:
        prepared[statement] = _prepare(cursor, statement)
    entry = prepared[statement]
    if entry is None:
        cursor.execute(statement, params)
        return
    name, order = entry
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(order))})", [params[k] for k in order])


def _prepare(cursor, statement: str) -> tuple[str, list[str]] | None:
    order: list[str] = []

    def positional(match: re.Match) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    text = _PLACEHOLDER.sub(positional, statement).replace("%%", "%")
    name = "registration_" + hashlib.sha256(statement.encode()).hexdigest()[:20]
    try:
        # In a savepoint: a refusal must not abort the caller's transaction.
        with transaction.atomic():
            cursor.execute(f"PREPARE {name} AS {text}")
    except DatabaseError:
        logger.warning("registration statement not prepared: it runs unprepared")
        return None
    return name, order


def _after_commit(*, person_ids: list[int], message_ids: list[int]) -> None:
    """Queue the confirmations and the duplicate check, to run once committed. One
    person (the web, counter and API): one task that does both; many: slices of each."""
    if len(person_ids) == 1 and len(message_ids) <= 1:
        message_id = message_ids[0] if message_ids else None
        enqueue_on_commit("dedup.tasks.person_registered", person_ids[0], message_id)
        return
    if message_ids:
        sms_deliver_on_commit(message_ids=message_ids)
    dedup_enqueue_many(person_ids=person_ids)


def _left_over(cursor, source, params, left: list[int], outcome: RegistrationOutcome) -> list[int]:
    """Record the entries whose reference is registered; returns those that clashed."""
    cursor.execute(
        # The source is the caller's SQL; values are bound parameters.
        f"SELECT c.entry, p.id FROM ({source}) AS c(entry, ord, reference, record)"  # noqa: S608
        " LEFT JOIN registry_person p ON p.partner_id = %(partner)s"
        " AND p.reference = c.reference AND c.reference <> ''"
        " WHERE c.entry = ANY(%(left)s)",
        {**params, "left": left},
    )
    found = cursor.fetchall()
    # A reference registered earlier may name a record merged since: report its survivor.
    survivors = person_survivors(person_ids={person_id for _entry, person_id in found if person_id})
    clashed = []
    for entry, person_id in found:
        if person_id is None:
            clashed.append(entry)
        else:
            outcome.existing[entry] = survivors[person_id][0]
    return clashed
