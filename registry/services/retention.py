"""Retention of what the registry keeps only for a while: phone codes and text messages.

The periods are settings (README, "Security and operations"); Celery beat runs the
purges every night (onboarding.settings.CELERY_BEAT_SCHEDULE). Each purge is one
DELETE by an indexed date, safe to run twice.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from registry.models import PhoneCode, SmsMessage


def phone_codes_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete codes created before the retention period (they count towards the send
    limits for a day, so the period is at least that)."""
    days = max(settings.RETENTION_PHONE_CODE_DAYS, 1)
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _by_model = PhoneCode.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def sms_messages_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete text messages (phone and parameters) once sent or failed and past the
    retention period; a message still pending stays for the retry job."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.RETENTION_SMS_DAYS)
    deleted, _by_model = (
        SmsMessage.objects.filter(created_at__lt=cutoff)
        .exclude(status=SmsMessage.Status.PENDING)
        .delete()
    )
    return deleted
