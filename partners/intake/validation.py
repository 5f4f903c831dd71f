"""Validating a stored batch: read the file, check every row, store the outcome per row.

The rows are checked in chunks; each chunk's rows are written with COPY and the batch's
`processed_rows` moved on in one transaction, so a progress bar can follow. A crash
leaves the batch `validating`: running the validation again deletes the rows written
so far and starts over. Large files are checked by several processes (fork), which
share the context read from the database before they start.
"""

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator

from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from partners.intake.checking import (
    COPY_COLUMNS,
    CheckContext,
    CheckedChunk,
    check_context_build,
    chunk_check,
)
from partners.intake.locking import VALIDATE, batch_step_lock
from partners.intake.reading import IntakeFile, IntakeRowCells, intake_file_read
from partners.models import IntakeBatch, IntakeRow

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5_000
# Below this, starting processes costs more than it saves.
PARALLEL_MIN_ROWS = 20_000
MAX_PROCESSES = 4

Progress = Callable[[int, int], None]

# Set in the parent before forking: the children read it, nothing is pickled but indices.
_shared: tuple[list[IntakeRowCells], CheckContext] | None = None


def batch_validate(*, batch_id: int, on_progress: Progress | None = None) -> IntakeBatch:
    with batch_step_lock(batch_id=batch_id, step=VALIDATE) as acquired:
        if not acquired:
            logger.info("intake batch %s: validation already running elsewhere", batch_id)
            return IntakeBatch.objects.get(pk=batch_id)
        batch = _start(batch_id)
        if batch.status != IntakeBatch.Status.VALIDATING:
            return batch
        try:
            with batch.file.open("rb") as stored:
                data = stored.read()
            intake_file = intake_file_read(data=data, name=batch.original_name)
            return _check_and_store(batch, intake_file, on_progress)
        except ValidationError as error:
            return _reject(batch, error)
        except (OperationalError, InterfaceError):
            raise  # the database went away: the task retries, and starts over
        except Exception as error:
            # Whatever else breaks, the batch must not stay "validating" with no word.
            # Only the error's type is logged: its text may quote a row (PostgreSQL's
            # COPY errors do), and rows hold names and phones.
            logger.error("intake batch %s: checking failed (%s)", batch.pk, type(error).__name__)
            return _reject(batch, _unreadable(), rows_written=True)


def _start(batch_id: int) -> IntakeBatch:
    with transaction.atomic():
        batch = (
            IntakeBatch.objects.select_for_update()
            .select_related("branch__partner")
            .get(pk=batch_id)
        )
        if batch.status not in (IntakeBatch.Status.UPLOADED, IntakeBatch.Status.VALIDATING):
            return batch
        # Rows from an interrupted run: start over.
        IntakeRow.objects.filter(batch=batch).delete()
        batch.status = IntakeBatch.Status.VALIDATING
        batch.error_km = batch.error_en = ""
        for counter in ("total", "valid", "invalid", "existing", "processed", "committed"):
            setattr(batch, f"{counter}_rows", 0)
        batch.save()
    return batch


def _unreadable() -> ValidationError:
    return ValidationError(
        _(
            "The file could not be checked: something in it cannot be read. Save it again "
            'as "CSV UTF-8 (Comma delimited)" or as an Excel workbook (.xlsx), check it, '
            "and upload it again. If it is refused again, send it to your administrator."
        ),
        code="file_unreadable",
    )


def _reject(batch: IntakeBatch, error: ValidationError, rows_written: bool = False) -> IntakeBatch:
    messages = {}
    for language in ("km", "en"):
        with override(language):
            messages[language] = " ".join(str(m) for m in error.messages)
    with transaction.atomic():
        if rows_written:  # the rows of the chunks checked before the failure
            IntakeRow.objects.filter(batch=batch).delete()
        IntakeBatch.objects.filter(pk=batch.pk).update(
            status=IntakeBatch.Status.REJECTED,
            error_km=messages["km"],
            error_en=messages["en"],
            validated_at=timezone.now(),
        )
    batch.refresh_from_db()
    logger.info("intake batch %s refused: %s", batch.pk, error.code)
    return batch


def _check_and_store(
    batch: IntakeBatch, intake_file: IntakeFile, on_progress: Progress | None
) -> IntakeBatch:
    rows = intake_file.rows
    IntakeBatch.objects.filter(pk=batch.pk).update(total_rows=len(rows))
    try:
        context = check_context_build(batch=batch, rows=rows, today=timezone.localdate())
    except ValidationError as error:  # a column the file cannot have (consent_<unknown>)
        return _reject(batch, error)
    counts = dict.fromkeys(IntakeRow.Status.values, 0)
    processed = 0
    for checked in _checked_chunks(rows, context):
        size = sum(checked.counts.values())
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.copy(f"COPY partners_intakerow ({COPY_COLUMNS}) FROM STDIN") as copy:
                copy.write(checked.copy_data)
            processed += size
            IntakeBatch.objects.filter(pk=batch.pk).update(processed_rows=processed)
        for status, count in checked.counts.items():
            counts[status] += count
        if on_progress:
            on_progress(processed, len(rows))
    with transaction.atomic():
        IntakeBatch.objects.filter(pk=batch.pk, status=IntakeBatch.Status.VALIDATING).update(
            status=IntakeBatch.Status.VALIDATED,
            total_rows=len(rows),
            valid_rows=counts[IntakeRow.Status.VALID],
            invalid_rows=counts[IntakeRow.Status.INVALID],
            existing_rows=counts[IntakeRow.Status.EXISTING],
            processed_rows=len(rows),
            validated_at=timezone.now(),
        )
    batch.refresh_from_db()
    return batch


def _processes(rows: int) -> int:
    if rows < PARALLEL_MIN_ROWS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(MAX_PROCESSES, os.cpu_count() or 1))


def _checked_chunks(rows: list[IntakeRowCells], context: CheckContext) -> Iterator[CheckedChunk]:
    bounds = [
        (start, min(start + CHUNK_ROWS, len(rows))) for start in range(0, len(rows), CHUNK_ROWS)
    ]
    processes = _processes(len(rows))
    if processes > 1:
        pool = _pool(rows, context, processes)
        if pool is not None:
            with pool:
                yield from pool.imap(_chunk_check_shared, bounds)
            return
    for start, end in bounds:
        yield chunk_check(rows[start:end], context)


def _pool(rows, context, processes):
    global _shared
    _shared = (rows, context)
    current = multiprocessing.current_process()
    daemon = current._config.get("daemon")
    try:
        # A Celery prefork worker is a daemonic process, which multiprocessing forbids to
        # start children lest they outlive it. These cannot: the pool is closed by the
        # caller's `with`, and if this process dies its workers read EOF and exit.
        current._config["daemon"] = False
        # Forked children inherit the rows and the context; they never use the database
        # connection they also inherit (checking is pure) and leave with os._exit.
        return multiprocessing.get_context("fork").Pool(processes)
    except (AssertionError, OSError) as error:
        logger.info("intake: checking in one process (%s)", error)
        return None
    finally:
        current._config["daemon"] = daemon
        _shared = None


def _chunk_check_shared(bounds: tuple[int, int]) -> CheckedChunk:
    assert _shared is not None
    rows, context = _shared
    start, end = bounds
    return chunk_check(rows[start:end], context)
