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
        "registry.Province",
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
