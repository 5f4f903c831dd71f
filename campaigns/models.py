"""Outreach campaigns, their events, and the registrations they brought in.

A campaign covers an area at any level (nationwide, province, district, commune or
village) for a period, with a target of registrations and the partner banks taking part.
Each campaign and each event has a short code printed on its poster
(`/register/?campaign=CODE`): a registration through it is credited to the campaign,
and to the event when the code is an event's. Campaign and event codes share one
namespace (campaigns.services.code_is_free), so a code names one thing.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from geography.areas import Area

# No 0/O, 1/I/L: a code is read off a poster and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def code_new() -> str:
    """A short code no campaign or event uses yet (they share one namespace on posters)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if (
            not Campaign.objects.filter(code__iexact=code).exists()
            and not Event.objects.filter(code__iexact=code).exists()
        ):
            return code


class Campaign(models.Model):
    """An outreach campaign run by an organiser (a province or district officer) in their area."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

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
        "geography.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        "geography.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    commune = models.ForeignKey(
        "geography.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    village = models.ForeignKey(
        "geography.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target = models.PositiveIntegerField(_("target registrations"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    # partners sits above campaigns: named by label, no import (README, "Architecture").
    partners = models.ManyToManyField(
        "partners.Partner",
        blank=True,
        related_name="campaigns",
        verbose_name=_("partners taking part"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, null=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, null=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(target__gt=0), name="campaign_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_km

    @property
    def area(self) -> Area:
        return Area(
            province=self.province,
            district=self.district,
            commune=self.commune,
            village=self.village,
        )

    @property
    def accepts_registrations(self) -> bool:
        """Registrations through its code count for it: not closed, and in its period today."""
        today = timezone.localdate()
        return self.status != self.Status.CLOSED and self.starts_on <= today <= self.ends_on


class Event(models.Model):
    """A day of outreach at one place, within a campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="events", verbose_name=_("campaign")
    )
    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        default=code_new,
        help_text=_("Printed on the event's poster: registrations count for the event too."),
    )
    name = models.CharField(_("name"), max_length=200)
    village = models.ForeignKey(
        "geography.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    held_on = models.DateField(_("date"))
    expected_attendance = models.PositiveIntegerField(
        _("expected attendance"), null=True, blank=True
    )
    actual_attendance = models.PositiveIntegerField(_("actual attendance"), null=True, blank=True)

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.name} ({self.held_on:%Y-%m-%d})"


class Attribution(models.Model):
    """A registration credited to a campaign (poster QR code, `?campaign=CODE`, an event
    or a counter), and to the event when it came through one."""

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
        indexes = [models.Index(fields=["campaign", "created_at"], name="attribution_campaign_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.campaign}"
