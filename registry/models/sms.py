from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class SmsMessage(models.Model):
    """A text message to a phone: one-time codes and registration confirmations.

    Written in the same transaction as the event that causes it and delivered by a
    Celery task after commit, so a rolled-back registration sends nothing. With the
    development backend this table *is* the outbox developers and tests read.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    phone = PhoneNumberField(_("phone"))
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        indexes = [models.Index(fields=["phone", "-created_at"], name="sms_phone_created_idx")]

    def __str__(self) -> str:
        return f"SMS {self.pk} ({self.get_status_display()})"
