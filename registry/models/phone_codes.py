from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove a phone number.

    Only an HMAC of the code is stored. A code expires after five minutes and
    allows five tries; how many may be sent per phone and per address is limited
    by counting these rows (registry.services.phone_codes).
    """

    class Purpose(models.TextChoices):
        REGISTER = "register", _("Registration")
        SIGN_IN = "sign_in", _("Sign-in")

    phone = PhoneNumberField(_("phone"))
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")
        indexes = [
            models.Index(fields=["phone", "-created_at"], name="phonecode_phone_idx"),
            models.Index(fields=["ip_address", "-created_at"], name="phonecode_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"
