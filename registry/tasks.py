import datetime

from celery import shared_task

from registry.services.sms import sms_deliver_now, sms_pending_ids


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def sms_deliver(message_id: int) -> str | None:
    status = sms_deliver_now(message_id=message_id)
    return str(status) if status else None


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def sms_deliver_many(message_ids: list[int]) -> int:
    """Deliver a slice of the messages queued together (a bulk file's confirmations);
    a retry skips the ones already sent."""
    sent = 0
    for message_id in message_ids:
        sent += sms_deliver_now(message_id=message_id) == "sent"
    return sent


@shared_task
def sms_retry_pending() -> int:
    """Beat: deliver messages still pending after a minute (a lost task, a gateway outage)."""
    ids = sms_pending_ids(older_than=datetime.timedelta(minutes=1))
    for message_id in ids:
        sms_deliver.delay(message_id)
    return len(ids)


# --------------------------------------------------------------------------- dedup (issue 5)

from django.db import OperationalError  # noqa: E402

from registry.models import Person  # noqa: E402


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def dedup_person(person_id: int) -> dict | None:
    """Check one new or changed record: merge a sure duplicate, open a case for review."""
    from registry.dedup import dedup_person as check

    if not Person.objects.filter(pk=person_id).exists():
        return None
    result = check(person_id=person_id)
    return {"survivor_id": result.survivor_id, **result.counts.as_dict()}


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def dedup_people(person_ids: list[int]) -> dict:
    """Check the records of a bulk intake (pass ids in slices of a few thousand)."""
    from registry.dedup import dedup_people as check

    return check(person_ids=person_ids).as_dict()


@shared_task(acks_late=False)
def dedup_batch_run(
    chunk_size: int = 5000, resume: bool = True, started_by_id: int | None = None
) -> dict | None:
    """The whole registry, resumably; a second run while one is going does nothing."""
    from django.contrib.auth import get_user_model

    from registry.dedup import BatchAlreadyRunningError, dedup_batch

    started_by = (
        get_user_model().objects.filter(pk=started_by_id).first() if started_by_id else None
    )
    try:
        summary = dedup_batch(chunk_size=chunk_size, resume=resume, started_by=started_by)
    except BatchAlreadyRunningError:
        return None
    return {"run_id": summary.run_id, **summary.counts}
