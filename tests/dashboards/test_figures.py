"""The dashboard's figures against counts made independently from the records."""

import csv
import datetime
import io
from collections import Counter

import pytest
from django.utils import timezone

from dashboards.cuboids import AGE_BANDS
from dashboards.services import rollups_rebuild, rollups_refresh
from registry.models import Consent, Person

pytestmark = pytest.mark.django_db


def _age_band(person: Person) -> int:
    day = timezone.localtime(person.created_at).date()
    dob = person.date_of_birth
    age = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    for band, (low, high) in AGE_BANDS.items():
        if (low is None or age >= low) and (high is None or age <= high):
            return band
    raise AssertionError(age)


def _records(status="active", **conditions):
    people = Person.objects.filter(status=status).select_related(
        "village__commune__district", "attribution"
    )
    out = []
    for p in people:
        day = timezone.localtime(p.created_at).date()
        if "start" in conditions and day < conditions["start"]:
            continue
        if "end" in conditions and day > conditions["end"]:
            continue
        values = {
            "province": p.village.commune.district.province_id,
            "district": p.village.commune.district_id,
            "commune": p.village.commune_id,
            "village": p.village_id,
        }
        if any(values[k] != v for k, v in conditions.items() if k in values):
            continue
        if any(
            getattr(p, k) != v
            for k, v in conditions.items()
            if k in ("sex", "channel", "sector", "actor_type")
        ):
            continue
        out.append(p)
    return out


def _panels(response) -> dict:
    return {p.key: p for p in response.context["data"]["panels"]}


def _shown(panel) -> dict:
    return {cell.key: cell.n for cell in panel.cells}


FILTER_SETS = [
    ({}, {}),
    ({"sex": "F"}, {"sex": "F"}),
    (
        {"channel": "branch", "sector": "agriculture"},
        {"channel": "branch", "sector": "agriculture"},
    ),
    (
        {"province": "12", "actor_type": "seasonal_worker"},
        {"province": "12", "actor_type": "seasonal_worker"},
    ),
]


@pytest.mark.parametrize(("query", "conditions"), FILTER_SETS)
def test_every_breakdown_matches_the_records(registry_sample, ministry_client, query, conditions):
    rollups_refresh()
    if "province" in conditions:
        from geography.models import Province

        conditions = {
            **conditions,
            "province": Province.objects.get(code=conditions["province"]).pk,
        }
    response = ministry_client.get("/dashboard/", query)
    assert response.status_code == 200
    people = _records(**conditions)
    panels = _panels(response)
    data = response.context["data"]
    assert data["total"].n == len(people) > 0
    assert _shown(panels["sex"]) == dict(Counter(p.sex for p in people))
    assert _shown(panels["channel"]) == dict(Counter(p.channel for p in people))
    assert _shown(panels["sector"]) == dict(Counter(p.sector for p in people))
    assert _shown(panels["actor_type"]) == dict(Counter(p.actor_type for p in people))
    ages = Counter(_age_band(p) for p in people)
    assert _shown(panels["age_band"]) == {band: ages.get(band, 0) for band in AGE_BANDS}
    assert _shown(panels["partner"]) == dict(Counter(p.partner_id or 0 for p in people))
    assert _shown(panels["branch"]) == dict(Counter(p.branch_id for p in people if p.branch_id))
    campaigns = Counter(getattr(getattr(p, "attribution", None), "campaign_id", 0) for p in people)
    assert _shown(panels["campaign"]) == dict(campaigns)
    level = "district" if "province" in conditions else "province"
    assert _shown(panels["area"]) == dict(
        Counter(
            getattr(p.village.commune.district, f"{level}_id" if level == "province" else "id")
            for p in people
        )
    )
    months = Counter(timezone.localtime(p.created_at).date().replace(day=1) for p in people)
    assert _shown(panels["trend"]) == dict(months)
    consents = Counter(
        c.programme_id or -1 for c in Consent.objects.filter(person__in=people, withdrawn_at=None)
    )
    assert {k: v for k, v in _shown(panels["consent"]).items() if v} == dict(consents)
    figures = {c.key: c.n for c in data["figures"]}
    assert figures["withdrawn"] == len(_records(status="withdrawn", **conditions))
    assert figures["merged"] == len(_records(status="merged", **conditions))


def test_a_period_and_trend_by_day_and_week(registry_sample, ministry_client):
    rollups_refresh()
    today = timezone.localdate()
    start = today - datetime.timedelta(days=20)
    response = ministry_client.get("/dashboard/", {"start": start.isoformat(), "trend": "day"})
    people = _records(start=start)
    panels = _panels(response)
    assert response.context["data"]["total"].n == len(people)
    days = Counter(timezone.localtime(p.created_at).date() for p in people)
    assert _shown(panels["trend"]) == dict(days)
    # Today's figure is marked as partial.
    if today in days:
        assert "so far" in panels["trend"].cells[-1].label
    response = ministry_client.get("/dashboard/", {"start": start.isoformat(), "trend": "week"})
    weeks = Counter(
        d - datetime.timedelta(days=d.weekday())
        for d in (timezone.localtime(p.created_at).date() for p in people)
    )
    assert _shown(_panels(response)["trend"]) == dict(weeks)


def test_drill_down_from_province_to_village(registry_sample, ministry_client):
    rollups_refresh()
    village = registry_sample["villages"][0]
    commune = village.commune
    district = commune.district
    province = district.province
    url = "/dashboard/"
    for level, expected_next in (
        (province, district),
        (district, commune),
        (commune, village),
    ):
        response = ministry_client.get(url)
        area = _panels(response)["area"]
        cell = next(c for c in area.cells if c.key == level.pk)
        url = "/dashboard/" + cell.href
        response = ministry_client.get(url)
        assert response.context["data"]["total"].n == cell.n
        next_area = _panels(response)["area"]
        assert expected_next.pk in {c.key for c in next_area.cells}
    vill_cell = next(c for c in _panels(response)["area"].cells if c.key == village.pk)
    response = ministry_client.get("/dashboard/" + vill_cell.href)
    assert response.context["data"]["total"].n == len(_records(village=village.pk)) == vill_cell.n
    assert "area" not in _panels(response)  # nothing below a village
    # The breadcrumbs lead back up.
    assert [label for label, _href in response.context["crumbs"]][1:] == [
        province.name,
        district.name,
        commune.name,
        village.name,
    ]


def test_filters_are_kept_in_the_address(registry_sample, ministry_client):
    rollups_refresh()
    response = ministry_client.get("/dashboard/", {"province": "12", "sex": "F", "trend": "week"})
    html = response.content.decode()
    # Drill-down links and CSV links carry every other filter.
    area = _panels(response)["area"]
    assert all(
        "sex=F" in c.href and "trend=week" in c.href and "district=" in c.href for c in area.cells
    )
    assert "/dashboard/csv/sector/?" in html and "sex=F" in html
    form = response.context["form"]
    assert form.cleaned_data["sex"] == "F"


def test_bad_filters_are_said_and_ignored(registry_sample, ministry_client):
    rollups_refresh()
    response = ministry_client.get(
        "/dashboard/", {"province": "99", "sex": "X", "start": "2026-13-01"}
    )
    assert response.status_code == 200
    assert response.context["data"]["total"].n == len(_records())
    html = response.content.decode()
    assert "That area is not in the gazetteer" in html
    response = ministry_client.get("/dashboard/", {"start": "2026-05-01", "end": "2026-04-01"})
    assert "The end of the period is before its start." in response.content.decode()


def test_csv_is_exactly_the_table_shown(registry_sample, ministry_client):
    rollups_refresh()
    response = ministry_client.get("/dashboard/", {"sex": "M"})
    sector = _panels(response)["sector"]
    csv_response = ministry_client.get("/dashboard/csv/sector/", {"sex": "M"})
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Category", "Registrants", "Share (%)"]
    assert rows[1:-1] == [
        [cell.label, str(cell.shown), f"{share:.1f}" if share is not None else ""]
        for cell, share in sector.rows
    ]
    assert rows[-1] == ["Total", str(sector.total), ""]
    # Sorted by size, as the chart.
    counts = [int(r[1]) for r in rows[1:-1]]
    assert counts == sorted(counts, reverse=True)
    assert ministry_client.get("/dashboard/csv/nothing/").status_code == 404


def test_a_rebuild_counts_what_the_refreshes_counted(registry_sample):
    from dashboards.models import RollupCell

    def cells():
        return sorted(
            RollupCell.objects.values_list(
                "cuboid",
                "period",
                "province_id",
                "village_id",
                "channel",
                "sex",
                "age_band",
                "campaign_id",
                "programme_id",
                "status",
                "n",
            )
        )

    rollups_refresh()
    before = cells()
    rollups_rebuild()
    after = cells()
    assert before == after and len(before) > 100
