"""The campaign page's figures and their CSV, against counts made here independently."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from campaigns.models import Attribution, Event
from geography.models import Village
from tests.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def registrations(campaign):
    """Seven people credited to the campaign (three at an event), two not credited."""
    village_a = Village.objects.get(code="12010101")
    village_b = (
        Village.objects.filter(commune__district__province__code="12")
        .exclude(pk=village_a.pk)
        .first()
    )
    event = Event.objects.create(
        campaign=campaign,
        code="MKTDAY",
        name="Market day",
        village=village_a,
        held_on=timezone.localdate(),
        expected_attendance=50,
        actual_attendance=40,
    )
    people = []
    for i in range(7):
        person = PersonFactory(
            sex="F" if i < 4 else "M",
            village=village_a if i < 5 else village_b,
            channel="campaign" if i < 6 else "branch",
            actor_type="seasonal_worker" if i < 2 else "self_employed",
        )
        Attribution.objects.create(person=person, campaign=campaign, event=event if i < 3 else None)
        people.append(person)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Attribution.objects.filter(person__in=people[:2]).update(created_at=yesterday)
    PersonFactory.create_batch(2, village=village_a)
    return {"event": event, "village_a": village_a, "village_b": village_b}


def test_the_campaign_page_shows_registrations_against_target(
    client, organiser, campaign, registrations
):
    client.force_login(organiser)
    response = client.get(f"/campaigns/{campaign.code}/")
    figures = response.context["figures"]
    assert figures.total == 7 and figures.target == 100
    assert dict(figures.sex) == {"Female": 4, "Male": 3}
    assert dict(figures.channel) == {"Outreach campaign": 6, "Partner-bank branch": 1}
    assert dict(figures.actor_type) == {"Seasonal worker": 2, "Self-employed": 5}
    assert [(code, n) for code, _label, n in figures.villages] == [
        (registrations["village_a"].code, 5),
        (registrations["village_b"].code, 2),
    ]
    [event] = figures.events
    assert (event.registered, event.expected_attendance, event.actual_attendance) == (3, 50, 40)
    # Day by day from the campaign's start; the cumulative line ends at the total.
    days = dict(figures.days)
    today = timezone.localdate()
    assert days[today] == 5 and days[today - datetime.timedelta(days=1)] == 2
    assert figures.cumulative[-1][1] == 7
    assert figures.days[0][0] == campaign.starts_on
    page = response.content.decode()
    assert 'id="chart-progress"' in page and 'id="chart-data"' in page
    assert "<script>" not in page.replace('<script id="chart-data" type="application/json">', "")


def test_the_figures_download_as_csv(client, organiser, campaign, registrations):
    client.force_login(organiser)
    response = client.get(f"/campaigns/{campaign.code}/figures.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Figure",
        "Item",
        "Registrations",
        "Expected attendance",
        "Actual attendance",
    ]
    by_figure = {}
    for figure, item, n, *attendance in rows[1:]:
        by_figure.setdefault(figure, {})[item] = (n, *attendance)
    assert by_figure["Total"][campaign.name_en][0] == "7"
    assert by_figure["Sex"] == {"Female": ("4", "", ""), "Male": ("3", "", "")}
    [(event_item, event_row)] = by_figure["Event"].items()
    assert "MKTDAY" in event_item and event_row == ("3", "50", "40")
    assert sum(int(n) for n, *_ in by_figure["Day"].values()) == 7


def test_a_campaign_with_no_registrations_says_so(client, organiser, campaign):
    client.force_login(organiser)
    page = client.get(f"/campaigns/{campaign.code}/").content.decode()
    assert "No one has registered through this campaign yet." in page
    assert "chart-data" not in page
