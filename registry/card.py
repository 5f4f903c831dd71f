"""The registration card: a bilingual ID-1 sized card (85.6 x 54 mm), PNG here, PDF in card_pdf.

The card is what a registrant shows at a bank counter or a training centre, so it carries
the registration number in large type and a QR code of the public `/verify/<number>/` page,
which confirms the number without showing any personal data. The QR's address ends with
the card's signed code (`/verify/<number>/<code>/`, registry.card_signing), which the
page, or the offline checker where there is no network, verifies. A card can be lost: it prints
nothing beyond what identifies the holder to the person looking at them (names, sex, date
of birth, province and district, type of work). No phone, no national ID, no village.

Text is always in both languages, whatever the active language, because the card is read
by Khmer and foreign staff alike. The vendored Noto Sans Khmer is split by script into
web-font subsets (the Khmer file has no Latin glyphs and vice versa), so every string is
cut into runs by script and each run is drawn with the subset that holds its glyphs.
Pillow's Raqm layout shapes the Khmer runs (subscript consonants, vowel reordering).

`card_png` renders at 300 dpi (1012 x 638 px) for screens and phones; the PDF
(registry.card_pdf) lays out the same design as vector shapes and real, selectable text.
"""

import functools
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import override
from PIL import Image, ImageDraw, ImageFont

from registry.card_signing import card_token_sign
from registry.models import Person
from registry.regnumber import registration_number_clean, registration_number_format

# The public verification page, printed on every card: a stable URL (DESIGN.md).
VERIFY_PATH = "/verify/{number}/"
SIGNED_VERIFY_PATH = "/verify/{number}/{token}/"

CARD_WIDTH_MM = 85.6
CARD_HEIGHT_MM = 54.0
# The design is drawn on a 1012 x 638 grid (300 dpi at ID-1 size) and scaled from there.
BASE_WIDTH = 1012
BASE_HEIGHT = 638
# Where the QR code sits on the base grid: left, top, and the side of its square.
QR_BOX = (762, 188, 212)

FLAG_BLUE = (3, 46, 161)  # #032EA1
FLAG_RED = (224, 0, 37)  # #E00025
INK = (23, 27, 38)
MUTED = (92, 99, 117)
RULE = (201, 209, 227)
WHITE = (255, 255, 255)

_FONT_DIR = "vendor/fonts/files"
_SUBSET_FILES = {
    "khmer": "noto-sans-khmer-khmer-{weight}-normal.woff2",
    "latin": "noto-sans-khmer-latin-{weight}-normal.woff2",
    "latin-ext": "noto-sans-khmer-latin-ext-{weight}-normal.woff2",
}
_COENG = "\u17d2"
REGULAR = 400
BOLD = 700


def verification_url(*, number: str, base_url: str, token: str = "") -> str:
    """The absolute URL of the public check page for `number`, with the card's signed
    code when given: what the card's QR holds."""
    digits = registration_number_clean(number)
    if digits is None:
        raise ValueError("not a valid registration number")
    if token:
        return base_url.rstrip("/") + SIGNED_VERIFY_PATH.format(number=digits, token=token)
    return base_url.rstrip("/") + VERIFY_PATH.format(number=digits)


def card_token(person: Person) -> str:
    """The signed code of `person`'s card issued today: number, status, province, date."""
    return card_token_sign(
        number=person.registration_number,
        status=person.status,
        province_code=person.village.commune.district.province.code,
        issued=timezone.localdate(),
    )


def card_url(person: Person, *, base_url: str) -> str:
    """What the card's QR code holds: the check page's address with the signed code."""
    return verification_url(
        number=person.registration_number, base_url=base_url, token=card_token(person)
    )


def card_png(person: Person, *, base_url: str) -> bytes:
    """The registration card of `person` as a 1012 x 638 PNG (300 dpi at card size)."""
    image = _render(person, base_url=base_url, scale=1)
    buffer = io.BytesIO()
    dpi = _dpi(image)
    image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def _dpi(image: Image.Image) -> float:
    # Chosen so the page is exactly CARD_WIDTH_MM wide.
    return image.width / (CARD_WIDTH_MM / 25.4)


# --- fonts and bilingual text ------------------------------------------------------------


@functools.cache
def _font_path(subset: str, weight: int) -> str:
    relative = f"{_FONT_DIR}/{_SUBSET_FILES[subset].format(weight=weight)}"
    found = finders.find(relative)
    if found:
        return str(found)
    for root in (Path(settings.BASE_DIR) / "static", Path(settings.STATIC_ROOT or "")):
        candidate = root / relative
        if candidate.is_file():
            return str(candidate)
    raise ImproperlyConfigured(
        f"Font {relative} not found: run scripts/vendor_static.sh to install the web fonts."
    )


@functools.cache
def _font(subset: str, weight: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(subset, weight), size, layout_engine=ImageFont.Layout.RAQM)


# The unicode-range of each subset file, as in static/vendor/fonts/noto-sans-khmer.css.
_SUBSET_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "khmer": ((0x1780, 0x17FF), (0x19E0, 0x19FF), (0x200C, 0x200D), (0x25CC, 0x25CC)),
    "latin": (
        (0x0000, 0x00FF), (0x0131, 0x0131), (0x0152, 0x0153), (0x02BB, 0x02BC),
        (0x02C6, 0x02C6), (0x02DA, 0x02DA), (0x02DC, 0x02DC), (0x0304, 0x0304),
        (0x0308, 0x0308), (0x0329, 0x0329), (0x2000, 0x206F), (0x20AC, 0x20AC),
        (0x2122, 0x2122), (0x2191, 0x2191), (0x2193, 0x2193), (0x2212, 0x2212),
        (0x2215, 0x2215), (0xFEFF, 0xFEFF), (0xFFFD, 0xFFFD),
    ),
    "latin-ext": (
        (0x0100, 0x02BA), (0x02BD, 0x02C5), (0x02C7, 0x02CC), (0x02CE, 0x02D7),
        (0x02DD, 0x02FF), (0x1D00, 0x1DBF), (0x1E00, 0x1E9F), (0x1EF2, 0x1EFF),
        (0x2020, 0x2020), (0x20A0, 0x20AB), (0x20AD, 0x20C0), (0x2113, 0x2113),
        (0x2C60, 0x2C7F), (0xA720, 0xA7FF),
    ),
}  # fmt: skip


def _subset_of(character: str) -> str | None:
    code = ord(character)
    for subset, ranges in _SUBSET_RANGES.items():
        if any(low <= code <= high for low, high in ranges):
            return subset
    return None


def _drawable(text: str) -> str:
    """`text` with letters no vendored subset has (Vietnamese "ễ", say) reduced to their base.

    Only the Khmer, Latin and Latin Extended subsets are vendored; an accented letter
    outside them loses the accent ("Nguyễn" -> "Nguyen") rather than print as a box.
    """
    if all(_subset_of(character) for character in text):
        return text
    kept = []
    for character in text:
        if _subset_of(character):
            kept.append(character)
        else:
            kept.extend(c for c in unicodedata.normalize("NFD", character) if _subset_of(c))
    return unicodedata.normalize("NFC", "".join(kept))


def _runs(text: str) -> Iterator[tuple[str, str]]:
    """Split `text` into (subset, run) pieces; spaces stay with the run they follow."""
    current_subset = ""
    current = ""
    for character in _drawable(text):
        if character == " " and current:
            subset = current_subset
        else:
            subset = _subset_of(character) or "latin"  # _drawable left covered ones only
        if subset != current_subset and current:
            yield current_subset, current
            current = ""
        current_subset = subset
        current += character
    if current:
        yield current_subset, current


@dataclass(frozen=True)
class _Style:
    size: int
    weight: int = REGULAR
    fill: tuple[int, int, int] = INK


class _Canvas:
    """Draws on the base 1012 x 638 grid, multiplied by `scale`."""

    def __init__(self, scale: int) -> None:
        self.scale = scale
        self.image = Image.new("RGB", (BASE_WIDTH * scale, BASE_HEIGHT * scale), WHITE)
        self.draw = ImageDraw.Draw(self.image)

    def _px(self, value: float) -> int:
        return round(value * self.scale)

    def width(self, text: str, style: _Style) -> float:
        """Width of `text` in base units."""
        total = sum(
            _font(subset, style.weight, self._px(style.size)).getlength(run)
            for subset, run in _runs(text)
        )
        return total / self.scale

    def fit(self, text: str, style: _Style, max_width: float, min_size: int) -> _Style:
        """`style`, shrunk until `text` fits in `max_width` (or reaches `min_size`)."""
        while style.size > min_size and self.width(text, style) > max_width:
            style = _Style(style.size - 1, style.weight, style.fill)
        return style

    def text(
        self,
        x: float,
        baseline: float,
        text: str,
        style: _Style,
        *,
        max_width: float | None = None,
        min_size: int | None = None,
        align: str = "left",
    ) -> None:
        """Draw `text` on `baseline`; too wide for `max_width`, it shrinks, then is cut short."""
        if max_width is not None:
            style = self.fit(text, style, max_width, min_size or round(style.size * 0.7))
            text = self._truncate(text, style, max_width)
        if align == "center":
            x -= self.width(text, style) / 2
        elif align == "right":
            x -= self.width(text, style)
        cursor = self._px(x)
        for subset, run in _runs(text):
            font = _font(subset, style.weight, self._px(style.size))
            # Baseline anchoring keeps Khmer and Latin runs on one line.
            self.draw.text(
                (cursor, self._px(baseline)), run, font=font, fill=style.fill, anchor="ls"
            )
            cursor += round(font.getlength(run))

    def _truncate(self, text: str, style: _Style, max_width: float) -> str:
        if self.width(text, style) <= max_width:
            return text
        cut = len(text)
        while cut and self.width(text[:cut] + "…", style) > max_width:
            cut -= 1
            # Never split a Khmer cluster: no cut before a vowel sign or mark, nor
            # after a coeng (which joins the next consonant below this one).
            while cut and (
                text[cut - 1] == _COENG or unicodedata.category(text[cut]) in ("Mn", "Mc")
            ):
                cut -= 1
        return text[:cut].rstrip() + "…"

    def rectangle(self, box: tuple[float, float, float, float], fill: tuple[int, int, int]) -> None:
        self.draw.rectangle(tuple(self._px(v) for v in box), fill=fill)

    def outline(self, fill: tuple[int, int, int], width: float) -> None:
        line = max(1, self._px(width))
        box = (0, 0, self.image.width - 1, self.image.height - 1)
        self.draw.rectangle(box, outline=fill, width=line)

    def qr(self, payload: str, x: float, y: float, size: float) -> None:
        """Paste a QR code of `payload` with its top-left corner at (x, y), at most `size` wide."""
        code = segno.make(payload, error="m", micro=False)
        modules = int(code.symbol_size(scale=1, border=0)[0])
        module_px = max(1, self._px(size) // modules)
        bitmap = Image.new("1", (modules, modules), 1)
        bitmap.putdata([0 if dark else 1 for row in code.matrix_iter(border=0) for dark in row])
        bitmap = bitmap.resize((modules * module_px,) * 2, Image.Resampling.NEAREST)
        offset = (self._px(size) - bitmap.width) // 2
        self.image.paste(bitmap.convert("RGB"), (self._px(x) + offset, self._px(y) + offset))


def _both(km: str, en: str, separator: str = " / ") -> str:
    """Khmer and English, once when they are the same (an untranslated catalogue)."""
    return en if km == en else f"{km}{separator}{en}"


def _in_both_languages(value: Callable[[], object]) -> tuple[str, str]:
    with override("km"):
        km = str(value())
    with override("en"):
        en = str(value())
    return km, en


# --- the card ----------------------------------------------------------------------------

_LABEL = _Style(17, REGULAR, MUTED)
_VALUE = _Style(22, BOLD, INK)
_VALUE_EN = _Style(19, REGULAR, INK)


def _field(canvas: _Canvas, x: float, y: float, width: float, label: str, lines: list[str]) -> None:
    canvas.text(x, y, label, _LABEL, max_width=width)
    for index, line in enumerate(lines):
        style = _VALUE if index == 0 else _VALUE_EN
        canvas.text(x, y + 32 + index * 28, line, style, max_width=width)


def _render(person: Person, *, base_url: str, scale: int) -> Image.Image:
    canvas = _Canvas(scale)
    district = person.village.commune.district
    province = district.province
    registered = timezone.localtime(person.created_at).date() if person.created_at else None
    sex_km, sex_en = _in_both_languages(person.get_sex_display)
    work_km, work_en = _in_both_languages(person.get_actor_type_display)

    # A light outline to cut along after home printing; the bands cover it top and bottom.
    canvas.outline(fill=RULE, width=2)
    # Header: flag-blue band, with the flag's red as a thin rule beneath; a blue footer band.
    canvas.rectangle((0, 0, BASE_WIDTH, 150), FLAG_BLUE)
    canvas.rectangle((0, 150, BASE_WIDTH, 158), FLAG_RED)
    canvas.text(40, 42, "ព្រះរាជាណាចក្រកម្ពុជា", _Style(20, BOLD, WHITE))
    canvas.text(BASE_WIDTH - 40, 42, "KINGDOM OF CAMBODIA", _Style(17, BOLD, WHITE), align="right")
    canvas.text(40, 96, "ប័ណ្ណចុះឈ្មោះ សេដ្ឋកិច្ចក្រៅប្រព័ន្ធ", _Style(34, BOLD, WHITE))
    canvas.text(40, 132, "Informal Economy Registration Card", _Style(23, REGULAR, WHITE))

    text_width = 680
    # Name: Khmer script large, Latin letters beneath.
    canvas.text(40, 222, person.name_km, _Style(44, BOLD, INK), max_width=text_width)
    if person.name_latin:
        canvas.text(
            40, 262, person.name_latin.upper(), _Style(25, REGULAR, INK), max_width=text_width
        )

    # Registration number: the one thing staff copy from the card, so the largest figures.
    canvas.text(40, 308, "លេខចុះឈ្មោះ / Registration No.", _LABEL)
    canvas.text(
        40, 362, registration_number_format(person.registration_number), _Style(50, BOLD, FLAG_BLUE)
    )

    canvas.rectangle((40, 384, 40 + text_width, 386), RULE)

    column = (text_width - 40) / 3
    _field(canvas, 40, 414, column, "ភេទ / Sex", [_both(sex_km, sex_en)])
    _field(
        canvas,
        40 + column + 20,
        414,
        column,
        "ថ្ងៃកំណើត / Date of birth",
        [person.date_of_birth.strftime("%d/%m/%Y")],
    )
    _field(
        canvas,
        40 + 2 * (column + 20),
        414,
        column,
        "ថ្ងៃចុះឈ្មោះ / Registered",
        [registered.strftime("%d/%m/%Y") if registered else "—"],
    )

    half = (text_width - 20) / 2
    _field(
        canvas,
        40,
        498,
        half,
        "ខេត្ត-ស្រុក / Province-District",
        [f"{province.name_km}, {district.name_km}", f"{province.name_en}, {district.name_en}"],
    )
    work = [work_km, work_en] if work_km != work_en else [work_en]
    _field(canvas, 60 + half, 498, half, "ប្រភេទការងារ / Type of work", work)

    # QR code of the public check page, with what it is for.
    qr_x, qr_y, qr_size = QR_BOX
    canvas.qr(card_url(person, base_url=base_url), qr_x, qr_y, qr_size)
    centre = qr_x + qr_size / 2
    canvas.text(
        centre, qr_y + qr_size + 34, "ស្កេនដើម្បីផ្ទៀងផ្ទាត់", _Style(18, BOLD, INK), align="center"
    )
    canvas.text(
        centre, qr_y + qr_size + 60, "Scan to verify", _Style(17, REGULAR, MUTED), align="center"
    )
    host = base_url.split("://", 1)[-1].rstrip("/")
    canvas.text(
        centre,
        qr_y + qr_size + 86,
        f"{host}/verify/",
        _Style(14, REGULAR, MUTED),
        align="center",
        max_width=230,
    )

    canvas.rectangle((0, BASE_HEIGHT - 14, BASE_WIDTH, BASE_HEIGHT), FLAG_BLUE)
    return canvas.image
