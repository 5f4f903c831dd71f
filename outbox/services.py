"""Keeping a task the broker refused, and handing kept tasks over again."""

import logging
from collections.abc import Callable

from django.db import transaction

from outbox.models import PendingTask

logger = logging.getLogger(__name__)

DRAIN_BATCH = 500
Publish = Callable[[str, list, dict], None]


def pending_task_keep(*, task_name: str, args: list, kwargs: dict) -> PendingTask:
    logger.warning("queue unavailable: %s kept in the outbox", task_name)
    return PendingTask.objects.create(task_name=task_name, args=args, kwargs=kwargs)


def pending_tasks_drain(*, publish: Publish, limit: int = DRAIN_BATCH) -> int:
    """Hand kept tasks to `publish`, oldest first; each is deleted once handed over.

    Rows are locked (SKIP LOCKED) so two drains never send one task twice; the first
    refusal stops the drain (the broker is still down) and leaves the rest for later.
    """
    sent = 0
    with transaction.atomic():
        rows = list(PendingTask.objects.select_for_update(skip_locked=True).order_by("id")[:limit])
        for row in rows:
            try:
                publish(row.task_name, row.args, row.kwargs)
            except Exception:
                logger.warning("queue still unavailable: %s stays in the outbox", row.task_name)
                PendingTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                break
            PendingTask.objects.filter(pk=row.pk).delete()
            sent += 1
    return sent
