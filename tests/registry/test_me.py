"""/me/: registrant self-service through HTTP."""

import pytest

from registry.models import Consent, Person, PersonChange
from registry.services.consent import consent_give
from tests.factories import PersonFactory, ProgrammeFactory
from tests.sms import last_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PHONE = "+85512345678"


def sign_in(client, phone_typed="012 345 678", phone=PHONE):
    client.post("/me/", {"phone": phone_typed})
    code = last_code(phone)
    return client.post("/me/code/", {"code": code})


def test_sign_in_with_a_code_shows_every_record_of_that_phone(client):
    mother = PersonFactory(phone=PHONE, name_latin="Sok Dara")
    son = PersonFactory(phone=PHONE, name_latin="Sok Vuthy")
    stranger = PersonFactory(phone="+85517000000")
    assert sign_in(client)["Location"] == "/me/"
    html = client.get("/me/").content.decode()
    assert mother.registration_number in html and son.registration_number in html
    assert stranger.registration_number not in html


def test_records_of_another_phone_are_not_found(client):
    PersonFactory(phone=PHONE)
    stranger = PersonFactory(phone="+85517000000")
    sign_in(client)
    for url in ["", "edit/", "consents/", "leave/", "card.png"]:
        assert client.get(f"/me/{stranger.registration_number}/{url}").status_code == 404


def test_pages_need_sign_in(client):
    person = PersonFactory(phone=PHONE)
    for url in ["", "edit/", "consents/", "leave/", "card.pdf"]:
        response = client.get(f"/me/{person.registration_number}/{url}")
        assert response.status_code == 302
        assert response["Location"] == "/me/"


def test_a_phone_with_no_registration_is_told_so(client):
    sign_in(client)
    assert "No registration uses this phone number." in client.get("/me/").content.decode()


def test_correcting_details_keeps_history(client):
    person = PersonFactory(phone=PHONE, name_latin="Sok Dara", national_id="")
    sign_in(client)
    response = client.post(
        f"/me/{person.registration_number}/edit/",
        {
            "d-name_km": person.name_km,
            "d-name_latin": "Sokh Dara",
            "d-sex": person.sex,
            "d-date_of_birth": "17/05/1990",
            "d-national_id": "123456789",
            "d-village": person.village_id,
            "w-actor_type": person.actor_type,
            "w-sector": person.sector,
            "w-occupation": "tailor",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name_latin == "Sokh Dara"
    assert person.national_id == "123456789"
    change = PersonChange.objects.get(person=person, action="updated")
    assert change.changes["name_latin"] == ["Sok Dara", "Sokh Dara"]
    assert set(change.changes) == {"name_latin", "national_id", "occupation"}
    history = client.get(f"/me/{person.registration_number}/").content.decode()
    history = history.split('class="history"', 1)[1]
    # The fields by their names on the page, not their names in the code.
    assert "name in Latin letters" in history and "national ID number" in history
    assert "name_latin" not in history and "national_id" not in history


def test_bad_corrections_are_refused_per_field_and_nothing_changes(client):
    person = PersonFactory(phone=PHONE)
    sign_in(client)
    response = client.post(
        f"/me/{person.registration_number}/edit/",
        {
            "d-name_km": "Latin only",
            "d-sex": "X",
            "d-date_of_birth": "2020-01-01",
            "d-village": person.village_id,
            "w-actor_type": "pilot",
            "w-sector": "services",
        },
    )
    assert response.status_code == 200
    assert response.content.decode().count('class="errorlist') >= 4
    person.refresh_from_db()
    assert person.name_km == "សុខ ដារ៉ា"
    assert not PersonChange.objects.filter(person=person, action="updated").exists()


def test_withdraw_one_consent_and_keep_the_other(client):
    person = PersonFactory(phone=PHONE)
    nssf, skills = ProgrammeFactory(), ProgrammeFactory()
    consent_give(person=person, programme=nssf, channel="self")
    consent_give(person=person, programme=skills, channel="self")
    sign_in(client)
    page = client.get(f"/me/{person.registration_number}/consents/").content.decode()
    assert page.count("checked") == 2
    client.post(f"/me/{person.registration_number}/consents/", {"purposes": [str(nssf.pk)]})
    active = Consent.objects.filter(person=person, withdrawn_at=None)
    assert list(active.values_list("programme", flat=True)) == [nssf.pk]
    withdrawn = Consent.objects.get(person=person, programme=skills)
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_channel == "self"
    # Giving it again makes a new row: the history of both decisions stays.
    client.post(
        f"/me/{person.registration_number}/consents/",
        {"purposes": [str(nssf.pk), str(skills.pk), "data_sharing"]},
    )
    assert Consent.objects.filter(person=person, programme=skills).count() == 2
    assert Consent.objects.filter(person=person, programme=None, withdrawn_at=None).exists()

    # The history names each programme, never its code.
    history = client.get(f"/me/{person.registration_number}/").content.decode()
    history = history.split('class="history"', 1)[1]
    assert f"Consent withdrawn: {skills.name_en}" in history
    assert f"Consent given: {nssf.name_en}" in history
    assert "Consent given: Share my registration with partner institutions" in history
    assert skills.code not in history


def test_leaving_the_registry(client):
    person = PersonFactory(phone=PHONE)
    consent_give(person=person, programme=ProgrammeFactory(), channel="self")
    sign_in(client)
    assert client.get(f"/me/{person.registration_number}/leave/").status_code == 200
    client.post(f"/me/{person.registration_number}/leave/", {})  # no confirmation: nothing
    person.refresh_from_db()
    assert person.status == "active"
    client.post(f"/me/{person.registration_number}/leave/", {"confirm": "yes"})
    person.refresh_from_db()
    assert person.status == "withdrawn"
    assert not Consent.objects.filter(person=person, withdrawn_at=None).exists()
    assert PersonChange.objects.filter(person=person, action="left").exists()
    # A withdrawn record cannot be edited and is out of every staff list.
    response = client.get(f"/me/{person.registration_number}/edit/")
    assert response.status_code == 302
    from registry.selectors.people import person_list_visible_to
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True)
    assert not person_list_visible_to(user=admin).filter(pk=person.pk).exists()


def test_card_downloads_for_the_signed_in_registrant(client):
    person = PersonFactory(phone=PHONE)
    sign_in(client)
    png = client.get(f"/me/{person.registration_number}/card.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = client.get(f"/me/{person.registration_number}/card.pdf")
    assert pdf.content[:4] == b"%PDF"
    assert "attachment" in pdf["Content-Disposition"]


def test_sign_out(client):
    person = PersonFactory(phone=PHONE)
    sign_in(client)
    client.post("/me/sign-out/")
    assert client.get(f"/me/{person.registration_number}/")["Location"] == "/me/"


def test_merged_records_are_not_shown(client):
    PersonFactory(phone=PHONE, status=Person.Status.MERGED)
    sign_in(client)
    assert "No registration uses this phone number." in client.get("/me/").content.decode()


def test_registration_numbers_are_written_in_their_groups_as_on_the_card(client):
    person = PersonFactory(phone=PHONE)
    number = person.registration_number
    grouped = f"{number[:3]} {number[3:6]} {number[6:]}"
    sign_in(client)
    for page in ("/me/", f"/me/{number}/", f"/me/{grouped}/"):
        html = client.get(page, follow=True).content.decode()
        assert f'class="regno">{grouped}<' in html, page
