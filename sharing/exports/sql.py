"""The SQL of the documented export columns, and the statements of a full export and
a delta. Values leave PostgreSQL as text, in the job's column order."""

from django.conf import settings

from programmes.columns import EXPORT_COLUMNS
from registry.spreadsheets import FORMULA_STARTS

# Each column of programmes.columns.EXPORT_COLUMNS, over person p, village v, commune c,
# district d and province pr.
COLUMN_SQL: dict[str, str] = {
    "registration_number": "p.registration_number",
    "name_km": "p.name_km",
    "name_latin": "p.name_latin",
    "sex": "p.sex",
    "date_of_birth": "to_char(p.date_of_birth, 'YYYY-MM-DD')",
    "phone": "p.phone",
    "national_id": "p.national_id",
    "province_code": "pr.code",
    "district_code": "d.code",
    "commune_code": "c.code",
    "village_code": "v.code",
    "actor_type": "p.actor_type",
    "sector": "p.sector",
    "occupation": "p.occupation",
    "registered_on": "to_char(p.created_at AT TIME ZONE %(tz)s, 'YYYY-MM-DD')",
    "channel": "p.channel",
}
assert set(COLUMN_SQL) == set(EXPORT_COLUMNS), "every documented column has its SQL"

PLACES = (
    " JOIN registry_village v ON v.id = p.village_id"
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


def current_rows_sql(columns: list[str], selection_sql: str) -> str:
    """CTE body: each selected person's number, values and per-column digests."""
    values = ", ".join(f"coalesce({COLUMN_SQL[code]}, '')" for code in columns)
    digests = ", ".join(
        f"hashtextextended(coalesce({COLUMN_SQL[code]}, ''), 0)" for code in columns
    )
    return (
        "SELECT p.id AS person_id, p.registration_number AS number,"  # noqa: S608 - column SQL is ours, values are bound
        f" ARRAY[{values}]::text[] AS vals, ARRAY[{digests}]::bigint[] AS digests"
        f" FROM registry_person p{PLACES}"
        f" WHERE p.id IN ({selection_sql})"
    )


def _output(
    columns: list[str], *, neutralise: bool, source: str = "vals", first: int = 1
) -> list[str]:
    out = []
    for index in range(first, len(columns) + 1):
        cell = f"{source}[{index}]"
        out.append(neutralised_sql(cell) if neutralise else cell)
    return out


def full_export_sql(columns: list[str], selection_sql: str, *, neutralise: bool) -> str:
    """One statement: snapshot the people (ExportMember) and read their rows, so the file
    and the snapshot see the same instant. Parameters: %(job)s, %(tz)s, the selection's."""
    cells = ", ".join(_output(columns, neutralise=neutralise))
    return (
        f"WITH cur AS MATERIALIZED ({current_rows_sql(columns, selection_sql)}),"  # noqa: S608 - column SQL is ours, values are bound
        " ins AS (INSERT INTO sharing_exportmember (job_id, person_id, change, digests)"
        " SELECT %(job)s, person_id, 0, digests FROM cur)"
        f" SELECT {cells} FROM cur ORDER BY number"
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


def delta_sql(
    columns: list[str], selection_sql: str, *, neutralise: bool, same_columns: bool
) -> str:
    """One statement: compare the people selected now with the base job's, snapshot them
    (ExportMember, with what changed) and read the rows that changed.

    Parameters: %(job)s, %(base)s, %(programme)s, %(tz)s, %(codes)s (the column codes),
    the selection's."""
    # The key column (first) is written once, in the leading columns, for removals too.
    cells = ", ".join(_output(columns, neutralise=neutralise, source="diff.vals", first=2))
    changed = (
        "CASE WHEN cur.digests = base.digests THEN 4 ELSE 2 END"
        if same_columns
        else "2"  # the columns themselves changed: every row is sent again
    )
    changed_columns = (
        "array_to_string(ARRAY(SELECT (%(codes)s::text[])[i]"
        " FROM generate_subscripts(diff.new_d, 1) i"
        " WHERE diff.old_d IS NULL OR diff.new_d[i] IS DISTINCT FROM diff.old_d[i]), ' ')"
    )
    number = "coalesce(diff.number, p.registration_number)"
    return f"""
WITH RECURSIVE cur AS MATERIALIZED ({current_rows_sql(columns, selection_sql)}),
base AS MATERIALIZED (
  SELECT person_id, digests FROM sharing_exportmember
  WHERE job_id = %(base)s AND change <> 3
),
diff AS MATERIALIZED (
  SELECT coalesce(cur.person_id, base.person_id) AS person_id, cur.number, cur.vals,
         cur.digests AS new_d, base.digests AS old_d,
         CASE WHEN base.person_id IS NULL THEN 1
              WHEN cur.person_id IS NULL THEN 3
              ELSE {changed} END AS change
  FROM cur FULL OUTER JOIN base ON base.person_id = cur.person_id
),
ins AS (
  INSERT INTO sharing_exportmember (job_id, person_id, change, digests)
  SELECT %(job)s, person_id, change, new_d FROM diff
),
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
LEFT JOIN registry_person p ON p.id = diff.person_id AND diff.change = 3
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
