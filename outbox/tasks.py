from celery import current_app, shared_task

from outbox.services import pending_tasks_drain


def _publish(task_name: str, args: list, kwargs: dict) -> None:
    current_app.tasks[task_name].apply_async(args, kwargs)


@shared_task
def outbox_drain() -> int:
    """Beat, every minute: hand the tasks kept while Redis was down to the queue."""
    return pending_tasks_drain(publish=_publish)
