import io

import pytest
import segno
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from registry.card import (
    BASE_HEIGHT,
    BASE_WIDTH,
    FLAG_BLUE,
    QR_BOX,
    _runs,
    card_png,
    card_url,
    verification_url,
)
from registry.card_pdf import card_pdf
from registry.regnumber import registration_number_format
from tests.factories import PersonFactory

BASE_URL = "https://onboarding.example.gov.kh"


def _png(person) -> Image.Image:
    image = Image.open(io.BytesIO(card_png(person, base_url=BASE_URL)))
    image.load()
    return image


def test_verification_url_is_the_public_check_page():
    assert (
        verification_url(number="4829130574", base_url=BASE_URL) == f"{BASE_URL}/verify/4829130574/"
    )
    assert reverse("verify:result", kwargs={"number": "4829130574"}) == "/verify/4829130574/"


def test_verification_url_cleans_the_number_and_the_base_url():
    assert (
        verification_url(number="482 913 ០៥៧៤", base_url=BASE_URL + "/")
        == f"{BASE_URL}/verify/4829130574/"
    )


def test_verification_url_refuses_an_invalid_number():
    with pytest.raises(ValueError):
        verification_url(number="4829130575", base_url=BASE_URL)


def test_card_png_is_a_card_sized_image(db):
    image = _png(PersonFactory())
    assert image.format == "PNG"
    assert image.size == (BASE_WIDTH, BASE_HEIGHT) == (1012, 638)
    # 1012 px across 85.6 mm is 300 dpi.
    assert image.info["dpi"][0] == pytest.approx(300, abs=1)


def test_card_png_is_not_blank(db):
    image = _png(PersonFactory()).convert("RGB")
    colours = {colour: count for count, colour in image.getcolors(maxcolors=1 << 20)}
    assert len(colours) > 20  # anti-aliased text in several inks, not a flat fill
    assert colours[FLAG_BLUE] > BASE_WIDTH * 100  # the header band
    assert colours[(255, 255, 255)] > BASE_WIDTH * 200  # the body


def test_card_qr_code_holds_the_signed_verification_url(db):
    person = PersonFactory()
    image = _png(person).convert("L")
    url = card_url(person, base_url=BASE_URL)
    assert url.startswith(f"{BASE_URL}/verify/{person.registration_number}/ey")
    expected = segno.make(url, error="m", micro=False)
    left, top, side = QR_BOX
    modules = expected.symbol_size(scale=1, border=0)[0]
    module_px = side // modules
    offset = (side - modules * module_px) // 2
    for row_index, row in enumerate(expected.matrix_iter(border=0)):
        for column_index, dark in enumerate(row):
            x = left + offset + column_index * module_px + module_px // 2
            y = top + offset + row_index * module_px + module_px // 2
            assert (image.getpixel((x, y)) < 128) == bool(dark), (row_index, column_index)


def test_card_with_long_names_still_renders(db):
    person = PersonFactory(name_km="សុខ" * 40, name_latin="Nguyễn Thị " * 12)
    assert _png(person).size == (1012, 638)


def _pdf_reader(person):
    return PdfReader(io.BytesIO(card_pdf(person, base_url=BASE_URL)))


def test_card_pdf_prints_at_id_card_size(db):
    page = _pdf_reader(PersonFactory()).pages[0]
    width_mm, height_mm = (float(value) / 72 * 25.4 for value in page.mediabox[2:])
    assert width_mm == pytest.approx(85.6, abs=0.05)
    assert height_mm == pytest.approx(54.0, abs=0.1)


def test_card_pdf_has_real_selectable_text_with_the_khmer_name(db):
    person = PersonFactory(name_km="សុខ សុភាព", name_latin="Sok Sopheap")
    reader = _pdf_reader(person)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "សុខ សុភាព" in text
    assert "SOK SOPHEAP" in text
    assert registration_number_format(person.registration_number) in text
    assert "Registration No." in text


def test_card_pdf_embeds_the_vendored_khmer_font_not_a_picture(db):
    reader = _pdf_reader(PersonFactory())
    fonts = set()
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Khmer" in name for name in fonts), fonts
    assert not reader.pages[0].images  # the QR code is vector, the text is text


def test_card_pdf_does_not_carry_the_name_in_its_metadata(db):
    person = PersonFactory(name_latin="Chan Sophea")
    metadata = _pdf_reader(person).metadata or {}
    values = " ".join(str(value) for value in metadata.values())
    assert "Chan Sophea" not in values
    assert person.registration_number not in values


def test_text_runs_split_by_script_for_the_subset_fonts():
    assert list(_runs("ប័ណ្ណ Card 12")) == [("khmer", "ប័ណ្ណ "), ("latin", "Card 12")]
    assert list(_runs("Łódź / សុខ")) == [
        ("latin-ext", "Ł"),
        ("latin", "ód"),
        ("latin-ext", "ź "),
        ("latin", "/ "),
        ("khmer", "សុខ"),
    ]


def test_letters_no_vendored_font_has_lose_their_accent_not_print_as_boxes():
    # Vietnamese letters with two diacritics are in a subset that is not vendored.
    assert list(_runs("Nguyễn Thị")) == [("latin", "Nguyen Thi")]
