"""What the tracker keeps of its own: questions to the help desk, the first receipt of
each programme (so its SMS goes once), and who asked not to get that SMS."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Question(models.Model):
    """A registrant's question about one entry of their tracker, for the ministry's
    help desk (administrators answer it in /admin/)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("Being looked into")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("record"),
    )
    # The entry asked about ("read:123", "export:45", "change:67"), as the tracker keys it.
    about = models.CharField(_("about the entry"), max_length=40, blank=True)
    text = models.TextField(_("question"), max_length=2000)
    channel = models.CharField(_("channel"), max_length=12)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    answer = models.TextField(_("answer or note"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("question to the help desk")
        verbose_name_plural = _("questions to the help desk")
        indexes = [models.Index(fields=["status", "-created_at"], name="question_status_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"


class ProgrammeReceipt(models.Model):
    """The first export or delta that gave a programme this person's data: one row per
    (person, programme), written when that job is published, so the SMS goes once."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    job = models.ForeignKey(
        "sharing.ExportJob", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    at = models.DateTimeField(_("first received at"))

    class Meta:
        verbose_name = _("first receipt by a programme")
        verbose_name_plural = _("first receipts by programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme"], name="programmereceipt_once_per_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.programme_id}"


class NoticeOptOut(models.Model):
    """This record's holder asked for no SMS when a programme first receives their data."""

    person = models.OneToOneField(
        "registry.Person", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("no SMS on first receipt")
        verbose_name_plural = _("no SMS on first receipt")

    def __str__(self) -> str:
        return str(self.person_id)
