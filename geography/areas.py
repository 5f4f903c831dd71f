"""An administrative area at any level (nationwide, province, district, commune or village).

Campaigns and campaign organisers' scopes are areas; one object says which
registrants and campaigns fall inside it, so the rule lives in one place.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Area:
    province: Any = None
    district: Any = None
    commune: Any = None
    village: Any = None

    @property
    def deepest(self) -> Any:
        return self.village or self.commune or self.district or self.province

    @property
    def is_national(self) -> bool:
        return self.deepest is None

    def __str__(self) -> str:
        return str(self.deepest.name) if self.deepest else _("Nationwide")

    def village_filter(self, prefix: str = "village") -> Q:
        """Q selecting rows whose village (reached through `prefix`) lies in this area."""
        if self.village is not None:
            return Q(**{prefix: self.village})
        if self.commune is not None:
            return Q(**{f"{prefix}__commune": self.commune})
        if self.district is not None:
            return Q(**{f"{prefix}__commune__district": self.district})
        if self.province is not None:
            return Q(**{f"{prefix}__commune__district__province": self.province})
        return Q()

    def is_consistent(self) -> bool:
        """A district must lie in the province and a commune in the district."""
        if (
            self.district is not None
            and self.province is not None
            and self.district.province_id != self.province.pk
        ):
            return False
        if (
            self.commune is not None
            and self.district is not None
            and self.commune.district_id != self.district.pk
        ):
            return False
        if (
            self.village is not None
            and self.commune is not None
            and self.village.commune_id != self.commune.pk
        ):
            return False
        return (
            not (self.district is not None and self.province is None)
            and not (self.commune is not None and self.district is None)
            and not (self.village is not None and self.commune is None)
        )

    def contains(self, other: "Area") -> bool:
        """Whether `other` lies inside this area (an area contains itself)."""
        for level in ("province", "district", "commune", "village"):
            mine = getattr(self, level)
            if mine is None:
                return True
            theirs = getattr(other, level)
            if theirs is None or theirs.pk != mine.pk:
                return False
        return True

    @classmethod
    def of_village(cls, village: Any) -> "Area":
        commune = village.commune
        district = commune.district
        return cls(province=district.province, district=district, commune=commune, village=village)
