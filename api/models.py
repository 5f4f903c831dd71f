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

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
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
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} ({self.status_code or 'processing'})"
