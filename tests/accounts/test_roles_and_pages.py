import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Role, RoleAssignment
from dashboards.services import rollups_refresh
from geography.models import Commune, District, Province
from partners.models import Branch
from tests.factories import (
    PASSWORD,
    BranchFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def make_user(role: str):
    scope = {
        Role.BRANCH_STAFF: lambda: {"branch": BranchFactory()},
        Role.PARTNER_SUPERVISOR: lambda: {"partner": BranchFactory().partner},
        Role.CAMPAIGN_ORGANISER: lambda: {"province": Province.objects.get(code="12")},
        Role.PROGRAMME_OFFICER: lambda: {"programme": ProgrammeFactory()},
    }.get(role, dict)()
    return user_with_role(role, **scope)


HOME = {
    Role.BRANCH_STAFF: "/branch/",
    Role.PARTNER_SUPERVISOR: "/branch/",
    Role.CAMPAIGN_ORGANISER: "/campaigns/",
    Role.MINISTRY_OFFICER: "/dashboard/",
    Role.PROGRAMME_OFFICER: "/programmes/",
    Role.ADMINISTRATOR: "/accounts/system/",
}


@pytest.mark.parametrize("role", list(HOME))
def test_each_role_lands_on_its_home_page(client, role):
    client.force_login(make_user(role))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == HOME[role]
    page = client.get(HOME[role])
    assert page.status_code == 200
    assert f'data-role-home="{role}"' in page.content.decode()


# Which home pages each role may open; every other one answers 403.
ALLOWED = {
    # Partner staff see the campaigns their partner takes part in (issue 12).
    Role.BRANCH_STAFF: {"/branch/", "/campaigns/"},
    Role.PARTNER_SUPERVISOR: {"/branch/", "/campaigns/"},
    # The national dashboard, with counts from 1 to 4 hidden (no national record access).
    Role.CAMPAIGN_ORGANISER: {"/campaigns/", "/dashboard/"},
    Role.MINISTRY_OFFICER: {"/dashboard/", "/campaigns/"},
    Role.PROGRAMME_OFFICER: {"/programmes/", "/dashboard/"},
    Role.ADMINISTRATOR: {"/accounts/system/", "/dashboard/", "/campaigns/", "/programmes/"},
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_role_pages_refuse_other_roles(client, role):
    client.force_login(make_user(role))
    for url in set(HOME.values()):
        expected = 200 if url in ALLOWED[role] else 403
        assert client.get(url).status_code == expected, (role, url)


@pytest.mark.parametrize("url", sorted(set(HOME.values())))
def test_role_pages_send_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_without_role_is_told_so(english):
    client = english
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert "No role yet" in response.content.decode()


def test_sign_in_with_username_and_password(client):
    user = make_user(Role.MINISTRY_OFFICER)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_sign_in_with_a_wrong_password_is_refused_with_a_message(client):
    user = make_user(Role.MINISTRY_OFFICER)
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": "wrong"},
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out(client):
    client.force_login(make_user(Role.MINISTRY_OFFICER))
    client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302


def test_branch_staff_see_only_their_branch_applicants(client):
    staff = make_user(Role.BRANCH_STAFF)
    branch = staff.role_assignments.get().branch
    other_branch = BranchFactory(partner=branch.partner)
    mine = PersonFactory(branch=branch, partner=branch.partner, name_latin="Mine Person")
    theirs = PersonFactory(branch=other_branch, partner=branch.partner, name_latin="Other Person")
    client.force_login(staff)
    html = client.get("/branch/").content.decode()
    assert mine.registration_number in html
    assert theirs.registration_number not in html


def test_partner_supervisor_sees_every_branch_of_the_partner_and_no_other(client):
    supervisor = make_user(Role.PARTNER_SUPERVISOR)
    partner = supervisor.role_assignments.get().partner
    first = Branch.objects.get(partner=partner)
    second = BranchFactory(partner=partner)
    stranger = BranchFactory()
    a = PersonFactory(branch=first, partner=partner)
    b = PersonFactory(branch=second, partner=partner)
    c = PersonFactory(branch=stranger, partner=stranger.partner)
    client.force_login(supervisor)
    html = client.get("/branch/").content.decode()
    assert a.registration_number in html
    assert b.registration_number in html
    assert c.registration_number not in html


def test_branch_search_finds_by_name_and_registration_number(client):
    staff = make_user(Role.BRANCH_STAFF)
    branch = staff.role_assignments.get().branch
    one = PersonFactory(branch=branch, partner=branch.partner, name_latin="Chhay Vuthy")
    two = PersonFactory(branch=branch, partner=branch.partner, name_latin="Keo Sophal")
    client.force_login(staff)
    html = client.get("/branch/", {"q": "vuthy"}).content.decode()
    assert one.registration_number in html and two.registration_number not in html
    html = client.get("/branch/", {"q": two.registration_number}).content.decode()
    assert two.registration_number in html and one.registration_number not in html


def test_dashboard_counts_active_registrants(client):
    PersonFactory.create_batch(3)
    PersonFactory(status="withdrawn")
    client.force_login(make_user(Role.MINISTRY_OFFICER))
    rollups_refresh()  # what Celery beat runs every few seconds
    response = client.get("/dashboard/")
    figures = {cell.key: cell.n for cell in response.context["data"]["figures"]}
    assert figures["active"] == 3
    assert figures["withdrawn"] == 1
    assert 'id="chart-data"' in response.content.decode()


def test_dashboard_without_registrants_shows_an_empty_state(english):
    client = english
    client.force_login(make_user(Role.MINISTRY_OFFICER))
    response = client.get("/dashboard/")
    assert "No one has registered yet." in response.content.decode()


def test_role_scope_is_required_by_the_database():
    user = UserFactory()
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=user, role=Role.BRANCH_STAFF)


def test_role_scope_is_validated_with_a_message():
    user = UserFactory()
    with pytest.raises(ValidationError) as caught:
        RoleAssignment(user=user, role=Role.PROGRAMME_OFFICER).full_clean()
    assert "programme" in caught.value.message_dict
    branch = BranchFactory()
    with pytest.raises(ValidationError) as caught:
        RoleAssignment(user=user, role=Role.MINISTRY_OFFICER, branch=branch).full_clean()
    assert "branch" in caught.value.message_dict


def test_organiser_area_must_be_consistent():
    user = UserFactory()
    province = Province.objects.get(code="12")
    district_elsewhere = District.objects.exclude(province=province).first()
    with pytest.raises(ValidationError):
        RoleAssignment(
            user=user,
            role=Role.CAMPAIGN_ORGANISER,
            province=province,
            district=district_elsewhere,
        ).full_clean()
    district = District.objects.filter(province=province).first()
    commune = Commune.objects.filter(district=district).first()
    RoleAssignment(
        user=user,
        role=Role.CAMPAIGN_ORGANISER,
        province=province,
        district=district,
        commune=commune,
    ).full_clean()


def test_admin_pages_open_for_administrators_only(client):
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/geography/village/?q=Sla+Kram").status_code == 200
    # The model moved from the registry app: its old admin address still leads to it.
    moved = client.get("/admin/registry/village/?q=Sla+Kram")
    assert moved.status_code == 301
    assert moved["Location"] == "/admin/geography/village/?q=Sla+Kram"
    client.force_login(make_user(Role.MINISTRY_OFFICER))
    assert client.get("/admin/accounts/user/").status_code == 302
