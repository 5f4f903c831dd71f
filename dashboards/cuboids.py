"""The cuboids: which dimensions each kind of rollup cell keeps, and at which grain.

A query needs some dimensions (its filters, what it breaks down by, the period); it
reads the first cuboid in `CUBOIDS` (smallest first) that keeps all of them at a grain
the period allows. Coarse cuboids answer national views from a few thousand cells; the
fine one (every dimension, by day and village) answers anything, and is read only
within a small area or a short period, through the index that leads with the area.
"""

from dataclasses import dataclass

DAY = "day"
MONTH = "month"

# Always kept: what the dashboards filter by, and the status (active, withdrawn, merged).
FILTERS = frozenset({"channel", "actor_type", "sector", "sex", "status"})
AREA_LEVELS = ("province_id", "district_id", "commune_id", "village_id")
EVERYTHING = frozenset(
    {
        *FILTERS,
        *AREA_LEVELS,
        "age_band",
        "partner_id",
        "branch_id",
        "staff_id",
        "campaign_id",
    }
)

PEOPLE = "people"
CONSENTS = "consents"  # one count per registrant and programme their consent is in force for


@dataclass(frozen=True)
class Cuboid:
    id: int
    grain: str
    keeps: frozenset[str]
    measure: str = PEOPLE


def _c(id_: int, grain: str, *extra: str, measure: str = PEOPLE, base=FILTERS) -> Cuboid:
    return Cuboid(id_, grain, frozenset({*base, *extra}), measure)


# Smallest first (the order queries try them in).
CUBOIDS = (
    _c(1, MONTH, "age_band"),
    _c(2, MONTH, "campaign_id"),
    _c(3, MONTH, "partner_id", "branch_id"),
    _c(4, MONTH, "province_id"),
    _c(5, MONTH, "province_id", "age_band"),
    _c(6, MONTH, "province_id", "campaign_id"),
    _c(7, MONTH, "province_id", "partner_id", "branch_id"),
    _c(8, MONTH, "province_id", "district_id"),
    _c(9, MONTH, "province_id", "district_id", "commune_id"),
    _c(10, DAY, "partner_id", "branch_id", "staff_id", "campaign_id", base=frozenset({"status"})),
    _c(11, DAY, "province_id"),
    _c(12, DAY, base=EVERYTHING),
    _c(20, MONTH, "programme_id", measure=CONSENTS),
    _c(21, MONTH, "province_id", "programme_id", measure=CONSENTS),
    _c(22, DAY, "programme_id", measure=CONSENTS, base=EVERYTHING - {"staff_id"}),
)


def cuboid_for(*, needs: set[str], grain: str, measure: str = PEOPLE) -> Cuboid:
    """The smallest cuboid that keeps `needs` at `grain` (DAY needs day cells)."""
    for cuboid in CUBOIDS:
        if cuboid.measure != measure or (grain == DAY and cuboid.grain != DAY):
            continue
        if needs <= cuboid.keeps:
            return cuboid
    raise LookupError(f"no cuboid keeps {sorted(needs)} at {grain}")


# Age at registration, in bands (the registrant's age on the day they registered: a
# count that does not move by itself on birthdays).
AGE_BANDS = {
    1: (None, 17),
    2: (18, 24),
    3: (25, 34),
    4: (35, 44),
    5: (45, 54),
    6: (55, 64),
    7: (65, None),
}
