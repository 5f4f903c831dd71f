"""Partner-side writes: bulk intake batches (upload, validate, commit).

The web upload, the REST API and `manage.py import_registrants` call these; the work
itself lives in partners/intake/.
"""

import datetime
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from onboarding.jobs import enqueue_on_commit
from partners.intake import batch_commit, batch_validate
from partners.models import Branch, IntakeBatch, IntakeRow

Progress = Callable[[int, int], None]
_READ_CHUNK = 1024 * 1024


def intake_batch_create(
    *,
    branch: Branch,
    uploaded_by: User,
    upload: File,
    channel: str = "bulk",
    enqueue_validation: bool = True,
) -> IntakeBatch:
    """Store an uploaded file as a new batch and have its rows validated in the background.

    `upload` is a Django UploadedFile or File (.name, .size, .read). A file above
    INTAKE_MAX_BYTES (code `file_too_large`) or an empty one (`file_empty`) is refused
    before anything is stored. The command line passes `enqueue_validation=False` and
    validates in its own process.
    """
    limit = settings.INTAKE_MAX_BYTES
    size = upload.size
    if size is not None and size > limit:
        raise _too_large(limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    parts, digest, read = [], hashlib.sha256(), 0
    # Read at most one byte past the limit: a client may lie about the size.
    while chunk := upload.read(min(_READ_CHUNK, limit + 1 - read)):
        parts.append(chunk)
        digest.update(chunk)
        read += len(chunk)
        if read > limit:
            raise _too_large(limit)
    data = b"".join(parts)
    if not data.strip(b"\r\n\t \xef\xbb\xbf"):
        raise ValidationError(_("The file is empty."), code="file_empty")
    name = (getattr(upload, "name", "") or "upload").rsplit("/", 1)[-1][:255]
    with transaction.atomic():
        batch = IntakeBatch(
            branch=branch,
            uploaded_by=uploaded_by,
            channel=channel,
            original_name=name,
            sha256=digest.hexdigest(),
            size=len(data),
        )
        batch.file.save(name, ContentFile(data), save=False)
        batch.save()
        if enqueue_validation:
            enqueue_on_commit("partners.tasks.intake_validate", batch.pk)
    return batch


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is larger than %(max_mb)s MB. Split it into smaller files."),
        code="file_too_large",
        params={"max_mb": limit // (1024 * 1024)},
    )


def intake_batch_validate(*, batch_id: int, on_progress: Progress | None = None) -> IntakeBatch:
    """Check every row of an uploaded batch; running it again after a crash starts over.

    A batch already validated, refused, committing or committed is returned unchanged.
    """
    return batch_validate(batch_id=batch_id, on_progress=on_progress)


def intake_batch_commit_request(
    *, batch: IntakeBatch, actor: User | None, enqueue: bool = True
) -> IntakeBatch:
    """Ask for a validated batch's valid rows to be registered: in the background, or
    (`enqueue=False`) by the caller, who then runs `intake_batch_commit` itself."""
    with transaction.atomic():
        locked = IntakeBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != IntakeBatch.Status.VALIDATED:
            raise ValidationError(
                _("Only a checked file can be registered; this one is: %(status)s."),
                code="batch_not_validated",
                params={"status": locked.get_status_display()},
            )
        locked.status = IntakeBatch.Status.COMMITTING
        locked.committed_by = actor
        locked.processed_rows = 0
        locked.save(update_fields=["status", "committed_by", "processed_rows"])
        if enqueue:
            enqueue_on_commit("partners.tasks.intake_commit", locked.pk)
    batch.refresh_from_db()
    return batch


def intake_batch_commit(*, batch_id: int, on_progress: Progress | None = None) -> IntakeBatch:
    """Register the valid rows of a committing batch in chunks; resumable, idempotent."""
    return batch_commit(batch_id=batch_id, on_progress=on_progress)


# Batches still being checked or registered are never purged (a worker holds them).
PURGEABLE = (
    IntakeBatch.Status.VALIDATED,
    IntakeBatch.Status.COMMITTED,
    IntakeBatch.Status.REJECTED,
)


EXPIRED_UNREGISTERED = _(
    "This file was checked but not registered within %(days)s days, so it was deleted "
    "with its rows. Upload it again to register it."
)


def _both_languages(message) -> dict[str, str]:
    days = settings.RETENTION_INTAKE_DAYS
    return {f"error_{code}": _in(code, message, days) for code in ("km", "en")}


def _in(language: str, message, days: int) -> str:
    with translation.override(language):
        return str(message) % {"days": days}


def intake_batches_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploaded file and the rows (cells as typed, personal data) of batches
    uploaded before the retention period; the batch stays, with its counts, as the
    account of what was done. Returns how many batches were purged."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.RETENTION_INTAKE_DAYS)
    batches = IntakeBatch.objects.filter(created_at__lt=cutoff, status__in=PURGEABLE)
    purged = 0
    for batch in batches.exclude(file="").iterator(chunk_size=100):
        with transaction.atomic():
            IntakeRow.objects.filter(batch=batch).delete()
            IntakeBatch.objects.filter(pk=batch.pk).update(file="")
            if batch.status == IntakeBatch.Status.VALIDATED:
                # Checked but never registered: nothing is left to register.
                IntakeBatch.objects.filter(pk=batch.pk).update(
                    status=IntakeBatch.Status.REJECTED, **_both_languages(EXPIRED_UNREGISTERED)
                )
            # The file first: if the commit then fails, the next run finds the batch
            # again and deleting a missing file is no error. Never a file left behind.
            batch.file.storage.delete(str(batch.file.name))
        purged += 1
    # Rows of batches whose file was already gone (a purge cut short).
    IntakeRow.objects.filter(batch__in=batches.filter(file="")).delete()
    return purged
