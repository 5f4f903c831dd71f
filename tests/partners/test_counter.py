"""Assisted registration and corrections at the branch counter, through HTTP."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from geography.models import Village
from registry.models import Consent, Person, PersonChange
from tests.factories import BranchFactory, PersonFactory, ProgrammeFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def form_data(branch, **overrides):
    village = Village.objects.get(code="12010101")
    data = {
        "branch": branch.pk,
        "reference": "F-0001",
        "phone": "097 777 8888",
        "d-name_km": "ចាន់ សុភា",
        "d-name_latin": "Chan Sophea",
        "d-sex": "F",
        "d-date_of_birth": "1988-03-09",
        "d-national_id": "",
        "d-village": village.pk,
        "w-actor_type": "microenterprise_owner",
        "w-sector": "wholesale_retail",
        "p-enterprise_name": "Sophea grocery",
        "p-workers": "2",
    }
    data.update(overrides)
    return data


def test_staff_register_an_applicant_with_consent_and_signed_form(client, staff):
    branch = staff.role_assignments.get().branch
    nssf = ProgrammeFactory()
    client.force_login(staff)
    photo = SimpleUploadedFile("form.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    data = form_data(branch, purposes=[str(nssf.pk)], consent_confirmed="on", consent_photo=photo)
    response = client.post("/branch/register/", data)
    person = Person.objects.get()
    assert response["Location"] == f"/branch/applicants/{person.registration_number}/"
    assert person.channel == "branch"
    assert person.branch == branch and person.partner == branch.partner
    assert person.entered_by == staff
    assert person.reference == "F-0001"
    assert str(person.phone) == "+855977778888"
    consent = Consent.objects.get(person=person)
    assert consent.programme == nssf and consent.recorded_by == staff
    assert consent.evidence.name.startswith("consent-forms/")
    assert "ចាន់" not in consent.evidence.name
    assert person.employments.get().enterprise.name == "Sophea grocery"

    # The record as staff read it: the phone as dialled, the channel by its name.
    client.cookies["django_language"] = "en"
    page = client.get(response["Location"]).content.decode()
    assert "097 777 8888" in page and "+855977778888" not in page
    assert "Partner-bank branch" in page and "(branch)" not in page


def test_ticked_consent_must_be_confirmed(client, staff):
    branch = staff.role_assignments.get().branch
    nssf = ProgrammeFactory()
    client.force_login(staff)
    response = client.post("/branch/register/", form_data(branch, purposes=[str(nssf.pk)]))
    assert response.status_code == 200
    assert "Confirm that the applicant agreed" in response.content.decode()
    assert Person.objects.count() == 0


def test_phone_is_optional_at_the_counter(client, staff):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    client.post("/branch/register/", form_data(branch, phone=""))
    assert Person.objects.get().phone == ""


def test_the_same_form_number_is_never_registered_twice(client, staff):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    client.post("/branch/register/", form_data(branch))
    response = client.post("/branch/register/", form_data(branch), follow=True)
    assert Person.objects.count() == 1
    assert "already registered" in response.content.decode()


def test_errors_are_shown_per_field_and_nothing_is_saved(client, staff):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    response = client.post(
        "/branch/register/",
        form_data(
            branch, phone="123", **{"d-date_of_birth": "32/13/1990", "p-enterprise_name": ""}
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="errorlist') >= 2
    assert 'value="Chan Sophea"' in html
    assert Person.objects.count() == 0


def test_staff_cannot_register_into_another_branch(client, staff):
    client.force_login(staff)
    other = BranchFactory()
    response = client.post("/branch/register/", form_data(other))
    assert response.status_code == 200
    assert Person.objects.count() == 0


def test_other_roles_cannot_use_the_counter(client):
    client.force_login(user_with_role(Role.MINISTRY_OFFICER))
    assert client.get("/branch/register/").status_code == 403


def test_staff_correct_their_applicant_with_history(client, staff):
    branch = staff.role_assignments.get().branch
    person = PersonFactory(branch=branch, partner=branch.partner, name_latin="Sok Dara")
    client.force_login(staff)
    response = client.post(
        f"/branch/applicants/{person.registration_number}/edit/",
        {
            "d-name_km": person.name_km,
            "d-name_latin": "Sokh Dara",
            "d-sex": "M",
            "d-date_of_birth": "17/05/1990",
            "d-village": person.village_id,
            "w-actor_type": person.actor_type,
            "w-sector": person.sector,
        },
    )
    assert response.status_code == 302
    change = PersonChange.objects.get(person=person, action="updated")
    assert change.actor == staff and change.channel == "branch"
    assert change.changes["name_latin"] == ["Sok Dara", "Sokh Dara"]


def test_applicants_of_other_branches_are_not_found(client, staff):
    other = BranchFactory()
    person = PersonFactory(branch=other, partner=other.partner)
    client.force_login(staff)
    assert client.get(f"/branch/applicants/{person.registration_number}/").status_code == 404
    assert client.get(f"/branch/applicants/{person.registration_number}/edit/").status_code == 404
    # And the other branch's staff cannot see ours.
    mine = PersonFactory(branch=staff.role_assignments.get().branch)
    client.force_login(user_with_role(Role.BRANCH_STAFF, branch=other))
    assert client.get(f"/branch/applicants/{mine.registration_number}/").status_code == 404
    assert client.get(f"/branch/applicants/{person.registration_number}/").status_code == 200


def test_the_counter_form_speaks_about_the_applicant_and_confirms_below_the_purposes(client, staff):
    ProgrammeFactory()
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    page = client.get("/branch/register/").content.decode()
    assert "your ID card" not in page and "the applicant's ID card" in page
    assert "What kind of work do you do?" not in page
    assert "The applicant&#x27;s type of work" in page or "The applicant's type of work" in page
    # The confirmation follows the purposes it confirms.
    purposes = page.index('name="purposes"')
    assert page.index('name="consent_confirmed"') > purposes
    assert page.index('name="consent_photo"') > purposes


def test_the_branch_writes_registration_numbers_in_their_groups(client, staff):
    branch = staff.role_assignments.get().branch
    person = PersonFactory(branch=branch, partner=branch.partner)
    number = person.registration_number
    grouped = f"{number[:3]} {number[3:6]} {number[6:]}"
    client.force_login(staff)
    assert f">{grouped}</a>" in client.get("/branch/").content.decode()
    assert (
        f'class="regno">{grouped}<' in client.get(f"/branch/applicants/{number}/").content.decode()
    )
