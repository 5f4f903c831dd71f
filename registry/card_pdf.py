"""The registration card as a real PDF: vector shapes, a vector QR code, and text that can
be selected, searched and read aloud, with Khmer shaped correctly (WeasyPrint lays the text
out with Pango and HarfBuzz, in the vendored Noto Sans Khmer).

Same design, same words and same signed QR as the PNG (registry.card), on a page of
exactly the card's size (85.6 x 54 mm): print at "actual size" and it fits an ID-card
sleeve. The markup is built here rather than in a template: it is a printed document,
bilingual by design, not a page of the site.
"""

import atexit
import base64
import functools
import io

import segno
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from fontTools.ttLib import TTFont

from registry.card import (
    BASE_HEIGHT,
    BASE_WIDTH,
    BOLD,
    CARD_HEIGHT_MM,
    CARD_WIDTH_MM,
    FLAG_BLUE,
    FLAG_RED,
    INK,
    MUTED,
    QR_BOX,
    REGULAR,
    RULE,
    _both,
    _font_path,
    _in_both_languages,
    card_url,
)
from registry.models import Person
from registry.regnumber import registration_number_format

# One unit of the PNG's 1012 x 638 grid, in millimetres.
UNIT_MM = CARD_WIDTH_MM / BASE_WIDTH
TEXT_WIDTH = 680


def _mm(units: float) -> str:
    return f"{units * UNIT_MM:.3f}mm"


def _rgb(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


@functools.cache
def _truetype(subset: str, weight: int) -> bytes:
    """A vendored web font as plain TrueType, decompressed once per process (WeasyPrint
    would otherwise decompress the WOFF2 for every card)."""
    font = TTFont(_font_path(subset, weight))
    font.flavor = None
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@functools.cache
def _font_data_uri(subset: str, weight: int, copy: str) -> str:
    """The font in a data: URI; `copy` renames it, so the PDF holds it as a file of its own.

    A PDF maps each glyph of a font file to one text, the first it was drawn for; in a
    Khmer cluster the consonant's glyph is mapped to the whole cluster ("សេ" for ស), so
    without its own copy the holder's name would be read back with the card's labels'
    vowels in it.
    """
    data = _truetype(subset, weight)
    if copy:
        font = TTFont(io.BytesIO(data))
        for record in font["name"].names:
            if record.nameID in (1, 3, 4, 6, 16):
                record.string = f"{record.toUnicode()} {copy}"
        buffer = io.BytesIO()
        font.save(buffer)
        data = buffer.getvalue()
    return "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")


# (family, subset, a renamed copy?): the card's words need Latin and Khmer; the holder's
# name also Latin Extended, and its Khmer in a copy of its own (see _font_data_uri).
# Latin glyphs stand for one letter each, so the name shares the card's Latin file.
# Every face costs WeasyPrint time to load, so there are no more than these eight.
_FACES = (
    ("CardLatin", "latin", ""),
    ("CardKhmer", "khmer", ""),
    ("NameLatinExt", "latin-ext", ""),
    ("NameKhmer", "khmer", "Name"),
)


@functools.cache
def _font_faces() -> str:
    """@font-face rules: one family per vendored subset, Latin first, so Pango takes each
    character from the subset that has it (the Khmer file has no Latin, and vice versa)."""
    return "\n".join(
        f"@font-face {{ font-family: {family}; font-weight: {weight}; "
        f"src: url('{_font_data_uri(subset, weight, copy)}'); }}"
        for family, subset, copy in _FACES
        for weight in (REGULAR, BOLD)
    )


def _style() -> str:
    return f"""
@page {{ size: {CARD_WIDTH_MM}mm {CARD_HEIGHT_MM}mm; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
body {{
  position: relative; width: {CARD_WIDTH_MM}mm; height: {CARD_HEIGHT_MM}mm; overflow: hidden;
  font-family: CardLatin, CardKhmer; color: {_rgb(INK)}; line-height: 1.25;
}}
.name {{ font-family: CardLatin, NameLatinExt, NameKhmer; }}
.box {{ position: absolute; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.band {{ position: absolute; left: 0; width: 100%; }}
.white {{ color: #fff; }}
.muted {{ color: {_rgb(MUTED)}; }}
.bold {{ font-weight: {BOLD}; }}
.right {{ text-align: right; }}
.centre {{ text-align: center; }}
.number {{ color: {_rgb(FLAG_BLUE)}; font-weight: {BOLD}; letter-spacing: 0.02em; }}
.outline {{ position: absolute; inset: 0; border: {_mm(2)} solid {_rgb(RULE)}; }}
"""


def _text(
    x: float,
    baseline: float,
    size: float,
    content: str,
    *,
    width: float,
    classes: str = "",
    align_right: bool = False,
) -> SafeString:
    """A line of text whose baseline sits near `baseline` on the base grid."""
    top = baseline - size * 1.05
    left = x - width if align_right else x
    return format_html(
        '<div class="box {}" style="left:{};top:{};width:{};font-size:{}">{}</div>',
        classes,
        _mm(left),
        _mm(top),
        _mm(width),
        _mm(size),
        content,
    )


def _field(x: float, y: float, width: float, label: str, lines: list[str]) -> SafeString:
    parts = [_text(x, y, 17, label, width=width, classes="muted")]
    for index, line in enumerate(lines):
        size, classes = (22, "bold") if index == 0 else (19, "")
        parts.append(_text(x, y + 32 + index * 28, size, line, width=width, classes=classes))
    return mark_safe("".join(parts))  # noqa: S308 - every part was escaped by format_html


def _band(top: float, bottom: float, colour: tuple[int, int, int]) -> SafeString:
    return format_html(
        '<div class="band" style="top:{};height:{};background:{}"></div>',
        _mm(top),
        _mm(bottom - top),
        _rgb(colour),
    )


def card_html(person: Person, *, base_url: str) -> str:
    """The card as an HTML document, for WeasyPrint."""
    district = person.village.commune.district
    province = district.province
    registered = timezone.localtime(person.created_at).date() if person.created_at else None
    sex_km, sex_en = _in_both_languages(person.get_sex_display)
    work_km, work_en = _in_both_languages(person.get_actor_type_display)
    qr_x, qr_y, qr_size = QR_BOX
    qr = segno.make(card_url(person, base_url=base_url), error="m", micro=False)
    column = (TEXT_WIDTH - 40) / 3
    half = (TEXT_WIDTH - 20) / 2
    host = base_url.split("://", 1)[-1].rstrip("/")
    parts = [
        mark_safe('<div class="outline"></div>'),
        _band(0, 150, FLAG_BLUE),
        _band(150, 158, FLAG_RED),
        _band(BASE_HEIGHT - 14, BASE_HEIGHT, FLAG_BLUE),
        _text(40, 42, 20, "ព្រះរាជាណាចក្រកម្ពុជា", width=500, classes="white bold"),
        _text(
            BASE_WIDTH - 40,
            42,
            17,
            "KINGDOM OF CAMBODIA",
            width=400,
            classes="white bold right",
            align_right=True,
        ),
        _text(40, 96, 34, "ប័ណ្ណចុះឈ្មោះ សេដ្ឋកិច្ចក្រៅប្រព័ន្ធ", width=930, classes="white bold"),
        _text(40, 132, 23, "Informal Economy Registration Card", width=930, classes="white"),
        _text(40, 222, 44, person.name_km, width=TEXT_WIDTH, classes="bold name"),
        _text(40, 262, 25, person.name_latin.upper(), width=TEXT_WIDTH, classes="name")
        if person.name_latin
        else "",
        _text(40, 308, 17, "លេខចុះឈ្មោះ / Registration No.", width=TEXT_WIDTH, classes="muted"),
        _text(
            40,
            362,
            50,
            registration_number_format(person.registration_number),
            width=TEXT_WIDTH,
            classes="number",
        ),
        format_html(
            '<div class="band" style="left:{};width:{};top:{};height:{};background:{}"></div>',
            _mm(40),
            _mm(TEXT_WIDTH),
            _mm(384),
            _mm(2),
            _rgb(RULE),
        ),
        _field(40, 414, column, "ភេទ / Sex", [_both(sex_km, sex_en)]),
        _field(
            40 + column + 20,
            414,
            column,
            "ថ្ងៃកំណើត / Date of birth",
            [person.date_of_birth.strftime("%d/%m/%Y")],
        ),
        _field(
            40 + 2 * (column + 20),
            414,
            column,
            "ថ្ងៃចុះឈ្មោះ / Registered",
            [registered.strftime("%d/%m/%Y") if registered else "—"],
        ),
        _field(
            40,
            498,
            half,
            "ខេត្ត-ស្រុក / Province-District",
            [f"{province.name_km}, {district.name_km}", f"{province.name_en}, {district.name_en}"],
        ),
        _field(
            60 + half,
            498,
            half,
            "ប្រភេទការងារ / Type of work",
            [work_km, work_en] if work_km != work_en else [work_en],
        ),
        format_html(
            '<img alt="" src="{}" style="position:absolute;left:{};top:{};width:{};height:{}">',
            qr.svg_data_uri(border=0, dark=_rgb(INK)),
            _mm(qr_x),
            _mm(qr_y),
            _mm(qr_size),
            _mm(qr_size),
        ),
        _text(
            qr_x - 20,
            qr_y + qr_size + 34,
            18,
            "ស្កេនដើម្បីផ្ទៀងផ្ទាត់",
            width=qr_size + 40,
            classes="bold centre",
        ),
        _text(
            qr_x - 20,
            qr_y + qr_size + 60,
            17,
            "Scan to verify",
            width=qr_size + 40,
            classes="muted centre",
        ),
        _text(
            qr_x - 20,
            qr_y + qr_size + 86,
            14,
            f"{host}/verify/",
            width=qr_size + 40,
            classes="muted centre",
        ),
    ]
    body = mark_safe("".join(str(part) for part in parts))  # noqa: S308 - escaped parts
    return format_html(
        '<!DOCTYPE html><html lang="km"><head><meta charset="utf-8">'
        "<title>ប័ណ្ណចុះឈ្មោះ / Registration card</title>"
        '<meta name="generator" content="Informal economy onboarding">'
        "<style>{}</style></head><body>{}</body></html>",
        mark_safe(_style()),  # noqa: S308 - our own CSS, no user input
        body,
    )


@functools.cache
def _fonts():
    """The fonts, loaded once per process and shared by every card (WeasyPrint would
    otherwise load all twelve files again for each one)."""
    from weasyprint import CSS  # imported on use: it loads Pango, which takes a moment
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    # Let it go while the interpreter still runs: its clean-up fails at shutdown.
    atexit.register(_fonts.cache_clear)
    return font_config, CSS(string=_font_faces(), font_config=font_config)


def card_pdf(person: Person, *, base_url: str) -> bytes:
    """The registration card of `person` as a one-page PDF of exactly 85.6 x 54 mm."""
    from weasyprint import HTML

    font_config, font_faces = _fonts()
    return HTML(string=card_html(person, base_url=base_url)).write_pdf(
        stylesheets=[font_faces], font_config=font_config
    )
