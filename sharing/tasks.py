import datetime

from celery import shared_task
from django.conf import settings

from sharing import services


@shared_task(acks_late=True)
def export_run(job_id: int) -> None:
    services.export_run(job_id=job_id)


@shared_task
def export_files_purge() -> None:
    services.export_files_purge()


@shared_task
def export_jobs_reap() -> None:
    services.export_jobs_reap(stale_after=datetime.timedelta(seconds=settings.EXPORT_STALE_SECONDS))


@shared_task
def export_scheduled(schedule_id: int) -> None:
    from sharing.schedules import schedule_run

    schedule_run(schedule_id=schedule_id)
