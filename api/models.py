"""The API's own state: the answers replayed for a repeated `Idempotency-Key`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed on a retry.

    Claimed (inserted with an empty `status_code`) before the request runs, so a
    concurrent duplicate finds it and is told to wait (409) instead of running twice;
    completed in the same transaction as the request's own writes. Kept 24 hours
    (`manage.py purge_idempotency`). The stored body may hold personal data, which is
    why it lives in the database with the records it describes and nowhere else.
    """

    # Whose key it is: a staff user, or (`owner`, no user) a registrant of the registrant
    # API, named by a digest of their verified phone (registry.api.registrant_auth).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    owner = models.CharField(max_length=64, blank=True, default="")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    request_hash = models.CharField(max_length=64)
    # Empty while the first request is still being processed.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_idempotencyrecord"  # created by accounts before it moved here
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique"),
            models.UniqueConstraint(
                fields=["owner", "key"],
                condition=~models.Q(owner=""),
                name="idempotency_owner_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, owner="")
                | models.Q(user__isnull=True) & ~models.Q(owner=""),
                name="idempotency_user_or_owner",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.user_id or self.owner}:{self.key} ({self.status_code or 'processing'})"
