"""What a card's QR opens: /verify/<number>/<signed code>/, checked on the server; the
published keys; the offline checker's page, manifest and service worker."""

import json

import pytest

from registry.card import card_token, card_url
from registry.models import Person
from registry.models.people import Channel
from registry.services.people import person_leave
from tests.factories import PersonFactory

BASE_URL = "http://testserver"


def _attribute(response, name: str) -> str:
    content = response.content.decode()
    marker = f'{name}="'
    start = content.index(marker) + len(marker)
    return content[start : content.index('"', start)]


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_card_qr_opens_the_check_page_and_its_signature_holds(db, en):
    person = PersonFactory()
    url = card_url(person, base_url=BASE_URL)
    response = en.get(url.removeprefix(BASE_URL))
    assert response.status_code == 200
    assert _attribute(response, "data-outcome") == "active"
    assert _attribute(response, "data-signature") == "valid"
    content = response.content.decode()
    assert "signed by this registry" in content
    assert "Active, province Phnom Penh" in content
    assert person.name_km not in content and person.name_latin not in content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_page_tells_status_at_issue_from_status_now(db, en):
    person = PersonFactory()
    url = card_url(person, base_url=BASE_URL).removeprefix(BASE_URL)
    person_leave(person=person, channel=Channel.SELF)
    response = en.get(url)
    assert _attribute(response, "data-outcome") == Person.Status.WITHDRAWN
    assert _attribute(response, "data-signature") == "valid"
    content = response.content.decode()
    assert "no longer active" in content  # now
    assert "was: Active" in content  # when the card was issued


def test_a_tampered_code_is_flagged(db, en):
    person = PersonFactory()
    token = card_token(person)
    header, payload, signature = token.split(".")
    tampered = (
        f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    )
    response = en.get(f"/verify/{person.registration_number}/{tampered}/")
    assert response.status_code == 200
    assert _attribute(response, "data-signature") == "invalid"
    assert "does not match its signature" in response.content.decode()


def test_a_genuine_code_under_another_number_is_flagged(db, en):
    holder, other = PersonFactory(), PersonFactory()
    response = en.get(f"/verify/{other.registration_number}/{card_token(holder)}/")
    assert _attribute(response, "data-signature") == "invalid"
    assert "belongs to another registration number" in response.content.decode()


def test_a_code_signed_by_an_unknown_key_is_flagged(db, en, settings):
    person = PersonFactory()
    settings.CARD_SIGNING_KEY = "rogue:" + "A" * 43
    token = card_token(person)
    settings.CARD_SIGNING_KEY = "test:gcCRV326odMea6xlOxARC5hOCizlUU4BfnCyeGPxueE"
    response = en.get(f"/verify/{person.registration_number}/{token}/")
    assert _attribute(response, "data-signature") == "invalid"
    assert "not signed by a key of this registry" in response.content.decode()


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 2000])
def test_garbage_in_the_code_is_a_clear_answer_not_an_error(db, en, token):
    person = PersonFactory()
    response = en.get(f"/verify/{person.registration_number}/{token}/")
    assert response.status_code == 200
    assert _attribute(response, "data-signature") == "invalid"


def test_a_malformed_number_with_a_code_says_so(db, en):
    response = en.get("/verify/12345/a.b.c/")
    assert response.status_code == 200
    assert _attribute(response, "data-outcome") == "format"


def test_keys_are_published_as_a_jwk_set(db, client):
    response = client.get("/verify/keys/")
    assert response.status_code == 200
    body = response.json()
    assert body["signing_kid"] == "test"
    [key] = body["keys"]
    assert key == {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
        "kid": "test",
        "x": key["x"],
    }
    assert response["Access-Control-Allow-Origin"] == "*"


def test_offline_checker_page_manifest_and_service_worker(db, en):
    page = en.get("/verify/offline/")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'rel="manifest" href="/verify/manifest.webmanifest"' in content
    assert "verify-offline.js" in content
    assert "cannot tell the status now" in content
    assert 'data-code="12">Phnom Penh<' in content

    manifest = en.get("/verify/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    body = json.loads(manifest.content)
    assert body["scope"] == "/verify/"
    assert body["start_url"] == "/verify/offline/"
    assert body["name"] == "Card check"

    worker = en.get("/verify/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/verify/"
    script = worker.content.decode()
    assert 'const PAGE = "/verify/offline/"' in script
    assert 'const KEYS = "/verify/keys/"' in script


def test_the_signature_is_explained_in_khmer_by_default(db, client):
    person = PersonFactory()
    response = client.get(card_url(person, base_url=BASE_URL).removeprefix(BASE_URL))
    content = response.content.decode()
    assert "កូដរបស់ប័ណ្ណនេះពិតប្រាកដ" in content
    assert "ភ្នំពេញ" in content  # the province at issue, by its Khmer name
