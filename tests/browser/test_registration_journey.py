"""Issue 3's journey in a real browser: register in Khmer on a phone-sized screen,
download the card, check it at /verify/, sign in at /me/, withdraw one consent and
leave the registry. And /register/ without JavaScript."""

import pytest

from geography.models import Village
from registry.models import Consent, Person
from tests.factories import ProgrammeFactory
from tests.sms import last_code

pytestmark = pytest.mark.browser

PHONE = "012 345 678"


def latest_code() -> str:
    return last_code("+85512345678")


def submit(page):
    page.click("main form button[type=submit].button")
    page.wait_for_load_state()


def register_in_khmer(page, *, village: Village, programmes):
    page.goto("/register/")
    assert page.locator("html").get_attribute("lang") == "km"
    page.fill("#id_phone", PHONE)
    submit(page)
    page.fill("#id_code", latest_code())
    submit(page)
    page.fill("#id_name_km", "សុខ ដារ៉ា")
    page.fill("#id_name_latin", "Sok Dara")
    page.check("input[name=sex][value=F]")
    page.fill("#id_date_of_birth", "១៧/០៥/១៩៩០")
    province = village.commune.district.province
    for level, value in [
        ("#id_village_province", province.pk),
        ("#id_village_district", village.commune.district_id),
        ("#id_village_commune", village.commune_id),
        ("#id_village", village.pk),
    ]:
        # Each choice re-renders the picker through htmx; wait for it like a person would.
        with page.expect_response(lambda r: "/geo/picker/" in r.url):
            page.select_option(level, str(value))
        page.wait_for_timeout(100)
    submit(page)
    page.check("input[name=actor_type][value=self_employed]")
    page.select_option("#id_sector", "services")
    submit(page)
    for programme in programmes:
        page.check(f"input[name=purposes][value='{programme.pk}']")
    submit(page)
    assert "សុខ ដារ៉ា" in page.content()
    submit(page)
    page.wait_for_selector("[data-registration-number]")
    return page.get_attribute("[data-registration-number]", "data-registration-number")


def test_register_in_khmer_then_card_verify_me_withdraw_and_leave(page):
    nssf = ProgrammeFactory(code="nssf")
    skills = ProgrammeFactory(code="skills")
    village = Village.objects.get(code="12010101")
    number = register_in_khmer(page, village=village, programmes=[nssf, skills])
    person = Person.objects.get(registration_number=number)
    assert person.name_km == "សុខ ដារ៉ា"
    assert Consent.objects.filter(person=person, withdrawn_at=None).count() == 2

    with page.expect_download() as download_info:
        page.click(f"a[href='/me/{number}/card.png']")
    card = download_info.value
    assert card.suggested_filename.endswith(".png")
    with open(card.path(), "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"

    page.goto(f"/verify/{number}/")
    assert page.locator("[data-outcome]").get_attribute("data-outcome") == "active"
    assert "សុខ" not in page.content()  # nothing personal on the public check

    # A new visit: sign in at /me/ with a fresh code.
    page.context.clear_cookies()
    page.goto("/me/")
    page.fill("#id_phone", PHONE)
    submit(page)
    page.fill("#id_code", latest_code())
    submit(page)
    page.click(f"a[href='/me/{number}/']")
    page.click(f"a[href='/me/{number}/consents/']")
    page.uncheck(f"input[name=purposes][value='{skills.pk}']")
    submit(page)
    active = Consent.objects.filter(person=person, withdrawn_at=None)
    assert list(active.values_list("programme__code", flat=True)) == ["nssf"]
    assert (
        Consent.objects.filter(person=person, programme=skills).exclude(withdrawn_at=None).exists()
    )

    page.click(f"a[href='/me/{number}/leave/']")
    page.click("button.danger")
    page.wait_for_load_state()
    person.refresh_from_db()
    assert person.status == "withdrawn"
    assert not Consent.objects.filter(person=person, withdrawn_at=None).exists()
    page.goto(f"/verify/{number}/")
    assert page.locator("[data-outcome]").get_attribute("data-outcome") == "withdrawn"


@pytest.fixture
def page_without_js(browser, live_server, transactional_geography):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_register_works_without_javascript(page_without_js):
    page = page_without_js
    village = Village.objects.get(code="12010101")
    page.goto("/register/")
    page.fill("#id_phone", PHONE)
    submit(page)
    page.fill("#id_code", latest_code())
    submit(page)
    page.fill("#id_name_km", "ចាន់ សុភា")
    page.check("input[name=sex][value=M]")
    page.fill("#id_date_of_birth", "01/02/1985")
    # Without JavaScript the picker is filled level by level with its own button.
    page.fill("#id_village_q", "12010101")
    page.click("button[name=_geo_refresh][value=search]")
    page.click(f"button[name=village_pick][value='{village.pk}']")
    assert page.locator("#id_village").input_value() == str(village.pk)
    assert page.locator("#id_name_km").input_value() == "ចាន់ សុភា"
    submit(page)
    page.check("input[name=actor_type][value=self_employed]")
    page.select_option("#id_sector", "agriculture")
    submit(page)
    submit(page)  # consent: none
    submit(page)  # review
    number = page.get_attribute("[data-registration-number]", "data-registration-number")
    assert Person.objects.get(registration_number=number).village == village
