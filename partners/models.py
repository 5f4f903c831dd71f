import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Partner(models.Model):
    """A partner bank whose branches register applicants."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_km = models.CharField(_("name (Khmer)"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="branches", verbose_name=_("partner")
    )
    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("Used by `import_registrants --branch CODE`."),
    )
    name = models.CharField(_("name"), max_length=120)
    province = models.ForeignKey(
        "geography.Province",
        on_delete=models.PROTECT,
        related_name="branches",
        verbose_name=_("province"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["partner__name", "name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.partner.name} – {self.name}"


def intake_upload_path(batch: "IntakeBatch", filename: str) -> str:
    # The stored name never contains what the partner typed: it may carry personal data.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"intake/{batch.branch.partner.code}/{uuid.uuid4().hex}.{suffix}"


class IntakeBatch(models.Model):
    """One uploaded bulk file: validated into a preview, then committed in chunks."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Checking rows")
        VALIDATED = "validated", _("Checked: ready to commit")
        COMMITTING = "committing", _("Registering")
        COMMITTED = "committed", _("Registered")
        REJECTED = "rejected", _("File refused")

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="intake_batches", verbose_name=_("branch")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    channel = models.CharField(_("channel"), max_length=12, default="bulk")
    file = models.FileField(_("file"), upload_to=intake_upload_path)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    # A message about the whole file (wrong encoding, missing columns...), in both languages.
    error_km = models.TextField(blank=True)
    error_en = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    existing_rows = models.PositiveIntegerField(
        default=0, help_text=_("Rows whose reference this partner has already registered.")
    )
    processed_rows = models.PositiveIntegerField(
        default=0, help_text=_("Progress of the current step, in rows.")
    )
    committed_rows = models.PositiveIntegerField(default=0)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("committed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("intake batch")
        verbose_name_plural = _("intake batches")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class IntakeRow(models.Model):
    """The outcome of one row of a bulk file."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        INVALID = "invalid", _("Invalid")
        EXISTING = "existing", _("Already registered")
        COMMITTED = "committed", _("Registered")

    # No index of its own: the (batch, row_number) unique index serves every lookup by batch,
    # and one index fewer is one less to maintain for each of a file's rows.
    batch = models.ForeignKey(
        IntakeBatch, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField(_("row"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # The cells as read from the file, so a rejected row can be sent back unchanged.
    cells = models.JSONField(default=dict)
    # {"field": {"km": [...], "en": [...]}}: reasons in both languages, shown in the reader's.
    errors = models.JSONField(default=dict, blank=True)
    # A valid row's normalised values (PERSON_FIELDS as text, village_id, consents and the
    # "registered" history entry), so the commit writes what was checked without running
    # every rule a second time. Emptied once the row is committed.
    cleaned = models.JSONField(default=dict, blank=True)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("intake row")
        verbose_name_plural = _("intake rows")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "row_number"], name="intakerow_batch_row_unique"
            )
        ]
        indexes = [models.Index(fields=["batch", "status"], name="intakerow_batch_status_idx")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.status}"
