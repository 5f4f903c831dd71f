"""Every page a person can reach, found by following links from each role's home page.

Used by the crawler (no 403/404/500), the language checks (no Khmer left on English
pages, no internal codes) and the accessibility check (axe-core): pages are read from
the site itself, so a page or link added later is covered without editing a test.
"""

import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.test import Client

from accounts.models import Role, User
from dedup.models import DuplicateCase
from tests.accounts.test_roles_and_pages import make_user
from tests.factories import CampaignFactory, PersonFactory, ProgrammeFactory
from tests.sms import last_code

LINK = re.compile(r'href="([^"#]+)"')
# Not pages of ours to crawl: static files, the Django admin's many model pages (their
# own test opens them), the API (its own tests and schema), and the Swagger UI.
SKIPPED = ("/static/", "/media/", "/admin/", "/api/")
MAX_PAGES = 80
REGISTRANT_PHONE = "+85512345678"
# Who walks the site: each staff role, then a visitor and a registrant.
VISITORS = [*Role.values, "visitor", "registrant"]


@dataclass
class Page:
    path: str
    status: int
    html: str  # empty unless the answer is an HTML page


def crawl(client: Client, start: str = "/") -> dict[str, Page]:
    """Every page reached from `start` by links and redirects (at most MAX_PAGES)."""
    seen: dict[str, Page] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        is_html = "text/html" in response.get("Content-Type", "")
        html = response.content.decode() if is_html and not response.streaming else ""
        seen[path] = Page(path, response.status_code, html)
        if response.status_code in (301, 302):
            queue.append(local_path(path, response["Location"]))
            continue
        for href in LINK.findall(html):
            target = local_path(path, href.replace("&amp;", "&"))
            if target and not target.startswith(SKIPPED) and target not in seen:
                queue.append(target)
    return seen


def local_path(base: str, href: str) -> str:
    url = urlsplit(urljoin(f"http://testserver{base}", href))
    if url.netloc != "testserver":
        return ""
    return url.path + (f"?{url.query}" if url.query else "")


def one_per_template(paths) -> list[str]:
    """One path per shape (`/me/445 613 8538/`, `?page=2`...): a page's template is
    checked once, not once per record or page of a list."""
    shapes: dict[str, str] = {}
    for path in paths:
        shape = re.sub(r"\d+", "N", urlsplit(path).path)
        shapes.setdefault(shape, path)
    return list(shapes.values())


def registry_in_use() -> None:
    """Something on every list: registrants, a campaign, a case for review."""
    ProgrammeFactory()
    CampaignFactory()
    a, b = PersonFactory(phone=REGISTRANT_PHONE), PersonFactory(name_latin="Sokh Dara")
    DuplicateCase.objects.create(person_a=a, person_b=b, score=0.8, source="batch", reasons=[])


def staff_member(role: str) -> User:
    """A user of the role, with a registrant of their own branch or partner to look at."""
    user = make_user(role)
    assignment = user.role_assignments.first()
    branch = assignment.branch if assignment and assignment.branch_id else None
    partner = branch.partner if branch else (assignment.partner if assignment else None)
    PersonFactory(branch=branch, partner=partner)
    return user


def sign_in(client: Client, visitor: str) -> str:
    """Sign `client` in as `visitor` (a role, "visitor" or "registrant"); its home page."""
    if visitor == "visitor":
        return "/"
    if visitor == "registrant":
        client.post("/me/", {"phone": "012 345 678"})
        client.post("/me/code/", {"code": last_code(REGISTRANT_PHONE)})
        return "/me/"
    client.force_login(staff_member(visitor))
    return "/"
