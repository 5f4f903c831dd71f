"""The one seam through which domain code queues background work.

A service names the task it wants (`"dedup.tasks.dedup_person"`) instead of importing
it: the task module imports the services it runs, and a lower app (the registry) must
not import a higher one (dedup), so an import would be a cycle either way. The names
are the tasks' own (module path + function); each app's AppConfig.ready() imports its
`tasks` module so the names resolve in every process, and a test proves that each
name in KNOWN_TASKS is a registered task, so a renamed task fails the suite.

Work is queued only once the surrounding transaction commits, so a worker never sees
a row that might still roll back, and a rolled-back write queues nothing. Arguments
are ids and flags only: personal data never goes into a task's arguments.

When the broker refuses the task (Redis down), the write has already committed: the
task is kept in the outbox table (outbox.PendingTask) and Celery beat's
`outbox.tasks.outbox_drain` queues it once Redis answers again. The request that
registered someone answers as usual; nothing is lost and nothing runs twice in effect
(tasks are idempotent).
"""

from collections.abc import Callable

from celery import current_app
from django.db import transaction

from outbox.services import pending_task_keep

# Every task a service may queue by name (tests/test_jobs.py proves each is registered).
KNOWN_TASKS = frozenset(
    {
        "dedup.tasks.dedup_person",
        "dedup.tasks.person_registered",
        "dedup.tasks.dedup_people",
        "dedup.tasks.dedup_batch_run",
        "registry.tasks.sms_deliver",
        "registry.tasks.sms_deliver_many",
        "partners.tasks.intake_validate",
        "partners.tasks.intake_commit",
        "sharing.tasks.export_run",
        "tracker.tasks.first_receipt_notify",
    }
)

TaskArgument = int | str | bool | None | list[int]


def enqueue_on_commit(task_name: str, *args: TaskArgument, **kwargs: TaskArgument) -> None:
    """Queue `task_name(*args, **kwargs)` after the current transaction commits."""
    if task_name not in KNOWN_TASKS:
        raise ValueError(f"unknown task {task_name!r}: add it to onboarding.jobs.KNOWN_TASKS")
    transaction.on_commit(_sender(task_name, args, kwargs))


def _sender(task_name: str, args: tuple, kwargs: dict) -> Callable[[], None]:
    def send() -> None:
        # The registered task object, not send_task(): it honours CELERY_TASK_ALWAYS_EAGER.
        task = current_app.tasks[task_name]
        if current_app.conf.task_always_eager:
            task.delay(*args, **kwargs)
            return
        try:
            task.apply_async(args, kwargs)
        except Exception:
            # Whatever stopped the hand-over (the broker down, a network fault), the
            # committed write's work is kept, never dropped.
            pending_task_keep(task_name=task_name, args=list(args), kwargs=dict(kwargs))

    send.task_name = task_name  # type: ignore[attr-defined]  # says what it queues
    return send
