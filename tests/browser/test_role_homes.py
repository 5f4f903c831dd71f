"""Each role signs in through the browser and sees its home page, in Khmer and English."""

import re

import pytest

from accounts.models import Role
from geography.models import Province
from registry.models import Person
from tests.factories import (
    PASSWORD,
    BranchFactory,
    PersonFactory,
    ProgrammeFactory,
    user_with_role,
)
from tests.sms import last_code

pytestmark = pytest.mark.browser

SCOPES = {
    Role.BRANCH_STAFF: lambda: {"branch": BranchFactory()},
    Role.PARTNER_SUPERVISOR: lambda: {"partner": BranchFactory().partner},
    Role.CAMPAIGN_ORGANISER: lambda: {"province": Province.objects.get(code="12")},
    Role.PROGRAMME_OFFICER: lambda: {"programme": ProgrammeFactory()},
}


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.lang-switch) button[type=submit]")


def switch_to(page, language):
    page.click(f".lang-switch button[value={language}]")
    page.wait_for_load_state()


@pytest.mark.parametrize("role", list(Role.values))
def test_staff_role_signs_in_and_sees_home_in_khmer_and_english(page, role):
    user = user_with_role(role, **SCOPES.get(role, dict)())
    PersonFactory()  # so the dashboard has something to draw
    sign_in(page, user.username)
    page.wait_for_selector(f'[data-role-home="{role}"]')
    assert page.locator("html").get_attribute("lang") == "km"
    khmer_heading = page.locator("h1").first.inner_text()
    assert re.search(r"[\u1780-\u17ff]", khmer_heading), khmer_heading

    switch_to(page, "en")
    page.wait_for_selector(f'[data-role-home="{role}"]')
    assert page.locator("html").get_attribute("lang") == "en"
    assert not re.search(r"[\u1780-\u17ff]", page.locator("h1").first.inner_text())
    user.refresh_from_db()
    assert user.language == "en"


def test_registrant_signs_in_with_a_phone_code_in_khmer_and_english(page):
    person = PersonFactory(phone="+85512345678")
    page.goto("/me/")
    assert page.locator("html").get_attribute("lang") == "km"
    page.fill("#id_phone", "012 345 678")
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/code/")
    page.fill("#id_code", last_code("+85512345678"))
    page.click("main form button[type=submit]")
    page.wait_for_selector('[data-role-home="registrant"]')
    assert person.registration_number in page.content()
    switch_to(page, "en")
    assert page.locator("h1").first.inner_text() == "My registration"
    assert Person.objects.count() == 1


def test_khmer_text_renders_with_the_bundled_font(page):
    page.goto("/")
    loaded = page.evaluate(
        "async () => { await document.fonts.ready;"
        " return document.fonts.check('16px \"Noto Sans Khmer\"', 'ចុះឈ្មោះ'); }"
    )
    assert loaded is True


def test_radio_buttons_sit_on_the_line_of_their_labels(page):
    user = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    sign_in(page, user.username)
    page.wait_for_selector('[data-role-home="branch_staff"]')
    page.goto("/branch/register/")
    # For each radio button: how far the middle of its circle is from the middle of its
    # words (measured on the label's text, not on the label box that holds both).
    offsets = page.evaluate(
        """() => [...document.querySelectorAll('.field label > input[type=radio]')].map(input => {
            const words = [...input.parentElement.childNodes].filter(
                n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
            const range = document.createRange();
            range.selectNodeContents(words[words.length - 1]);
            const text = range.getBoundingClientRect();
            const circle = input.getBoundingClientRect();
            return Math.abs((circle.top + circle.bottom) / 2 - (text.top + text.bottom) / 2);
        })"""
    )
    assert offsets
    assert max(offsets) < 3, offsets
