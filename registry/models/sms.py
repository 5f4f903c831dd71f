from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class SmsMessage(models.Model):
    """A text message to a phone and its delivery record, never its text.

    The row names a template (registry.services.sms.SMS_TEMPLATES) and the parameters
    that are not secret; the text is rendered in Khmer and English when it is handed to
    the SMS backend. A one-time code is never a parameter here: see registry.services.sms.
    One row is one INSERT of plain columns, so queuing many at once stays a bulk insert.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    phone = PhoneNumberField(_("phone"))
    template = models.CharField(_("template"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
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
        return f"SMS {self.pk} {self.template} ({self.get_status_display()})"
