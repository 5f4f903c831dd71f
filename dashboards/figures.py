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


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Part:
    """One piece of a period: cells of `grain` from `start` to `end` (inclusive days;
    None: open), counted with `sign` (+1, or -1 for days taken back out of a month)."""

    grain: str
    start: datetime.date | None = None
    end: datetime.date | None = None
    sign: int = 1


def period_parts(
    start: datetime.date | None,
    end: datetime.date | None,
    *,
    trend: str | None,
    today: datetime.date,
) -> list[Part]:
    """How to read a period with as few cells as possible: the whole months in it from
    month cells, and each partial month at its edges from day cells, either adding the
    days that are in the period or, when fewer, taking those that are not out of the
    month's cell. A trend by day or week reads days throughout; no period: all time."""
    if end is not None and end >= today:
        end = None  # nothing is counted after today: the months so far are whole
    if trend in ("day", "week"):
        return [Part(DAY, start, end)]
    if start is None and end is None:
        return [Part(MONTH if trend else ALL)]
    if start is not None and end is not None and end < start:
        return []
    first = start.replace(day=1) if start else None
    last = _month_end(end) if end else None
    parts: list[Part] = []
    if first is not None and last is not None and first.replace(day=28) == last.replace(day=28):
        # One month: its days, or the month less the days before and after.
        assert start is not None and end is not None
        inside = (end - start).days + 1
        if inside <= (start - first).days + (last - end).days + 1:
            return [Part(DAY, start, end)]
        parts.append(Part(MONTH, first, last))
        if start > first:
            parts.append(Part(DAY, first, start - datetime.timedelta(days=1), -1))
        if end < last:
            parts.append(Part(DAY, end + datetime.timedelta(days=1), last, -1))
        return parts
    months_from, months_to = first, last
    if start is not None and first is not None and start > first:
        before = (start - first).days  # days of the first month not in the period
        in_it = (min(_month_end(start), today) - start).days + 1
        if in_it < before:
            parts.append(Part(DAY, start, _month_end(start)))
            months_from = _month_end(start) + datetime.timedelta(days=1)
        else:
            parts.append(Part(DAY, first, start - datetime.timedelta(days=1), -1))
    if end is not None and last is not None and end < last:
        after = (last - end).days  # days of the last month not in the period
        in_it = end.day
        if in_it < after:
            parts.append(Part(DAY, end.replace(day=1), end))
            months_to = end.replace(day=1) - datetime.timedelta(days=1)
        else:
            parts.append(Part(DAY, end + datetime.timedelta(days=1), last, -1))
    if months_from is not None and months_from > today:
        return parts  # the period ends with the current month's days
    if months_from is None or months_to is None or months_from <= months_to:
        parts.insert(0, Part(MONTH, months_from, months_to))
    return parts


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
    Each part of the period (`period_parts`) reads the smallest cuboid that can answer
    it at its grain; the parts' signed counts are added up.
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
    groups = list(by)
    if trend:
        groups.append(f"date_trunc('{trend}', period)::date")
    selects: list[str] = []
    params: list[Any] = []
    for part in period_parts(filters.start, filters.end, trend=trend, today=today):
        cuboid = cuboid_for(needs=needs, grain=part.grain, measure=measure)
        sql_where = ["cuboid = %s"]
        params.append(cuboid.id)
        # The area first, in the unique index's order, levels the cuboid does not keep
        # included (always 0): one range of the index, down to the period.
        for dim in AREA_LEVELS:
            if dim in conditions:
                sql_where.append(f"{dim} = %s")
                params.append(conditions[dim])
            elif dim not in cuboid.keeps:
                sql_where.append(f"{dim} = 0")
        for dim in sorted(set(conditions) - set(AREA_LEVELS)):
            value = conditions[dim]
            if isinstance(value, tuple) and value and value[0] == "not":
                sql_where.append(f"{dim} <> %s")
                params.append(value[1])
            else:
                sql_where.append(f"{dim} = %s")
                params.append(value)
        if part.start:
            sql_where.append("period >= %s")
            params.append(part.start if cuboid.grain == DAY else part.start.replace(day=1))
        if part.end:
            sql_where.append("period <= %s")
            params.append(part.end)
        columns = [*(f"{g} AS g{i}" for i, g in enumerate(groups)), f"{part.sign} * n AS n"]
        selects.append(
            f"SELECT {', '.join(columns)} FROM dashboards_rollup_cell"  # noqa: S608 (names checked above, values bound)
            f" WHERE {' AND '.join(sql_where)}"
        )
    if not selects:  # an empty period
        selects.append(
            "SELECT "
            + ", ".join([*(f"NULL AS g{i}" for i in range(len(groups))), "0 AS n"])
            + " WHERE false"
        )
    select = ", ".join([*(f"g{i}" for i in range(len(groups))), "sum(n)::bigint AS n"])
    sql = f"SELECT {select} FROM ({' UNION ALL '.join(selects)}) AS parts"  # noqa: S608
    if groups:
        sql += f" GROUP BY {', '.join(f'g{i}' for i in range(len(groups)))}"
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
