"""What every endpoint shares: authentication, the error shape, languages, throttling,
the schema and its documentation page, the token and purge commands."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.models import IdempotencyRecord
from registry.models import Person
from tests.api.conftest import client_for, registrant_body
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/registrants/"


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_a_token_authenticates(staff, staff_api):
    assert staff_api.get(URL).status_code == 200


def test_a_wrong_token_is_refused(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    error = error_of(api.get(URL), 401, "authentication_failed")
    assert error["message"] == "ថូខឹន ឬការចូលប្រើមិនត្រឹមត្រូវទេ។"


def test_the_session_authenticates_the_browser(staff):
    client = APIClient()
    client.force_login(staff)
    assert client.get(URL).status_code == 200


def test_anonymous_gets_401_in_english_on_request(api):
    error = error_of(api.get(URL, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"), 401, "not_authenticated")
    assert error["message"].startswith("Send a token")


def test_khmer_is_the_default_and_other_languages_fall_back_to_it(api):
    for header in ("", "fr-FR", "km-KH"):
        response = api.get(URL, HTTP_ACCEPT_LANGUAGE=header)
        error = error_of(response, 401, "not_authenticated")
        assert error["message"].startswith("សូមផ្ញើថូខឹន")
        assert response["Content-Language"] == "km"
        assert "Accept-Language" in response["Vary"]


def test_unknown_paths_under_api_answer_json_404(staff_api):
    for path in ("/api/v2/registrants/", "/api/v1/nothing/", "/api/v1/registrants", "/api/"):
        response = staff_api.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert error_of(response, 404, "not_found")["message"] == "Not found."


def test_method_not_allowed(staff_api):
    person = PersonFactory()
    error = error_of(
        staff_api.delete(f"{URL}{person.registration_number}/", HTTP_ACCEPT_LANGUAGE="en"),
        405,
        "method_not_allowed",
    )
    assert "DELETE" in error["message"]
    error_of(staff_api.put(URL, {}), 405, "method_not_allowed")


def test_unsupported_media_type_and_unreadable_json(staff_api):
    error_of(
        staff_api.post(URL, "name_km=x", content_type="text/plain"), 415, "unsupported_media_type"
    )
    error_of(
        staff_api.post(URL, '{"name_km": ', content_type="application/json"), 400, "parse_error"
    )
    assert Person.objects.count() == 0


def test_an_unexpected_failure_is_json_500_and_frees_the_idempotency_key(staff_api, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("registry.api.views.registration_submit", broken)
    response = staff_api.post(URL, registrant_body(), HTTP_IDEMPOTENCY_KEY="k-500")
    error = error_of(response, 500, "server_error")
    assert "boom" not in error["message"]
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.undo()
    retried = staff_api.post(URL, registrant_body(), HTTP_IDEMPOTENCY_KEY="k-500")
    assert retried.status_code == 201
    assert Person.objects.count() == 1


def test_throttled_requests_get_429_in_the_error_shape(staff, staff_api):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "2/day"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        assert staff_api.get(URL).status_code == 200
        assert staff_api.get(URL).status_code == 200
        response = staff_api.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    error = error_of(response, 429, "throttled")
    assert 1 <= error["wait"] <= 86400
    assert response["Retry-After"] == str(error["wait"])
    assert f"{error['wait']} seconds" in error["message"]
    other = client_for(UserFactory())
    assert other.get("/api/v1/geography/provinces/").status_code == 200  # counted apart


def test_registering_has_its_own_rate(staff, staff_api):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "registrant_create": "1/day"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        assert staff_api.post(URL, registrant_body()).status_code == 201
        error_of(staff_api.post(URL, registrant_body()), 429, "throttled")
        assert staff_api.get(URL).status_code == 200  # reading is counted apart
    assert Person.objects.count() == 1


def test_throttle_counters_live_in_the_shared_cache(staff, staff_api):
    """Counted in Redis (not per process), so every gunicorn worker sees the same count."""
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(caches["default"], RedisCache):
        pytest.skip("the test settings use Redis when REDIS_URL is set")
    staff_api.get(URL)
    # Only this run's keys: other runs may share the Redis server (their prefix differs).
    prefix = caches["default"].key_prefix
    client = caches["default"]._cache.get_client(write=False)
    keys = client.keys(f"{prefix}:*throttle:user:u{staff.pk}:*")
    assert len(keys) == 1


def test_the_schema_is_openapi_3(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/registrants/" in schema["paths"]
    assert "/api/v1/intake-batches/{id}/rows/" in schema["paths"]
    create = schema["paths"]["/api/v1/registrants/"]["post"]
    headers = {p["name"] for p in create["parameters"] if p["in"] == "header"}
    assert headers == {"Idempotency-Key", "Accept-Language"}
    assert create["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_uses_local_assets(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "//unpkg" not in page and "jsdelivr" not in page
    asset = api.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200


def test_api_token_creates_and_rotates():
    user = UserFactory(username="partner-system")
    out = io.StringIO()
    call_command("api_token", "partner-system", stdout=out, stderr=io.StringIO())
    first = out.getvalue().strip()
    assert Token.objects.get(user=user).key == first
    out = io.StringIO()
    call_command("api_token", "partner-system", stdout=out, stderr=io.StringIO())
    second = out.getvalue().strip()
    assert second != first
    assert list(Token.objects.values_list("key", flat=True)) == [second]
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert old.get(URL).status_code == 401


def test_purge_idempotency_deletes_expired_keys(staff):
    old = IdempotencyRecord.objects.create(user=staff, key="old", request_hash="a" * 64)
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    IdempotencyRecord.objects.create(user=staff, key="new", request_hash="b" * 64)
    out = io.StringIO()
    call_command("purge_idempotency", stdout=out)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_an_expired_key_runs_again(staff, staff_api):
    client_for(staff).post(URL, registrant_body(reference="F-1"), HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyRecord.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    again = staff_api.post(URL, registrant_body(reference="F-2"), HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201
    assert Person.objects.count() == 2
