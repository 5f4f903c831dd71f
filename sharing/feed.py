"""The delta feed a programme's system reads through the API: the rows of its finished
delta files, one after another, in a stable order, from a cursor."""

import base64
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from programmes.models import Programme
from registry.spreadsheets import cell_neutralise
from sharing.exports.runner import BOM, exports_root
from sharing.exports.sql import DELTA_LEADING_COLUMNS
from sharing.models import ExportJob


class CursorInvalidError(Exception):
    pass


class FeedGoneError(Exception):
    """The cursor points into a delta whose file was deleted after its retention."""


@dataclass(frozen=True)
class FeedPage:
    rows: list[dict]
    next_cursor: str
    more: bool


def cursor_encode(job_id: int, row: int) -> str:
    return base64.urlsafe_b64encode(f"{job_id}:{row}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[int, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        job, row = base64.urlsafe_b64decode(padded).decode().split(":")
        return int(job), int(row)
    except (ValueError, UnicodeDecodeError) as error:
        raise CursorInvalidError from error


def _plain(value: str) -> str:
    """A cell as the registrant typed it: the apostrophe cell_neutralise added, removed."""
    if value.startswith("'") and cell_neutralise(value[1:]) == value:
        return value[1:]
    return value


def _rows(job: ExportJob) -> Iterator[list[str]]:
    path = exports_root() / job.file_name
    if not job.file_name or not path.is_file():
        raise FeedGoneError
    if job.file_format == ExportJob.Format.XLSX:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        for values in islice(workbook.active.iter_rows(values_only=True), 1, None):
            yield ["" if v is None else str(v) for v in values]
        return
    with path.open(encoding="utf-8", newline="") as handle:
        if handle.read(1) != BOM.decode():
            handle.seek(0)
        reader = csv.reader(handle)
        next(reader, None)
        yield from reader


def delta_feed(*, programme: Programme, cursor: str | None, limit: int) -> FeedPage:
    """Up to `limit` rows after `cursor` (absent: from the programme's first delta)."""
    deltas = ExportJob.objects.filter(
        programme=programme,
        kind=ExportJob.Kind.DELTA,
        status__in=[ExportJob.Status.DONE, ExportJob.Status.EXPIRED],
    ).order_by("pk")
    if cursor is None:
        # A new reader starts with the oldest delta whose file is still kept.
        deltas = deltas.filter(status=ExportJob.Status.DONE)
    job_id, start = cursor_decode(cursor) if cursor else (0, 0)
    rows: list[dict] = []
    position = (job_id, start)
    for job in deltas.filter(pk__gte=job_id):
        offset = start if job.pk == job_id else 0
        if job.status == ExportJob.Status.EXPIRED:
            raise FeedGoneError
        names = [*DELTA_LEADING_COLUMNS, *job.columns[1:]]
        taken = 0
        for values in islice(_rows(job), offset, offset + limit - len(rows)):
            row = dict(zip(names, values, strict=False))
            rows.append(
                {
                    "delta": job.pk,
                    "change": row["change"],
                    "registration_number": row["registration_number"],
                    "changed_columns": row["changed_columns"].split(),
                    "reason": row["reason"],
                    "survivor_number": row["survivor_number"],
                    "values": {k: _plain(row[k]) for k in names[len(DELTA_LEADING_COLUMNS) :]},
                }
            )
            taken += 1
        position = (job.pk, offset + taken)
        if len(rows) >= limit:
            more = True
            break
        # This delta is read to its end: the next page starts with the next delta.
        position = (job.pk + 1, 0)
    else:
        more = False
    return FeedPage(rows=rows, next_cursor=cursor_encode(*position), more=more)
