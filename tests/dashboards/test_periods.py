"""A period not on month boundaries: whole months from month cells, edge days from day
cells (added, or taken back out of their month), and the figures exactly the records'."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from dashboards.cuboids import AGE_BANDS, ALL, DAY, MONTH, cuboid_for
from dashboards.figures import Part, period_parts
from dashboards.services import rollups_refresh
from registry.models import Consent
from tests.dashboards.test_figures import _age_band, _panels, _records, _shown

D = datetime.date
TODAY = D(2026, 12, 20)


def test_whole_months_are_read_from_month_cells():
    assert period_parts(D(2026, 3, 1), D(2026, 6, 30), trend=None, today=TODAY) == [
        Part(MONTH, D(2026, 3, 1), D(2026, 6, 30))
    ]
    assert period_parts(None, None, trend=None, today=TODAY) == [Part(ALL)]
    assert period_parts(None, None, trend="month", today=TODAY) == [Part(MONTH)]
    # An end on or after today is open: the months so far are whole.
    assert period_parts(D(2026, 3, 1), TODAY, trend=None, today=TODAY) == [
        Part(MONTH, D(2026, 3, 1), None)
    ]


def test_edge_days_are_added_or_taken_out_whichever_is_fewer():
    # 20 July to 5 February: July's last 12 days added, February's first 5 added.
    assert period_parts(D(2025, 7, 20), D(2026, 2, 5), trend=None, today=TODAY) == [
        Part(MONTH, D(2025, 8, 1), D(2026, 1, 31)),
        Part(DAY, D(2025, 7, 20), D(2025, 7, 31)),
        Part(DAY, D(2026, 2, 1), D(2026, 2, 5)),
    ]
    # 3 July to 26 February: July less its first 2 days, February less its last 2.
    assert period_parts(D(2025, 7, 3), D(2026, 2, 26), trend=None, today=TODAY) == [
        Part(MONTH, D(2025, 7, 1), D(2026, 2, 28)),
        Part(DAY, D(2025, 7, 1), D(2025, 7, 2), -1),
        Part(DAY, D(2026, 2, 27), D(2026, 2, 28), -1),
    ]
    # Within one month: its days, or the month less the days around them.
    assert period_parts(D(2026, 5, 10), D(2026, 5, 12), trend=None, today=TODAY) == [
        Part(DAY, D(2026, 5, 10), D(2026, 5, 12))
    ]
    assert period_parts(D(2026, 5, 3), D(2026, 5, 28), trend=None, today=TODAY) == [
        Part(MONTH, D(2026, 5, 1), D(2026, 5, 31)),
        Part(DAY, D(2026, 5, 1), D(2026, 5, 2), -1),
        Part(DAY, D(2026, 5, 29), D(2026, 5, 31), -1),
    ]
    # The last 7 days: November's last 6 days, then December so far.
    assert period_parts(D(2026, 11, 25), None, trend=None, today=D(2026, 12, 1)) == [
        Part(MONTH, D(2026, 12, 1), None),
        Part(DAY, D(2026, 11, 25), D(2026, 11, 30)),
    ]
    # In the current month, only the days so far count as "in it".
    assert period_parts(D(2026, 12, 14), None, trend=None, today=TODAY) == [
        Part(DAY, D(2026, 12, 14), D(2026, 12, 31)),
    ]
    assert period_parts(D(2026, 12, 3), None, trend=None, today=TODAY) == [
        Part(MONTH, D(2026, 12, 1), None),
        Part(DAY, D(2026, 12, 1), D(2026, 12, 2), -1),
    ]
    # A trend by day or week reads days throughout; an empty period reads nothing.
    assert period_parts(D(2026, 5, 3), None, trend="week", today=TODAY) == [
        Part(DAY, D(2026, 5, 3), None)
    ]
    assert period_parts(D(2026, 5, 3), D(2026, 5, 1), trend=None, today=TODAY) == []


def test_unfiltered_and_provincial_views_read_lean_cuboids():
    """What a figure of the whole country or one province needs is kept by a cuboid of
    the status and that figure's dimension only, at every grain."""
    for grain in (ALL, MONTH, DAY):
        for by in ("age_band", "sex", "channel", "sector", "actor_type", "campaign_id"):
            for area in (set(), {"province_id"}):
                cuboid = cuboid_for(needs={"status", by, *area}, grain=grain)
                assert cuboid.keeps <= {"status", by, "partner_id", "province_id"}, cuboid
        assert cuboid_for(needs={"status", "province_id", "district_id"}, grain=grain).id >= 100


def _month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )


def _periods(today: datetime.date) -> list[tuple[datetime.date, datetime.date | None]]:
    two_back = (today.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)
    one_back = (two_back + datetime.timedelta(days=40)).replace(day=1)
    return [
        # Across two or three month boundaries, edges added.
        (today - datetime.timedelta(days=75), today - datetime.timedelta(days=10)),
        # From the 2nd of a month to the day before the end of the next: edges taken out.
        (two_back + datetime.timedelta(days=1), _month_end(one_back) - datetime.timedelta(days=1)),
        # Inside one month, taken out of it; and a few days of it, added.
        (two_back + datetime.timedelta(days=2), _month_end(two_back) - datetime.timedelta(days=3)),
        (two_back + datetime.timedelta(days=9), two_back + datetime.timedelta(days=11)),
        # Open-ended, from the middle of a month.
        (today - datetime.timedelta(days=40), None),
    ]


@pytest.mark.parametrize(("province", "sex"), [(None, ""), ("12", ""), (None, "F")])
@pytest.mark.parametrize("which", range(5))
def test_a_period_across_month_boundaries_counts_exactly_the_records(
    registry_sample, ministry_client, which, province, sex
):
    from geography.models import Province

    rollups_refresh()
    today = timezone.localdate()
    start, end = _periods(today)[which]
    query = {"start": start.isoformat(), "trend": "month"}
    conditions: dict = {"start": start}
    if end:
        query["end"] = end.isoformat()
        conditions["end"] = end
    if province:
        query["province"] = province
        conditions["province"] = Province.objects.get(code=province).pk
    if sex:
        # One filter and a period: the lean cuboids under one filter, by month and day.
        query["sex"] = conditions["sex"] = sex
    response = ministry_client.get("/dashboard/", query)
    assert response.status_code == 200
    people = _records(**conditions)
    panels = _panels(response)
    data = response.context["data"]
    assert data["total"].n == len(people)
    assert _shown(panels["sex"]) == dict(Counter(p.sex for p in people))
    assert _shown(panels["channel"]) == dict(Counter(p.channel for p in people))
    ages = Counter(_age_band(p) for p in people)
    assert _shown(panels["age_band"]) == {band: ages.get(band, 0) for band in AGE_BANDS}
    assert _shown(panels["partner"]) == dict(Counter(p.partner_id or 0 for p in people))
    campaigns = Counter(getattr(getattr(p, "attribution", None), "campaign_id", 0) for p in people)
    assert _shown(panels["campaign"]) == dict(campaigns)
    district = Counter(p.village.commune.district_id for p in people)
    provinces = Counter(p.village.commune.district.province_id for p in people)
    assert _shown(panels["area"]) == dict(district if province else provinces)
    months = Counter(timezone.localtime(p.created_at).date().replace(day=1) for p in people)
    assert _shown(panels["trend"]) == dict(months)
    consents = Counter(
        c.programme_id or -1 for c in Consent.objects.filter(person__in=people, withdrawn_at=None)
    )
    assert {k: v for k, v in _shown(panels["consent"]).items() if v} == dict(consents)
    figures = {c.key: c.n for c in data["figures"]}
    assert figures["withdrawn"] == len(_records(status="withdrawn", **conditions))
