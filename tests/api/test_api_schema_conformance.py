"""The schema and the behaviour agree: paging parameters, Idempotency-Key, Accept-Language
and refused CSRF checks, each found by fuzzing the API against its schema."""

import pytest
from django.test import Client

from tests.api.conftest import registrant_body

pytestmark = pytest.mark.django_db

LIST = "/api/v1/registrants/"


def _schema(api) -> dict:
    return api.get("/api/schema/", {"format": "json"}).json()


def _error_fields(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    return body["error"].get("fields", {})


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "١"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400(staff_api, page):
    fields = _error_fields(staff_api.get(LIST, {"page": page}, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert fields == {"page": ["A page is a whole number from 1."]}


@pytest.mark.parametrize("size", ["0", "abc", "201", "-5"])
def test_a_page_size_out_of_range_is_a_400_not_a_silent_default(staff_api, size):
    fields = _error_fields(staff_api.get(LIST, {"page_size": size}), 400)
    assert list(fields) == ["page_size"]
    assert staff_api.get(LIST, {"page_size": "200"}).status_code == 200


def test_a_page_past_the_last_is_a_documented_404(staff_api, api):
    _error_fields(staff_api.get(LIST, {"page": "5"}), 404)
    listing = _schema(api)["paths"][LIST]["get"]
    assert {"400", "404"} <= set(listing["responses"])
    parameters = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert parameters["page"]["minimum"] == 1
    assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 200)


def test_the_idempotency_key_rules_are_in_the_schema(staff_api, api):
    create = _schema(api)["paths"][LIST]["post"]
    key = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["maxLength"] == 255 and key["schema"]["minLength"] == 1
    assert key["schema"]["pattern"] == "^[!-~]{1,255}$"
    refused = staff_api.post(LIST, registrant_body(), HTTP_IDEMPOTENCY_KEY="a key with spaces")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "idempotency_key_invalid"


def test_accept_language_is_an_http_header_of_any_form(staff_api, api):
    create = _schema(api)["paths"][LIST]["post"]
    language = next(p for p in create["parameters"] if p["name"] == "Accept-Language")
    assert "enum" not in language["schema"]
    answer = staff_api.get("/api/v1/registrants/nope/", HTTP_ACCEPT_LANGUAGE="fr, en;q=0.5")
    assert answer["Content-Language"] == "en"


def test_a_refused_csrf_check_answers_in_the_json_error_shape(staff):
    browser = Client(enforce_csrf_checks=True)
    # A path no API view owns: Django's middleware refuses it before any view runs.
    response = browser.post("/api/v1/no-such-thing/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "csrf_failed"
    # A signed-in browser session posting to the API without its token.
    browser.force_login(staff)
    response = browser.post(LIST, registrant_body(), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    # The site's pages keep Django's own page.
    assert browser.post("/accounts/language/", {"language": "en"}).status_code == 403
