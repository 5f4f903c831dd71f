"""Self-registration at /register/, step by step, through HTTP as a phone would."""

import re

import pytest

from campaigns.models import Attribution
from geography.models import Village
from registry.models import Consent, Employment, Person, PersonChange, SmsMessage
from registry.regnumber import registration_number_format
from tests.factories import CampaignFactory, ProgrammeFactory
from tests.sms import last_code as sent_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PHONE = "012 345 678"
E164 = "+85512345678"


def last_code(phone: str = E164) -> str:
    return sent_code(phone)


def post(client, step, data, **extra):
    return client.post(f"/register/{step}/", data, **extra)


def village():
    return Village.objects.get(code="12010101")


def fill_until_consent(client, *, actor_type="self_employed"):
    assert post(client, "phone", {"phone": PHONE}).status_code == 302
    assert post(client, "code", {"code": last_code()})["Location"] == "/register/details/"
    response = post(
        client,
        "details",
        {
            "name_km": "សុខ\u200b ដារ៉ា",
            "name_latin": "SOK dara",
            "sex": "F",
            "date_of_birth": "17/05/1990",
            "national_id": "០១០២០៣០៤០",
            "village": village().pk,
        },
    )
    assert response["Location"] == "/register/work/", response.content.decode()[:3000]
    response = post(client, "work", {"actor_type": actor_type, "sector": "services"})
    assert response.status_code == 302
    return response


def test_a_person_registers_step_by_step(client):
    nssf = ProgrammeFactory(code="nssf")
    ProgrammeFactory(code="skills")
    fill_until_consent(client)
    assert Person.objects.count() == 0  # nothing saved before the review
    response = post(client, "consent", {"purposes": [str(nssf.pk)]})
    assert response["Location"] == "/register/review/"
    review = client.get("/register/review/").content.decode()
    assert "សុខ ដារ៉ា" in review and "Sok Dara" in review
    response = post(client, "review", {})
    assert response["Location"] == "/register/done/"

    person = Person.objects.get()
    assert person.name_km == "សុខ ដារ៉ា"  # zero-width space removed
    assert person.name_latin == "Sok Dara"
    assert person.national_id == "010203040"
    assert str(person.phone) == E164
    assert person.channel == "self"
    assert set(Consent.objects.filter(person=person).values_list("programme__code", flat=True)) == {
        "nssf"
    }
    assert PersonChange.objects.filter(person=person, action="registered").exists()
    done = client.get("/register/done/").content.decode()
    assert person.registration_number in done
    # The confirmation SMS carries the number; the registrant is signed in to /me/.
    assert SmsMessage.objects.filter(
        phone=E164,
        template="registration_confirmed",
        params={"number": registration_number_format(person.registration_number)},
    ).exists()
    assert client.get(f"/me/{person.registration_number}/").status_code == 200


def test_nothing_is_pre_ticked_and_no_consent_is_a_valid_choice(client):
    ProgrammeFactory()
    fill_until_consent(client)
    page = client.get("/register/consent/").content.decode()
    assert "checked" not in page
    post(client, "consent", {})
    post(client, "review", {})
    assert Consent.objects.count() == 0
    assert Person.objects.count() == 1


def test_steps_cannot_be_skipped(client):
    assert client.get("/register/details/")["Location"] == "/register/phone/"
    post(client, "phone", {"phone": PHONE})
    assert client.get("/register/review/")["Location"] == "/register/code/"


def test_wrong_code_is_refused_with_tries_left(client):
    post(client, "phone", {"phone": PHONE})
    response = post(client, "code", {"code": "000000" if last_code() != "000000" else "111111"})
    assert response.status_code == 200
    assert "4 tries left" in response.content.decode()


def test_invalid_phone_is_refused_next_to_the_field_and_kept(client):
    response = post(client, "phone", {"phone": "+66 81 234 5678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "not a Cambodian phone number" in html
    assert 'value="+66 81 234 5678"' in html


def test_detail_errors_are_shown_per_field_and_input_is_kept(client):
    post(client, "phone", {"phone": PHONE})
    post(client, "code", {"code": last_code()})
    response = post(
        client,
        "details",
        {"name_km": "Sok Dara", "name_latin": "Sok", "sex": "", "date_of_birth": "31/02/1990"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="errorlist') >= 3
    assert 'value="Sok Dara"' in html
    assert Person.objects.count() == 0


def test_too_young_is_refused(client):
    post(client, "phone", {"phone": PHONE})
    post(client, "code", {"code": last_code()})
    response = post(
        client,
        "details",
        {"name_km": "សុខ ដារ៉ា", "sex": "M", "date_of_birth": "01/01/2020", "village": village().pk},
    )
    assert response.status_code == 200
    assert "15" in response.content.decode()


def test_owner_registers_their_enterprise(client):
    fill_until_consent(client, actor_type="microenterprise_owner")
    response = post(client, "workplace", {"enterprise_name": "", "workers": "x"})
    assert response.status_code == 200  # both fields refused
    post(client, "workplace", {"enterprise_name": "ហាងកាត់ដេរ ដារ៉ា", "workers": "៣"})
    post(client, "consent", {})
    post(client, "review", {})
    employment = Employment.objects.get()
    assert employment.role == "owner"
    assert employment.enterprise.name == "ហាងកាត់ដេរ ដារ៉ា"
    assert employment.enterprise.workers == 3
    assert employment.enterprise.owner == Person.objects.get()


def test_seasonal_worker_names_an_employer_and_months(client):
    fill_until_consent(client, actor_type="seasonal_worker")
    response = post(client, "workplace", {"employer_name": "Angkor Brick Kiln"})
    assert response.status_code == 200  # months missing
    post(
        client,
        "workplace",
        {"employer_name": "Angkor Brick Kiln", "seasonal_months": ["1", "2", "12"]},
    )
    post(client, "consent", {})
    post(client, "review", {})
    employment = Employment.objects.get()
    assert employment.role == "seasonal"
    assert employment.seasonal_months == [1, 2, 12]


def test_campaign_code_attributes_the_registration(client):
    campaign = CampaignFactory(code="PP-TEST")
    client.get("/register/?campaign=pp-test")
    fill_until_consent(client)
    post(client, "consent", {})
    post(client, "review", {})
    attribution = Attribution.objects.get()
    assert attribution.campaign == campaign
    assert attribution.person.channel == "campaign"


def test_unknown_campaign_code_still_lets_people_register(client):
    """Nothing alarming: the person simply registers, credited to no campaign."""
    response = client.get("/register/?campaign=NOPE", follow=True)
    assert response.redirect_chain[-1][0] == "/register/phone/"
    page = response.content.decode()
    assert 'class="messages"' not in page and "campaign" not in page.lower()
    fill_until_consent(client)
    post(client, "consent", {})
    post(client, "review", {})
    assert Person.objects.get().channel == "self"
    assert not Attribution.objects.exists()


def test_picker_without_javascript_redisplays_without_errors(client):
    post(client, "phone", {"phone": PHONE})
    post(client, "code", {"code": last_code()})
    province = village().commune.district.province
    response = post(
        client,
        "details",
        {"name_km": "សុខ ដារ៉ា", "village_province": province.pk, "_geo_refresh": "levels"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "errorlist" not in html
    assert f'<option value="{province.pk}" selected' in html
    assert 'value="សុខ ដារ៉ា"' in html


def test_a_repeated_submit_does_not_register_twice(client):
    fill_until_consent(client)
    post(client, "consent", {})
    post(client, "review", {})
    response = post(client, "review", {})
    assert response.status_code == 302
    assert Person.objects.count() == 1


def test_step_names_follow_the_language_switch(client):
    # The step titles were translated once, at import, in Khmer: every one stayed Khmer
    # after switching to English.
    client.cookies["django_language"] = "en"
    english = client.get("/register/", follow=True).content.decode()
    for title in ("Phone", "About you", "Your work", "Consent", "Check and send"):
        assert f">{title}</li>" in english
    assert "ពិនិត្យ និងផ្ញើ" not in english
    client.cookies["django_language"] = "km"
    assert ">ពិនិត្យ និងផ្ញើ</li>" in client.get("/register/", follow=True).content.decode()


@pytest.mark.parametrize("language", ["en", "km"])
def test_errors_name_choices_as_the_form_shows_them(client, language):
    """A person picks a sex, a type of work and a village: the errors say so with the
    labels they see, never the codes a file or the API uses."""
    from registry.models.people import ActorType, Sector

    assert post(client, "phone", {"phone": PHONE}).status_code == 302
    assert post(client, "code", {"code": last_code()})["Location"] == "/register/details/"
    client.cookies["django_language"] = language
    details = post(client, "details", {"name_km": "សុខ ដារ៉ា", "date_of_birth": "17/05/1990"})
    page = details.content.decode()
    assert details.status_code == 200
    assert "F (female)" not in page and "village code" not in page
    if language == "en":
        assert "Choose one: Female, Male." in page
        assert "Choose the province, district, commune and village." in page
    else:
        assert "សូមជ្រើសរើសមួយ៖" in page
        assert "សូមជ្រើសរើសខេត្ត ស្រុក ឃុំ និងភូមិ។" in page

    post(
        client,
        "details",
        {"name_km": "សុខ ដារ៉ា", "sex": "F", "date_of_birth": "17/05/1990", "village": village().pk},
    )
    work = post(client, "work", {}).content.decode()
    errors = " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', work, re.S))
    assert errors
    for code in [*ActorType.values, *Sector.values]:
        assert code not in errors, code
    if language == "en":
        assert "Choose one: Self-employed" in errors


def test_the_step_count_never_grows_as_the_person_answers(client):
    def count(page: str) -> int:
        return int(re.search(r"Step \d+ of (\d+)", page).group(1))

    first = client.get("/register/", follow=True).content.decode()
    assert count(first) == 7
    fill_until_consent(client, actor_type="microenterprise_owner")
    owner = client.get("/register/workplace/").content.decode()
    assert count(owner) == 7  # the owner's workplace step was counted from the start
