"""Registrations credited to campaigns and events: by the poster's link, at an event
(event mode), and at a partner's counter. Every one through the registry's one service."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Attribution, Event
from geography.models import Village
from registry.models import Consent, Person
from tests.factories import BranchFactory, CampaignFactory, ProgrammeFactory
from tests.sms import last_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def event(campaign):
    return Event.objects.create(
        campaign=campaign,
        code="MKTDAY",
        name="Market day",
        village=Village.objects.get(code="12010101"),
        held_on=timezone.localdate(),
    )


def self_register(client, link, phone="012 345 678"):
    """The whole /register/ wizard, as a phone that scanned the poster would."""
    client.get(link)
    client.post("/register/phone/", {"phone": phone})
    e164 = "+855" + phone.replace(" ", "")[1:]
    client.post("/register/code/", {"code": last_code(e164)})
    client.post(
        "/register/details/",
        {
            "name_km": "សុខ ដារ៉ា",
            "sex": "F",
            "date_of_birth": "17/05/1990",
            "village": Village.objects.get(code="12010101").pk,
        },
    )
    client.post("/register/work/", {"actor_type": "self_employed", "sector": "services"})
    client.post("/register/consent/", {})
    client.post("/register/review/", {})
    return Person.objects.get(phone=e164)


def test_the_campaign_link_credits_the_campaign(client, campaign):
    person = self_register(client, f"/register/?campaign={campaign.code.lower()}")
    assert person.channel == "campaign"
    assert (person.attribution.campaign, person.attribution.event) == (campaign, None)


def test_an_events_link_credits_the_event_and_its_campaign(client, campaign, event):
    person = self_register(client, f"/register/?campaign={event.code}")
    assert (person.attribution.campaign, person.attribution.event) == (campaign, event)


@pytest.mark.parametrize("case", ["unknown", "closed", "ended", "not_started"])
def test_unknown_or_finished_codes_register_unattributed_and_say_nothing(client, campaign, case):
    today = timezone.localdate()
    if case == "closed":
        campaign.status = "closed"
    elif case == "ended":
        campaign.starts_on = today - datetime.timedelta(days=30)
        campaign.ends_on = today - datetime.timedelta(days=1)
    elif case == "not_started":
        campaign.starts_on = today + datetime.timedelta(days=1)
        campaign.ends_on = today + datetime.timedelta(days=9)
    campaign.save()
    code = "NO-SUCH-CODE" if case == "unknown" else campaign.code
    response = client.get(f"/register/?campaign={code}", follow=True)
    assert 'class="messages"' not in response.content.decode()
    person = self_register(client, f"/register/?campaign={code}")
    assert person.channel == "self"
    assert not Attribution.objects.exists()


def event_mode_data(**overrides):
    data = {
        "phone": "",
        "d-name_km": "ចាន់ សុភា",
        "d-name_latin": "Chan Sophea",
        "d-sex": "F",
        "d-date_of_birth": "1988-03-09",
        "d-national_id": "",
        "d-village": Village.objects.get(code="12010101").pk,
        "w-actor_type": "self_employed",
        "w-sector": "services",
    }
    data.update(overrides)
    return data


def test_event_mode_registers_through_the_registry_and_credits_the_event(
    client, organiser, campaign, event
):
    nssf = ProgrammeFactory()
    url = f"/campaigns/{campaign.code}/events/{event.code}/register/"
    client.force_login(organiser)
    assert client.get(url).status_code == 200
    response = client.post(
        url, event_mode_data(purposes=[str(nssf.pk)], consent_confirmed="on", phone="097 777 8888")
    )
    assert response["Location"] == url  # ready for the next person
    person = Person.objects.get()
    assert person.channel == "campaign" and person.entered_by == organiser
    assert (person.attribution.campaign, person.attribution.event) == (campaign, event)
    assert Consent.objects.get(person=person).recorded_by == organiser
    page = client.get(url).content.decode()
    assert person.registration_number[:3] in page  # the number, in its groups
    assert "1 person registered at this event" in page


def test_event_mode_needs_the_organisers_confirmation_of_consent(
    client, organiser, campaign, event
):
    nssf = ProgrammeFactory()
    client.force_login(organiser)
    response = client.post(
        f"/campaigns/{campaign.code}/events/{event.code}/register/",
        event_mode_data(purposes=[str(nssf.pk)]),
    )
    assert "Confirm that the person agreed to each ticked purpose" in response.content.decode()
    assert not Person.objects.exists()


def test_event_mode_errors_keep_what_was_typed(client, organiser, campaign, event):
    client.force_login(organiser)
    response = client.post(
        f"/campaigns/{campaign.code}/events/{event.code}/register/",
        event_mode_data(**{"d-date_of_birth": "31/02/1990"}),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Chan Sophea" in page
    assert not Person.objects.exists()


def test_event_mode_is_for_those_who_manage_the_campaign(
    client, branch_staff, district_organiser, partner, campaign, event
):
    campaign.partners.add(partner)
    url = f"/campaigns/{campaign.code}/events/{event.code}/register/"
    client.force_login(branch_staff)
    assert client.get(url).status_code == 403
    client.force_login(district_organiser)
    assert client.get(url).status_code == 404
    assert client.post(url, event_mode_data()).status_code == 404
    assert not Person.objects.exists()


def test_event_mode_of_a_closed_campaign_registers_no_one(client, organiser, campaign, event):
    campaign.status = "closed"
    campaign.save()
    client.force_login(organiser)
    url = f"/campaigns/{campaign.code}/events/{event.code}/register/"
    assert "not taking registrations now" in client.get(url).content.decode()
    client.post(url, event_mode_data())
    assert not Person.objects.exists()


def counter_data(branch, **overrides):
    data = {
        "branch": branch.pk,
        "reference": "F-1",
        "phone": "",
        **{k: v for k, v in event_mode_data().items() if k != "phone"},
    }
    data.update(overrides)
    return data


def test_the_counter_offers_its_partners_running_campaigns(
    client, branch_staff, partner, campaign, siem_reap, running_period
):
    campaign.partners.add(partner)
    other = CampaignFactory(name_en="Not ours", province=siem_reap, **running_period)
    other.partners.add(BranchFactory().partner)
    closed = CampaignFactory(name_en="Closed one", status="closed", **running_period)
    closed.partners.add(partner)
    client.force_login(branch_staff)
    page = client.get("/branch/register/").content.decode()
    assert campaign.name_en in page
    assert "Not ours" not in page and "Closed one" not in page
    branch = branch_staff.role_assignments.get().branch
    client.post("/branch/register/", counter_data(branch, campaign=campaign.pk))
    person = Person.objects.get()
    assert person.channel == "branch" and person.branch == branch
    assert (person.attribution.campaign, person.attribution.event) == (campaign, None)


def test_the_counter_refuses_a_campaign_its_partner_is_not_in(client, branch_staff, campaign):
    client.force_login(branch_staff)
    branch = branch_staff.role_assignments.get().branch
    client.post("/branch/register/", counter_data(branch, campaign=campaign.pk))
    assert not Attribution.objects.exists()
    # Without a campaign the counter registers as always.
    client.post("/branch/register/", counter_data(branch))
    assert Person.objects.count() == 1 and not Attribution.objects.exists()
