from celery import shared_task

from api.idempotency import idempotency_purge


@shared_task
def idempotency_records_purge() -> int:
    """Beat, hourly: stored answers (personal data) past API_IDEMPOTENCY_TTL."""
    return idempotency_purge()
