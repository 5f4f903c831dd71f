from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    """A benefit programme registrants can consent to be reached by (NSSF, training...)."""

    class Kind(models.TextChoices):
        SOCIAL_SECURITY = "social_security", _("Social security (NSSF)")
        SKILLS = "skills", _("Skills training")
        FINANCE = "finance", _("Financial services")
        TAX = "tax", _("Tax relief")
        SOCIAL_PROTECTION = "social_protection", _("Social protection and crisis help")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name_km = models.CharField(_("name (Khmer)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_km = models.TextField(_("description (Khmer)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "registry_programme"
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_km
