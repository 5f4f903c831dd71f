from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from registry.models.people import Sector


class Enterprise(models.Model):
    """A micro-enterprise: its owner registers it, its workers name it as employer."""

    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    owner = models.ForeignKey(
        "registry.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_enterprises",
        verbose_name=_("owner"),
    )
    workers = models.PositiveIntegerField(
        _("number of workers"), default=0, validators=[MaxValueValidator(500)]
    )
    # No index of its own: enterprise_village_name_idx (village, name) serves every look-up
    # by village, and a bulk file adds thousands of enterprises at once.
    village = models.ForeignKey(
        "geography.Village",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village"),
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["village", "name"], name="enterprise_village_name_idx"),
            # A worker's employer is found by name, in any case (upper(name) = upper(%s)).
            models.Index(Upper("name"), name="enterprise_upper_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Employment(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        WORKER = "worker", _("Worker")
        SEASONAL = "seasonal", _("Seasonal worker")

    # No index of its own: employment_person_enterprise_unique (person, enterprise) serves
    # every look-up by person.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="employments", db_index=False
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="employments")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    seasonal_months = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)]),
        default=list,
        blank=True,
        verbose_name=_("months worked (seasonal)"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "enterprise"], name="employment_person_enterprise_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} – {self.enterprise}"
