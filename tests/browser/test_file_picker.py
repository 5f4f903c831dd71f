"""File inputs speak the page's language, not the browser's (issue 16): a Khmer page
showed Chrome's "Choose File / No file chosen"."""

import re

import pytest

from accounts.models import Role
from tests.browser.test_role_homes import sign_in
from tests.factories import BranchFactory, user_with_role

pytestmark = pytest.mark.browser
LATIN = re.compile("[A-Za-z]")


@pytest.mark.parametrize(
    "path",
    [
        "/branch/intake/",
        "/branch/register/",
    ],
)
def test_the_file_picker_is_in_khmer_and_names_the_chosen_file(page, path, tmp_path):
    user = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    # Playwright intercepts the file chooser only once a handler is subscribed. Subscribed
    # just before the click (expect_file_chooser alone), the interception was now and then
    # not yet in force on the counter page: the chooser opened and headless Chromium closed
    # it at once (a `cancel` event on the input 4 ms after the click), so no event came.
    page.on("filechooser", lambda chooser: None)
    sign_in(page, user.username)
    page.goto(path)
    picker = page.locator(".file-picker").first
    visible = picker.inner_text()
    assert re.search(r"[\u1780-\u17ff]", visible), visible
    assert not LATIN.search(visible), visible  # nothing of the browser's English

    # The browser's own control is what a tap on the drawn button reaches ...
    button = picker.locator(".file-picker-button")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    with page.expect_file_chooser() as chooser:
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    upload = tmp_path / "applicants-march.csv"
    upload.write_text("reference\n")
    chooser.value.set_files(str(upload))
    # ... and the status line then names the file.
    status = picker.locator(".file-picker-status")
    assert status.inner_text() == "applicants-march.csv"

    # A screen reader hears the field's label and the status (the input is labelled).
    field = picker.locator("input[type=file]")
    assert page.locator(f"label[for={field.get_attribute('id')}]").count() == 1
    assert status.get_attribute("id") in field.get_attribute("aria-describedby")

    # Keyboard: the input takes focus and the drawn button shows it.
    field.focus()
    outline = button.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline == "solid"
