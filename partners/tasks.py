"""Background work of bulk intake. Tasks take ids, are idempotent and safe to retry."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from partners import services
from partners.services import intake_batch_commit, intake_batch_validate

_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**_RETRY)
def intake_validate(batch_id: int) -> str:
    """Check every row of an uploaded batch (starts over if a previous run was cut short)."""
    return intake_batch_validate(batch_id=batch_id).status


@shared_task(**_RETRY)
def intake_commit(batch_id: int) -> str:
    """Register a committing batch's valid rows; carries on from the last committed chunk."""
    return intake_batch_commit(batch_id=batch_id).status


@shared_task
def intake_batches_purge() -> int:
    """Beat, nightly: files and rows of batches past RETENTION_INTAKE_DAYS."""
    return services.intake_batches_purge()
