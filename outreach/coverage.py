"""The roll-out view's figures: where campaigns have been, and where not yet.

For each province (or each district of a province, or each commune of a district):
registered people (active registrants living there, whatever the channel), campaigns
held there, the date of the last one, and whether any campaign has reached it.

A campaign has been held in an area when it has started and either its own area lies
inside that area (a campaign for a commune was held in that commune, its district and
its province), or one of its events took place there (a nationwide campaign with an
event in a village reached that village's commune, district and province). A campaign
for a wider area with no event there did not reach it: coverage shows where organisers
actually went. The date of the last one is, per campaign, the latest of its event
days there and, when its own area lies inside, its last day so far (today while it runs).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from campaigns.models import Campaign, Event
from geography.models import Commune, District, Province, Village
from registry.models import Person

LEVELS = ("province", "district", "commune")
# From a village up to each level.
VILLAGE_PATH = {
    "province": "commune__district__province_id",
    "district": "commune__district_id",
    "commune": "commune_id",
}


@dataclass
class CoverageRow:
    unit: object
    registered: int = 0
    campaigns: set[int] = field(default_factory=set)
    last_held: datetime.date | None = None
    first_reached: datetime.date | None = None

    @property
    def campaigns_held(self) -> int:
        return len(self.campaigns)

    @property
    def reached(self) -> bool:
        return bool(self.campaigns)


@dataclass
class Coverage:
    level: str
    parent: object | None  # None, a Province or a District
    rows: list[CoverageRow]

    @property
    def reached(self) -> int:
        return sum(1 for r in self.rows if r.reached)

    @property
    def total_registered(self) -> int:
        return sum(r.registered for r in self.rows)

    def over_time(self) -> list[tuple[str, int]]:
        """(month "YYYY-MM", areas of this level reached by then), month by month."""
        firsts = sorted(r.first_reached for r in self.rows if r.first_reached)
        if not firsts:
            return []
        month, end = firsts[0].replace(day=1), timezone.localdate().replace(day=1)
        series, i = [], 0
        while month <= end:
            following = (month + datetime.timedelta(days=32)).replace(day=1)
            while i < len(firsts) and firsts[i] < following:
                i += 1
            series.append((f"{month:%Y-%m}", i))
            month = following
        return series


def _units(level: str, parent) -> list:
    if level == "province":
        return list(Province.objects.order_by("code"))
    if level == "district":
        return list(District.objects.filter(province=parent).order_by("code"))
    return list(Commune.objects.filter(district=parent).order_by("code"))


def _unit_of_campaign(campaign: Campaign, level: str) -> int | None:
    return getattr(campaign, f"{level}_id")


def _unit_of_event(event: Event, level: str) -> int:
    commune = event.village.commune
    if level == "commune":
        return commune.pk
    if level == "district":
        return commune.district_id
    return commune.district.province_id


def _note(row: CoverageRow, campaign_id: int, day: datetime.date) -> None:
    row.campaigns.add(campaign_id)
    row.last_held = max(row.last_held or day, day)
    row.first_reached = min(row.first_reached or day, day)


def coverage(*, level: str = "province", parent=None) -> Coverage:
    if level not in LEVELS:
        raise ValueError(level)
    today = timezone.localdate()
    rows = {u.pk: CoverageRow(unit=u) for u in _units(level, parent)}

    # Counted per village (one pass over the registrants, no joins), then added up per
    # unit through the gazetteer's 14,576 villages.
    villages = Village.objects.filter(**{f"{VILLAGE_PATH[level]}__in": list(rows)})
    unit_of_village = dict(villages.values_list("pk", VILLAGE_PATH[level]))
    people = Person.objects.filter(status=Person.Status.ACTIVE)
    if parent is not None:
        people = people.filter(village__in=villages)
    for village_id, n in people.values_list("village_id").annotate(n=Count("pk")).order_by():
        unit_id = unit_of_village.get(village_id)
        if unit_id is not None:
            rows[unit_id].registered += n

    started = Campaign.objects.filter(starts_on__lte=today)
    for campaign in started.only("pk", "starts_on", "ends_on", f"{level}_id"):
        unit_id = _unit_of_campaign(campaign, level)
        if unit_id in rows:
            _note(rows[unit_id], campaign.pk, campaign.starts_on)
            # The last day it has run there so far.
            _note(rows[unit_id], campaign.pk, min(campaign.ends_on, today))
    events = Event.objects.filter(campaign__starts_on__lte=today, held_on__lte=today)
    for event in events.select_related("village__commune__district"):
        unit_id = _unit_of_event(event, level)
        if unit_id in rows:
            _note(rows[unit_id], event.campaign_id, event.held_on)
    return Coverage(level=level, parent=parent, rows=list(rows.values()))


SORTS = {
    "name": lambda r: str(r.unit.name),
    "code": lambda r: r.unit.code,
    "registered": lambda r: r.registered,
    "campaigns": lambda r: r.campaigns_held,
    "last": lambda r: r.last_held or datetime.date.min,
}


def coverage_sorted(rows: list[CoverageRow], *, key: str, descending: bool) -> list[CoverageRow]:
    return sorted(rows, key=SORTS.get(key, SORTS["code"]), reverse=descending)
