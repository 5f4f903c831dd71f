"""Repeating exports: each ExportSchedule owns one django-celery-beat periodic task."""

import json
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from sharing.models import ExportSchedule
from sharing.services import export_request

logger = logging.getLogger(__name__)


@transaction.atomic
def schedule_save(*, schedule: ExportSchedule) -> ExportSchedule:
    """Save the schedule and make its periodic task match it (created, changed, paused)."""
    schedule.full_clean()
    schedule.save()
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour=str(schedule.hour),
        day_of_week="*"
        if schedule.frequency == ExportSchedule.Frequency.DAILY
        else str(schedule.weekday),
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Phnom_Penh",
    )
    task = schedule.periodic_task or PeriodicTask(name=f"programme export schedule {schedule.pk}")
    task.task = "sharing.tasks.export_scheduled"
    task.args = json.dumps([schedule.pk])
    task.crontab = crontab
    task.interval = None
    task.enabled = schedule.is_active
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: ExportSchedule) -> None:
    if schedule.periodic_task is not None:
        schedule.periodic_task.delete()
    schedule.delete()


def schedule_run(*, schedule_id: int) -> None:
    """What beat starts: one export as the schedule says (a paused one does nothing)."""
    schedule = ExportSchedule.objects.select_related("programme").filter(pk=schedule_id).first()
    if schedule is None or not schedule.is_active:
        return
    try:
        export_request(
            programme=schedule.programme,
            user=None,
            kind=schedule.kind,
            file_format=schedule.file_format,
            scheduled=True,
        )
    except ValidationError:
        # The rule selects nobody who consented (or no longer holds): nothing to send
        # this time; the next run tries again. Ids only in the log.
        logger.info("export schedule %s: nothing to export", schedule.pk)
