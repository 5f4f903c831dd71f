"""/accounts/api-token/: a staff member makes the key their organisation's system uses."""

import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import BranchFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

URL = "/accounts/api-token/"


def _works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/registrants/").status_code == 200


def test_a_key_is_shown_once_and_a_new_one_replaces_it(client):
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    assert "You have no key yet." in client.get(URL).content.decode()

    made = client.post(URL)
    first = Token.objects.get(user=staff).key
    assert first in made.content.decode()
    assert "no-store" in made["Cache-Control"]
    assert _works(first)
    # Shown only on the answer that made it.
    assert first not in client.get(URL).content.decode()

    replaced = client.post(URL).content.decode()
    second = Token.objects.get(user=staff).key
    assert second != first and second in replaced
    assert _works(second) and not _works(first)


def test_only_signed_in_staff_with_a_role_get_a_key(client):
    assert client.get(URL)["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.post(URL).status_code == 403
    assert not Token.objects.exists()


def test_the_command_and_the_page_share_one_rule(capsys):
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    out = io.StringIO()
    call_command("api_token", staff.username, stdout=out)
    assert out.getvalue().strip() == Token.objects.get(user=staff).key
