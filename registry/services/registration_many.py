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
- after commit: the confirmation SMS and the duplicate check, in slices of ids.

A registration arrives as a *record*: a JSON object with the keys of RECORD_COLUMNS,
built by `registration_record` from values the registry's cleaning functions returned.
Callers hand over a SQL source of `(entry, ord, reference, record)` rows: the bulk
intake selects the records it stored when it checked the file; Python callers pass a
list of `Registration` (`registration_submit_many`). One statement (data-modifying CTEs)
writes everything for the rows whose person could be inserted, so a row is either wholly
registered or not at all; the rows left over are either already registered (their
reference) or drew a registration number in use, and are drawn again.
"""

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from campaigns.models import Attribution
from geography.models import Village
from programmes.models import Programme
from registry import normalise
from registry.models import Consent, Employment, Enterprise, Person, PersonChange
from registry.models.people import ActorType
from registry.regnumber import (
    REGISTRATION_NUMBER_ATTEMPTS,
    registration_number_display,
    registration_number_new,
)
from registry.services.consent import DATA_SHARING_PURPOSE
from registry.services.people import PERSON_FIELDS, PersonData, _as_text, dedup_enqueue_many
from registry.services.sms import sms_queue_many
from registry.services.sql import insert_select_sql
from registry.services.work import WorkData

# The keys of a registration record and their PostgreSQL types. `history` is the
# "registered" entry's changes, {field: [None, value as text]} for PERSON_FIELDS: the
# person's values are read from it (stored once, they keep a bulk file's rows small),
# the village by `village_id`.
RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("history", "jsonb"),
    ("village_id", "bigint"),
    ("enterprise_name", "text"),
    ("workers", "integer"),
    ("employer_id", "bigint"),
    ("employer_name", "text"),
    ("seasonal_months", "smallint[]"),
    ("purposes", "bigint[]"),  # programme ids; null = data sharing
    ("evidence", "text"),
    ("campaign_id", "bigint"),
    ("event_id", "bigint"),
)
if TYPE_CHECKING:
    from partners.models import Branch

WORKER_TYPES = (ActorType.MICROENTERPRISE_WORKER, ActorType.SEASONAL_WORKER)
# What a registration may write beside the person and history; a statement has the
# parts its records need (a bulk file's chunk: all of them).
PARTS = frozenset({"consents", "owners", "workers", "campaign"})


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


def registration_submit_many(
    *,
    registrations: Sequence[Registration],
    channel: str,
    entered_by: User | None = None,
    branch: "Branch | None" = None,
) -> list[tuple[int, bool]]:
    """Register cleaned people; returns (person id, created) for each, in order."""
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
    outcome = registration_records_submit(
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
    )
    return [
        (outcome.created[entry], True)
        if entry in outcome.created
        else (outcome.existing[entry], False)
        for entry in range(len(records))
    ]


def registration_records_submit(
    *,
    source: str,
    source_params: dict[str, Any],
    entries: list[int],
    channel: str,
    entered_by: User | None = None,
    branch: "Branch | None" = None,
    parts: frozenset[str] = PARTS,
) -> RegistrationOutcome:
    """Register the records that `source` selects, as `(entry, ord, reference, record)`.

    `entries` are the entries to register (each once); `ord` orders the inserts;
    `parts` (of PARTS) are what some record may need beside person and history. Runs
    in the caller's transaction if there is one; SMS and the duplicate check are
    enqueued when it commits.
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
    confirmations: list[tuple[str, str]] = []
    pending = entries
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if len(entries) > 1:
            # The planner cannot know how many rows the caller's source holds and may
            # guess millions; compiling the statement (JIT) for that costs seconds.
            cursor.execute("SET LOCAL jit = off")
        statement, defaults = _register_sql(source, parts)
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
            cursor.execute(statement, params)
            for entry, person_id, phone, number in cursor.fetchall():
                outcome.created[entry] = person_id
                if phone:
                    confirmations.append((phone, number))
            left = [entry for entry in pending if entry not in outcome.created]
            pending = _left_over(cursor, source, params, left, outcome) if left else []
        if pending:
            raise IntegrityError("could not allocate registration numbers")  # pragma: no cover
        if confirmations:
            _confirmations_queue(confirmations)
        dedup_enqueue_many(person_ids=list(outcome.created.values()))
    return outcome


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
    survivors = _survivors({person_id for _entry, person_id in found if person_id})
    clashed = []
    for entry, person_id in found:
        if person_id is None:
            clashed.append(entry)
        else:
            outcome.existing[entry] = survivors[person_id]
    return clashed


def _survivors(person_ids: set[int]) -> dict[int, int]:
    """{id: the record it was merged into, followed to the end} (itself if not merged)."""
    survivors = {person_id: person_id for person_id in person_ids}
    for _step in range(20):  # merge chains are short; a loop must not hang the request
        targets = dict(
            Person.objects.filter(
                pk__in=set(survivors.values()), merged_into__isnull=False
            ).values_list("pk", "merged_into_id")
        )
        if not targets:
            break
        survivors = {pk: targets.get(target, target) for pk, target in survivors.items()}
    return survivors


def _confirmations_queue(confirmations: list[tuple[str, str]]) -> None:
    """The "you are registered" message, one per person with a phone."""
    sms_queue_many(
        template="registration_confirmed",
        # Numbers drawn here are valid: grouped without checking them again.
        messages=[
            (phone, {"number": registration_number_display(number)})
            for phone, number in confirmations
        ],
    )


@functools.lru_cache(maxsize=64)
def _register_sql(source: str, parts: frozenset[str]) -> tuple[str, dict[str, Any]]:
    """One statement: the people that could be inserted, with everything that goes with
    them; it returns (entry, person id, phone, registration number) of each. Only the
    `parts` (PARTS) some record needs are in it: a short statement plans faster, which
    counts for one registration. With the parameters it needs beside the caller's
    (the models' defaults)."""
    params: dict[str, Any] = {}
    columns = ", ".join(f"{name} {kind}" for name, kind in RECORD_COLUMNS)
    values = ", ".join(
        f"(r.history->'{name}'->>1)::{'date' if name == 'date_of_birth' else 'text'} AS {name}"
        for name in PERSON_FIELDS
        if name != "village"
    )
    person = {name: f"s.{name}" for name in PERSON_FIELDS}
    person.update(
        village="s.village_id",
        occupation="coalesce(s.occupation, '')",
        registration_number="s.registration_number",
        status="%(active)s",
        channel="%(channel)s",
        partner="%(partner)s",
        branch="%(branch)s",
        reference="s.reference",
        entered_by="%(user)s",
        merged_into="NULL",
        created_at="now()",
        updated_at="now()",
    )
    registered = {
        "person": "s.person_id",
        "action": "%(registered)s",
        "changes": "s.history",
        "actor": "%(user)s",
        "channel": "%(channel)s",
        "at": "now()",
    }
    consent = {
        "person": "w.person_id",
        "programme": "w.programme_id",
        "given_at": "now()",
        "channel": "%(channel)s",
        "recorded_by": "%(user)s",
        "evidence": "coalesce(w.evidence, '')",
        "withdrawn_at": "NULL",
        "withdrawn_channel": "''",
        "withdrawn_by": "NULL",
    }
    consent_history = {
        **registered,
        "person": "w.person_id",
        "action": "%(consent_given)s",
        "changes": "jsonb_build_object('purpose', jsonb_build_array(NULL,"
        " coalesce(g.code, %(data_sharing)s)))",
    }
    owned = {
        "name": "s.enterprise_name",
        "sector": "s.sector",
        "owner": "s.person_id",
        "workers": "coalesce(s.workers, 0)",
        "village": "s.village_id",
        "created_at": "now()",
    }
    owner_job = {
        "person": "o.owner_id",
        "enterprise": "o.id",
        "role": "%(owner_role)s",
        "seasonal_months": "'{}'::smallint[]",
        "created_at": "now()",
    }
    employer = {**owned, "name": "w.employer_name", "sector": "w.sector", "owner": "NULL"}
    employer.update(workers="0", village="w.village_id")
    worker_job = {
        "person": "w.person_id",
        "enterprise": "coalesce(w.enterprise_id, m.id)",
        "role": "CASE WHEN w.actor_type = %(seasonal_type)s THEN %(seasonal_role)s"
        " ELSE %(worker_role)s END",
        "seasonal_months": "coalesce(w.seasonal_months, '{}'::smallint[])",
        "created_at": "now()",
    }
    attribution = {
        "person": "s.person_id",
        "campaign": "s.campaign_id",
        "event": "s.event_id",
        "created_at": "now()",
    }
    person_sql = insert_select_sql(Person, person, params)
    registered_sql = insert_select_sql(PersonChange, registered, params)
    consent_sql = insert_select_sql(Consent, consent, params)
    consent_history_sql = insert_select_sql(PersonChange, consent_history, params)
    owned_sql = insert_select_sql(Enterprise, owned, params)
    owner_job_sql = insert_select_sql(Employment, owner_job, params)
    employer_sql = insert_select_sql(Enterprise, employer, params)
    worker_job_sql = insert_select_sql(Employment, worker_job, params)
    attribution_sql = insert_select_sql(Attribution, attribution, params)
    enterprises = Enterprise._meta.db_table
    villages = Village._meta.db_table
    programmes = Programme._meta.db_table
    # Names come from the models and RECORD_COLUMNS; values are bound parameters.
    ctes = [
        "src AS MATERIALIZED ("  # noqa: S608
        f" SELECT c.entry, c.ord, c.reference, d.registration_number, r.*, {values}"
        f" FROM ({source}) AS c(entry, ord, reference, record)"
        " JOIN unnest(string_to_array(%(draw_entries)s, ',')::bigint[],"
        " string_to_array(%(draw_numbers)s, ','))"
        " AS d(entry, registration_number) ON d.entry = c.entry"
        f" CROSS JOIN LATERAL jsonb_to_record(c.record) AS r({columns}))",
        f"inserted AS ({person_sql} FROM src s ORDER BY s.ord ON CONFLICT DO NOTHING"
        " RETURNING id, registration_number)",
        "new AS MATERIALIZED (SELECT i.id AS person_id, s.* FROM inserted i"
        " JOIN src s ON s.registration_number = i.registration_number)",
        f"registered AS ({registered_sql} FROM new s ORDER BY s.ord)",
    ]
    if "consents" in parts:
        ctes += [
            "wanted AS MATERIALIZED (SELECT s.person_id, s.ord, s.evidence, p.programme_id,"
            " p.n FROM new s CROSS JOIN LATERAL unnest(s.purposes) WITH ORDINALITY"
            " AS p(programme_id, n))",
            f"consents AS ({consent_sql} FROM wanted w ORDER BY w.ord, w.n)",
            f"consent_history AS ({consent_history_sql} FROM wanted w"
            f" LEFT JOIN {programmes} g ON g.id = w.programme_id ORDER BY w.ord, w.n)",
        ]
    if "owners" in parts:
        ctes += [
            f"owned AS ({owned_sql} FROM new s WHERE s.actor_type = %(owner_type)s"
            " AND s.enterprise_name IS NOT NULL ORDER BY s.ord"
            " RETURNING id, owner_id, name, village_id)",
            f"owner_jobs AS ({owner_job_sql} FROM owned o)",
        ]
    if "workers" in parts:
        # A worker's employer: by id, else an enterprise of that name (any case) in the
        # person's commune, registered before or by an owner in this statement.
        # With owners in the statement, their enterprises can be the employer too.
        by_owner, owner_join = "NULL", ""
        if "owners" in parts:
            by_owner = "o.id"
            owner_join = (
                " LEFT JOIN (SELECT ov.commune_id, upper(o.name) AS upper_name,"  # noqa: S608
                f" min(o.id) AS id FROM owned o JOIN {villages} ov ON ov.id = o.village_id"
                " GROUP BY 1, 2) o"
                " ON o.commune_id = v.commune_id AND o.upper_name = upper(s.employer_name)"
            )
        ctes += [
            "workers AS MATERIALIZED (SELECT s.person_id, s.ord, s.actor_type, s.sector,"  # noqa: S608
            " s.village_id, s.employer_name, s.seasonal_months, v.commune_id, coalesce("
            f" (SELECT e.id FROM {enterprises} e WHERE e.id = s.employer_id),"
            f" (SELECT e.id FROM {enterprises} e JOIN {villages} ev"
            " ON ev.id = e.village_id WHERE ev.commune_id = v.commune_id"
            " AND upper(e.name) = upper(s.employer_name) ORDER BY e.name, e.id LIMIT 1),"
            f" {by_owner}) AS enterprise_id"
            f" FROM new s JOIN {villages} v ON v.id = s.village_id{owner_join}"
            " WHERE s.actor_type IN (%(worker_type)s, %(seasonal_type)s)"
            " AND (s.employer_id IS NOT NULL OR s.employer_name IS NOT NULL))",
            f"employers AS ({employer_sql} FROM (SELECT DISTINCT ON"  # noqa: S608
            " (w.commune_id, upper(w.employer_name)) w.* FROM workers w"
            " WHERE w.enterprise_id IS NULL"
            " ORDER BY w.commune_id, upper(w.employer_name), w.ord) w"
            " RETURNING id, name, village_id)",
            f"worker_jobs AS ({worker_job_sql} FROM workers w LEFT JOIN"
            f" (employers m JOIN {villages} mv ON mv.id = m.village_id)"
            " ON w.enterprise_id IS NULL AND mv.commune_id = w.commune_id"
            " AND upper(m.name) = upper(w.employer_name))",
        ]
    if "campaign" in parts:
        ctes.append(f"attributed AS ({attribution_sql} FROM new s WHERE s.campaign_id IS NOT NULL)")
    statement = (
        f"WITH {', '.join(ctes)}"  # noqa: S608
        " SELECT s.entry, s.person_id, s.phone, s.registration_number FROM new s ORDER BY s.ord"
    )
    return statement, params
