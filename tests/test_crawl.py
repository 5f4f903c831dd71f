"""Every link a person can follow leads somewhere (issue 16).

Each role signs in (and a registrant signs in with a phone code, and a visitor does not),
then follows every same-site link reachable from the home page, breadth first: none may
answer 404, 403 or 500. Links are read from the pages themselves (tests/pages.py), so a
page or link added later is covered without editing this test.
"""

import pytest

from accounts.models import Role
from tests.pages import crawl, registry_in_use, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_use(geography):
    registry_in_use()


@pytest.mark.parametrize("role", list(Role.values))
def test_every_link_a_staff_member_sees_leads_somewhere(client, in_use, role):
    pages = crawl(client, sign_in(client, role))
    assert len(pages) >= 2  # the crawl went past the redirect to the role's home
    assert {path: p.status for path, p in pages.items() if p.status >= 400} == {}


def test_every_link_a_visitor_and_a_registrant_see_leads_somewhere(client, in_use):
    assert {path: p.status for path, p in crawl(client).items() if p.status >= 400} == {}
    pages = crawl(client, sign_in(client, "registrant"))
    assert any(path.startswith("/me/") and len(path) > 4 for path in pages)  # a record
    assert {path: p.status for path, p in pages.items() if p.status >= 400} == {}
