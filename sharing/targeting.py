"""Crisis targeting: how many people the affected areas and kinds of work select, how
many of them a response programme may receive (consent), and where they live."""

from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, F

from programmes.models import Programme
from programmes.rules import Criteria
from sharing.eligibility import (
    EligibilityCount,
    consenting,
    eligibility_count,
    eligible_people,
    no_jit,
)

# A breakdown lists at most this many communes (the largest first).
BREAKDOWN_LIMIT = 200


@dataclass(frozen=True)
class CommuneCount:
    code: str
    name_km: str
    name_en: str
    district_km: str
    district_en: str
    eligible: int
    consenting: int | None

    @property
    def without_consent(self) -> int | None:
        return None if self.consenting is None else self.eligible - self.consenting


def targeting_count(*, criteria: Criteria, programme: Programme | None) -> EligibilityCount:
    if programme is not None:
        return eligibility_count(criteria=criteria, programme=programme)
    with transaction.atomic():
        no_jit()
        total = eligible_people(criteria=criteria).count()
    return EligibilityCount(eligible=total, consenting=0)


def targeting_breakdown(*, criteria: Criteria, programme: Programme | None) -> list[CommuneCount]:
    """People selected per commune, with how many consented to `programme` (counts only:
    nobody is listed)."""
    people = eligible_people(criteria=criteria)
    aggregates: dict[str, Count] = {"eligible": Count("pk")}
    if programme is not None:
        aggregates["consenting"] = Count("pk", filter=consenting(programme))
    rows = (
        people.values(
            code=F("village__commune__code"),
            commune_km=F("village__commune__name_km"),
            commune_en=F("village__commune__name_en"),
            district_km=F("village__commune__district__name_km"),
            district_en=F("village__commune__district__name_en"),
        )
        .annotate(**aggregates)  # type: ignore[misc]
        .order_by("-eligible", "code")[:BREAKDOWN_LIMIT]
    )
    with transaction.atomic():
        no_jit()
        found = cast(list[dict[str, Any]], list(rows))
    return [
        CommuneCount(
            code=row["code"],
            name_km=row["commune_km"],
            name_en=row["commune_en"],
            district_km=row["district_km"],
            district_en=row["district_en"],
            eligible=row["eligible"],
            consenting=row.get("consenting"),
        )
        for row in found
    ]
