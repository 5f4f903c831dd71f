import pytest

from accounts.models import Role
from tests.factories import PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_khmer_is_the_default_language(client):
    html = client.get("/").content.decode()
    assert '<html lang="km">' in html
    assert "ចុះឈ្មោះ" in html


def test_switcher_changes_the_language_and_remembers_it_in_a_cookie(client):
    response = client.post("/accounts/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Register now" in html


def test_switcher_refuses_an_unknown_language_and_an_outside_redirect(client):
    response = client.post(
        "/accounts/language/", {"language": "fr", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert "django_language" not in response.cookies


def test_switcher_remembers_the_choice_on_the_user(client):
    user = user_with_role(Role.MINISTRY_OFFICER)
    client.force_login(user)
    client.post("/accounts/language/", {"language": "en", "next": "/dashboard/"})
    user.refresh_from_db()
    assert user.language == "en"
    # A new device with a Khmer cookie still gets the user's language once signed in.
    other = client.__class__()
    other.cookies["django_language"] = "km"
    other.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert '<html lang="en">' in other.get("/dashboard/").content.decode()


def test_every_page_offers_the_switcher(client):
    for url in ["/", "/accounts/login/"]:
        html = client.get(url).content.decode()
        assert 'name="language" value="km"' in html
        assert 'name="language" value="en"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        ("km", "ឈ្មោះអ្នកប្រើ ឬពាក្យសម្ងាត់មិនត្រឹមត្រូវទេ", "Please enter"),
        ("en", "The username or the password is not right.", "ឈ្មោះ"),
    ],
)
def test_a_wrong_password_is_explained_wholly_in_the_page_language(
    client, language, expected, foreign
):
    UserFactory(username="staff-member")
    client.cookies["django_language"] = language
    response = client.post(
        "/accounts/login/", {"username": "staff-member", "password": "wrong-password"}
    )
    assert response.status_code == 200
    errors = response.content.decode().split('class="error-summary"', 1)[-1][:600]
    assert expected in errors
    assert foreign not in errors
