"""Committing a validated batch: its valid rows become registrants, chunk by chunk.

Each chunk is one transaction that does everything for its rows or nothing: the people
(INSERT ... SELECT from the checked rows, with registration numbers sent by COPY), their
"registered" history, their consents (with their "consent given" history), and the rows'
new status. The batch stays `committing` until no valid row is left, and
`committed_rows` says how far it got, so a crash between chunks loses nothing and hides
nothing: running the commit again carries on with the rows still `valid`.

ON CONFLICT DO NOTHING on registry_person means a (partner, reference) registered
meanwhile by another channel or batch is reported as `existing`, never duplicated;
a clash of random registration numbers is retried with new numbers.

Bulk intake creates people and consents only: the template has no columns for the
business or employer, so no Enterprise or Employment rows are written.
"""

import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from onboarding.jobs import enqueue_on_commit
from partners.intake.locking import COMMIT, batch_step_lock
from partners.models import IntakeBatch, IntakeRow
from registry.models import Consent, Person, PersonChange
from registry.regnumber import REGISTRATION_NUMBER_ATTEMPTS, registration_number_new
from registry.services.people import PERSON_FIELDS

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5_000
PARALLEL_MIN_ROWS = 20_000
MAX_WORKERS = 4

Progress = Callable[[int, int], None]


def _insert(model, given: dict[str, str], params: dict[str, Any]) -> str:
    """INSERT INTO <model's table> (<every column>) for a SELECT of `given` expressions.

    Columns not in `given` get the field's default (the database's own, or sent as a
    parameter), so a field another feature adds to the model with a default needs nothing
    here; one without a default fails loudly instead of being left out.
    """
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.name not in given and field.has_db_default():
            continue  # the database fills it in
        columns.append(connection.ops.quote_name(field.column))
        if field.name in given:
            values.append(given[field.name])
        else:
            key = f"default_{model._meta.model_name}_{field.column}"
            params[key] = field.get_db_prep_save(field.get_default(), connection)
            values.append(f"%({key})s")
    table = model._meta.db_table
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)}"


def _person_insert_sql(params: dict[str, Any]) -> str:
    given = {}
    for name in PERSON_FIELDS:
        if name == "village":
            given[name] = "(r.cleaned->>'village_id')::bigint"
        elif name == "date_of_birth":
            given[name] = "(r.cleaned->>'date_of_birth')::date"
        else:
            given[name] = f"r.cleaned->>'{name}'"
    given.update(
        registration_number="c.registration_number",
        status=f"'{Person.Status.ACTIVE}'",
        channel="%(channel)s",
        partner="%(partner)s",
        branch="%(branch)s",
        reference="r.reference",
        entered_by="%(user)s",
        created_at="now()",
        updated_at="now()",
    )
    # Names come from the models; values are bound parameters.
    return (
        "WITH inserted AS ("  # noqa: S608
        f" {_insert(Person, given, params)}"
        " FROM intake_chunk c JOIN intake_rows r ON r.row_id = c.row_id"
        " ORDER BY r.row_number"
        " ON CONFLICT DO NOTHING"
        " RETURNING id, registration_number)"
        " INSERT INTO intake_done (row_id, person_id)"
        " SELECT c.row_id, i.id FROM inserted i"
        " JOIN intake_chunk c ON c.registration_number = i.registration_number"
    )


def _history_sql(params: dict[str, Any]) -> str:
    # The {field: [None, text]} of person_register, prepared by the check (cleaned.history).
    given = {
        "person": "d.person_id",
        "action": f"'{PersonChange.Action.REGISTERED}'",
        "changes": "r.cleaned->'history'",
        "actor": "%(user)s",
        "channel": "%(channel)s",
        "at": "now()",
    }
    return (
        f"{_insert(PersonChange, given, params)}"
        " FROM intake_done d JOIN intake_rows r ON r.row_id = d.row_id"
        " ORDER BY r.row_number"
    )


def _consent_sql(params: dict[str, Any]) -> str:
    consent = {
        "person": "person_id",
        "programme": "programme_id",
        "given_at": "now()",
        "channel": "%(channel)s",
        "recorded_by": "%(user)s",
    }
    history = {
        "person": "person_id",
        "action": f"'{PersonChange.Action.CONSENT_GIVEN}'",
        "changes": "jsonb_build_object('purpose', jsonb_build_array(NULL, purpose))",
        "actor": "%(user)s",
        "channel": "%(channel)s",
        "at": "now()",
    }
    # Names come from the models; values are bound parameters.
    return (
        "WITH wanted AS ("  # noqa: S608
        " SELECT d.person_id, (p.value->>0)::bigint AS programme_id, p.value->>1 AS purpose,"
        " r.row_number"
        " FROM intake_done d JOIN intake_rows r ON r.row_id = d.row_id,"
        " jsonb_array_elements(r.cleaned->'consents') AS p(value)),"
        f" given AS ({_insert(Consent, consent, params)} FROM wanted ORDER BY row_number)"
        f" {_insert(PersonChange, history, params)} FROM wanted ORDER BY row_number"
    )


_LEFT_OVER_SQL = (
    "SELECT c.row_id, p.id FROM intake_chunk c"
    " JOIN intake_rows r ON r.row_id = c.row_id"
    " LEFT JOIN registry_person p"
    " ON p.partner_id = %(partner)s AND p.reference = r.reference AND p.reference <> ''"
    " WHERE NOT EXISTS (SELECT 1 FROM intake_done d WHERE d.row_id = c.row_id)"
)


def batch_commit(*, batch_id: int, on_progress: Progress | None = None) -> IntakeBatch:
    """Commit the batch's valid rows; safe to run again after a crash, or twice at once."""
    with batch_step_lock(batch_id=batch_id, step=COMMIT) as acquired:
        batch = IntakeBatch.objects.select_related("branch").get(pk=batch_id)
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
        transaction.on_commit(lambda: _after_commit(locked))


DEDUP_SLICE = 2000


def _after_commit(batch: IntakeBatch) -> None:
    """Called once the batch's last chunk is committed: check the new records for
    duplicates in Celery, a slice of ids per task so workers share a big file."""
    ids = list(
        IntakeRow.objects.filter(batch=batch, status=IntakeRow.Status.COMMITTED)
        .exclude(person=None)
        .order_by("row_number")
        .values_list("person_id", flat=True)
    )
    for start in range(0, len(ids), DEDUP_SLICE):
        enqueue_on_commit("dedup.tasks.dedup_people", ids[start : start + DEDUP_SLICE])


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
        cursor.execute(
            "DROP TABLE IF EXISTS pg_temp.intake_rows, pg_temp.intake_chunk, pg_temp.intake_done"
        )
        # The chunk's rows are read from partners_intakerow once, into a temporary table
        # the statements below join: joined directly, each statement would scan the
        # table, which holds every batch ever uploaded.
        cursor.execute(
            "CREATE TEMP TABLE intake_rows ON COMMIT DROP AS"
            " SELECT id AS row_id, row_number, reference, cleaned FROM partners_intakerow"
            " WHERE batch_id = %s AND status = %s AND row_number %% %s = %s LIMIT %s",
            [batch.pk, IntakeRow.Status.VALID, shares, share, CHUNK_ROWS],
        )
        cursor.execute("SELECT row_id, cleaned->'consents' <> '[]'::jsonb FROM intake_rows")
        picked = cursor.fetchall()
        if not picked:
            return 0
        row_ids = [row_id for row_id, _consents in picked]
        params: dict[str, Any] = {
            "channel": batch.channel,
            "partner": batch.branch.partner_id,
            "branch": batch.branch_id,
            "user": batch.uploaded_by_id,
        }
        cursor.execute(
            "CREATE TEMP TABLE intake_chunk (row_id bigint PRIMARY KEY,"
            " registration_number varchar(12) NOT NULL UNIQUE) ON COMMIT DROP;"
            " CREATE TEMP TABLE intake_done (row_id bigint PRIMARY KEY,"
            " person_id bigint NOT NULL) ON COMMIT DROP"
        )
        existing = _people_insert(cursor, row_ids, params)
        cursor.execute(_history_sql(params), params)
        if any(consents for _row_id, consents in picked):
            cursor.execute(_consent_sql(params), params)
        cursor.execute(
            # The checked values now live in the person's record. The id list lets the
            # planner find the rows by primary key rather than scan the table.
            "UPDATE partners_intakerow r SET status = %s, person_id = d.person_id,"
            " cleaned = '{}' FROM intake_done d WHERE r.id = d.row_id AND r.id = ANY(%s)",
            [IntakeRow.Status.COMMITTED, row_ids],
        )
        cursor.execute("SELECT count(*) FROM intake_done")
        committed = cursor.fetchone()[0]
        if existing:
            cursor.execute(
                "UPDATE partners_intakerow r SET status = %s, person_id = e.person_id"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS e(row_id, person_id)"
                " WHERE r.id = e.row_id",
                [IntakeRow.Status.EXISTING, list(existing), list(existing.values())],
            )
        # Last, so concurrent sessions wait for the batch row only while committing.
        IntakeBatch.objects.filter(pk=batch.pk).update(
            committed_rows=F("committed_rows") + committed,
            existing_rows=F("existing_rows") + len(existing),
            processed_rows=F("processed_rows") + len(row_ids),
        )
    return len(row_ids)


def _people_insert(cursor, row_ids: list[int], params: dict[str, Any]) -> dict[int, int]:
    """Insert the people of the chunk's rows; returns {row id: person id} of rows whose
    (partner, reference) was registered meanwhile."""
    pending = row_ids
    existing: dict[int, int] = {}
    insert_sql = _person_insert_sql(params)
    for _attempt in range(REGISTRATION_NUMBER_ATTEMPTS):
        numbers: set[str] = set()
        while len(numbers) < len(pending):
            numbers.add(registration_number_new())
        cursor.execute("TRUNCATE intake_chunk")
        with cursor.copy("COPY intake_chunk (row_id, registration_number) FROM STDIN") as copy:
            for row_id, number in zip(pending, numbers, strict=True):
                copy.write_row((row_id, number))
        cursor.execute(insert_sql, params)
        cursor.execute(_LEFT_OVER_SQL, params)
        clashed = []
        for row_id, person_id in cursor.fetchall():
            if person_id is None:
                clashed.append(row_id)
            else:
                existing[row_id] = person_id
        if not clashed:
            return existing
        logger.info("intake: %s registration numbers clashed, drawing again", len(clashed))
        pending = clashed
    raise RuntimeError("could not allocate registration numbers")  # pragma: no cover
