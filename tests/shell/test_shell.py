"""The official shell: the ministry's name and emblem, help and contact, the privacy notice
and the accessibility statement, on every page and in both languages (issue 16)."""

import pytest
from django.core.checks import run_checks
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from accounts.models import Role
from shell.selectors import ROLE_ACCESS
from tests.accounts.test_roles_and_pages import make_user
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

SHELL_PAGES = ["/help/", "/privacy/", "/accessibility/"]
MINISTRY_KM = "ក្រសួងការងារ និងបណ្តុះបណ្តាលវិជ្ជាជីវៈ"


@pytest.mark.parametrize("path", ["/", "/register/", "/me/", "/accounts/login/", *SHELL_PAGES])
def test_every_public_page_names_the_ministry_and_links_help_privacy_accessibility(client, path):
    km = client.get(path, follow=True).content.decode()
    client.cookies["django_language"] = "en"
    en = client.get(path, follow=True).content.decode()
    assert MINISTRY_KM in km
    assert "Ministry of Labour and Vocational Training" in en
    for page in SHELL_PAGES:
        assert f'href="{page}"' in km
        assert f'href="{page}"' in en
    assert "Privacy notice" in en and "សេចក្តីជូនដំណឹងអំពីឯកជនភាព" in km
    assert "img/emblem.svg" in km


def test_staff_pages_carry_the_shell_too(client, geography):
    client.force_login(make_user(Role.MINISTRY_OFFICER))
    page = client.get("/dashboard/").content.decode()
    assert MINISTRY_KM in page
    assert 'href="/privacy/"' in page


def test_the_ministry_name_comes_from_settings_in_each_language(client, settings):
    settings.MINISTRY_NAME_KM = "ក្រសួងសាកល្បង"
    settings.MINISTRY_NAME_EN = "Ministry of Testing"
    assert "ក្រសួងសាកល្បង" in client.get("/help/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/help/").content.decode()
    assert "Ministry of Testing" in page
    assert "Contact the Ministry of Testing" in page


def test_a_name_set_in_one_language_stands_in_for_the_other(client, settings):
    settings.MINISTRY_NAME_KM = ""
    settings.MINISTRY_NAME_EN = "Ministry of Testing"
    assert "Ministry of Testing" in client.get("/").content.decode()


def test_a_configured_emblem_replaces_the_seal(client, settings, tmp_path):
    emblem = tmp_path / "arms.png"
    emblem.write_bytes(b"\x89PNG\r\n\x1a\n-not-really-but-served-as-is")
    settings.EMBLEM_FILE = str(emblem)
    page = client.get("/").content.decode()
    assert 'src="/emblem"' in page
    assert "img/emblem.svg" not in page
    response = client.get("/emblem")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == emblem.read_bytes()
    assert "sandbox" in response["Content-Security-Policy"]


def test_without_a_configured_emblem_its_address_is_not_found(client):
    assert client.get("/emblem").status_code == 404


def test_a_missing_or_unusable_emblem_file_fails_the_system_check(settings, tmp_path):
    settings.EMBLEM_FILE = str(tmp_path / "absent.svg")
    assert "shell.E002" in {m.id for m in run_checks()}
    (tmp_path / "arms.gif").write_bytes(b"GIF89a")
    settings.EMBLEM_FILE = str(tmp_path / "arms.gif")
    assert "shell.E001" in {m.id for m in run_checks()}
    settings.EMBLEM_FILE = ""
    assert not {m.id for m in run_checks()} & {"shell.E001", "shell.E002"}


def test_help_shows_the_configured_contact_details(client, settings):
    settings.CONTACT_HOTLINE = "1297"
    settings.CONTACT_EMAIL = "help@example.gov.kh"
    settings.CONTACT_HOURS_KM = "ច័ន្ទ ដល់ សុក្រ"
    settings.CONTACT_HOURS_EN = "Monday to Friday, 8:00 to 17:00"
    settings.CONTACT_ADDRESS_EN = "Phnom Penh"
    client.cookies["django_language"] = "en"
    page = client.get("/help/").content.decode()
    assert 'href="tel:1297"' in page
    assert 'href="mailto:help@example.gov.kh"' in page
    assert "Monday to Friday, 8:00 to 17:00" in page
    assert "Phnom Penh" in page
    client.cookies["django_language"] = "km"
    page = client.get("/help/").content.decode()
    assert "ច័ន្ទ ដល់ សុក្រ" in page
    assert "Phnom Penh" in page  # set in English only: shown on Khmer pages too


def test_help_without_contact_details_still_says_where_to_ask(client, settings):
    settings.CONTACT_HOTLINE = settings.CONTACT_EMAIL = ""
    client.cookies["django_language"] = "en"
    page = client.get("/help/").content.decode()
    assert "tel:" not in page
    assert "any branch of a partner bank" in page
    assert "shell.W001" in {m.id for m in run_checks(include_deployment_checks=True)}


def test_help_answers_registration_consent_and_withdrawal(client):
    client.cookies["django_language"] = "en"
    page = client.get("/help/").content.decode()
    for question in ("How do I register?", "withdraw my consent", "leave the registry"):
        assert question in page


def test_the_privacy_notice_says_what_why_who_how_long_and_how_to_leave(client):
    ProgrammeFactory(name_en="Tested programme", name_km="កម្មវិធីសាកល្បង")
    client.cookies["django_language"] = "en"
    page = client.get("/privacy/").content.decode()
    for heading in (
        "What we collect",
        "Why",
        "Who sees your record",
        "How long we keep it",
        "How to withdraw consent or leave",
    ):
        assert f">{heading}</h2>" in page
    for role in Role:
        assert str(role.label) in page
    assert "Tested programme" in page
    assert 'href="/me/"' in page


def test_every_role_is_explained_in_the_privacy_notice():
    assert set(ROLE_ACCESS) == set(Role.values)


def test_the_accessibility_statement_names_its_standard_and_its_checks(client):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("shell:accessibility")).content.decode()
    assert "WCAG" in page
    assert "axe-core" in page
    assert "Tell us about a problem" in page


def test_the_server_error_page_wears_the_shell_without_a_request_context():
    # Django renders 500.html without context processors: the shell must not need them.
    with translation.override("km"):
        page = server_error(RequestFactory().get("/")).content.decode()
    assert MINISTRY_KM in page
    assert 'src="/static/img/emblem.svg"' in page
    assert 'href="/privacy/"' in page
