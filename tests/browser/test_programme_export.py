"""A programme officer edits the eligibility rule, watches the live count change, saves
it and downloads an export, in the browser."""

import pytest

from accounts.models import Role
from programmes.models import EligibilityRule, Programme
from registry.models.people import Channel
from registry.services.consent import consent_give
from sharing.models import ExportDownload
from tests.browser.waiting import wait_until
from tests.factories import PASSWORD, PersonFactory, user_with_role

pytestmark = pytest.mark.browser


def test_officer_edits_a_rule_sees_the_count_change_and_downloads_the_export(
    page, settings, tmp_path
):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    programme = Programme.objects.create(
        code="browser", kind=Programme.Kind.SKILLS, name_km="វគ្គ", name_en="Browser training",
        columns=["name_latin", "sex"],
    )  # fmt: skip
    EligibilityRule.objects.create(programme=programme)
    women = []
    for n, sex in enumerate("FFM"):
        person = PersonFactory(sex=sex, name_latin=f"Person {n}")
        consent_give(person=person, programme=programme, channel=Channel.SELF)
        if sex == "F":
            women.append(person)
    PersonFactory(sex="F")  # eligible, did not consent
    officer = user_with_role(Role.PROGRAMME_OFFICER, programme=programme)

    page.goto("/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.click(".lang-switch button[value=en]")
    page.goto("/programmes/browser/rule/")
    consenting = page.locator("[data-count=consenting]")
    assert consenting.inner_text() == "3"
    page.select_option("#id_sex", "F")
    wait_until(page, "document.querySelector('[data-count=consenting]').textContent === '2'")
    assert page.locator("[data-count=without-consent]").inner_text() == "1"
    page.fill("#id_age_min", "70")
    page.fill("#id_age_max", "20")
    page.locator("#id_age_max").blur()
    page.wait_for_selector("#live-count .error-summary")
    assert "The lowest age is above the highest age." in page.locator("#live-count").inner_text()
    page.fill("#id_age_min", "")
    page.fill("#id_age_max", "")
    page.click("#rule-form button[type=submit]")
    page.wait_for_url("**/programmes/browser/")
    assert EligibilityRule.objects.get(programme=programme).sex == "F"

    page.click("form[action$='/exports/'] button[type=submit]")
    page.wait_for_url("**/programmes/exports/*/")
    with page.expect_download() as download_info:
        page.click("a[download]")
    content = download_info.value.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbfregistration_number,name_latin,sex\n")
    lines = content.decode("utf-8-sig").splitlines()[1:]
    assert sorted(line.split(",")[0] for line in lines) == sorted(
        p.registration_number for p in women
    )
    assert ExportDownload.objects.get().user == officer
