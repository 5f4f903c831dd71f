"""The cuboids: which dimensions each kind of rollup cell keeps, and at which grain.

A query needs some dimensions (its filters, what it breaks down by, the period); each
part of its period (dashboards.figures.period_parts: all time, whole months, edge days)
reads the first cuboid in `CUBOIDS` (smallest first) that keeps all of them at that
part's grain. Lean cuboids (the status and one figure's dimension, nationally or by
province) answer the views of the country or a province from a few hundred cells per
period; coarse cuboids keep every filter; the fine one (every dimension, by day and
village) answers anything, and is read only within a small area, through the index
that leads with the area.
"""

from dataclasses import dataclass

DAY = "day"
MONTH = "month"
# All time: one period (ALL_TIME) for every registration. Most views have no period
# filter, and these cells are about 1/24th of the monthly ones for two years of data.
ALL = "all"
ALL_TIME = "1970-01-01"
GRAIN_ORDER = {ALL: 0, MONTH: 1, DAY: 2}

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


# The coarse cuboids, kept at two grains: all time (id + 30, or + 20 for consents) and by
# month (id). {id: (kept beyond the filters, measure)}.
_COARSE = {
    1: (("age_band",), PEOPLE),
    2: (("campaign_id",), PEOPLE),
    3: (("partner_id", "branch_id"), PEOPLE),
    4: (("province_id",), PEOPLE),
    5: (("province_id", "age_band"), PEOPLE),
    6: (("province_id", "campaign_id"), PEOPLE),
    7: (("province_id", "partner_id", "branch_id"), PEOPLE),
    8: (("province_id", "district_id"), PEOPLE),
    9: (("province_id", "district_id", "commune_id"), PEOPLE),
    20: (("programme_id",), CONSENTS),
    21: (("province_id", "programme_id"), CONSENTS),
}


def _coarse(grain: str) -> list[Cuboid]:
    shift = {ALL: {PEOPLE: 30, CONSENTS: 20}, MONTH: {PEOPLE: 0, CONSENTS: 0}}[grain]
    return [
        _c(id_ + shift[measure], grain, *kept, measure=measure)
        for id_, (kept, measure) in _COARSE.items()
    ]


# The lean cuboids: only the status and what one figure breaks down by, nationally
# (id 100 + i) or within a province (id 120 + i), at each grain (+ 0 all time, + 40
# month, + 80 day). The views people open most (the whole country or one province, a
# period, no other filter) read a few hundred cells per period from them, where the
# coarse cuboids, which keep every filter, hold one cell per combination of the filters
# (close to one per registrant and day at the fine grains).
_LEAN_NATIONAL = (
    ((), PEOPLE),
    (("sex",), PEOPLE),
    (("channel",), PEOPLE),
    (("actor_type",), PEOPLE),
    (("sector",), PEOPLE),
    (("age_band",), PEOPLE),
    (("partner_id", "campaign_id"), PEOPLE),
    (("partner_id", "branch_id"), PEOPLE),
    (("province_id",), PEOPLE),
    (("programme_id",), CONSENTS),
)
_LEAN_PROVINCIAL = (
    (("sex",), PEOPLE),
    (("channel",), PEOPLE),
    (("actor_type",), PEOPLE),
    (("sector",), PEOPLE),
    (("age_band",), PEOPLE),
    (("partner_id", "campaign_id"), PEOPLE),
    (("partner_id", "branch_id"), PEOPLE),
    (("district_id",), PEOPLE),
    (("programme_id",), CONSENTS),
)
_LEAN_SHIFT = {ALL: 0, MONTH: 40, DAY: 80}

# Lean cuboids under one filter (id 300 + i by month, 340 + i by day): a view narrowed
# by one of channel, type of work, sector or sex (over a period, so by month and day)
# reads the status, that filter and one figure's dimension.
_ONE_FILTER = ("sex", "channel", "actor_type", "sector")
_LEAN_FILTERED = (
    *(
        ((f, *kept), measure)
        for f in _ONE_FILTER
        for kept, measure in (
            (("age_band",), PEOPLE),
            (("partner_id", "branch_id"), PEOPLE),
            (("partner_id", "campaign_id"), PEOPLE),
            (("province_id",), PEOPLE),
            (("programme_id",), CONSENTS),
        )
    ),
    *(((f, g), PEOPLE) for i, f in enumerate(_ONE_FILTER) for g in _ONE_FILTER[i + 1 :]),
)
_LEAN_FILTERED_SHIFT = {MONTH: 300, DAY: 340}


def _lean(grain: str) -> list[Cuboid]:
    shift = _LEAN_SHIFT[grain]
    status = frozenset({"status"})
    national = [
        _c(100 + shift + i, grain, *kept, measure=measure, base=status)
        for i, (kept, measure) in enumerate(_LEAN_NATIONAL)
    ]
    provincial = [
        _c(120 + shift + i, grain, "province_id", *kept, measure=measure, base=status)
        for i, (kept, measure) in enumerate(_LEAN_PROVINCIAL)
    ]
    filtered = []
    if grain in _LEAN_FILTERED_SHIFT:
        filtered = [
            _c(_LEAN_FILTERED_SHIFT[grain] + i, grain, *kept, measure=measure, base=status)
            for i, (kept, measure) in enumerate(_LEAN_FILTERED)
        ]
    return national + provincial + filtered


# Smallest first (the order queries try them in): at each grain, the lean ones first.
CUBOIDS = (
    *_lean(ALL),
    *_coarse(ALL),
    *_lean(MONTH),
    # The trend by month under the filters, without the area.
    _c(14, MONTH),
    *_coarse(MONTH),
    *_lean(DAY),
    _c(10, DAY, "partner_id", "branch_id", "staff_id", "campaign_id", base=frozenset({"status"})),
    # The trend by day or week under the filters, without the area.
    _c(13, DAY),
    _c(11, DAY, "province_id"),
    _c(12, DAY, base=EVERYTHING),
    _c(22, DAY, "programme_id", measure=CONSENTS, base=EVERYTHING - {"staff_id"}),
)
assert len({c.id for c in CUBOIDS}) == len(CUBOIDS)


def cuboid_for(*, needs: set[str], grain: str, measure: str = PEOPLE) -> Cuboid:
    """The smallest cuboid that keeps `needs` at `grain` or finer (ALL: any; MONTH:
    months or days; DAY: days)."""
    for cuboid in CUBOIDS:
        if cuboid.measure != measure or GRAIN_ORDER[cuboid.grain] < GRAIN_ORDER[grain]:
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
