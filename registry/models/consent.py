from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# How the history names the general purpose "share my data with partner institutions"
# (a consent with no programme).
DATA_SHARING_PURPOSE = "data_sharing"


class Consent(models.Model):
    """A registrant's permission for one purpose: a programme, or data sharing.

    `programme` empty means the general purpose "share my data with partner institutions".
    Giving creates a row; withdrawing stamps it. Rows are never deleted, so the
    history of every decision stays. At most one row per purpose is in force.
    """

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="consents")
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("programme"),
    )
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    channel = models.CharField(_("channel"), max_length=12)
    # No index on who recorded or withdrew a consent: nothing looks consents up by staff
    # member (users are deactivated, not deleted), and a bulk file records thousands.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        db_index=False,
    )
    evidence = models.FileField(
        _("photo of the signed form"),
        upload_to="consent-forms/%Y/%m/",
        blank=True,
        db_default="",
        help_text=_("Taken at a branch counter when the applicant signs the paper form."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_channel = models.CharField(_("withdrawn through"), max_length=12, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
        db_index=False,
    )

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(withdrawn_at__isnull=True, programme__isnull=False),
                name="consent_one_active_per_programme",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(withdrawn_at__isnull=True, programme__isnull=True),
                name="consent_one_active_data_sharing",
            ),
        ]
        # A programme's delta looks up the consents given or withdrawn since its previous
        # export (sharing.exports.delta).
        indexes = [
            models.Index(fields=["programme", "given_at"], name="consent_prog_given_idx"),
            models.Index(
                fields=["programme", "withdrawn_at"],
                name="consent_prog_withdrawn_idx",
                condition=Q(withdrawn_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        purpose = self.programme or _("data sharing")
        return f"{purpose} ({_('withdrawn') if self.withdrawn_at else _('given')})"
