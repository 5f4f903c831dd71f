"""Security headers on every answer, no-store on everything Django answers, and short
staff sessions that end when idle."""

import time

import pytest
from rest_framework.authtoken.models import Token

from accounts.middleware import SEEN_AT, SIGNED_IN_AT
from accounts.models import Role
from tests.factories import BranchFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_pages_send_a_policy_without_unsafe_inline(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_and_api_answers_with_personal_data_are_never_stored(client):
    branch = BranchFactory()
    staff = user_with_role(Role.BRANCH_STAFF, branch=branch)
    person = PersonFactory(branch=branch)
    client.force_login(staff)
    for path in ("/branch/", f"/branch/applicants/{person.registration_number}/"):
        response = client.get(path)
        assert response.status_code == 200
        assert _no_store(response), path
    token = Token.objects.create(user=staff)
    api = client.get(
        f"/api/v1/registrants/{person.registration_number}/",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert api.status_code == 200 and _no_store(api)
    # The rule is "every answer Django makes": public pages and errors too.
    for path in ("/", "/register/", "/no-such-page/"):
        assert _no_store(client.get(path)), path


def test_static_files_keep_their_cache(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def _stamp(client, **times: float) -> None:
    session = client.session
    session.update(times)
    session.save()


def test_an_idle_staff_session_ends(client, settings):
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    client.force_login(staff)
    assert client.get("/branch/").status_code == 200
    idle = settings.STAFF_SESSION_IDLE_MINUTES * 60
    _stamp(client, **{SEEN_AT: time.time() - idle + 120})
    assert client.get("/branch/").status_code == 200  # active in time: still signed in
    _stamp(client, **{SEEN_AT: time.time() - idle - 1})
    response = client.get("/branch/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_staff_session_ends_after_its_lifetime_however_active(client, settings):
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    client.force_login(staff)
    assert client.get("/branch/").status_code == 200
    lifetime = settings.STAFF_SESSION_MAX_HOURS * 3600
    _stamp(client, **{SIGNED_IN_AT: time.time() - lifetime - 1, SEEN_AT: time.time()})
    assert client.get("/branch/").status_code == 302
    assert lifetime >= settings.SESSION_COOKIE_AGE  # the cookie does not outlive it
