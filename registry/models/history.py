from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonChange(models.Model):
    """One entry in a registrant's history: who changed what, when, through which channel."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        UPDATED = "updated", _("Updated")
        CONSENT_GIVEN = "consent_given", _("Consent given")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        LEFT = "left", _("Left the registry")
        MERGED_FROM = "merged_from", _("Another record merged into this one")
        MERGED_INTO = "merged_into", _("Merged into another record")
        UNMERGED = "unmerged", _("Merge undone")

    # No index of its own: personchange_person_at_idx (person, -at) serves every look-up
    # by person.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # {"field": [old, new], ...}; values as text so the record survives schema changes.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    channel = models.CharField(_("channel"), max_length=12)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("history")
        indexes = [models.Index(fields=["person", "-at"], name="personchange_person_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
