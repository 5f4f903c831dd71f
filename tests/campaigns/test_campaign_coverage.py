"""/campaigns/coverage/: province → district → commune, checked against counts made here
independently (a loop over the records, not the view's queries)."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Event
from geography.models import Province, Village
from registry.models import Person
from tests.factories import CampaignFactory, PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def scene(organiser, ministry):
    today = timezone.localdate()
    days = datetime.timedelta
    pp_village = Village.objects.get(code="12010101")
    pp_commune = pp_village.commune
    sr_village = (
        Village.objects.filter(commune__district__province__code="17").order_by("code").first()
    )
    kandal = Province.objects.get(code="08")
    province_wide = CampaignFactory(
        province=pp_commune.district.province, starts_on=today - days(40), ends_on=today - days(20)
    )
    commune_one = CampaignFactory(
        province=pp_commune.district.province,
        district=pp_commune.district,
        commune=pp_commune,
        starts_on=today - days(5),
        ends_on=today + days(5),
    )
    nationwide = CampaignFactory(
        organiser=ministry, province=None, starts_on=today - days(70), ends_on=today + days(30)
    )
    Event.objects.create(
        campaign=nationwide,
        code="SREVT1",
        name="Siem Reap day",
        village=sr_village,
        held_on=today - days(60),
    )
    Event.objects.create(  # not held yet: reaches nothing so far
        campaign=nationwide,
        code="SREVT2",
        name="Later",
        village=pp_village,
        held_on=today + days(3),
    )
    CampaignFactory(province=kandal, starts_on=today + days(1), ends_on=today + days(9))  # future
    for village, n in ((pp_village, 3), (sr_village, 2)):
        PersonFactory.create_batch(n, village=village)
    PersonFactory(village=pp_village, status=Person.Status.WITHDRAWN)  # not counted
    return {
        "today": today,
        "pp_village": pp_village,
        "sr_village": sr_village,
        "province_wide": province_wide,
        "commune_one": commune_one,
        "nationwide": nationwide,
    }


def registered_by(path):
    """Active registrants per unit, counted one record at a time."""
    counts = {}
    for person in Person.objects.select_related("village__commune__district__province"):
        if person.status != Person.Status.ACTIVE:
            continue
        unit = path(person.village)
        counts[unit.code] = counts.get(unit.code, 0) + 1
    return counts


def table(response):
    return {r.unit.code: r for r in response.context["figures"].rows}


def test_provinces(client, ministry, scene):
    client.force_login(ministry)
    response = client.get("/campaigns/coverage/")
    rows = table(response)
    assert len(rows) == Province.objects.count()
    expected = registered_by(lambda v: v.commune.district.province)
    assert {code: r.registered for code, r in rows.items() if r.registered} == expected
    today = scene["today"]
    assert rows["12"].campaigns == {scene["province_wide"].pk, scene["commune_one"].pk}
    assert rows["12"].last_held == today  # the commune campaign runs today
    assert rows["17"].campaigns == {scene["nationwide"].pk}
    assert rows["17"].last_held == today - datetime.timedelta(days=60)
    assert rows["08"].campaigns == set()  # planned, not started: not reached yet
    reached = {code for code, r in rows.items() if r.reached}
    assert reached == {"12", "17"}
    assert response.context["unreached"] == len(rows) - 2
    page = response.content.decode()
    # Numbers lead to the level below.
    pp = Province.objects.get(code="12")
    assert f'href="?province={pp.pk}" data-registered="12">3<' in page


def test_districts_and_communes(client, ministry, scene):
    client.force_login(ministry)
    village = scene["pp_village"]
    district, commune = village.commune.district, village.commune
    rows = table(client.get(f"/campaigns/coverage/?province={district.province_id}"))
    assert set(rows) == set(district.province.districts.values_list("code", flat=True))
    # The province-wide campaign had no event: it reached the province, no district.
    assert rows[district.code].campaigns == {scene["commune_one"].pk}
    assert rows[district.code].registered == 3
    assert sum(r.reached for r in rows.values()) == 1
    response = client.get(f"/campaigns/coverage/?district={district.pk}")
    rows = table(response)
    assert rows[commune.code].campaigns == {scene["commune_one"].pk}
    assert rows[commune.code].registered == 3
    assert all(not r.reached for code, r in rows.items() if code != commune.code)
    # Unreached only, sorted by registered people, most first.
    response = client.get(
        f"/campaigns/coverage/?district={district.pk}&unreached=1&sort=registered&dir=desc"
    )
    shown = [r.unit.code for r in response.context["rows"]]
    assert commune.code not in shown and len(shown) == len(rows) - 1


def test_coverage_over_time_counts_areas_as_they_are_first_reached(client, ministry, scene):
    client.force_login(ministry)
    response = client.get("/campaigns/coverage/")
    chart = response.context["chart_data"]["coverage"]
    assert chart["values"][-1] == 2 and chart["total"] == Province.objects.count()
    # Siem Reap first reached 60 days ago (the event), Phnom Penh 40 days ago.
    firsts = [scene["today"] - datetime.timedelta(days=d) for d in (60, 40)]
    months = [f"{day:%Y-%m}" for day in firsts]
    assert chart["labels"][0] == months[0]
    assert chart["values"][0] == months.count(months[0])
    assert chart["values"] == sorted(chart["values"])


def test_sorting_by_each_column(client, ministry, scene):
    client.force_login(ministry)
    for key in ("name", "code", "registered", "campaigns", "last"):
        response = client.get(f"/campaigns/coverage/?sort={key}&dir=desc")
        assert response.status_code == 200
    rows = client.get("/campaigns/coverage/?sort=registered&dir=desc").context["rows"]
    assert [r.registered for r in rows] == sorted((r.registered for r in rows), reverse=True)
    assert client.get("/campaigns/coverage/?province=abc&sort=nonsense").status_code == 200
