"""Who sees and who manages which campaign: every role, both directions."""

import pytest

from accounts.models import Role
from tests.factories import (
    BranchFactory,
    CampaignFactory,
    PartnerFactory,
    ProgrammeFactory,
    user_with_role,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def elsewhere(siem_reap, running_period):
    return CampaignFactory(
        code="SRDRIVE", name_en="Siem Reap drive", province=siem_reap, **running_period
    )


def pages(code):
    return [
        f"/campaigns/{code}/",
        f"/campaigns/{code}/figures.csv",
        f"/campaigns/{code}/poster.pdf",
    ]


def test_organisers_see_and_manage_campaigns_inside_their_area(
    client, organiser, campaign, elsewhere
):
    client.force_login(organiser)
    listing = client.get("/campaigns/").content.decode()
    assert campaign.name_en in listing and elsewhere.name_en not in listing
    for url in pages(campaign.code)[:2]:
        assert client.get(url).status_code == 200
    assert client.get(f"/campaigns/{campaign.code}/edit/").status_code == 200
    # Not another province's: as if it did not exist.
    for url in [*pages(elsewhere.code), f"/campaigns/{elsewhere.code}/edit/"]:
        assert client.get(url).status_code == 404
    assert client.get(f"/campaigns/{elsewhere.code}/events/new/").status_code == 404


def test_a_district_organiser_does_not_see_the_provinces_campaign(
    client, district_organiser, campaign
):
    client.force_login(district_organiser)
    assert campaign.name_en not in client.get("/campaigns/").content.decode()
    assert client.get(f"/campaigns/{campaign.code}/").status_code == 404


def test_ministry_officers_see_and_manage_every_campaign(client, ministry, campaign, elsewhere):
    client.force_login(ministry)
    listing = client.get("/campaigns/").content.decode()
    assert campaign.name_en in listing and elsewhere.name_en in listing
    for c in (campaign, elsewhere):
        assert client.get(f"/campaigns/{c.code}/edit/").status_code == 200
    assert client.get("/campaigns/coverage/").status_code == 200


def test_partner_staff_see_the_campaigns_their_partner_takes_part_in(
    client, branch_staff, partner, campaign, elsewhere
):
    campaign.partners.add(partner)
    elsewhere.partners.add(PartnerFactory())
    client.force_login(branch_staff)
    listing = client.get("/campaigns/").content.decode()
    assert campaign.name_en in listing and elsewhere.name_en not in listing
    assert client.get(f"/campaigns/{campaign.code}/").status_code == 200
    assert client.get(f"/campaigns/{elsewhere.code}/").status_code == 404
    # They see, they do not plan.
    assert client.get(f"/campaigns/{campaign.code}/edit/").status_code == 403
    assert client.get(f"/campaigns/{campaign.code}/events/new/").status_code == 403
    assert client.get("/campaigns/new/").status_code == 403
    assert client.get("/campaigns/coverage/").status_code == 403


def test_a_partner_supervisor_sees_their_partners_campaigns(client, partner, campaign, elsewhere):
    campaign.partners.add(partner)
    supervisor = user_with_role(Role.PARTNER_SUPERVISOR, partner=partner)
    client.force_login(supervisor)
    listing = client.get("/campaigns/").content.decode()
    assert campaign.name_en in listing and elsewhere.name_en not in listing


def test_staff_of_a_partner_not_taking_part_see_nothing(client, campaign):
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    client.force_login(staff)
    assert campaign.name_en not in client.get("/campaigns/").content.decode()
    assert client.get(f"/campaigns/{campaign.code}/").status_code == 404


def test_other_roles_and_visitors_are_refused(client, campaign):
    officer = user_with_role(Role.PROGRAMME_OFFICER, programme=ProgrammeFactory())
    client.force_login(officer)
    for url in ["/campaigns/", "/campaigns/new/", "/campaigns/coverage/", *pages(campaign.code)]:
        assert client.get(url).status_code == 403, url
    client.logout()
    assert client.get("/campaigns/").status_code == 302  # to sign in
