import datetime
import logging

import orjson
from django.db import connection, transaction
from django.utils import timezone

from registry.models import SmsMessage
from registry.services.sql import insert_select_sql
from registry.sms import SmsDeliveryError, sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def sms_queue(*, phone: str, body: str) -> SmsMessage:
    """Record a message and deliver it once the surrounding transaction commits."""
    from registry.tasks import sms_deliver

    message = SmsMessage.objects.create(phone=phone, body=body)
    transaction.on_commit(lambda: sms_deliver.delay(message.pk))
    return message


# Messages per delivery task when many are queued at once (a bulk file's confirmations).
SMS_SLICE = 500


def sms_queue_many(*, messages: list[tuple[str, str]]) -> list[int]:
    """Record (phone, text) messages with one INSERT and deliver them after commit, one
    task per slice of ids."""
    from registry.tasks import sms_deliver, sms_deliver_many

    if not messages:
        return []
    # One JSON parameter: psycopg builds array parameters in Python, slowly for thousands.
    params: dict = {"messages": orjson.dumps(messages).decode()}
    insert = insert_select_sql(
        SmsMessage, {"phone": "m.value->>0", "body": "m.value->>1", "created_at": "now()"}, params
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} FROM jsonb_array_elements(%(messages)s::jsonb) WITH ORDINALITY"
            " AS m(value, n) ORDER BY m.n RETURNING id",
            params,
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) == 1:
        transaction.on_commit(lambda: sms_deliver.delay(ids[0]))
        return ids

    def enqueue() -> None:
        for start in range(0, len(ids), SMS_SLICE):
            sms_deliver_many.delay(ids[start : start + SMS_SLICE])

    transaction.on_commit(enqueue)
    return ids


def sms_deliver_now(*, message_id: int) -> SmsMessage.Status | None:
    """Deliver one pending message. Idempotent: a sent message is never sent again."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=SmsMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        try:
            sms_backend().send(phone=str(message.phone), body=message.body)
        except SmsDeliveryError as error:
            message.error = str(error)[:300]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = SmsMessage.Status.FAILED
            logger.warning("sms %s not delivered (attempt %s)", message.pk, message.attempts)
        else:
            message.status = SmsMessage.Status.SENT
            message.sent_at = timezone.now()
            message.error = ""
        message.save(update_fields=["attempts", "error", "status", "sent_at"])
        return message.status


def sms_pending_ids(*, older_than: datetime.timedelta) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        SmsMessage.objects.filter(
            status=SmsMessage.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
