"""One worker at a time on a batch's validation or commit.

A Celery task is delivered again when its worker is lost (acks_late), and the command
line may run while a worker also picked the batch up: a PostgreSQL advisory lock, held
by the session for the whole step, lets the second runner see the first and step aside.
The lock goes away with the connection if the process dies.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# The first key of the two-key advisory lock: one namespace per step.
VALIDATE = 0x1A7A
COMMIT = 0x1A7B


@contextmanager
def batch_step_lock(*, batch_id: int, step: int) -> Iterator[bool]:
    """Yield whether this process holds the step's lock on the batch."""
    key = batch_id % 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [step, key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [step, key])
