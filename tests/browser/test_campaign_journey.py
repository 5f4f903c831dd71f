"""Issue 12 in a real browser: an organiser plans a campaign and an event, downloads the
poster (Khmer name as PDF text, a QR code that reads back as the link), a person
registers through that link, another at the event in event mode, and both show on the
campaign page and the roll-out view."""

import datetime
import io
import re

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from campaigns.models import Campaign
from geography.models import Province, Village
from registry.models import Person
from tests.factories import PASSWORD, user_with_role
from tests.sms import last_code

pytestmark = pytest.mark.browser

NAME_KM = "យុទ្ធនាការចុះឈ្មោះ រាជធានីភ្នំពេញ"


def submit(page):
    page.click("main form button[type=submit].button")
    page.wait_for_load_state()


def pick(page, name, village, *, levels=("province", "district", "commune", "village")):
    values = {
        "province": village.commune.district.province_id,
        "district": village.commune.district_id,
        "commune": village.commune_id,
        "village": village.pk,
    }
    for level in levels:
        selector = f"#id_{name}" if level == "village" else f"#id_{name}_{level}"
        with page.expect_response(lambda r: "/geo/picker/" in r.url):
            page.select_option(selector, str(values[level]))
        page.wait_for_timeout(100)


def test_plan_poster_link_event_and_see_both(page, browser, live_server):
    phnom_penh = Province.objects.get(code="12")
    village = Village.objects.get(code="12010101")
    organiser = user_with_role(Role.CAMPAIGN_ORGANISER, province=phnom_penh)
    today = timezone.localdate()

    page.goto("/accounts/login/")
    page.click(".lang-switch button[value=en]")
    page.fill("#id_username", organiser.username)
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.lang-switch) button[type=submit]")

    # Plan the campaign for the province.
    page.goto("/campaigns/new/")
    page.fill("#id_name_km", NAME_KM)
    page.fill("#id_name_en", "Phnom Penh registration drive")
    pick(page, "area", village, levels=("province",))
    page.fill("#id_starts_on", f"{today - datetime.timedelta(days=1):%Y-%m-%d}")
    page.fill("#id_ends_on", f"{today + datetime.timedelta(days=30):%Y-%m-%d}")
    page.fill("#id_target", "1500")
    page.select_option("#id_status", "running")
    submit(page)
    campaign = Campaign.objects.get()
    assert campaign.province == phnom_penh and campaign.district is None
    assert page.url.endswith(f"/campaigns/{campaign.code}/")

    # An event in a village of it, today.
    page.click(f"a[href='/campaigns/{campaign.code}/events/new/']")
    page.fill("#id_name", "Central market day")
    page.fill("#id_held_on", f"{today:%Y-%m-%d}")
    page.fill("#id_place", "Phsar Thmei")
    pick(page, "village", village)
    page.fill("#id_expected_attendance", "300")
    submit(page)
    event = campaign.events.get()

    # The poster: the Khmer name as text, a QR code with the link.
    with page.expect_download() as download_info:
        page.click(f"a[href='/campaigns/{campaign.code}/poster.pdf']")
    with open(download_info.value.path(), "rb") as fh:
        pdf = fh.read()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert re.sub(r"\s", "", NAME_KM) in re.sub(r"\s", "", text)
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil()
    [link] = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert link == f"{live_server.url}/register/?campaign={campaign.code}"

    # A person scans it and registers on their own phone.
    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    visitor = phone.new_page()
    visitor.goto(link)
    visitor.fill("#id_phone", "012 345 678")
    submit(visitor)
    visitor.fill("#id_code", last_code("+85512345678"))
    submit(visitor)
    visitor.fill("#id_name_km", "សុខ ដារ៉ា")
    visitor.check("input[name=sex][value=F]")
    visitor.fill("#id_date_of_birth", "17/05/1990")
    pick(visitor, "village", village)
    submit(visitor)
    visitor.check("input[name=actor_type][value=self_employed]")
    visitor.select_option("#id_sector", "services")
    submit(visitor)
    submit(visitor)  # consent: nothing ticked
    submit(visitor)  # review
    visitor.wait_for_selector("[data-registration-number]")
    phone.close()

    # Another at the event, registered by the organiser in event mode.
    page.goto(f"/campaigns/{campaign.code}/")
    page.click(f"a[href='/campaigns/{campaign.code}/events/{event.code}/register/']")
    page.fill("#id_d-name_km", "ចាន់ សុភា")
    page.check("input[name='d-sex'][value=M]")
    page.fill("#id_d-date_of_birth", "09/03/1988")
    pick(page, "d-village", village)
    page.check("input[name='w-actor_type'][value=self_employed]")
    page.select_option("#id_w-sector", "services")
    submit(page)
    assert "Registration number" in page.content()

    by_link = Person.objects.get(name_km="សុខ ដារ៉ា")
    at_event = Person.objects.get(name_km="ចាន់ សុភា")
    assert (by_link.attribution.campaign, by_link.attribution.event) == (campaign, None)
    assert (at_event.attribution.campaign, at_event.attribution.event) == (campaign, event)

    # Both on the campaign page...
    page.goto(f"/campaigns/{campaign.code}/")
    assert page.inner_text("#campaign-total") == "2"
    assert page.inner_text(f"[data-event-registered='{event.code}']") == "1"
    page.wait_for_selector("#chart-progress")
    # ...and on the roll-out view, down to the commune.
    page.goto("/campaigns/coverage/")
    assert page.inner_text("[data-registered='12']") == "2"
    assert page.inner_text("[data-campaigns='12']") == "1"
    page.click("[data-registered='12']")
    district = village.commune.district
    assert page.inner_text(f"[data-campaigns='{district.code}']") == "1"
    page.click(f"[data-registered='{district.code}']")
    assert page.inner_text(f"[data-registered='{village.commune.code}']") == "2"
    assert page.inner_text(f"[data-campaigns='{village.commune.code}']") == "1"
