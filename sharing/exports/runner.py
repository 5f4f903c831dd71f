"""Running one export job: its statement through COPY TO STDOUT, into a file written
under a temporary name and published whole (renamed) with its SHA-256 and row count."""

import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from registry.spreadsheets import cell_neutralise
from sharing.exports.sql import DELTA_LEADING_COLUMNS

BOM = "\ufeff".encode()
BUFFER_SIZE = 1 << 20
# Rows between two progress reports (the progress bar reads them from the cache).
PROGRESS_EVERY = 20_000
# An Excel sheet holds 1,048,576 rows, one of which is the header.
XLSX_MAX_ROWS = 1_048_575
# Every entry of a workbook gets this date, so the same data gives the same bytes.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def exports_root() -> Path:
    return Path(settings.EXPORTS_ROOT)


def progress_key(job_id: int) -> str:
    return f"sharing:export-progress:{job_id}"


@dataclass
class Written:
    rows: int
    sha256: str
    size: int
    gazetteer: str = ""


def composed(sql: str, params: dict | list | tuple) -> str:
    """The statement with its parameters bound client-side (COPY takes no parameters)."""
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def header_line(columns: list[str]) -> bytes:
    return (",".join(columns) + "\n").encode()


@contextmanager
def _copy_out(statement: str) -> Iterator[Any]:
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        # The planner's estimates for these statements are high enough to make it compile
        # them (JIT), which costs seconds and saves nothing on a single pass over the rows.
        # LOCAL: the export runs in a transaction (services.export_run).
        cursor.execute("SET LOCAL jit = off")
        # Rows are sorted by registration number: in memory rather than on disk, where it fits.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        with cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv)") as copy:
            # One chunk is one row (libpq's COPY protocol), so rows are counted by chunk,
            # never by line ends (a quoted value may hold one). The caller iterates the
            # COPY itself: no generator between it and a million rows.
            yield copy


def write_csv(*, statement: str, header: list[str], target: Path, job_id: int) -> Written:
    """Stream the statement's rows to `target`: UTF-8 with a BOM (Excel reads Khmer)."""
    rows = 0
    # COPY hands over one row at a time (a view of psycopg's buffer): each is written at
    # once into a 1 MiB buffer, the per-row work kept to a write and a count (holding the
    # views to join them costs more than the COPY itself). Hashed after, from the file.
    with target.open("wb", buffering=BUFFER_SIZE) as handle, _copy_out(statement) as copy:
        write = handle.write
        write(BOM + header_line(header))
        for chunk in copy:
            write(chunk)
            rows += 1
            if not rows % PROGRESS_EVERY:
                cache.set(progress_key(job_id), rows, 3600)
        handle.flush()
        os.fsync(handle.fileno())
    digest = hashlib.sha256()
    size = 0
    with target.open("rb") as handle:
        while block := handle.read(BUFFER_SIZE):
            digest.update(block)
            size += len(block)
    return Written(rows=rows, sha256=digest.hexdigest(), size=size)


def write_xlsx(*, statement: str, header: list[str], target: Path, job_id: int) -> Written:
    """The same rows as a workbook; each text cell through cell_neutralise."""
    from openpyxl import Workbook

    spool = target.with_suffix(".rows")
    try:
        with spool.open("wb") as handle, _copy_out(statement) as copy:
            for chunk in copy:
                handle.write(chunk)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("export")
        sheet.append(header)
        rows = 0
        with spool.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                sheet.append([cell_neutralise(cell) for cell in row])
                rows += 1
                if rows % PROGRESS_EVERY == 0:
                    cache.set(progress_key(job_id), rows, 3600)
        buffer = io.BytesIO()
        workbook.save(buffer)
    finally:
        spool.unlink(missing_ok=True)
    data = _zip_without_dates(buffer.getvalue())
    with target.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return Written(rows=rows, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _zip_without_dates(data: bytes) -> bytes:
    """The workbook with fixed entry dates and document dates, so unchanged data gives a
    byte-identical file (openpyxl stamps the time of writing)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _fixed_core_dates(content)
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def _fixed_core_dates(xml: bytes) -> bytes:
    import re

    return re.sub(
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
        rb"\g<1>2000-01-01T00:00:00Z\g<2>",
        xml,
    )


def delta_header(columns: list[str]) -> list[str]:
    return [*DELTA_LEADING_COLUMNS, *columns[1:]]
