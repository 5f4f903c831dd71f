"""Sign-in lockout (django-axes), the client address behind a trusted proxy, the API's
anonymous throttle and the /verify/ rate limit."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory, override_settings

from accounts.models import Role
from api.client_address import client_address
from registry.models import PhoneCode
from tests.factories import PASSWORD, BranchFactory, PersonFactory, UserFactory, user_with_role

PROXY = "10.0.0.5"


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_from_a_trusted_proxy_the_address_it_saw_counts(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(_request(PROXY, "198.51.100.7")) == "198.51.100.7"
    # What the client wrote itself is left of what the proxy appended: ignored.
    assert client_address(_request(PROXY, "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # Chains of trusted proxies (a network) are walked from the right.
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(_request(PROXY, "1.2.3.4, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    # Garbage or no header: the proxy is all we know.
    assert client_address(_request(PROXY, "not-an-address")) == PROXY
    assert client_address(_request(PROXY)) == PROXY


def test_a_client_that_is_not_the_proxy_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(_request("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


# --- Staff sign-in lockout ------------------------------------------------------------


def _wrong_passwords(client, url: str, username: str, times: int, **extra) -> None:
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong"}, **extra)
        assert response.status_code in (200, 429)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_repeated_wrong_passwords_lock_the_sign_in(client, url):
    user = user_with_role(Role.ADMINISTRATOR)
    _wrong_passwords(client, url, user.username, settings.AXES_FAILURE_LIMIT)
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in locked" in page  # the English half of the bilingual page
    assert 'lang="km"' in page and 'lang="en"' in page
    assert "_auth_user_id" not in client.session
    # The same account from another address is not locked: keyed on the pair.
    other = client_class_from(client)
    response = other.post(
        url, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.20"
    )
    assert response.status_code == 302
    assert "_auth_user_id" in other.session


def client_class_from(client):
    return type(client)()


@pytest.mark.django_db
def test_an_administrator_unlocks_a_locked_sign_in(client):
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    _wrong_passwords(client, "/accounts/login/", staff.username, settings.AXES_FAILURE_LIMIT)
    assert (
        client.post(
            "/accounts/login/", {"username": staff.username, "password": PASSWORD}
        ).status_code
        == 429
    )
    attempt = AccessAttempt.objects.get(username=staff.username)

    admin = client_class_from(client)
    admin.force_login(user_with_role(Role.ADMINISTRATOR))
    changelist = "/admin/axes/accessattempt/"
    assert admin.get(changelist).status_code == 200
    response = admin.post(
        changelist, {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    response = client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_lockout_honours_the_trusted_proxy(client, settings):
    """Behind the proxy, each client is counted by its own address, not the proxy's."""
    settings.TRUSTED_PROXIES = [PROXY]
    user = UserFactory()
    _wrong_passwords(
        client,
        "/accounts/login/",
        user.username,
        settings.AXES_FAILURE_LIMIT,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert AccessAttempt.objects.get().ip_address == "198.51.100.1"
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 302


# --- The API's anonymous throttle -----------------------------------------------------


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_throttle(client):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/hour"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        statuses = []
        for number in range(3):
            response = client.get(
                "/api/schema/", {"format": "json"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}"
            )
            statuses.append(response.status_code)
    assert statuses == [200, 200, 429]


# --- Phone codes count the client behind the proxy -------------------------------------


@pytest.mark.django_db
def test_phone_codes_record_the_client_address_behind_the_trusted_proxy(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    client.post(
        "/me/",
        {"phone": "012 345 678", "action": "send"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.44",
    )
    assert list(PhoneCode.objects.values_list("ip_address", flat=True)) == ["198.51.100.44"]


# --- /verify/ -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_burst_of_verify_look_ups_is_limited(client):
    person = PersonFactory()
    statuses = [
        client.get(f"/verify/{person.registration_number}/").status_code for _ in range(100)
    ]
    assert statuses.count(200) == int(settings.VERIFY_RATE_LIMIT.split("/")[0])
    assert statuses[-1] == 429
    response = client.get("/verify/", {"number": person.registration_number})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert "Too many requests" in page and 'lang="km"' in page
    # Another address is not held back by this one.
    assert (
        client.get(f"/verify/{person.registration_number}/", REMOTE_ADDR="198.51.100.3")
    ).status_code == 200
