"""Committing a validated batch: its valid rows become registrants, chunk by chunk.

Each chunk is one transaction that does everything for its rows or nothing: the rows'
registrations through the registry's `registration_records_submit` (the same code as a
registration from the web, the counter or the API: people, history, consents, work,
campaign, confirmation SMS and the duplicate check after commit), and the rows' new
status. The batch stays `committing` until no valid row is left, and `committed_rows`
says how far it got, so a crash between chunks loses nothing and hides nothing: running
the commit again carries on with the rows still `valid`.

A (partner, reference) registered meanwhile by another channel or batch is reported as
`existing`, never duplicated (the registry decides, with the partial unique index).
"""

import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from partners.intake.locking import COMMIT, batch_step_lock
from partners.models import IntakeBatch, IntakeRow
from registry.services.registration_many import registration_records_submit

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5_000
PARALLEL_MIN_ROWS = 20_000
MAX_WORKERS = 4

Progress = Callable[[int, int], None]

# The chunk's rows as the registry reads registrations: (entry, ord, reference, record).
# A row checked before registration records existed stored its consents as
# [[programme id, code], ...] under "consents": read as the record's purposes.
_SOURCE = (
    "SELECT r.row_id, r.row_number, r.reference, CASE WHEN r.cleaned ? 'consents'"
    " THEN r.cleaned || jsonb_build_object('purposes',"
    " jsonb_path_query_array(r.cleaned->'consents', '$[*][0]')) ELSE r.cleaned END"
    " FROM intake_rows r"
)


def batch_commit(*, batch_id: int, on_progress: Progress | None = None) -> IntakeBatch:
    """Commit the batch's valid rows; safe to run again after a crash, or twice at once."""
    with batch_step_lock(batch_id=batch_id, step=COMMIT) as acquired:
        batch = IntakeBatch.objects.select_related("branch", "uploaded_by").get(pk=batch_id)
        if not acquired:
            logger.info("intake batch %s: commit already running elsewhere", batch_id)
            return batch
        if batch.status != IntakeBatch.Status.COMMITTING:
            return batch
        workers = _workers(batch.valid_rows - batch.processed_rows)
        if workers == 1:
            _commit_loop(batch, on_progress)
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="intake-commit") as pool:
                runs = [
                    pool.submit(_commit_thread, batch, on_progress, (share, workers))
                    for share in range(workers)
                ]
                for run in runs:
                    run.result()  # a chunk's error is raised here, after the others stop
        _finish(batch)
    batch.refresh_from_db()
    return batch


def _workers(rows: int) -> int:
    # PostgreSQL does most of a commit's work; one session per core (up to 4) uses a
    # machine's cores. Small batches (and the test suite's transactions) stay on this
    # connection.
    if rows < PARALLEL_MIN_ROWS:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def _commit_loop(
    batch: IntakeBatch, on_progress: Progress | None, part: tuple[int, int] = (0, 1)
) -> None:
    while _chunk_commit(batch=batch, part=part):
        if on_progress:
            done, total = IntakeBatch.objects.values_list("processed_rows", "valid_rows").get(
                pk=batch.pk
            )
            on_progress(done, total)


def _commit_thread(batch: IntakeBatch, on_progress: Progress | None, part) -> None:
    try:
        _commit_loop(batch, on_progress, part)
    finally:
        connection.close()  # this thread's own connection


def _finish(batch: IntakeBatch) -> None:
    with transaction.atomic():
        locked = IntakeBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != IntakeBatch.Status.COMMITTING:
            return
        if locked.rows.filter(status=IntakeRow.Status.VALID).exists():
            return  # a share stopped early: the batch stays committing, to be resumed
        locked.status = IntakeBatch.Status.COMMITTED
        locked.committed_at = timezone.now()
        locked.save(update_fields=["status", "committed_at"])


def _chunk_commit(*, batch: IntakeBatch, part: tuple[int, int] = (0, 1)) -> int:
    """Commit up to CHUNK_ROWS valid rows in one transaction; returns how many were handled.

    `part` (k, n): only rows whose row_number % n == k, so n sessions share a batch.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # No row locks: one process commits a batch (the advisory lock), and its sessions
        # take disjoint shares of the rows. No ORDER BY: sorting every valid row for each
        # chunk costs more than it is worth; people are inserted in file order per chunk.
        # Foreign keys are checked as each statement runs rather than at COMMIT, so the
        # batch row updated last is held only for the commit itself, not while another
        # session's checks would have to wait for it.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        share, shares = part
        # Dropped first: inside an outer transaction (tests, a caller's atomic block)
        # ON COMMIT DROP has not fired yet for the previous chunk.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.intake_rows")
        # The chunk's rows are read from partners_intakerow once, into a temporary table
        # the statements below join: joined directly, each statement would scan the
        # table, which holds every batch ever uploaded.
        cursor.execute(
            "CREATE TEMP TABLE intake_rows ON COMMIT DROP AS"
            " SELECT id AS row_id, row_number, reference, cleaned FROM partners_intakerow"
            " WHERE batch_id = %s AND status = %s AND row_number %% %s = %s LIMIT %s",
            [batch.pk, IntakeRow.Status.VALID, shares, share, CHUNK_ROWS],
        )
        cursor.execute("SELECT row_id FROM intake_rows")
        row_ids = [row_id for (row_id,) in cursor.fetchall()]
        if not row_ids:
            return 0
        outcome = registration_records_submit(
            source=_SOURCE,
            source_params={},
            entries=row_ids,
            channel=batch.channel,
            entered_by=batch.uploaded_by,
            branch=batch.branch,
        )
        for status, people in (
            (IntakeRow.Status.COMMITTED, outcome.created),
            (IntakeRow.Status.EXISTING, outcome.existing),
        ):
            if people:
                # The checked values now live in the person's record. The id list lets
                # the planner find the rows by primary key rather than scan the table.
                # Ids as text: psycopg builds array parameters in Python, slowly.
                row_ids_text = ",".join(map(str, people))
                cursor.execute(
                    "UPDATE partners_intakerow r SET status = %s, person_id = e.person_id,"
                    " cleaned = '{}' FROM unnest(string_to_array(%s, ',')::bigint[],"
                    " string_to_array(%s, ',')::bigint[]) AS e(row_id, person_id)"
                    " WHERE r.id = e.row_id AND r.id = ANY(string_to_array(%s, ',')::bigint[])",
                    [status, row_ids_text, ",".join(map(str, people.values())), row_ids_text],
                )
        committed, existing = len(outcome.created), len(outcome.existing)
        # Last, so concurrent sessions wait for the batch row only while committing.
        IntakeBatch.objects.filter(pk=batch.pk).update(
            committed_rows=F("committed_rows") + committed,
            existing_rows=F("existing_rows") + existing,
            processed_rows=F("processed_rows") + len(row_ids),
        )
    return len(row_ids)
