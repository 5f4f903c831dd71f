"""Figures of one campaign: registrations against target, who registered, per event.

Counts come from the attributions the registration wrote (campaigns.Attribution) and
the registrants they point to; aggregates only, never a person.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import get_language

from campaigns.models import Attribution, Campaign
from registry.models import Person
from registry.models.people import ActorType, Channel, Sex


@dataclass
class CampaignFigures:
    total: int
    target: int
    days: list[tuple[datetime.date, int]]  # (day, registrations that day)
    channel: list[tuple[str, int]]
    actor_type: list[tuple[str, int]]
    sex: list[tuple[str, int]]
    villages: list[tuple[str, str, int]]  # (village code, "village, commune, district", n)
    events: list[Any]  # Events annotated with `registered`

    @property
    def cumulative(self) -> list[tuple[datetime.date, int]]:
        running, result = 0, []
        for day, n in self.days:
            running += n
            result.append((day, running))
        return result

    @property
    def percent(self) -> int:
        return round(100 * self.total / self.target) if self.target else 0


def _labelled(rows, choices) -> list[tuple[str, int]]:
    labels = dict(choices)
    return [(str(labels.get(value, value)), n) for value, n in rows]


def campaign_people(*, campaign: Campaign) -> QuerySet[Person]:
    return Person.objects.filter(attribution__campaign=campaign)


def campaign_figures(*, campaign: Campaign) -> CampaignFigures:
    attributions = Attribution.objects.filter(campaign=campaign)
    per_day = dict(
        attributions.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    last = min(campaign.ends_on, timezone.localdate())
    first = min([campaign.starts_on, *per_day])
    last = max([last, *per_day]) if per_day else max(last, first)
    days = [
        (first + datetime.timedelta(days=i), per_day.get(first + datetime.timedelta(days=i), 0))
        for i in range((last - first).days + 1)
    ]
    people = campaign_people(campaign=campaign)

    def by(field: str):
        return people.values_list(field).annotate(n=Count("pk")).order_by("-n", field)

    villages = (
        people.values_list(
            "village__code",
            "village__name_km",
            "village__name_en",
            "village__commune__name_km",
            "village__commune__name_en",
        )
        .annotate(n=Count("pk"))
        .order_by("-n", "village__code")
    )
    english = get_language() == "en"
    village_rows = [
        (
            code,
            f"{v_en or v_km}, {c_en or c_km}" if english else f"{v_km or v_en}, {c_km or c_en}",
            n,
        )
        for code, v_km, v_en, c_km, c_en, n in villages
    ]
    events = list(
        campaign.events.select_related("village__commune").annotate(
            registered=Count("attributions")
        )
    )
    return CampaignFigures(
        total=sum(per_day.values()),
        target=campaign.target,
        days=days,
        channel=_labelled(by("channel"), Channel.choices),
        actor_type=_labelled(by("actor_type"), ActorType.choices),
        sex=_labelled(by("sex"), Sex.choices),
        villages=village_rows,
        events=events,
    )
