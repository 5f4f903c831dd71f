from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from geography.areas import Area


class Campaign(models.Model):
    """An outreach campaign run by a province or district officer in their area."""

    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("Printed on posters: /register/?campaign=CODE attributes a registration."),
    )
    name_km = models.CharField(_("name (Khmer)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("organiser"),
    )
    province = models.ForeignKey(
        "geography.Province", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        "geography.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    commune = models.ForeignKey(
        "geography.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target = models.PositiveIntegerField(_("target registrations"))

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_km

    @property
    def area(self) -> Area:
        return Area(province=self.province, district=self.district, commune=self.commune)


class Event(models.Model):
    """A day of outreach at one place, within a campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="events", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=200)
    village = models.ForeignKey(
        "geography.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    held_on = models.DateField(_("date"))

    class Meta:
        ordering = ["held_on"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.name} ({self.held_on:%Y-%m-%d})"


class Attribution(models.Model):
    """A registration credited to a campaign (poster QR code or `?campaign=CODE`)."""

    person = models.OneToOneField(
        "registry.Person",
        on_delete=models.CASCADE,
        related_name="attribution",
        verbose_name=_("registrant"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="attributions",
        verbose_name=_("campaign"),
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attributions",
        verbose_name=_("event"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attribution")
        verbose_name_plural = _("attributions")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.campaign}"
