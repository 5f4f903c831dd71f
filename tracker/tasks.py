from celery import shared_task

from tracker import services


@shared_task(acks_late=True)
def first_receipt_notify(job_id: int) -> None:
    """Queued by sharing.services.export_run when a job is published (by id only)."""
    services.first_receipt_notify(job_id=job_id)
