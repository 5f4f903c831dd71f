"""Planning campaigns and events through the organisers' pages, and the bad input the
issue lists: each refused with a clear message and nothing saved."""

import datetime
import html

import pytest
from django.utils import timezone

from campaigns.models import CODE_ALPHABET, Campaign, Event
from geography.models import Commune, District, Village

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def campaign_form(**overrides):
    today = timezone.localdate()
    data = {
        "name_km": "យុទ្ធនាការ ភ្នំពេញ",
        "name_en": "Phnom Penh drive",
        "area_province": "",
        "area_district": "",
        "area_commune": "",
        "area": "",
        "starts_on": f"{today:%Y-%m-%d}",
        "ends_on": f"{today + datetime.timedelta(days=30):%Y-%m-%d}",
        "target": "1500",
        "status": "planned",
        "code": "",
    }
    data.update(overrides)
    return data


def test_an_organiser_plans_a_campaign_in_their_province(client, organiser, phnom_penh, partner):
    client.force_login(organiser)
    district = District.objects.filter(province=phnom_penh).order_by("code").first()
    response = client.post(
        "/campaigns/new/",
        campaign_form(
            area_province=phnom_penh.pk, area_district=district.pk, partners=[partner.pk]
        ),
    )
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/campaigns/{campaign.code}/"
    assert campaign.organiser == organiser
    assert (campaign.province, campaign.district, campaign.commune) == (phnom_penh, district, None)
    assert campaign.target == 1500 and campaign.status == "planned"
    assert list(campaign.partners.all()) == [partner]
    # A short code made for it, readable off a poster.
    assert len(campaign.code) == 6 and set(campaign.code) <= set(CODE_ALPHABET)
    page = client.get(response["Location"]).content.decode()
    assert "Phnom Penh drive" in page and campaign.code in page


def test_a_campaign_can_cover_a_single_village(client, organiser, phnom_penh):
    village = Village.objects.get(code="12010101")
    commune = village.commune
    client.force_login(organiser)
    client.post(
        "/campaigns/new/",
        campaign_form(
            area_province=phnom_penh.pk,
            area_district=commune.district_id,
            area_commune=commune.pk,
            area=village.pk,
            code="tuol-day",
        ),
    )
    campaign = Campaign.objects.get()
    assert campaign.village == village and campaign.commune == commune
    assert campaign.code == "TUOL-DAY"


def test_the_ministry_plans_a_nationwide_campaign(client, ministry):
    client.force_login(ministry)
    client.post("/campaigns/new/", campaign_form())
    campaign = Campaign.objects.get()
    assert campaign.area.is_national


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target": "0"}, "The target must be at least one registration."),
        ({"target": "-5"}, "The target must be at least one registration."),
        (
            {"starts_on": "2026-12-10", "ends_on": "2026-12-01"},
            "The campaign cannot end before it starts",
        ),
        ({"name_en": ""}, "This field is required."),
    ],
)
def test_bad_campaign_input_is_refused(client, organiser, phnom_penh, overrides, message):
    client.force_login(organiser)
    response = client.post(
        "/campaigns/new/", campaign_form(area_province=phnom_penh.pk, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Campaign.objects.exists()
    # What was typed is still there.
    assert "Phnom Penh drive" in response.content.decode() or overrides.get("name_en") == ""


def test_an_organiser_outside_their_area_is_refused_naming_their_area(client, organiser, siem_reap):
    client.force_login(organiser)
    response = client.post("/campaigns/new/", campaign_form(area_province=siem_reap.pk))
    page = response.content.decode()
    assert "You may plan campaigns only in your assigned area: Phnom Penh." in page
    assert not Campaign.objects.exists()
    # Nationwide is outside a provincial organiser's area too.
    response = client.post("/campaigns/new/", campaign_form())
    assert "only in your assigned area" in response.content.decode()


def test_a_district_organiser_may_not_plan_for_the_whole_province(
    client, district_organiser, phnom_penh
):
    client.force_login(district_organiser)
    response = client.post("/campaigns/new/", campaign_form(area_province=phnom_penh.pk))
    assert "only in your assigned area" in response.content.decode()
    district = district_organiser.role_assignments.get().district
    client.post(
        "/campaigns/new/",
        campaign_form(area_province=phnom_penh.pk, area_district=district.pk),
    )
    assert Campaign.objects.get().district == district


def test_codes_are_unique_across_campaigns_and_events(client, organiser, campaign):
    client.force_login(organiser)
    response = client.post(
        "/campaigns/new/", campaign_form(area_province=campaign.province_id, code="ppdrive")
    )
    assert "Another campaign or event already uses this code." in response.content.decode()
    response = client.post(
        "/campaigns/new/", campaign_form(area_province=campaign.province_id, code="coverage")
    )
    assert "This code is reserved." in response.content.decode()
    assert Campaign.objects.count() == 1


def event_form(village, **overrides):
    data = {
        "name": "Central market day",
        "held_on": f"{timezone.localdate():%Y-%m-%d}",
        "place": "Phsar Thmei",
        "village": village.pk,
        "expected_attendance": "300",
        "actual_attendance": "",
    }
    data.update(overrides)
    return data


def test_an_organiser_adds_an_event_then_its_attendance(client, organiser, campaign):
    village = Village.objects.get(code="12010101")
    client.force_login(organiser)
    response = client.post(f"/campaigns/{campaign.code}/events/new/", event_form(village))
    event = Event.objects.get()
    assert response["Location"] == f"/campaigns/{campaign.code}/#events"
    assert event.expected_attendance == 300 and event.actual_attendance is None
    assert len(event.code) == 6 and event.code != campaign.code
    client.post(
        f"/campaigns/{campaign.code}/events/{event.code}/edit/",
        event_form(village, actual_attendance="412"),
    )
    event.refresh_from_db()
    assert event.actual_attendance == 412
    page = client.get(f"/campaigns/{campaign.code}/").content.decode()
    assert "Central market day" in page and "412" in page


def test_events_outside_the_campaigns_period_or_area_are_refused(client, organiser, campaign):
    def page(response):
        return html.unescape(response.content.decode())

    inside = Village.objects.get(code="12010101")
    outside = Village.objects.filter(commune__district__province__code="17").first()
    client.force_login(organiser)
    late = campaign.ends_on + datetime.timedelta(days=1)
    response = client.post(
        f"/campaigns/{campaign.code}/events/new/", event_form(inside, held_on=f"{late:%Y-%m-%d}")
    )
    assert "The event must be held within the campaign's period" in page(response)
    response = client.post(f"/campaigns/{campaign.code}/events/new/", event_form(outside))
    assert "The village must lie in the campaign's area: Phnom Penh." in page(response)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        f"/campaigns/{campaign.code}/events/new/",
        event_form(inside, held_on=f"{tomorrow:%Y-%m-%d}", actual_attendance="10"),
    )
    assert "Enter the actual attendance after the event has been held." in (
        response.content.decode()
    )
    assert not Event.objects.exists()


def test_narrowing_a_campaign_may_not_leave_its_events_outside(client, organiser, campaign):
    village = Village.objects.get(code="12010101")
    client.force_login(organiser)
    client.post(f"/campaigns/{campaign.code}/events/new/", event_form(village))
    other_commune = (
        Commune.objects.filter(district__province=campaign.province)
        .exclude(pk=village.commune_id)
        .first()
    )
    response = client.post(
        f"/campaigns/{campaign.code}/edit/",
        campaign_form(
            area_province=campaign.province_id,
            area_district=other_commune.district_id,
            area_commune=other_commune.pk,
            code=campaign.code,
        ),
    )
    assert "would no longer fit" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.commune is None


def test_the_area_picker_redisplays_without_javascript(client, organiser, phnom_penh):
    client.force_login(organiser)
    response = client.post(
        "/campaigns/new/",
        campaign_form(area_province=phnom_penh.pk, _geo_refresh="levels", name_en="Kept"),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Kept" in page
    assert "error-summary" not in page
    # The districts of the chosen province are offered now.
    district = District.objects.filter(province=phnom_penh).first()
    assert f'value="{district.pk}"' in page
