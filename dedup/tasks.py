"""Deduplication in Celery: one record, a bulk intake's records, the whole registry.

Tasks take ids, are idempotent and safe to retry; services queue them by name through
onboarding.jobs.enqueue_on_commit.
"""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from dedup.engine import BatchAlreadyRunningError, dedup_batch
from dedup.engine import dedup_people as dedup_people_check
from dedup.engine import dedup_person as dedup_person_check
from registry.models import Person
from registry.services.sms import sms_deliver_now


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def dedup_person(person_id: int) -> dict[str, int | None] | None:
    """Check one new or changed record: merge a sure duplicate, open a case for review."""
    if not Person.objects.filter(pk=person_id).exists():
        return None
    result = dedup_person_check(person_id=person_id)
    return {"survivor_id": result.survivor_id, **result.counts.as_dict()}


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def person_registered(person_id: int, message_id: int | None = None) -> None:
    """One registration's work after commit, in one task message (registry.services.
    registration_many queues it for a single person): the confirmation SMS, then the
    duplicate check. One message instead of two halves what the request spends on the
    broker. Both steps are idempotent, so a retry of either is safe: a message already
    sent is not sent again."""
    if message_id is not None:
        sms_deliver_now(message_id=message_id)
    dedup_person(person_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def dedup_people(person_ids: list[int]) -> dict[str, int]:
    """Check the records of a bulk intake (pass ids in slices of a few thousand)."""
    return dedup_people_check(person_ids=person_ids).as_dict()


@shared_task(acks_late=False)
def dedup_batch_run(
    chunk_size: int = 5000, resume: bool = True, started_by_id: int | None = None
) -> dict[str, int] | None:
    """The whole registry, resumably; a second run while one is going does nothing."""
    started_by = (
        get_user_model().objects.filter(pk=started_by_id).first() if started_by_id else None
    )
    try:
        summary = dedup_batch(chunk_size=chunk_size, resume=resume, started_by=started_by)
    except BatchAlreadyRunningError:
        return None
    return {"run_id": summary.run_id, **summary.counts}
