"""Which people an export compares with its base: only those that can have changed.

A delta lists, and a full export records (its file holds everyone), the differences
with the programme's previous export, its `base`. What a programme was last sent is, per
person, the ExportMember row of the newest job in the base's chain (the base, its own
base, … back to a job without one, which recorded everyone as new).
Everyone else is unchanged unless something moved them, and each such thing leaves a
trace found through an index:

- the person's record changed (every write sets `updated_at`: edits, a move, leaving the
  registry, a merge and its undoing): `person_updated_idx`;
- a consent to the programme given or withdrawn: `consent_prog_given_idx`,
  `consent_prog_withdrawn_idx`;
- an age bound of the rule crossed between the base's day and today (rules counted on
  today's date): the active people born between the two bounds (no index on the date of
  birth: one scan, ≈ 0.2 s at a million, once the day has changed since the base).

The rest cannot be traced that way, so the job compares everyone when the rule or the columns differ from the base's, when the gazetteer changed
(codes and areas), or when the rule reads work (enterprise size, seasonal months).
Times are taken `MARGIN` before the base started: a change committed just after the base
read its snapshot, but stamped just before, is compared again (compared twice, it is
listed only if it differs).
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from programmes.rules import Criteria
from sharing.eligibility import years_before
from sharing.exports.sql import CANDIDATES_TABLE
from sharing.models import ExportJob

MARGIN = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class DeltaPlan:
    chain: list[int]  # the base's chain of job ids, newest first
    scoped: bool  # compare only the candidates (else everyone)
    candidates: int  # how many (scoped only)


def chain_of(base: ExportJob | None) -> list[int]:
    if base is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE up (id, base_id, depth) AS ("
            " SELECT id, base_id, 0 FROM sharing_exportjob WHERE id = %s"
            " UNION ALL SELECT j.id, j.base_id, up.depth + 1 FROM sharing_exportjob j"
            " JOIN up ON j.id = up.base_id AND up.depth < 10000"
            ") SELECT id FROM up ORDER BY depth",
            [base.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def gazetteer_digest() -> str:
    """A fingerprint of every village's code and the codes of the areas above it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(coalesce(string_agg(concat_ws(':', v.id, v.code, c.id, c.code, d.id,"
            " d.code, pr.id, pr.code), ',' ORDER BY v.id), ''))"
            " FROM registry_village v JOIN registry_commune c ON c.id = v.commune_id"
            " JOIN registry_district d ON d.id = c.district_id"
            " JOIN registry_province pr ON pr.id = d.province_id"
        )
        return cursor.fetchone()[0]


def comparable(*, job: ExportJob, base: ExportJob, criteria: Criteria) -> bool:
    """True when only the candidates need comparing (see the module's docstring)."""
    return (
        base.started_at is not None
        and bool(base.gazetteer)
        and base.gazetteer == job.gazetteer
        and dict(base.criteria) == dict(job.criteria)
        and list(base.columns) == list(job.columns)
        and criteria.workers_min is None
        and criteria.workers_max is None
        and not criteria.seasonal_months
    )


def _age_windows(
    criteria: Criteria, then: datetime.date, now: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """The (after, up to] ranges of dates of birth whose eligibility by age may differ
    between the rule counted on `then` and on `now`."""
    if criteria.age_on is not None or then >= now:
        return []
    windows = []
    if criteria.age_min is not None:
        windows.append((years_before(then, criteria.age_min), years_before(now, criteria.age_min)))
    if criteria.age_max is not None:
        windows.append(
            (years_before(then, criteria.age_max + 1), years_before(now, criteria.age_max + 1))
        )
    return windows


def delta_plan(*, job: ExportJob, criteria: Criteria) -> DeltaPlan:
    """The base's chain and, when only some people can have changed, the temporary
    table of those people (CANDIDATES_TABLE, dropped at the end of the transaction).
    Run inside the delta's transaction, before its statement."""
    base = job.base
    chain = chain_of(base)
    if base is None or not comparable(job=job, base=base, criteria=criteria):
        return DeltaPlan(chain=chain, scoped=False, candidates=0)
    assert base.started_at is not None and job.started_at is not None
    since = base.started_at - MARGIN
    parts = [
        "SELECT id FROM registry_person WHERE updated_at >= %(since)s",
        "SELECT person_id FROM registry_consent"
        " WHERE programme_id = %(programme)s AND given_at >= %(since)s",
        "SELECT person_id FROM registry_consent"
        " WHERE programme_id = %(programme)s AND withdrawn_at >= %(since)s",
    ]
    params: dict = {"since": since, "programme": job.programme_id}
    windows = _age_windows(
        criteria, timezone.localdate(base.started_at), timezone.localdate(job.started_at)
    )
    for n, (after, up_to) in enumerate(windows):
        parts.append(
            "SELECT id FROM registry_person WHERE status = 'active'"  # noqa: S608 - names ours, values bound
            f" AND date_of_birth > %(after{n})s AND date_of_birth <= %(up_to{n})s"
        )
        params[f"after{n}"] = after
        params[f"up_to{n}"] = up_to
    with connection.cursor() as cursor:
        # Dropped at the end of the transaction; dropped here too when an enclosing
        # transaction (a test's) runs two deltas.
        cursor.execute(f"DROP TABLE IF EXISTS {CANDIDATES_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {CANDIDATES_TABLE} (person_id bigint PRIMARY KEY)"
            " ON COMMIT DROP"
        )
        cursor.execute(
            f"INSERT INTO {CANDIDATES_TABLE} (person_id) " + " UNION ".join(parts),
            params,
        )
        found = cursor.rowcount
        cursor.execute(f"ANALYZE {CANDIDATES_TABLE}")
    return DeltaPlan(chain=chain, scoped=True, candidates=found)
