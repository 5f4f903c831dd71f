"""Reading the rollups: exact counts by any dimension under any filters, never a person.

`cell_counts` turns a question (filters, what to break down by, which measure) into one
GROUP BY over the smallest cuboid that can answer it (dashboards.cuboids).
"""

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from dashboards.cuboids import ALL, AREA_LEVELS, DAY, MONTH, PEOPLE, cuboid_for
from dashboards.models import CELL_DIMENSIONS

ACTIVE = "active"


@dataclass(frozen=True)
class Filters:
    """What a dashboard view is narrowed to (every field optional, all combined)."""

    # The area as its chain of ids, down to the level chosen: {"province_id": 3, ...}.
    area: dict[str, int] = field(default_factory=dict)
    start: datetime.date | None = None
    end: datetime.date | None = None  # inclusive
    channel: str = ""
    actor_type: str = ""
    sector: str = ""
    sex: str = ""
    # Partner dashboards: only this partner's registrants.
    partner_id: int | None = None

    @property
    def area_depth(self) -> int:
        return len(self.area)

    def month_aligned(self, today: datetime.date) -> bool:
        """Whether whole months answer the period (so month cells can be read)."""
        start_ok = self.start is None or self.start.day == 1
        if self.end is None or self.end >= today:
            return start_ok
        return start_ok and (self.end + datetime.timedelta(days=1)).day == 1


def _grain_for(filters: Filters, *, trend: str | None, today: datetime.date) -> str:
    if trend in ("day", "week") or not filters.month_aligned(today):
        return DAY
    if trend or filters.start or filters.end:
        return MONTH
    return ALL


def _question(
    *,
    filters: Filters,
    by: tuple[str, ...] = (),
    status: str | None = ACTIVE,
    measure: str = PEOPLE,
    trend: str | None = None,
    today: datetime.date,
    where: dict[str, object] | None = None,
) -> tuple[str, list[Any], int]:
    """The SQL of a cell_counts question: (sql, params, number of grouping values).

    `trend` ("day", "week", "month") adds the period as the last grouping value (the
    first day of the day, week or month). `where` adds equality conditions on other
    dimensions (e.g. {"campaign_id": 0} excluded with a negative: see callers).
    """
    conditions: dict[str, object] = dict(filters.area)
    for dim in ("channel", "actor_type", "sector", "sex"):
        if getattr(filters, dim):
            conditions[dim] = getattr(filters, dim)
    if filters.partner_id is not None:
        conditions["partner_id"] = filters.partner_id
    if status:
        conditions["status"] = status
    conditions.update(where or {})
    needs = set(conditions) | set(by)
    # Column names go into the SQL: only the cells' own dimensions, never input.
    if not needs <= set(CELL_DIMENSIONS) or trend not in (None, "day", "week", "month"):
        raise ValueError(f"not a dimension: {sorted(needs - set(CELL_DIMENSIONS))} {trend}")
    needs.discard("period")
    grain = _grain_for(filters, trend=trend, today=today)
    cuboid = cuboid_for(needs=needs, grain=grain, measure=measure)

    sql_where = ["cuboid = %s"]
    params: list[Any] = [cuboid.id]
    # Area first, in the unique index's order, so one range of it is read.
    for dim in sorted(conditions, key=lambda d: (d not in AREA_LEVELS, d)):
        value = conditions[dim]
        if isinstance(value, tuple) and value and value[0] == "not":
            sql_where.append(f"{dim} <> %s")
            params.append(value[1])
        else:
            sql_where.append(f"{dim} = %s")
            params.append(value)
    if filters.start:
        start = filters.start if cuboid.grain == DAY else filters.start.replace(day=1)
        sql_where.append("period >= %s")
        params.append(start)
    if filters.end:
        sql_where.append("period <= %s")
        params.append(filters.end)
    groups = list(by)
    if trend:
        groups.append("period" if trend == cuboid.grain else f"date_trunc('{trend}', period)::date")
    select = ", ".join([*(f"{g} AS g{i}" for i, g in enumerate(groups)), "sum(n)::bigint AS n"])
    sql = f"SELECT {select} FROM dashboards_rollup_cell WHERE {' AND '.join(sql_where)}"  # noqa: S608 (names checked above, values bound)
    if groups:
        positions = ", ".join(str(i + 1) for i in range(len(groups)))
        sql += f" GROUP BY {positions}"
    return sql, params, len(groups)


def cell_counts(**question) -> list[tuple]:
    """Rows of (*values of `by`, [period], count), counting `measure` under `filters`
    (the arguments of `_question`); one row (count,) when nothing is grouped."""
    return cell_counts_many({"one": question})["one"]


def cell_counts_many(questions: dict[str, dict]) -> dict[str, list[tuple]]:
    """Several cell_counts questions in one round trip to the database (a page asks a
    dozen; on a busy server the round trips, not the sums, are what takes time)."""
    parts, params, shapes = [], [], {}
    for i, (key, question) in enumerate(questions.items()):
        sql, part_params, groups = _question(**question)
        parts.append(f"SELECT {i} AS q, to_jsonb(s) AS r FROM ({sql}) AS s")  # noqa: S608
        params.extend(part_params)
        shapes[i] = (key, groups, question.get("trend"))
    answers: dict[str, list[tuple]] = {key: [] for key in questions}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for index, row in cursor.fetchall():
            key, groups, trend = shapes[index]
            if isinstance(row, str):
                row = json.loads(row)
            values = [row[f"g{g}"] for g in range(groups)]
            if trend and values:
                values[-1] = datetime.date.fromisoformat(values[-1])
            if groups and not row["n"]:
                continue
            answers[key].append((*values, int(row["n"] or 0)))
    for key, groups, _trend in shapes.values():
        if not groups and not answers[key]:
            answers[key] = [(0,)]
    return answers


def count(**kwargs) -> int:
    return int(cell_counts(**kwargs)[0][0])


def child_level(filters: Filters) -> str | None:
    """The area level a drill-down shows next (None below the village)."""
    depth = filters.area_depth
    return AREA_LEVELS[depth] if depth < len(AREA_LEVELS) else None


__all__ = ["ACTIVE", "DAY", "MONTH", "Filters", "cell_counts", "child_level", "count"]
