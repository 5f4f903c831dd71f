"""The registrant API (/api/v1/registrant/): the mobile app's whole journey, the token's
life, and the wall between registrant and staff credentials, tested both ways."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from api.models import IdempotencyRecord
from campaigns.models import Attribution
from programmes.models import Programme
from registry.models import Consent, Person, PersonChange, PhoneCode, RegistrantToken
from registry.models.people import Channel
from registry.services.consent import consent_give
from tests.api.conftest import client_for
from tests.factories import CampaignFactory, PersonFactory, ProgrammeFactory
from tests.sms import last_code

pytestmark = pytest.mark.django_db

BASE = "/api/v1/registrant"
PHONE = "+85512345678"


def _en(client: APIClient) -> APIClient:
    client.credentials()
    return client


def request_code(api: APIClient, phone: str = "012 345 678", **extra):
    return api.post(f"{BASE}/code/", {"phone": phone}, format="json", **extra)


def sign_in(api: APIClient, phone: str = "012 345 678", e164: str = PHONE) -> dict:
    sent = request_code(api, phone)
    assert sent.status_code == 202, sent.content
    answer = api.post(
        f"{BASE}/token/",
        {"phone": phone, "code": last_code(e164), "challenge": sent.json()["challenge"]},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def as_registrant(tokens: dict) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    return client


@pytest.fixture
def registrant(api):
    return as_registrant(sign_in(api))


def body(**overrides) -> dict:
    values = {
        "name_km": "ចាន់ សុភា",
        "name_latin": "Chan Sophea",
        "sex": "F",
        "date_of_birth": "09/03/1988",
        "village_code": "12010101",
        "actor_type": "self_employed",
        "sector": "services",
        "occupation": "Tailor",
    }
    values.update(overrides)
    return values


def error(response) -> dict:
    return response.json()["error"]


# --- signing in -------------------------------------------------------------------------


def test_the_whole_journey_sign_in_register_correct_consent_card_leave(api):
    programme = ProgrammeFactory(code="nssf")
    # The seeded programmes besides NSSF are closed here, so the consents list is short.
    Programme.objects.exclude(pk=programme.pk).update(is_active=False)
    Programme.objects.filter(pk=programme.pk).update(name_en="NSSF health")
    tokens = sign_in(api)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 15 * 60
    assert tokens["refresh_expires_in"] == 30 * 24 * 3600
    app = as_registrant(tokens)
    assert app.get(f"{BASE}/records/").json() == []  # nobody registered with this phone yet

    created = app.post(
        f"{BASE}/records/",
        body(consents=["data_sharing"]),
        format="json",
        HTTP_IDEMPOTENCY_KEY="reg-1",
    )
    assert created.status_code == 201, created.content
    number = created.json()["registration_number"]
    assert created.json()["warnings"] == []
    person = Person.objects.get(registration_number=number)
    assert str(person.phone) == PHONE and person.channel == Channel.APP
    assert person.actor_type == "self_employed"

    [listed] = app.get(f"{BASE}/records/").json()
    assert listed["registration_number"] == number
    assert listed["consents"] == ["data_sharing"]

    corrected = app.patch(f"{BASE}/records/{number}/", {"occupation": "Seamstress"}, format="json")
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["occupation"] == "Seamstress"
    history = app.get(f"{BASE}/records/{number}/history/").json()
    assert history[0]["action"] == "updated" and history[0]["channel"] == "app"
    assert history[0]["detail"] == "occupation"
    assert {line["action"] for line in history} >= {"registered", "consent_given"}

    purposes = app.get(f"{BASE}/records/{number}/consents/").json()
    assert [(p["purpose"], p["given"]) for p in purposes] == [
        ("data_sharing", True),
        ("nssf", False),
    ]
    given = app.put(f"{BASE}/records/{number}/consents/nssf/")
    assert given.status_code == 200
    assert (
        Consent.objects.get(person=person, programme=programme, withdrawn_at=None).channel == "app"
    )
    withdrawn = app.delete(f"{BASE}/records/{number}/consents/data_sharing/")
    assert [(p["purpose"], p["given"]) for p in withdrawn.json()] == [
        ("data_sharing", False),
        ("nssf", True),
    ]

    png = app.get(f"{BASE}/records/{number}/card.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (1012, 638)
    assert "no-store" in png["Cache-Control"]
    pdf = app.get(f"{BASE}/records/{number}/card.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert app.get(f"{BASE}/records/{number}/card.gif").status_code == 404

    refused = app.post(f"{BASE}/records/{number}/leave/", {"confirm": False}, format="json")
    assert refused.status_code == 400
    assert error(refused)["field_codes"]["confirm"] == ["confirm_required"]
    left = app.post(f"{BASE}/records/{number}/leave/", {"confirm": True}, format="json")
    assert left.status_code == 200 and left.json()["status"] == "withdrawn"
    assert not Consent.objects.filter(person=person, withdrawn_at=None).exists()
    assert PersonChange.objects.filter(person=person, action="left", channel="app").exists()
    late = app.patch(f"{BASE}/records/{number}/", {"occupation": "x"}, format="json")
    assert late.status_code == 409 and error(late)["code"] == "registrant_inactive"


def test_the_code_answer_never_says_whether_a_phone_is_registered(api):
    PersonFactory(phone=PHONE)
    known = request_code(api, "012 345 678")
    unknown = request_code(api, "097 765 4321")
    assert known.status_code == unknown.status_code == 202
    assert set(known.json()) == set(unknown.json()) == {"challenge", "expires_in"}
    assert known.json()["challenge"] != unknown.json()["challenge"]


def test_the_code_limits_are_the_webs_and_counted_together(api, client):
    client.post("/me/", {"phone": "012 345 678"})  # one code on the web
    assert request_code(api).status_code == 202
    assert request_code(api).status_code == 202
    limited = request_code(api, HTTP_ACCEPT_LANGUAGE="en")
    assert limited.status_code == 429
    assert error(limited)["code"] == "code_rate_limited"
    assert "Too many codes were sent to this phone" in error(limited)["message"]
    assert PhoneCode.objects.filter(phone=PHONE).count() == 3


def test_the_limit_per_network_address_holds_across_phones(api):
    for index in range(20):
        assert request_code(api, f"+8551200{index:04d}").status_code == 202
    limited = request_code(api, "+85512009999", HTTP_ACCEPT_LANGUAGE="en")
    assert limited.status_code == 429
    assert "from this connection" in error(limited)["message"]


def test_a_bad_phone_is_a_field_error(api):
    response = request_code(api, "12", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "phone" in error(response)["fields"]
    assert not PhoneCode.objects.exists()


def test_a_code_for_another_phone_is_refused(api):
    sent = request_code(api, "012 345 678")
    request_code(api, "097 765 4321")
    answer = api.post(
        f"{BASE}/token/",
        {"phone": "097 765 4321", "code": last_code(PHONE), "challenge": sent.json()["challenge"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400
    assert error(answer)["field_codes"]["code"] == ["code_unknown"]
    assert not RegistrantToken.objects.exists()


def test_a_wrong_code_counts_its_tries(api):
    sent = request_code(api)
    wrong = "000000" if last_code(PHONE) != "000000" else "111111"
    answer = api.post(
        f"{BASE}/token/",
        {"phone": "012 345 678", "code": wrong, "challenge": sent.json()["challenge"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400
    assert error(answer)["field_codes"]["code"] == ["code_wrong"]
    assert "4 tries left" in error(answer)["fields"]["code"][0]


def test_a_forged_challenge_is_refused(api):
    request_code(api)
    answer = api.post(
        f"{BASE}/token/",
        {"phone": "012 345 678", "code": last_code(PHONE), "challenge": "1"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400
    assert error(answer)["field_codes"]["challenge"] == ["challenge_invalid"]


def test_an_expired_code_is_refused(api):
    sent = request_code(api)
    PhoneCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    answer = api.post(
        f"{BASE}/token/",
        {"phone": "012 345 678", "code": last_code(PHONE), "challenge": sent.json()["challenge"]},
        format="json",
    )
    assert error(answer)["field_codes"]["code"] == ["code_expired"]


# --- the token's life ---------------------------------------------------------------------


def test_an_expired_access_token_is_refused_and_refresh_gives_a_new_pair(api):
    tokens = sign_in(api)
    RegistrantToken.objects.update(access_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = as_registrant(tokens).get(f"{BASE}/records/")
    assert expired.status_code == 401
    assert error(expired)["code"] == "token_expired"
    assert expired["WWW-Authenticate"].startswith("Bearer")
    fresh = api.post(f"{BASE}/token/refresh/", {"refresh_token": tokens["refresh_token"]})
    assert fresh.status_code == 200
    new = fresh.json()
    assert new["access_token"] != tokens["access_token"]
    assert as_registrant(new).get(f"{BASE}/records/").status_code == 200
    assert as_registrant(tokens).get(f"{BASE}/records/").status_code == 401


def test_a_refresh_token_used_twice_ends_the_sign_in(api):
    tokens = sign_in(api)
    new = api.post(f"{BASE}/token/refresh/", {"refresh_token": tokens["refresh_token"]}).json()
    replay = api.post(
        f"{BASE}/token/refresh/",
        {"refresh_token": tokens["refresh_token"]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert replay.status_code == 401
    assert error(replay)["code"] == "token_reused"
    # Whoever holds the newer pair is signed out too: the copy may be theirs.
    assert error(as_registrant(new).get(f"{BASE}/records/"))["code"] == "token_revoked"


def test_an_expired_refresh_token_is_refused(api):
    tokens = sign_in(api)
    RegistrantToken.objects.update(
        refresh_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    answer = api.post(f"{BASE}/token/refresh/", {"refresh_token": tokens["refresh_token"]})
    assert answer.status_code == 401 and error(answer)["code"] == "token_expired"


def test_sign_out_revokes_both_tokens(api):
    tokens = sign_in(api)
    app = as_registrant(tokens)
    assert app.post(f"{BASE}/token/revoke/").status_code == 204
    assert error(app.get(f"{BASE}/records/"))["code"] == "token_revoked"
    again = api.post(f"{BASE}/token/refresh/", {"refresh_token": tokens["refresh_token"]})
    assert error(again)["code"] == "token_revoked"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer rga_tampered",
        "Bearer rga_a b",
        "Bearer rgr_refresh-not-access",
        "Basic xyz",
    ],
)
def test_tampered_or_malformed_credentials_are_a_clear_401(api, header):
    sign_in(api)
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get(f"{BASE}/records/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert error(response)["code"] in {"token_invalid", "staff_credentials_refused"}


def test_a_token_with_one_character_changed_is_refused(api):
    tokens = sign_in(api)
    access = tokens["access_token"]
    tampered = access[:-1] + ("A" if access[-1] != "A" else "B")
    response = as_registrant({"access_token": tampered}).get(f"{BASE}/records/")
    assert response.status_code == 401 and error(response)["code"] == "token_invalid"


def test_only_digests_of_tokens_are_stored(api):
    tokens = sign_in(api)
    record = RegistrantToken.objects.get()
    stored = " ".join(str(value) for value in record.__dict__.values())
    assert tokens["access_token"] not in stored and tokens["refresh_token"] not in stored


def test_expiry_is_relative_so_a_wrong_device_clock_does_not_matter(api):
    # The phone's clock says 2001: the server never reads it, and says how many seconds.
    tokens = sign_in(api)
    response = as_registrant(tokens).get(
        f"{BASE}/records/", HTTP_DATE="Mon, 01 Jan 2001 00:00:00 GMT"
    )
    assert response.status_code == 200
    assert "expires_at" not in tokens and tokens["expires_in"] > 0


# --- scope: the phone's records only ------------------------------------------------------


def test_a_token_opens_only_the_records_of_its_phone(api):
    mine = PersonFactory(phone=PHONE)
    household = PersonFactory(phone=PHONE)
    stranger = PersonFactory(phone="+85517000000")
    merged = PersonFactory(phone=PHONE, status=Person.Status.MERGED)
    app = as_registrant(sign_in(api))
    listed = {row["registration_number"] for row in app.get(f"{BASE}/records/").json()}
    assert listed == {mine.registration_number, household.registration_number}
    for other in (stranger, merged):
        for path in ("", "history/", "consents/", "card.png"):
            assert app.get(f"{BASE}/records/{other.registration_number}/{path}").status_code == 404
        assert (
            app.patch(
                f"{BASE}/records/{other.registration_number}/", {"occupation": "x"}, format="json"
            ).status_code
            == 404
        )
        assert (
            app.put(
                f"{BASE}/records/{other.registration_number}/consents/data_sharing/"
            ).status_code
            == 404
        )
        leave = app.post(
            f"{BASE}/records/{other.registration_number}/leave/", {"confirm": True}, format="json"
        )
        assert leave.status_code == 404
    assert Person.objects.get(pk=stranger.pk).status == Person.Status.ACTIVE
    assert app.get(f"{BASE}/records/not-a-number/").status_code == 404


def test_the_phone_cannot_be_changed_or_sent_at_registration(registrant):
    person = PersonFactory(phone=PHONE)
    changed = registrant.patch(
        f"{BASE}/records/{person.registration_number}/", {"phone": "097 765 4321"}, format="json"
    )
    assert changed.status_code == 400
    assert error(changed)["field_codes"]["phone"] == ["field_unknown"]
    other = registrant.post(f"{BASE}/records/", body(phone="097 765 4321"), format="json")
    assert other.status_code == 400
    assert error(other)["field_codes"]["phone"] == ["field_not_allowed"]
    assert Person.objects.count() == 1


# --- self-registration ------------------------------------------------------------------------


def test_nothing_is_consented_unless_listed(registrant):
    ProgrammeFactory(code="nssf")
    created = registrant.post(f"{BASE}/records/", body(), format="json")
    assert created.status_code == 201
    assert created.json()["consents"] == []
    assert not Consent.objects.exists()


def test_work_and_workplace_are_checked_as_on_the_web(registrant):
    owner = registrant.post(
        f"{BASE}/records/",
        body(
            actor_type="microenterprise_owner",
            sector="wholesale_retail",
            enterprise_name="Shop",
            workers="2",
        ),
        format="json",
    )
    assert owner.status_code == 201, owner.content
    person = Person.objects.get(registration_number=owner.json()["registration_number"])
    assert person.owned_enterprises.get().name == "Shop"
    seasonal = registrant.post(
        f"{BASE}/records/",
        body(actor_type="seasonal_worker", sector="agriculture", employer_name="Rice farm"),
        format="json",
    )
    assert seasonal.status_code == 400
    assert error(seasonal)["fields"]["seasonal_months"]


def test_every_bad_field_is_reported_at_once_and_nothing_written(registrant):
    response = registrant.post(
        f"{BASE}/records/",
        body(name_km="", sex="X", date_of_birth="31/02/1990", consents=["nope"]),
        format="json",
    )
    assert response.status_code == 400
    fields = error(response)["fields"]
    assert {"name_km", "sex", "date_of_birth", "consents"} <= set(fields)
    assert not Person.objects.exists()


def test_a_retry_with_the_same_idempotency_key_registers_once(api):
    tokens = sign_in(api)
    first = as_registrant(tokens).post(
        f"{BASE}/records/", body(), format="json", HTTP_IDEMPOTENCY_KEY="app-42"
    )
    # The app refreshed its token (a new sign-in) before retrying: still the same phone.
    refreshed = api.post(f"{BASE}/token/refresh/", {"refresh_token": tokens["refresh_token"]})
    again = as_registrant(refreshed.json()).post(
        f"{BASE}/records/", body(), format="json", HTTP_IDEMPOTENCY_KEY="app-42"
    )
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Person.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.user_id is None and record.owner.startswith("phone:")
    assert PHONE not in record.owner
    other = as_registrant(refreshed.json()).post(
        f"{BASE}/records/", body(name_latin="Other"), format="json", HTTP_IDEMPOTENCY_KEY="app-42"
    )
    assert other.status_code == 422


def test_keys_of_another_phone_do_not_collide(api):
    first = as_registrant(sign_in(api)).post(
        f"{BASE}/records/", body(), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    other = as_registrant(sign_in(api, "097 765 4321", "+855977654321")).post(
        f"{BASE}/records/", body(), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert first.status_code == other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert Person.objects.count() == 2


def test_a_running_campaign_code_attributes_the_registration(registrant):
    campaign = CampaignFactory(
        code="PP-MARKET",
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
        ends_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    created = registrant.post(f"{BASE}/records/", body(campaign="pp-market"), format="json")
    assert created.status_code == 201
    person = Person.objects.get(registration_number=created.json()["registration_number"])
    assert person.channel == Channel.CAMPAIGN
    assert Attribution.objects.get(person=person).campaign == campaign


def test_a_campaign_code_not_running_registers_without_it_and_says_so(registrant):
    created = registrant.post(f"{BASE}/records/", body(campaign="OLD-POSTER"), format="json")
    assert created.status_code == 201
    assert created.json()["warnings"][0]["code"] == "campaign_not_running"
    person = Person.objects.get(registration_number=created.json()["registration_number"])
    assert person.channel == Channel.APP
    assert not Attribution.objects.filter(person=person).exists()


def test_an_inactive_programme_cannot_be_consented_but_can_be_withdrawn(registrant):
    person = PersonFactory(phone=PHONE)
    programme = ProgrammeFactory(code="closed")
    consent_give(person=person, programme=programme, channel=Channel.SELF)
    programme.is_active = False
    programme.save()
    number = person.registration_number
    assert registrant.put(f"{BASE}/records/{number}/consents/closed/").status_code == 404
    assert registrant.delete(f"{BASE}/records/{number}/consents/closed/").status_code == 200
    assert not Consent.objects.filter(person=person, withdrawn_at=None).exists()
    assert registrant.put(f"{BASE}/records/{number}/consents/unknown/").status_code == 404


# --- the wall between registrant and staff credentials ---------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/registrants/", "/api/v1/geography/provinces/", "/api/v1/intake-batches/"]
)
def test_a_registrant_token_never_reaches_staff_endpoints(api, path):
    PersonFactory(phone=PHONE)
    tokens = sign_in(api)
    for token in (tokens["access_token"], tokens["refresh_token"]):
        for keyword in ("Bearer", "Token"):
            client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
            client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token}")
            response = client.get(path)
            assert response.status_code == 401, (path, keyword)
            assert error(response)["code"] == "registrant_token_on_staff_api"
            assert "registrant API" in error(response)["message"]


def test_a_staff_token_cannot_act_as_a_registrant(staff):
    PersonFactory(phone=PHONE)
    staff_client = client_for(staff)
    for method, path in (
        ("get", f"{BASE}/records/"),
        ("post", f"{BASE}/records/"),
        ("post", f"{BASE}/token/revoke/"),
    ):
        response = getattr(staff_client, method)(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 401, path
        assert error(response)["code"] == "staff_credentials_refused"
    assert not Person.objects.exclude(phone=PHONE).exists()


def test_a_staff_session_cannot_act_as_a_registrant(staff, client):
    client.force_login(staff)
    response = client.get(f"{BASE}/records/")
    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"


def test_a_registrant_web_session_does_not_open_the_api(client):
    PersonFactory(phone=PHONE)
    client.post("/me/", {"phone": "012 345 678"})
    client.post("/me/code/", {"code": last_code(PHONE)})
    assert client.get("/me/").status_code == 200
    assert client.get(f"{BASE}/records/").status_code == 401


def test_errors_are_in_khmer_by_default(api):
    response = api.get(f"{BASE}/records/")
    assert response.status_code == 401
    assert response["Content-Language"] == "km"


def test_the_schema_has_a_registrant_tag_with_every_operation(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    tagged = {
        path
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if "registrant" in operation.get("tags", [])
    }
    assert {
        "/api/v1/registrant/code/",
        "/api/v1/registrant/token/",
        "/api/v1/registrant/token/refresh/",
        "/api/v1/registrant/records/",
        "/api/v1/registrant/records/{number}/consents/{purpose}/",
        "/api/v1/registrant/records/{number}/card.{fmt}",
    } <= tagged
    code = schema["paths"]["/api/v1/registrant/code/"]["post"]
    assert "Idempotency-Key" not in {p["name"] for p in code.get("parameters", [])}
    records = schema["paths"]["/api/v1/registrant/records/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in records.get("parameters", [])}


def test_an_administrator_ends_a_sign_in_from_the_admin(api, client):
    from tests.factories import UserFactory

    tokens = sign_in(api)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    record = RegistrantToken.objects.get()
    listing = client.get("/admin/registry/registranttoken/")
    assert listing.status_code == 200
    assert tokens["access_token"] not in listing.content.decode()
    response = client.post(
        "/admin/registry/registranttoken/",
        {"action": "end_sign_ins", "_selected_action": [record.pk]},
    )
    assert response.status_code == 302
    assert error(as_registrant(tokens).get(f"{BASE}/records/"))["code"] == "token_revoked"
