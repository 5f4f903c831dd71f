"""The main pages load under the Content-Security-Policy without a single violation.

The browser reports every refused script, style or handler as a `securitypolicyviolation`
event and on the console; both are collected on every page, public and staff, the
admin and the API's documentation included."""

import pytest

from accounts.models import Role
from tests.factories import PASSWORD, BranchFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.browser

# Runs before any page script, and is not itself subject to the page's policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""

PUBLIC = ["/", "/register/", "/me/", "/verify/", "/accounts/login/", "/api/docs/"]
ADMINISTRATOR = [
    "/dashboard/",
    "/accounts/system/",
    "/review/duplicates/",
    "/review/duplicates/runs/",
    "/campaigns/",
    "/programmes/",
    "/admin/",
    "/admin/registry/person/",
    "/admin/axes/accessattempt/",
    "/accounts/api-token/",
]
BRANCH = ["/branch/", "/branch/register/", "/branch/intake/"]


def _violations(page, paths: list[str]) -> list[str]:
    found = []
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 400, path
        page.wait_for_load_state("networkidle")
        found += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations")]
    return found + console


def _sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.lang-switch) button[type=submit]")
    page.wait_for_load_state()


def test_no_page_breaks_the_content_security_policy(page):
    page.context.add_init_script(RECORD_VIOLATIONS)
    person = PersonFactory()
    branch = BranchFactory()
    person.branch = branch
    person.save(update_fields=["branch"])
    violations = _violations(page, [*PUBLIC, f"/verify/{person.registration_number}/"])

    _sign_in(page, user_with_role(Role.ADMINISTRATOR).username)
    violations += _violations(page, ADMINISTRATOR)

    page.context.clear_cookies()
    _sign_in(page, user_with_role(Role.BRANCH_STAFF, branch=branch).username)
    violations += _violations(page, [*BRANCH, f"/branch/applicants/{person.registration_number}/"])
    assert violations == []
