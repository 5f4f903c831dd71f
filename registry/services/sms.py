import datetime
import logging

from django.db import transaction
from django.utils import timezone

from onboarding.jobs import enqueue_on_commit
from registry.models import SmsMessage
from registry.sms import SmsDeliveryError, sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def sms_queue(*, phone: str, body: str) -> SmsMessage:
    """Record a message and deliver it once the surrounding transaction commits."""
    message = SmsMessage.objects.create(phone=phone, body=body)
    enqueue_on_commit("registry.tasks.sms_deliver", message.pk)
    return message


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
