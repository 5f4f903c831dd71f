"""Export jobs, who each one included, and every download of their files."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """One file for one programme: a full export, a delta or a crisis list.

    The file is written under a temporary name and published (renamed) only when whole,
    with its SHA-256 and row count; until then `status` is not DONE and nothing offers it.
    """

    class Kind(models.TextChoices):
        FULL = "full", _("Full list")
        DELTA = "delta", _("Changes since the previous export")
        TARGETING = "targeting", _("Crisis list")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV (Excel, UTF-8)")
        XLSX = "xlsx", _("Excel workbook (XLSX)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted after its retention period")

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="export_jobs",
        verbose_name=_("programme"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FULL)
    file_format = models.CharField(
        _("format"), max_length=5, choices=Format.choices, default=Format.CSV
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # What ran: the rule's criteria and the columns, as they were when the job was asked.
    criteria = models.JSONField(_("criteria"), default=dict)
    columns = ArrayField(models.CharField(max_length=30), verbose_name=_("columns"))
    # What the job is compared with: the programme's previous export (a delta lists the
    # differences, a full export records them). None: everyone is new.
    base = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compared with"),
    )
    since = models.DateTimeField(_("changes since"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    scheduled = models.BooleanField(_("by a schedule"), default=False)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_expected = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    # Relative to MEDIA_ROOT; set only once the file is published whole.
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("deleted after"), null=True, blank=True)
    error = models.CharField(_("why it failed"), max_length=30, blank=True)
    # A fingerprint of the gazetteer (villages and the codes above them) the job read: a
    # delta compares only the changed people while it is the same (sharing.exports.delta).
    gazetteer = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["programme", "-created_at"], name="exportjob_programme_idx"),
            models.Index(
                fields=["expires_at"],
                name="exportjob_expires_idx",
                condition=models.Q(status="done"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} #{self.pk}"

    @property
    def download_name(self) -> str:
        return f"{self.programme.code}-{self.kind}-{self.pk}.{self.file_format}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_expected:
            return 0
        return min(99, self.rows_written * 100 // self.rows_expected)


class ExportMember(models.Model):
    """One person in one export job, recorded when the job differs for them from its
    base (the programme's previous export): NEW, CHANGED (with the new digests) or
    REMOVED. A job without a base records everyone it sent; jobs of before 2026-12-02
    recorded everyone they sent (SENT) or compared (UNCHANGED).

    What a programme was last sent is, per person, the row of the newest job in the chain
    of bases (sharing.exports.delta), so an export writes rows in proportion to the
    changes, not to the programme. Indexed by person: `sharing.selectors.
    export_inclusions_of` lists the exports and deltas that included a person.

    `digests` holds a 64-bit hash of each exported column's value, in the job's column
    order, so a delta can name the columns that changed without keeping the values.
    """

    class Change(models.IntegerChoices):
        SENT = 0, _("Sent")
        NEW = 1, _("New")
        CHANGED = 2, _("Changed")
        REMOVED = 3, _("Removed")
        # No longer written (older deltas recorded everyone they compared).
        UNCHANGED = 4, _("Unchanged (not in the file)")

    pk = models.CompositePrimaryKey("job", "person")
    # The primary key (job, person) serves look-ups by job: no index of its own.
    job = models.ForeignKey(
        ExportJob, on_delete=models.CASCADE, related_name="members", db_index=False
    )
    # No foreign key constraint: the snapshot outlives nothing it should not, and a
    # million-row insert pays for no per-row check; the person index serves look-ups.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    change = models.PositiveSmallIntegerField(choices=Change.choices)
    digests = ArrayField(models.BigIntegerField(), null=True)

    class Meta:
        verbose_name = _("person in an export")
        verbose_name_plural = _("people in exports")
        indexes = [
            # The registrant's tracker (issue 17) reads, per person, the exports that sent
            # something about them: a delta's unchanged rows (most of a delta's snapshot)
            # are left out of the index, which keeps it small and each look-up short.
            models.Index(
                fields=["person", "job"],
                name="exportmember_person_sent_idx",
                condition=~models.Q(change=4),
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.person_id}"


class ExportDownload(models.Model):
    """Who downloaded which export file, when, and how (the page or the API)."""

    job = models.ForeignKey(
        ExportJob, on_delete=models.PROTECT, related_name="downloads", verbose_name=_("export")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    channel = models.CharField(_("through"), max_length=5)
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("export download")
        verbose_name_plural = _("export downloads")

    def __str__(self) -> str:
        return f"{self.file_name} {self.at:%Y-%m-%d %H:%M}"


class ExportSchedule(models.Model):
    """An export that repeats (daily or weekly), run by Celery beat through its
    django-celery-beat periodic task, which sharing.schedules keeps in step."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    class Weekday(models.IntegerChoices):
        # Cron's numbering: Sunday is 0.
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 0, _("Sunday")

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="export_schedules",
        verbose_name=_("programme"),
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=[
            (ExportJob.Kind.FULL, ExportJob.Kind.FULL.label),
            (ExportJob.Kind.DELTA, ExportJob.Kind.DELTA.label),
        ],
        default=ExportJob.Kind.DELTA,
    )
    file_format = models.CharField(
        _("format"), max_length=5, choices=ExportJob.Format.choices, default=ExportJob.Format.CSV
    )
    frequency = models.CharField(
        _("how often"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    weekday = models.PositiveSmallIntegerField(
        _("day of the week"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    hour = models.PositiveSmallIntegerField(
        _("hour (Phnom Penh time)"), default=2, validators=[MaxValueValidator(23)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "pk"]
        verbose_name = _("export schedule")
        verbose_name_plural = _("export schedules")

    def __str__(self) -> str:
        return f"{self.programme} – {self.get_frequency_display()}"


class ProgrammeToken(models.Model):
    """The key a programme's own system (NSSF, a bank) calls the programme API with.

    Scoped to one programme: it lists, downloads and reads the deltas of that programme
    only, and only while the officer who made it still serves the programme. The key is
    shown once; only its SHA-256 is kept.
    """

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("programme"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="programme_tokens",
        verbose_name=_("made by"),
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme API key")
        verbose_name_plural = _("programme API keys")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user"], name="programmetoken_one_per_officer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} – {self.user}"
