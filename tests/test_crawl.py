"""Every link a person can follow leads somewhere (issue 16).

Each role signs in (and a registrant signs in with a phone code, and a visitor does not),
then follows every same-site link reachable from the home page, breadth first: none may
answer 404, 403 or 500. Links are read from the pages themselves, so a page or link added
later is covered without editing this test.
"""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from accounts.models import Role
from dedup.models import DuplicateCase
from tests.accounts.test_roles_and_pages import make_user
from tests.factories import CampaignFactory, PersonFactory, ProgrammeFactory
from tests.sms import last_code

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"#]+)"')
# Not pages of ours to crawl: static files, the Django admin's many model pages (their
# own test opens them), the API (its own tests and schema), and the Swagger UI.
SKIPPED = ("/static/", "/media/", "/admin/", "/api/")
MAX_PAGES = 80


def crawl(client: Client, start: str = "/") -> dict[str, int]:
    """{path: status} of every page reached from `start` (at most MAX_PAGES)."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code in (301, 302):
            queue.append(_local(path, response["Location"]))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            target = _local(path, href.replace("&amp;", "&"))
            if target and not target.startswith(SKIPPED) and target not in seen:
                queue.append(target)
    return seen


def _local(base: str, href: str) -> str:
    url = urlsplit(urljoin(f"http://testserver{base}", href))
    if url.netloc != "testserver":
        return ""
    return url.path + (f"?{url.query}" if url.query else "")


@pytest.fixture
def registry_in_use(geography):
    """Something on every list: registrants, a campaign, a case for review."""
    ProgrammeFactory()
    CampaignFactory()
    a, b = PersonFactory(phone="+85512345678"), PersonFactory(name_latin="Sokh Dara")
    DuplicateCase.objects.create(person_a=a, person_b=b, score=0.8, source="batch", reasons=[])


@pytest.mark.parametrize("role", list(Role.values))
def test_every_link_a_staff_member_sees_leads_somewhere(client, registry_in_use, role):
    user = make_user(role)
    PersonFactory(branch=_branch(user), partner=_partner(user))
    client.force_login(user)
    pages = crawl(client)
    assert len(pages) >= 2  # the crawl went past the redirect to the role's home
    assert {path: status for path, status in pages.items() if status >= 400} == {}


def test_every_link_a_visitor_and_a_registrant_see_leads_somewhere(client, registry_in_use):
    assert {p: s for p, s in crawl(client).items() if s >= 400} == {}
    client.post("/me/", {"phone": "012 345 678"})
    client.post("/me/code/", {"code": last_code("+85512345678")})
    pages = crawl(client, "/me/")
    assert any(path.startswith("/me/") and len(path) > 4 for path in pages)  # a record
    assert {p: s for p, s in pages.items() if s >= 400} == {}


def _branch(user):
    assignment = user.role_assignments.first()
    return assignment.branch if assignment and assignment.branch_id else None


def _partner(user):
    branch = _branch(user)
    if branch is not None:
        return branch.partner
    assignment = user.role_assignments.first()
    return assignment.partner if assignment and assignment.partner_id else None
