"""The SQL of the documented export columns, and the statements of a full export and
a delta. Values leave PostgreSQL as text, in the job's column order.

The people are selected by the WHERE clause of `sharing.eligibility.eligible_people`
(`selection_where`), which names the person table "registry_person": the statements read
that table directly (no self-join over a million rows)."""

from django.conf import settings

from programmes.columns import EXPORT_COLUMNS
from registry.spreadsheets import FORMULA_STARTS

# The person table as the selection's WHERE clause names it.
P = '"registry_person"'

# Each column of programmes.columns.EXPORT_COLUMNS, over the person table P, village v,
# commune c, district d and province pr.
COLUMN_SQL: dict[str, str] = {
    "registration_number": f"{P}.registration_number",
    "name_km": f"{P}.name_km",
    "name_latin": f"{P}.name_latin",
    "sex": f"{P}.sex",
    "date_of_birth": f"to_char({P}.date_of_birth, 'YYYY-MM-DD')",
    "phone": f"{P}.phone",
    "national_id": f"{P}.national_id",
    "province_code": "pr.code",
    "district_code": "d.code",
    "commune_code": "c.code",
    "village_code": "v.code",
    "actor_type": f"{P}.actor_type",
    "sector": f"{P}.sector",
    "occupation": f"{P}.occupation",
    "registered_on": f"to_char({P}.created_at AT TIME ZONE %(tz)s, 'YYYY-MM-DD')",
    "channel": f"{P}.channel",
}
assert set(COLUMN_SQL) == set(EXPORT_COLUMNS), "every documented column has its SQL"

PLACES = (
    f" JOIN registry_village v ON v.id = {P}.village_id"
    " JOIN registry_commune c ON c.id = v.commune_id"
    " JOIN registry_district d ON d.id = c.district_id"
    " JOIN registry_province pr ON pr.id = d.province_id"
)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def neutralised_sql(expression: str) -> str:
    """registry.spreadsheets.cell_neutralise in SQL, built from the same FORMULA_STARTS
    (tests/sharing/test_exports.py checks both agree), so a million cells are made safe
    inside COPY instead of one Python call each."""
    starts = ", ".join(_literal(ch) for ch in sorted(FORMULA_STARTS))
    return (
        f"CASE WHEN left(ltrim({expression}, ' '), 1) IN ({starts})"
        f" THEN '''' || {expression} ELSE {expression} END"
    )


# Columns whose values come from a fixed vocabulary, digits or a date: none can start with
# a formula character, so they are written as they are (a million CASEs fewer each).
PLAIN_COLUMNS = frozenset(
    {
        "registration_number",
        "sex",
        "date_of_birth",
        "province_code",
        "district_code",
        "commune_code",
        "village_code",
        "actor_type",
        "sector",
        "registered_on",
        "channel",
    }
)


def _value(code: str) -> str:
    return f"coalesce({COLUMN_SQL[code]}, '')"


def _cell(code: str, expression: str, *, neutralise: bool) -> str:
    return neutralised_sql(expression) if neutralise and code not in PLAIN_COLUMNS else expression


def _digests(columns: list[str]) -> str:
    """A 64-bit hash of each column's value, in the job's column order: a delta names the
    columns that changed without keeping the values themselves."""
    return (
        "ARRAY["
        + ", ".join(f"hashtextextended({_value(code)}, 0)" for code in columns)
        + "]::bigint[]"
    )


def person_values_sql(columns: list[str]) -> str:
    """One person's values, as the exports write them (before neutralising), as a text
    array. Parameters: %(person)s, %(tz)s."""
    values = ", ".join(_value(code) for code in columns)
    return (
        f"SELECT ARRAY[{values}]::text[] FROM registry_person{PLACES}"  # noqa: S608 - column SQL is ours, values are bound
        f" WHERE {P}.id = %(person)s"
    )


def full_rows_sql(columns: list[str], where: str, *, neutralise: bool) -> str:
    """The file's rows, in registration-number order (read along that column's unique
    index: no sort of a million rows). Parameters: %(tz)s."""
    cells = ", ".join(_cell(code, _value(code), neutralise=neutralise) for code in columns)
    return (
        f"SELECT {cells} FROM registry_person{PLACES}"  # noqa: S608 - column SQL is ours, values are bound
        f' WHERE {where} ORDER BY {P}.registration_number COLLATE "C"'
    )


# Why a person left the feed, as written in the file (documented in docs/programmes.md).
REMOVAL_REASON_SQL = """
CASE
  WHEN p.id IS NULL OR p.status = 'withdrawn' THEN 'left_registry'
  WHEN p.status = 'merged' THEN 'merged'
  WHEN NOT EXISTS (
    SELECT 1 FROM registry_consent k
    WHERE k.person_id = p.id AND k.programme_id = %(programme)s AND k.withdrawn_at IS NULL
  ) THEN 'consent_withdrawn'
  ELSE 'no_longer_eligible'
END"""

# The people a delta looks at when only they can have changed (sharing.exports.delta).
CANDIDATES_TABLE = "sharing_delta_candidates"


def _comparison(
    columns: list[str], where: str, *, same_columns: bool, scoped: bool, values: bool = True
) -> str:
    """The CTEs cur (the people selected now, with their values and digests), base (what
    the base's chain sent last, per person) and diff (who is new, changed, removed or
    unchanged: change 1, 2, 3, 4).

    `scoped`: only the people of the temporary CANDIDATES_TABLE are compared (the others
    cannot have changed); otherwise everyone, selected now or sent before."""
    vals = (
        "ARRAY[" + ", ".join(_value(code) for code in columns) + "]::text[]" if values else "NULL"
    )
    changed = (
        "CASE WHEN cur.digests = base.digests THEN 4 ELSE 2 END"
        if same_columns
        else "2"  # the columns themselves changed: every row is sent again
    )
    if scoped:
        people = f"{CANDIDATES_TABLE} k JOIN registry_person ON {P}.id = k.person_id{PLACES}"
        # Each candidate's rows, by the index on person (a few per person), never the
        # chain's (a million for a first export).
        last_sent = f"""SELECT k.person_id, last.change, last.digests FROM {CANDIDATES_TABLE} k
    CROSS JOIN LATERAL (
      SELECT m.change, m.digests FROM sharing_exportmember m
      WHERE m.person_id = k.person_id AND m.job_id = ANY(%(chain)s::bigint[])
      ORDER BY array_position(%(chain)s::bigint[], m.job_id) LIMIT 1
    ) last"""  # noqa: S608 - our names, values bound
    else:
        people = f"registry_person{PLACES}"
        last_sent = """SELECT DISTINCT ON (m.person_id) m.person_id, m.change, m.digests
    FROM sharing_exportmember m
    WHERE m.job_id = ANY(%(chain)s::bigint[])
    ORDER BY m.person_id, array_position(%(chain)s::bigint[], m.job_id)"""
    return f"""cur AS MATERIALIZED (
  SELECT {P}.id AS person_id, {P}.registration_number AS number,
         {vals} AS vals, {_digests(columns)} AS digests
  FROM {people}
  WHERE {where}
),
base AS MATERIALIZED (
  SELECT person_id, digests FROM (
    {last_sent}
  ) sent WHERE change <> 3
),
diff AS MATERIALIZED (
  SELECT coalesce(cur.person_id, base.person_id) AS person_id, cur.number, cur.vals,
         cur.digests AS new_d, base.digests AS old_d,
         CASE WHEN base.person_id IS NULL THEN 1
              WHEN cur.person_id IS NULL THEN 3
              ELSE {changed} END AS change
  FROM cur FULL OUTER JOIN base ON base.person_id = cur.person_id
)"""  # noqa: S608 - column SQL is ours, values are bound


_RECORD = """INSERT INTO sharing_exportmember (job_id, person_id, change, digests)
  SELECT %(job)s, person_id, change, new_d FROM diff WHERE change <> 4"""


def members_sql(
    columns: list[str], where: str, *, same_columns: bool, scoped: bool, base: bool
) -> str:
    """A full export's record of what changed since its base (ExportMember rows of the
    people new, changed or removed), in the same snapshot as the file's rows; without a
    base (`base` false), everyone, as new.

    Parameters: %(job)s, %(chain)s (the base's chain of job ids, newest first), %(tz)s."""
    if not base:
        return (
            "INSERT INTO sharing_exportmember (job_id, person_id, change, digests)"  # noqa: S608 - column SQL is ours, values are bound
            f" SELECT %(job)s, {P}.id, 1, {_digests(columns)} FROM registry_person{PLACES}"
            f" WHERE {where}"
        )
    comparison = _comparison(columns, where, same_columns=same_columns, scoped=scoped, values=False)
    return f"WITH {comparison}\n{_RECORD}"


def delta_sql(
    columns: list[str], where: str, *, neutralise: bool, same_columns: bool, scoped: bool
) -> str:
    """One statement: compare the people selected now with the base's state (what the
    chain of exports ending with the base job sent last), record the people that changed
    (ExportMember: new, changed, removed, with their digests) and read their rows.

    Parameters: %(job)s, %(chain)s (the base's chain of job ids, newest first),
    %(programme)s, %(tz)s, %(codes)s (the column codes)."""
    comparison = _comparison(columns, where, same_columns=same_columns, scoped=scoped)
    # The key column (first) is written once, in the leading columns, for removals too.
    cells = ", ".join(
        _cell(code, f"diff.vals[{index}]", neutralise=neutralise)
        for index, code in enumerate(columns, start=1)
        if index > 1
    )
    changed_columns = (
        "array_to_string(ARRAY(SELECT (%(codes)s::text[])[i]"
        " FROM generate_subscripts(diff.new_d, 1) i"
        " WHERE diff.old_d IS NULL OR diff.new_d[i] IS DISTINCT FROM diff.old_d[i]), ' ')"
    )
    number = "coalesce(diff.number, p.registration_number)"
    return f"""
WITH RECURSIVE {comparison},
ins AS ({_RECORD}),
chain (start_id, id, next_id, depth) AS (
  SELECT q.id, q.id, q.merged_into_id, 0 FROM registry_person q
  JOIN diff ON diff.person_id = q.id AND diff.change = 3
  WHERE q.merged_into_id IS NOT NULL
  UNION ALL
  SELECT chain.start_id, q.id, q.merged_into_id, chain.depth + 1
  FROM chain JOIN registry_person q ON q.id = chain.next_id
  WHERE chain.depth < 20
),
survivor AS (
  SELECT DISTINCT ON (chain.start_id) chain.start_id, q.registration_number
  FROM chain JOIN registry_person q ON q.id = chain.id
  ORDER BY chain.start_id, chain.depth DESC
)
SELECT CASE diff.change WHEN 1 THEN 'new' WHEN 2 THEN 'changed' ELSE 'removed' END,
       {number},
       CASE WHEN diff.change = 2 THEN {changed_columns} ELSE '' END,
       CASE WHEN diff.change = 3 THEN {REMOVAL_REASON_SQL} ELSE '' END,
       CASE WHEN diff.change = 3 AND p.status = 'merged'
            THEN coalesce(survivor.registration_number, '') ELSE '' END,
       {cells}
FROM diff
-- The removed people's records, one index probe each (OFFSET 0 keeps it a probe: the
-- planner cannot tell how few they are and would hash the whole table).
LEFT JOIN LATERAL (
  SELECT q.id, q.status, q.registration_number FROM registry_person q
  WHERE q.id = diff.person_id AND diff.change = 3 OFFSET 0
) p ON true
LEFT JOIN survivor ON survivor.start_id = diff.person_id
WHERE diff.change <> 4
ORDER BY {number}
"""  # noqa: S608 - column SQL is ours, values are bound


DELTA_LEADING_COLUMNS = [
    "change",
    "registration_number",
    "changed_columns",
    "reason",
    "survivor_number",
]


def time_zone() -> str:
    return settings.TIME_ZONE
