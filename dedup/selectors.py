"""Reads of the dedup app that both the engine and the reviewers' pages need."""

from django.db import connection

BATCH_LOCK = 0x64656475  # "dedu": one whole-registry run at a time, across workers


def dedup_batch_running() -> bool:
    """Whether a whole-registry run is going on now, in any process (it holds the lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND d.datname = current_database()"
            " AND l.classid = 0 AND l.objid = %s AND l.objsubid = 1 AND l.granted)",
            [BATCH_LOCK],
        )
        return cursor.fetchone()[0]
