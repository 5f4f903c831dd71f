"""Deduplication: comparison keys, possible duplicates for review, reversible merges."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PersonKeys(models.Model):
    """Normalised comparison keys of one registrant, for blocking and scoring.

    Computed by the dedup engine (registry/dedup) from the shared normalisation, so
    the registration path stays lean; refreshed whenever the record changes.
    """

    person = models.OneToOneField(
        "registry.Person", on_delete=models.CASCADE, primary_key=True, related_name="keys"
    )
    name_km = models.CharField(max_length=150, blank=True)
    name_latin = models.CharField(max_length=150, blank=True)
    # Order-free phonetic key of the Latin name, tolerant of romanisation variants.
    latin_key = models.CharField(max_length=150, blank=True)
    # Order-free key of the Khmer name (syllables sorted, marks normalised).
    khmer_key = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=16, blank=True)
    national_id = models.CharField(max_length=20, blank=True)
    date_of_birth = models.DateField(null=True)
    birth_year = models.PositiveSmallIntegerField(null=True)
    sex = models.CharField(max_length=1, blank=True)
    village_id = models.BigIntegerField(null=True)
    commune_id = models.BigIntegerField(null=True)
    province_id = models.BigIntegerField(null=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "registry_personkeys"
        verbose_name = _("comparison keys")
        verbose_name_plural = _("comparison keys")
        indexes = [
            # One index per blocking rule of registry/dedup/blocking.py.
            models.Index(fields=["phone"], name="keys_phone_idx"),
            models.Index(fields=["national_id"], name="keys_national_id_idx"),
            models.Index(fields=["date_of_birth", "sex"], name="keys_dob_sex_idx"),
            models.Index(fields=["latin_key", "date_of_birth"], name="keys_latin_dob_idx"),
            models.Index(fields=["khmer_key", "village_id"], name="keys_khmer_village_idx"),
        ]

    def __str__(self) -> str:
        return f"keys of {self.person_id}"


class DuplicateCase(models.Model):
    """A pair of records that may be one person, and what was decided about it."""

    class Decision(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        MERGED = "merged", _("Same person: merged")
        DIFFERENT = "different", _("Different people")

    class Source(models.TextChoices):
        INCREMENTAL = "incremental", _("New or changed record")
        BATCH = "batch", _("Whole-registry run")

    # Always person_a.id < person_b.id, so a pair has one row whichever side was new.
    person_a = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    # [{"field": "phone", "outcome": "agree"|"disagree"|"missing"|"partial", "weight": 1.2}, ...]
    reasons = models.JSONField(_("reasons"), default=list)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.OPEN
    )
    automatic = models.BooleanField(_("decided automatically"), default=False)
    source = models.CharField(_("found by"), max_length=12, choices=Source.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "registry_duplicatecase"
        ordering = ["-score", "id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(
                fields=["person_a", "person_b"], name="duplicatecase_pair_unique"
            ),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="duplicatecase_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["decision", "-score"], name="duplicatecase_queue_idx"),
            models.Index(fields=["person_b"], name="duplicatecase_person_b_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.score:.2f}, {self.decision})"


class Merge(models.Model):
    """One record merged into another, with everything needed to undo it exactly."""

    survivor = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="merges_received"
    )
    merged = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="merges")
    case = models.ForeignKey(
        DuplicateCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="merges"
    )
    # The two records' fields and consent rows as they were just before the merge.
    snapshot = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "registry_merge"
        ordering = ["-merged_at"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        constraints = [
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(undone_at__isnull=True),
                name="merge_one_active_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class PersonAlias(models.Model):
    """A value a survivor keeps from a record merged into it: another name, phone or ID."""

    class Field(models.TextChoices):
        NAME_KM = "name_km", _("name in Khmer script")
        NAME_LATIN = "name_latin", _("name in Latin letters")
        PHONE = "phone", _("phone")
        NATIONAL_ID = "national_id", _("national ID number")
        DATE_OF_BIRTH = "date_of_birth", _("date of birth")
        REFERENCE = "reference", _("partner reference")

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="aliases")
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    value = models.CharField(_("value"), max_length=150)
    merge = models.ForeignKey(Merge, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        db_table = "registry_personalias"
        verbose_name = _("alternative value")
        verbose_name_plural = _("alternative values")
        indexes = [models.Index(fields=["field", "value"], name="alias_field_value_idx")]

    def __str__(self) -> str:
        return f"{self.field}={self.value}"


class DedupRun(models.Model):
    """One pass of the dedup engine over the whole registry, resumable from its cursor.

    Records are taken in id order, each compared with the older ones, and every chunk
    commits its cases, merges and the cursor in one transaction: a crashed or stopped
    run continues after the last committed chunk and repeats nothing.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        ABANDONED = "abandoned", _("Abandoned")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    # Last person id whose comparisons are committed.
    cursor = models.BigIntegerField(default=0)
    chunk_size = models.PositiveIntegerField(default=5000)
    # Records to examine when the run started (active records), and examined so far.
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # {"compared": n, "pairs_found": n, "merged": n, "opened": n, "updated": n,
    #  "skipped_decided": n, "keys_refreshed": n}
    counts = models.JSONField(default=dict)
    weights_version = models.CharField(max_length=40, blank=True)
    # Who asked for it from the review pages; empty when started by the command or a schedule.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "registry_deduprun"
        ordering = ["-started_at"]
        verbose_name = _("dedup run")
        verbose_name_plural = _("dedup runs")

    def __str__(self) -> str:
        return f"dedup run {self.pk} ({self.status}, cursor {self.cursor})"

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0
