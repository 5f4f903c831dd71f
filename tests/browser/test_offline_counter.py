"""The counter form with no network: queued in the browser, sent once when it returns."""

import time

import pytest

from accounts.models import Role
from geography.models import Village
from registry.models import Person
from tests.browser.test_role_homes import sign_in, switch_to
from tests.browser.waiting import wait_until
from tests.factories import BranchFactory, user_with_role

pytestmark = pytest.mark.browser


STORED = """async () => {
  const form = document.querySelector("form[data-offline-sync]");
  if (!form || !form.offlineForm || !form.offlineForm.rules || !form.offlineForm.places) return false;
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration || !registration.active) return false;
  const names = await caches.keys();
  for (const name of names) {
    const cache = await caches.open(name);
    const keys = (await cache.keys()).map((r) => new URL(r.url).pathname);
    if (keys.includes("/branch/register/") && keys.includes("/branch/offline/places.json")
        && keys.includes("/static/js/offline-form.js")) return true;
  }
  return false;
}"""


def wait_for(page, script, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(script):
            return
        time.sleep(0.25)
    raise AssertionError(f"not true after {timeout}s: {script[:60]}")


def pick_village(page, village):
    commune = village.commune
    page.select_option("#id_d-village_province", str(commune.district.province_id))
    page.select_option("#id_d-village_district", str(commune.district_id))
    page.select_option("#id_d-village_commune", str(commune.pk))
    page.select_option("#id_d-village", str(village.pk))


def fill_person(page, *, name_km, name_latin, village, phone=""):
    page.fill("#id_phone", phone)
    page.fill("#id_d-name_km", name_km)
    page.fill("#id_d-name_latin", name_latin)
    page.check("input[name='d-sex'][value='F']")
    page.fill("#id_d-date_of_birth", "17/05/1990")
    pick_village(page, village)
    page.check("input[name='w-actor_type'][value='self_employed']")
    page.select_option("#id_w-sector", "services")


def open_counter(page):
    """A branch staff member's counter form, in English, its rules loaded."""
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    sign_in(page, staff.username)
    switch_to(page, "en")
    page.goto("/branch/register/")
    wait_until(page, "document.querySelector('form[data-offline-sync]').offlineForm?.rules")
    return staff


def browser_says(page, samples):
    """What the page's checks say of each sample value ({field: [message or None]})."""
    return page.evaluate(
        """(samples) => {
          const offline = document.querySelector("form[data-offline-sync]").offlineForm;
          const today = OfflineRules.today(offline.rules, offline.skew);
          const said = {today, device_year: new Date().getFullYear()};
          for (const [field, values] of Object.entries(samples)) {
            said[field] = values.map((v) => OfflineRules.check(offline.rules, {[field]: [v]}, today)[field] || null);
          }
          return said;
        }""",
        samples,
    )


def queued(page):
    return page.locator("[data-offline-list] li[data-status=waiting]").count()


def test_counter_registers_offline_and_each_person_is_sent_once(page):
    home, later_gone, other = Village.objects.filter(code__startswith="1201").order_by("code")[:3]
    context = page.context
    staff = open_counter(page)
    wait_for(page, STORED)  # one online visit keeps the page, its rules and the gazetteer

    context.set_offline(True)
    fill_person(page, name_km="ចាន់ សុភា", name_latin="Chan Sophea", village=home)
    page.click("form[data-offline-sync] button[type=submit]")
    page.wait_for_selector("[data-offline-list] li[data-status=waiting]")

    # Checked with the server's own rules before it is kept: an impossible phone.
    fill_person(page, name_km="សុខ ដារា", name_latin="Sok Dara", village=home, phone="12 34")
    page.click("form[data-offline-sync] button[type=submit]")
    error = page.locator(".offline-error").first
    error.wait_for()
    assert "Enter a Cambodian mobile or landline number" in error.inner_text()
    assert queued(page) == 1
    page.fill("#id_phone", "012 345 678")
    page.click("form[data-offline-sync] button[type=submit]")
    wait_until(page, "document.querySelectorAll('li[data-status=waiting]').length === 2")

    # The third one's village is removed from the gazetteer before the queue is sent.
    fill_person(page, name_km="កែវ ស្រីនិច", name_latin="Keo Sreynich", village=later_gone)
    page.click("form[data-offline-sync] button[type=submit]")
    wait_until(page, "document.querySelectorAll('li[data-status=waiting]').length === 3")
    assert "Waiting to be sent: 3" in page.locator("[data-offline-count]").inner_text()
    assert Person.objects.count() == 0

    # Close the browser tab, reopen the page: still offline, the queue is still there.
    page.close()
    later_gone.delete()
    page = context.new_page()
    page.goto("/branch/register/")
    wait_until(page, "document.querySelectorAll('li[data-status=waiting]').length === 3")
    assert "No network" in page.locator("[data-offline-state]").inner_text()

    context.set_offline(False)
    wait_until(page, "document.querySelectorAll('li[data-status=waiting]').length === 0")
    registered = page.locator("li[data-status=registered]")
    assert registered.count() == 2
    assert Person.objects.filter(name_latin="Chan Sophea").count() == 1
    assert Person.objects.filter(name_latin="Sok Dara").count() == 1
    sophea = Person.objects.get(name_latin="Chan Sophea")
    assert sophea.channel == "branch" and sophea.entered_by == staff
    numbers = registered.all_inner_texts()
    assert any(sophea.registration_number[:3] in text for text in numbers)

    refused = page.locator("li[data-status=refused]")
    assert refused.count() == 1
    assert "village" in refused.inner_text().lower()

    # Fixed and sent again: registered once, and the refused entry is replaced.
    refused.locator("button.button").click()
    assert page.locator("#id_d-name_latin").input_value() == "Keo Sreynich"
    pick_village(page, other)
    page.click("form[data-offline-sync] button[type=submit]")
    wait_until(page, "document.querySelectorAll('li[data-status=registered]').length === 3")
    assert page.locator("li[data-status=refused]").count() == 0
    assert Person.objects.get(name_latin="Keo Sreynich").village == other

    # Opening the page again sends nothing twice.
    page.reload()
    wait_until(page, "document.querySelectorAll('li[data-status=registered]').length === 3")
    time.sleep(1)
    assert Person.objects.count() == 3

    # Signing out leaves nothing of it on this device.
    with page.expect_navigation():
        page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/logout/" not in page.url
    gone = "async () => !(await indexedDB.databases()).some((d) => d.name === 'onboarding-offline')"
    wait_for(page, gone, timeout=5)
    wait_for(page, "async () => (await caches.keys()).length === 0", timeout=5)


SAMPLES = {
    "phone": [
        "012 345 678",
        "012345678",
        "+855 12 345 678",
        "855 12 345 678",
        "00855 12 345 678",
        "០១២ ៣៤៥ ៦៧៨",
        "(012) 345-678",
        "097 765 4321",
        "023 123 456",
        "12 34",
        "12345678",
        "1800 123 456",
        "+33 1 23 45 67 89",
        "+1 202 555 0143",
        "abc",
        "012 345",
        "0123456789012",
        "855123456",
        "+855 012 345 678",
        "088 123 4567",
        "010 123 456",
        "+",
        "00 33 1 23 45 67 89",
        "012 345 678 ext 2",
    ],
    "d-date_of_birth": [
        "17/05/1990",
        "1990-05-17",
        "31/02/1990",
        "1990",
        "5/1/1990",
        "29/02/2000",
        "29/02/2001",
        "01/01/1900",
        "១៧/០៥/១៩៩០",
        "17.05.1990",
        "01/01/2100",
        "01/01/2020",
    ],
    "d-national_id": ["123456789", "123 456 789", "12", "111111111", "1234567890", "១២៣៤៥៦៧៨៩"],
    "d-name_km": ["ចាន់ សុភា", "Sok", "ក1", "សុខ ៣", "សុខ Dara"],
    "d-name_latin": [
        "Sok Dara",
        "O'Neil",
        "Jean-Pierre",
        "Sok1",
        "សុខ",
        "Sok--Dara",
        "-Sok",
        "Sok - Dara",
        "Élodie",
        "Sok_Dara",
    ],
}
# What the browser must refuse itself (the server is sure to, and says it the same way).
SURE = {
    "12 34",
    "abc",
    "+33 1 23 45 67 89",
    "012 345",
    "31/02/1990",
    "1990",
    "12",
    "111111111",
    "Sok",
    "ក1",
    "Sok1",
    "សុខ",
    "Sok--Dara",
    "01/01/2100",
    "01/01/2020",
}


def server_says(field, value):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from registry.services.people import person_fields_clean

    name = {"phone": "phone"}.get(field, field.removeprefix("d-"))
    with translation.override("en"):
        try:
            person_fields_clean(raw={name: value}, fields=[name], phone_required=False)
        except ValidationError as error:
            return str(error.messages[0])
    return None


def test_the_browser_refuses_only_what_the_server_refuses_in_its_words(page):
    open_counter(page)
    said = browser_says(page, SAMPLES)
    for field, values in SAMPLES.items():
        for value, browser in zip(values, said[field], strict=True):
            server = server_says(field, value)
            if browser is not None:
                assert browser == server, (field, value, browser, server)
            if value in SURE:
                assert server is not None and browser == server, (field, value, browser, server)


def test_a_session_that_ended_offline_signs_in_again_and_keeps_the_queue(page):
    from django.contrib.sessions.models import Session

    from tests.factories import PASSWORD

    home = Village.objects.filter(code__startswith="1201").order_by("code").first()
    staff = open_counter(page)
    wait_for(page, STORED)

    page.context.set_offline(True)
    fill_person(page, name_km="ចាន់ សុភា", name_latin="Chan Sophea", village=home)
    page.click("form[data-offline-sync] button[type=submit]")
    page.wait_for_selector("[data-offline-list] li[data-status=waiting]")
    Session.objects.all().delete()  # the session ends while the device is offline

    page.context.set_offline(False)
    page.wait_for_selector("[data-offline-signin] a")
    assert "Your session has ended" in page.locator("[data-offline-signin]").inner_text()
    assert queued(page) == 1
    assert Person.objects.count() == 0

    page.click("[data-offline-signin] a")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.lang-switch) button[type=submit]")
    page.wait_for_url("**/branch/register/")
    page.wait_for_selector("[data-offline-list] li[data-status=registered]")
    assert Person.objects.filter(name_latin="Chan Sophea").count() == 1


def test_a_device_with_a_wrong_clock_checks_ages_by_the_servers_date(page):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    page.clock.set_system_time(datetime.datetime(2019, 6, 1, 12, tzinfo=datetime.UTC))
    open_counter(page)
    sixteen = f"{today.year - 16}-01-01"
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    said = browser_says(page, {"d-date_of_birth": [sixteen, tomorrow]})
    assert said["device_year"] == 2019
    assert said["today"] == today.isoformat()
    # 16 by the server's date, 9 by the device's; tomorrow is in the future all the same.
    assert said["d-date_of_birth"] == [None, "The date of birth cannot be in the future."]


def test_two_tabs_sending_one_queue_register_each_person_once(page):
    home = Village.objects.filter(code__startswith="1201").order_by("code").first()
    open_counter(page)
    wait_for(page, STORED)
    context = page.context
    context.set_offline(True)
    for name_km, name_latin in (("ចាន់ សុភា", "Chan Sophea"), ("សុខ ដារា", "Sok Dara")):
        fill_person(page, name_km=name_km, name_latin=name_latin, village=home)
        page.click("form[data-offline-sync] button[type=submit]")
    wait_until(page, "document.querySelectorAll('li[data-status=waiting]').length === 2")
    second = context.new_page()
    second.goto("/branch/register/")
    wait_until(second, "document.querySelectorAll('li[data-status=waiting]').length === 2")

    context.set_offline(False)  # both tabs see the network return and send
    for tab in (page, second):
        wait_until(tab, "document.querySelectorAll('li[data-status=waiting]').length === 0", 45000)
    time.sleep(1)
    assert Person.objects.filter(name_latin="Chan Sophea").count() == 1
    assert Person.objects.filter(name_latin="Sok Dara").count() == 1
