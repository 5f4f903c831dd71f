"""Keeping the rollups in step with the registry (see dashboards.models for the design)."""
# The SQL here is built from constants (FACT_COLUMNS, the cuboid definitions): "noqa: S608".

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dashboards.cuboids import ALL, ALL_TIME, CONSENTS, CUBOIDS, DAY, MONTH, Cuboid
from dashboards.models import CELL_DIMENSIONS, RollupState

# One refresh at a time, whichever worker runs it (pg_advisory_xact_lock key).
LOCK_KEY = 0x0DA5B0A2D
# Ids taken from the queue per transaction: a burst of a whole bulk file is a few rounds.
BATCH = 20_000

FACT_COLUMNS = (
    "person_id, day, province_id, district_id, commune_id, village_id, channel, actor_type,"
    " sector, sex, age_band, partner_id, branch_id, staff_id, campaign_id, status, programmes"
)

# What a registrant counts as now. %(where)s narrows it to the people being refreshed.
FACT_SELECT = """
SELECT p.id, (p.created_at AT TIME ZONE %(tz)s)::date, d.province_id, c.district_id,
       v.commune_id, p.village_id, p.channel, p.actor_type, p.sector, p.sex,
       CASE
         WHEN age < 18 THEN 1 WHEN age < 25 THEN 2 WHEN age < 35 THEN 3 WHEN age < 45 THEN 4
         WHEN age < 55 THEN 5 WHEN age < 65 THEN 6 ELSE 7
       END,
       coalesce(p.partner_id, 0), coalesce(p.branch_id, 0), coalesce(p.entered_by_id, 0),
       coalesce(a.campaign_id, 0), p.status,
       coalesce(
         (SELECT array_agg(coalesce(k.programme_id, -1) ORDER BY k.programme_id)
          FROM registry_consent k WHERE k.person_id = p.id AND k.withdrawn_at IS NULL),
         '{}'
       )
FROM registry_person p
JOIN registry_village v ON v.id = p.village_id
JOIN registry_commune c ON c.id = v.commune_id
JOIN registry_district d ON d.id = c.district_id
LEFT JOIN campaigns_attribution a ON a.person_id = p.id
CROSS JOIN LATERAL (
  SELECT extract(year FROM age((p.created_at AT TIME ZONE %(tz)s)::date, p.date_of_birth))::int
) AS years(age)
%(where)s
"""

_DEFAULTS = {
    "province_id": "0",
    "district_id": "0",
    "commune_id": "0",
    "village_id": "0",
    "channel": "''",
    "actor_type": "''",
    "sector": "''",
    "sex": "''",
    "age_band": "0",
    "partner_id": "0",
    "branch_id": "0",
    "staff_id": "0",
    "campaign_id": "0",
    "status": "''",
    "programme_id": "0",
}


def _cell_upsert_sql(cuboid: Cuboid) -> str:
    """Add the delta table's signed rows into `cuboid`'s cells."""
    period = {
        MONTH: "date_trunc('month', day)::date",
        DAY: "day",
        ALL: f"DATE '{ALL_TIME}'",
    }[cuboid.grain]
    values = []
    for dim in CELL_DIMENSIONS:
        if dim == "period":
            values.append(period)
        elif dim == "programme_id":
            values.append("programme" if cuboid.measure == CONSENTS else "0")
        else:
            values.append(dim if dim in cuboid.keeps else _DEFAULTS[dim])
    source = "dash_delta"
    if cuboid.measure == CONSENTS:
        source = "dash_delta CROSS JOIN LATERAL unnest(programmes) AS u(programme)"
    columns = ", ".join(CELL_DIMENSIONS)
    groups = ", ".join(str(i) for i in range(2, len(values) + 2))
    return (
        f"INSERT INTO dashboards_rollup_cell (cuboid, {columns}, n)"  # noqa: S608
        f" SELECT {cuboid.id}, {', '.join(values)}, sum(sign) FROM {source}"
        f" GROUP BY {groups} HAVING sum(sign) <> 0"
        " ON CONFLICT ON CONSTRAINT rollup_cell_unique"
        " DO UPDATE SET n = dashboards_rollup_cell.n + EXCLUDED.n"
    )


def _new_delta(cursor, select: str, params=None) -> None:
    # Dropped at commit; inside an outer transaction (a test, a caller's atomic block)
    # the previous round's table may still be there.
    cursor.execute("DROP TABLE IF EXISTS dash_delta")
    cursor.execute("CREATE TEMP TABLE dash_delta ON COMMIT DROP AS " + select, params)


def _apply_delta(cursor, cuboids=CUBOIDS) -> None:
    for cuboid in cuboids:
        cursor.execute(_cell_upsert_sql(cuboid))
    cursor.execute("DELETE FROM dashboards_rollup_cell WHERE n = 0")


def rollups_refresh(*, batch: int = BATCH) -> int:
    """Bring the rollups up to date with every queued change; the number of people
    recounted. Safe to run concurrently (one waits) and again at any time."""
    done = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            cursor.execute(
                "DELETE FROM dashboards_dirty_person WHERE id IN"
                " (SELECT id FROM dashboards_dirty_person ORDER BY id LIMIT %s)"
                " RETURNING person_id",
                [batch],
            )
            taken = cursor.fetchall()
            ids = sorted({row[0] for row in taken})
            if ids:
                _new_delta(
                    cursor,
                    f"SELECT -1 AS sign, {FACT_COLUMNS} FROM dashboards_person_fact"  # noqa: S608
                    " WHERE person_id = ANY(%(ids)s)"
                    " UNION ALL SELECT 1, * FROM ("
                    + FACT_SELECT % {"tz": "%(tz)s", "where": "WHERE p.id = ANY(%(ids)s)"}
                    + ") AS now",
                    {"ids": ids, "tz": settings.TIME_ZONE},
                )
                _apply_delta(cursor)
                cursor.execute(
                    "DELETE FROM dashboards_person_fact WHERE person_id = ANY(%s)", [ids]
                )
                cursor.execute(
                    f"INSERT INTO dashboards_person_fact ({FACT_COLUMNS})"  # noqa: S608
                    f" SELECT {FACT_COLUMNS} FROM dash_delta WHERE sign = 1"
                )
            _mark_refreshed(cursor)
            done += len(ids)
        if len(taken) < batch:
            return done


def rollups_rebuild() -> int:
    """Recount everything from the registry (first install, bulk loads, repair)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(
            "TRUNCATE dashboards_rollup_cell, dashboards_person_fact, dashboards_dirty_person"
        )
        cursor.execute(
            f"INSERT INTO dashboards_person_fact ({FACT_COLUMNS})"
            + FACT_SELECT % {"tz": "%(tz)s", "where": ""},
            {"tz": settings.TIME_ZONE},
        )
        _new_delta(cursor, f"SELECT 1 AS sign, {FACT_COLUMNS} FROM dashboards_person_fact")  # noqa: S608
        _apply_delta(cursor)
        _mark_refreshed(cursor)
        cursor.execute("SELECT count(*) FROM dashboards_person_fact")
        return cursor.fetchone()[0]


def rollups_fill(*, cuboid_ids: set[int]) -> None:
    """Count the cuboids `cuboid_ids` afresh from what every registrant is counted as
    (PersonFact): for cuboids added to dashboards.cuboids after the rollups were built
    (a migration calls this), without recounting the others."""
    cuboids = [c for c in CUBOIDS if c.id in cuboid_ids]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(
            "DELETE FROM dashboards_rollup_cell WHERE cuboid = ANY(%s)", [[c.id for c in cuboids]]
        )
        _new_delta(cursor, f"SELECT 1 AS sign, {FACT_COLUMNS} FROM dashboards_person_fact")  # noqa: S608
        _apply_delta(cursor, cuboids)


def _mark_refreshed(cursor) -> None:
    cursor.execute(
        "INSERT INTO dashboards_rollup_state (id, refreshed_at) VALUES (1, %s)"
        " ON CONFLICT (id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at",
        [timezone.now()],
    )


def rollups_state() -> RollupState | None:
    return RollupState.objects.filter(pk=1).first()
