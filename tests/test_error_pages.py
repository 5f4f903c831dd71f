"""Error pages have the site's layout, say what happened in Khmer and English, and lead back."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from accounts.models import Role
from geography.models import Province
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _assert_error_page(html: str, *, khmer: str, english: str) -> None:
    assert 'class="site-header"' in html  # the site's layout, with its language switch
    assert khmer in html
    assert english in html
    assert 'href="/"' in html  # a way back


def test_a_missing_page_is_explained_in_both_languages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _assert_error_page(response.content.decode(), khmer="រកមិនឃើញទំព័រ", english="Page not found")


def test_a_page_the_role_may_not_open_is_explained(client):
    client.force_login(
        user_with_role(Role.CAMPAIGN_ORGANISER, province=Province.objects.get(code="12"))
    )
    response = client.get("/review/duplicates/")
    assert response.status_code == 403
    _assert_error_page(
        response.content.decode(),
        khmer="អ្នកមិនអាចបើកទំព័រនេះបានទេ",
        english="You may not open this page",
    )


def test_a_server_error_page_renders_without_a_request_context():
    # Django renders 500.html with no context processors: it must not need them.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    _assert_error_page(
        response.content.decode(),
        khmer="មានបញ្ហាកើតឡើងនៅផ្នែករបស់យើង",
        english="Something went wrong on our side",
    )
