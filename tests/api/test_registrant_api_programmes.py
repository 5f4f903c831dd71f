"""The registrant API's programme list (issue 14 §1, the programmes part): the same
evaluation as /me/<number>/programmes/, for the signed-in phone's records only."""

import datetime

import pytest

from programmes.models import EligibilityRule, Programme
from registry.models import Consent
from tests.api.test_registrant_api import BASE, PHONE, as_registrant, sign_in
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_app_lists_the_programmes_a_record_may_join_and_consents_to_one(api, geography):
    Programme.objects.update(is_active=False)
    nssf = Programme.objects.create(
        code="nssf-test", kind=Programme.Kind.SOCIAL_SECURITY, name_km="ប.ស.ស",
        name_en="NSSF social security", columns=["name_latin", "phone"],
    )  # fmt: skip
    training = Programme.objects.create(
        code="training-test", kind=Programme.Kind.SKILLS, name_km="វគ្គ",
        name_en="Skills training", columns=["name_latin"],
    )  # fmt: skip
    EligibilityRule.objects.create(programme=nssf, age_min=18, age_max=60)
    EligibilityRule.objects.create(programme=training, age_max=30)
    person = PersonFactory(phone=PHONE, date_of_birth=datetime.date(1980, 1, 1))
    stranger = PersonFactory(phone="+85517000000")
    app = as_registrant(sign_in(api))

    answer = app.get(f"{BASE}/records/{person.registration_number}/programmes/")
    assert answer.status_code == 200, answer.content
    listed = {row["code"]: row for row in answer.json()}
    assert set(listed) == {"nssf-test", "training-test"}
    assert listed["nssf-test"]["eligible"] is True  # 46 years old: within 18 to 60
    assert listed["training-test"]["eligible"] is False  # over 30
    assert answer.json()[0]["code"] == "nssf-test"  # the eligible ones first
    assert listed["nssf-test"]["consented"] is False
    values = {item["value"] for item in listed["nssf-test"]["shared"]}
    assert person.name_latin in values

    # Consent through the registrant API's consents, then the list says so.
    given = app.put(f"{BASE}/records/{person.registration_number}/consents/nssf-test/")
    assert given.status_code in (200, 201), given.content
    assert Consent.objects.filter(person=person, programme=nssf, withdrawn_at=None).exists()
    again = app.get(f"{BASE}/records/{person.registration_number}/programmes/").json()
    assert {row["code"]: row["consented"] for row in again}["nssf-test"] is True

    # Another phone's record: not found, and no token: refused.
    assert app.get(f"{BASE}/records/{stranger.registration_number}/programmes/").status_code == 404
    api.credentials()
    assert api.get(f"{BASE}/records/{person.registration_number}/programmes/").status_code == 401
