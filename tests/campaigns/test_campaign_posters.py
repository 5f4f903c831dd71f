"""Posters: real A4 PDFs, Khmer as selectable text, a QR code that reads back as the link."""

import io
import re

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone
from pypdf import PdfReader

from campaigns.models import Event
from geography.models import Village

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

A4 = (595, 842)  # points


def squeeze(text: str) -> str:
    # PDF text extraction puts spaces where glyphs stand apart (Khmer vowels after
    # their consonant): compare without whitespace.
    return re.sub(r"\s+", "", text)


def read_poster(content: bytes) -> tuple[PdfReader, str, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    image = pypdfium2.PdfDocument(content)[0].render(scale=2).to_pil()
    codes = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    return reader, text, codes


def test_the_campaign_poster_is_an_a4_pdf_with_khmer_text_and_a_qr_code(
    client, organiser, campaign
):
    client.force_login(organiser)
    response = client.get(f"/campaigns/{campaign.code}/poster.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert f"poster-{campaign.code}.pdf" in response["Content-Disposition"]
    reader, text, codes = read_poster(response.content)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == A4
    assert squeeze(campaign.name_km) in squeeze(text)
    assert campaign.name_en in text
    assert codes == [f"http://testserver/register/?campaign={campaign.code}"]
    assert campaign.code in text


def test_an_events_poster_carries_the_events_code(client, organiser, campaign):
    event = Event.objects.create(
        campaign=campaign,
        code="MKTDAY",
        name="Market day",
        place="Phsar Thmei",
        village=Village.objects.get(code="12010101"),
        held_on=timezone.localdate(),
    )
    client.force_login(organiser)
    response = client.get(f"/campaigns/{campaign.code}/events/{event.code}/poster.pdf")
    _reader, text, codes = read_poster(response.content)
    assert codes == ["http://testserver/register/?campaign=MKTDAY"]
    assert "Market day" in text and "Phsar Thmei" in text


def test_a_very_long_name_still_fits_on_one_page(client, organiser, campaign):
    campaign.name_km = ("យុទ្ធនាការចុះឈ្មោះពលករក្រៅប្រព័ន្ធ " * 8)[:200]
    campaign.name_en = ("Registration drive for informal workers and small businesses " * 4)[:200]
    campaign.save()
    client.force_login(organiser)
    reader, text, codes = read_poster(client.get(f"/campaigns/{campaign.code}/poster.pdf").content)
    assert len(reader.pages) == 1
    assert codes == [f"http://testserver/register/?campaign={campaign.code}"]
    assert "Registration drive for informal workers" in text
