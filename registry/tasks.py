import datetime

from celery import shared_task

from registry.services import retention
from registry.services.registrant_tokens import registrant_tokens_purge
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


@shared_task
def phone_codes_purge() -> int:
    """Beat, nightly: codes past RETENTION_PHONE_CODE_DAYS."""
    return retention.phone_codes_purge()


@shared_task
def sms_messages_purge() -> int:
    """Beat, nightly: sent or failed messages past RETENTION_SMS_DAYS."""
    return retention.sms_messages_purge()


@shared_task
def registrant_tokens_purge_expired() -> int:
    """Beat, daily: delete the mobile app's sign-ins whose refresh token has expired."""
    return registrant_tokens_purge()
