"""The one statement that registers a set of records (registration_many's SQL).

Data-modifying CTEs write, for every record whose person could be inserted: the person,
its "registered" history, consents with their history, an owner's enterprise and
employment, a worker's employer (found or created) and employment, the campaign credit,
and the confirmation SMS row of each one with a phone.
Names come from the models and RECORD_COLUMNS; values are bound parameters.
"""

import functools
from typing import Any

from django.db import connection

from campaigns.models import Attribution
from geography.models import Village
from programmes.models import Programme
from registry.models import Consent, Employment, Enterprise, Person, PersonChange
from registry.models.people import ActorType
from registry.services.people import PERSON_FIELDS
from registry.services.sms import sms_insert_select_sql
from registry.services.sql import insert_select_sql

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
WORKER_TYPES = (ActorType.MICROENTERPRISE_WORKER, ActorType.SEASONAL_WORKER)
# What a registration may write beside the person and history; a statement has the
# parts its records need (a bulk file's chunk: all of them).
PARTS = frozenset({"consents", "owners", "workers", "campaign"})


# The confirmation SMS each new registrant with a phone gets (registry.services.sms).
CONFIRMATION_TEMPLATE = "registration_confirmed"


@functools.lru_cache(maxsize=64)
def register_sql(
    source: str, parts: frozenset[str], person_row: bool = False
) -> tuple[str, dict[str, Any]]:
    """One statement: the people that could be inserted, with everything that goes with
    them, their confirmation SMS included. It returns a row (entry, person id,
    registration number, NULL) per person, followed by the person's columns (those of
    `Person._meta.concrete_fields`) when `person_row`, and a row (NULL, NULL, NULL,
    message id) per message queued. Only the `parts` (PARTS) some record needs are in it:
    a short statement plans faster, which counts for one registration. With the
    parameters it needs beside the caller's (the models' defaults)."""
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
    confirmation_sql = sms_insert_select_sql(
        template=CONFIRMATION_TEMPLATE,
        phone="s.phone",
        params="jsonb_build_object('number', s.number_display)",
        values=params,
    )
    quote = connection.ops.quote_name
    person_columns = [quote(f.get_attname_column()[1] or "") for f in Person._meta.concrete_fields]
    returned = ", ".join(person_columns) if person_row else "id, registration_number"
    enterprises = Enterprise._meta.db_table
    villages = Village._meta.db_table
    programmes = Programme._meta.db_table
    # Names come from the models and RECORD_COLUMNS; values are bound parameters.
    ctes = [
        "src AS MATERIALIZED ("  # noqa: S608
        " SELECT c.entry, c.ord, c.reference, d.registration_number, d.number_display,"
        f" r.*, {values}"
        f" FROM ({source}) AS c(entry, ord, reference, record)"
        " JOIN unnest(string_to_array(%(draw_entries)s, ',')::bigint[],"
        " string_to_array(%(draw_numbers)s, ','), string_to_array(%(draw_displays)s, ','))"
        " AS d(entry, registration_number, number_display) ON d.entry = c.entry"
        f" CROSS JOIN LATERAL jsonb_to_record(c.record) AS r({columns}))",
        f"inserted AS ({person_sql} FROM src s ORDER BY s.ord ON CONFLICT DO NOTHING"
        f" RETURNING {returned})",
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
    ctes.append(
        f"confirmations AS ({confirmation_sql} FROM new s WHERE s.phone <> ''"
        " ORDER BY s.ord RETURNING id)"
    )
    person_out, message_out = "", ""
    if person_row:
        person_out = ", " + ", ".join(f"i.{column}" for column in person_columns)
        message_out = ", NULL" * len(person_columns)
    person_join = " JOIN inserted i ON i.id = s.person_id" if person_row else ""
    # Names come from the models; values are bound parameters.
    statement = (
        f"WITH {', '.join(ctes)}"  # noqa: S608
        f" (SELECT s.entry, s.person_id, s.registration_number, NULL::bigint{person_out}"
        f" FROM new s{person_join} ORDER BY s.ord)"
        f" UNION ALL (SELECT NULL, NULL, NULL, m.id{message_out} FROM confirmations m)"
    )
    return statement, params
