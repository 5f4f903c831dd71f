"""axe-core finds no serious or critical accessibility problem on any page (issue 16).

Every page each role, a visitor and a registrant can reach (tests/pages.py, one per
template) is opened at phone width (390 px) in Debian's chromium, as it is and with a
blank form of its own sent (so errors are checked too), and axe-core, vendored
from npm by scripts/vendor_static.sh and injected here only, checks it. Pages added
later are found by the crawl, so they are checked without editing this test.
"""

import pytest
from django.conf import settings
from django.test import Client

from tests.pages import VISITORS, crawl, one_per_template, registry_in_use, sign_in

pytestmark = pytest.mark.browser

AXE = settings.BASE_DIR / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


@pytest.fixture
def phone(browser, live_server, transactional_geography):
    # bypass_csp: axe is injected as a script of the test's own, which the site's
    # Content-Security-Policy (no inline scripts) would refuse.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


# The index of a blank form of the page's own (nothing typed, nothing ticked; a sign-out
# or language switch lies outside main), or -1: sent as it is, its errors are checked too.
# Forms that htmx or the offline queue send without leaving the page are not sent here:
# their answers replace part of the page, which no navigation announces.
BLANK_FORM = """() => [...document.querySelectorAll("main form")].findIndex(form =>
  form.method === "post" && !form.matches("[data-offline-sync], [hx-post], [hx-get]") && form.querySelector("input:not([type=hidden]), select, textarea") &&
  ![...form.elements].some(e => (e.type === "checkbox" || e.type === "radio") ? e.checked
    : (e.type !== "hidden" && e.type !== "submit" && e.tagName !== "BUTTON" && e.value)))"""


def axe_problems(page, path: str) -> list[dict]:
    page.goto(path)
    page.add_script_tag(path=str(AXE))
    problems = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
    form = page.evaluate(BLANK_FORM)
    if form >= 0:
        with page.expect_navigation():
            page.evaluate("i => document.querySelectorAll('main form')[i].requestSubmit()", form)
        page.add_script_tag(path=str(AXE))
        problems += [
            {**v, "after": "the form sent blank"}
            for v in page.evaluate(RUN_AXE)
            if v["impact"] in BLOCKING
        ]
    return problems


@pytest.mark.parametrize("visitor", VISITORS)
def test_no_page_has_a_serious_accessibility_problem_at_phone_width(phone, live_server, visitor):
    assert AXE.is_file(), "run scripts/vendor_static.sh"
    registry_in_use()
    client = Client()
    start = sign_in(client, visitor)
    pages = crawl(client, start)
    paths = one_per_template(p for p, page in pages.items() if page.html and page.status == 200)
    assert len(paths) >= 2
    if "sessionid" in client.cookies:
        phone.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
    problems = {path: found for path in paths if (found := axe_problems(phone, path))}
    assert problems == {}


def test_the_check_finds_what_it_should(phone):
    """The harness itself: axe runs and reports a picture without words and an empty button."""
    phone.set_content(
        '<html lang="en"><body><main><img src="x.png"><button></button></main></body></html>'
    )
    phone.add_script_tag(path=str(AXE))
    found = {v["id"] for v in phone.evaluate(RUN_AXE) if v["impact"] in BLOCKING}
    assert {"image-alt", "button-name"} <= found
