"""What a branch may learn: its own registrations stay visible, merged ones included,
without anything of the record they were merged into."""

import pytest

from accounts.models import Role
from dedup.services.merge import person_merge
from registry.models import Person
from registry.regnumber import registration_number_display as shown
from tests.api.conftest import client_for, registrant_body
from tests.factories import BranchFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_a_record_merged_into_another_partners_record_stays_on_the_list(english, branch, clerk):
    elsewhere = BranchFactory()
    survivor = PersonFactory(branch=elsewhere, partner=elsewhere.partner, reference="THEIRS-1")
    ours = PersonFactory(branch=branch, partner=branch.partner, reference="OURS-1")
    kept = PersonFactory(branch=branch, partner=branch.partner)
    person_merge(survivor=survivor, merged=ours, actor=None)
    assert Person.objects.get(pk=ours.pk).status == Person.Status.MERGED
    english.force_login(clerk)

    # The applicant list shows active records only; the registrations list keeps both.
    home = english.get("/branch/").content.decode()
    assert shown(ours.registration_number) not in home
    page = english.get("/branch/registrations/").content.decode()
    assert shown(ours.registration_number) in page and shown(kept.registration_number) in page
    assert "Already registered: merged into another record" in page
    assert "1 merged into another record" in page
    # Nothing of the other record: not its number, reference, partner or branch.
    for secret in (
        survivor.registration_number,
        shown(survivor.registration_number),
        "THEIRS-1",
        elsewhere.name,
        elsewhere.partner.name,
    ):
        assert secret not in page
    # The merged record's own page (where the counter sends staff after registering)
    # says the person was already registered, with what the branch entered and nothing
    # of the other record: issue 16's "Page not found" after an immediate merge.
    response = english.get(f"/branch/applicants/{ours.registration_number}/")
    assert response.status_code == 200
    merged_page = response.content.decode()
    assert "This person was already registered" in merged_page
    assert "OURS-1" in merged_page
    for secret in (
        survivor.registration_number,
        shown(survivor.registration_number),
        "THEIRS-1",
        elsewhere.name,
        elsewhere.partner.name,
    ):
        assert secret not in merged_page


def test_a_record_merged_into_one_of_the_branchs_own_links_to_it(english, branch, clerk):
    survivor = PersonFactory(branch=branch, partner=branch.partner)
    ours = PersonFactory(branch=branch, partner=branch.partner)
    person_merge(survivor=survivor, merged=ours, actor=None)
    english.force_login(clerk)
    page = english.get(f"/branch/applicants/{ours.registration_number}/").content.decode()
    assert "This person was already registered" in page
    assert f"/branch/applicants/{survivor.registration_number}/" in page


def test_another_branchs_merged_record_stays_closed(english, clerk):
    elsewhere = BranchFactory()
    theirs = PersonFactory(branch=elsewhere, partner=elsewhere.partner)
    person_merge(survivor=PersonFactory(), merged=theirs, actor=None)
    english.force_login(clerk)
    assert english.get(f"/branch/applicants/{theirs.registration_number}/").status_code == 404


def test_the_list_shows_only_the_users_branches(english, clerk):
    other = PersonFactory(branch=BranchFactory())
    english.force_login(clerk)
    page = english.get("/branch/registrations/").content.decode()
    assert shown(other.registration_number) not in page
    assert "Your branches have registered nobody yet." in page


def test_a_supervisor_sees_every_branch_of_the_partner(english, branch):
    sibling = BranchFactory(partner=branch.partner)
    one = PersonFactory(branch=branch, partner=branch.partner)
    two = PersonFactory(branch=sibling, partner=branch.partner)
    english.force_login(user_with_role(Role.PARTNER_SUPERVISOR, partner=branch.partner))
    page = english.get("/branch/registrations/").content.decode()
    assert shown(one.registration_number) in page and shown(two.registration_number) in page


@pytest.mark.parametrize("role", [Role.MINISTRY_OFFICER, Role.PROGRAMME_OFFICER])
def test_other_roles_are_refused(client, role):
    from tests.factories import ProgrammeFactory

    scope = {"programme": ProgrammeFactory()} if role == Role.PROGRAMME_OFFICER else {}
    client.force_login(user_with_role(role, **scope))
    assert client.get("/branch/registrations/").status_code == 403


def test_a_reference_used_by_a_sibling_branch_says_only_that(branch):
    """409 tells the branch its partner used that form number; nothing of the record."""
    sibling = BranchFactory(partner=branch.partner)
    theirs = PersonFactory(branch=sibling, partner=branch.partner, reference="FORM-7")
    api = client_for(user_with_role(Role.BRANCH_STAFF, branch=branch))
    response = api.post(
        "/api/v1/registrants/", registrant_body(reference="FORM-7"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    body = response.content.decode()
    for secret in (theirs.registration_number, theirs.name_km, theirs.name_latin, sibling.name):
        assert secret not in body
