from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class RegistrantToken(models.Model):
    """A sign-in of the mobile app: a short-lived access token and its refresh token.

    Issued for a phone proven by a one-time code; opens only the records registered with
    that phone, as /me/ does. Only SHA-256 digests of the tokens are stored. Refreshing
    replaces both tokens; presenting a refresh token already replaced means it was
    copied, so the sign-in is revoked (registry.services.registrant_tokens).
    """

    phone = PhoneNumberField(_("phone"))
    access_digest = models.CharField(max_length=64, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_digest = models.CharField(max_length=64, unique=True)
    # The refresh token this one replaced: seeing it again reveals a copied token.
    previous_refresh_digest = models.CharField(max_length=64, blank=True, db_index=True)
    refresh_expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registrant sign-in")
        verbose_name_plural = _("registrant sign-ins")
        indexes = [models.Index(fields=["phone", "-created_at"], name="registranttoken_phone_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"
