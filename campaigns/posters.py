"""A4 posters of campaigns and events, as PDF.

Rendered by WeasyPrint, which shapes text with HarfBuzz: Khmer comes out with its
subscripts and vowels in place and stays selectable (and searchable) text. The font is
the Noto Sans Khmer the pages use (static/vendor/fonts, from npm), so no machine needs a
Khmer font installed. The QR code (segno, vector) holds the registration link.

The poster says everything in both languages, whatever the organiser's language.
"""

from pathlib import Path

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

FONT_CSS = "vendor/fonts/noto-sans-khmer.css"
POSTER_CSS = "css/poster.css"

TEXTS = {
    "country": _("Kingdom of Cambodia"),
    "motto": _("Nation Religion King"),
    "call": _("Register in the informal economy registry"),
    "free": _("Free and voluntary. It takes about five minutes."),
    "scan": _("Scan the code with your phone's camera"),
    "or_open": _("or open"),
    "code": _("Campaign code"),
    "event_code": _("Event code"),
    "period": _("Period"),
    "where": _("Where"),
    "when": _("When"),
    "bring": _("Bring your ID card if you have one, and your phone."),
    "voluntary": _(
        "Registration is voluntary. Your data is used only for the purposes you agree to."
    ),
}


def _both(value) -> dict[str, str]:
    """A text (lazy translation or callable) in Khmer and in English."""
    result = {}
    for language in ("km", "en"):
        with translation.override(language):
            result[language] = str(value() if callable(value) else value)
    return result


def _static_file(name: str) -> Path:
    found = finders.find(name)
    path = Path(found) if isinstance(found, str) else Path(settings.STATIC_ROOT) / name
    if not path.is_file():
        raise FileNotFoundError(f"{name} is missing: run scripts/vendor_static.sh")
    return path.resolve()


def _title_size(*names: str) -> int:
    """Shrink the name as it grows (static/css/poster.css, .size-N), so the longest name
    the form accepts (200 characters in each language) still fits on the one page."""
    longest = max(len(n) for n in names)
    for size, limit in enumerate((40, 70, 120, 170), start=1):
        if longest <= limit:
            return size
    return 5


def _date_both(value) -> dict[str, str]:
    return _both(lambda: formats.date_format(value, "DATE_FORMAT"))


def poster_pdf(*, campaign, link: str, event=None) -> bytes:
    """The A4 poster of `campaign` (or of one of its events) with a QR code of `link`."""
    from weasyprint import HTML

    qr = segno.make(link, error="m")
    name_km, name_en = campaign.name_km, campaign.name_en
    context = {
        "text": {key: _both(value) for key, value in TEXTS.items()},
        "name_km": name_km,
        "name_en": name_en,
        "title_size": _title_size(name_km, name_en),
        "link": link,
        "qr": qr.svg_data_uri(scale=10, border=2, dark="#000000"),
        "code": event.code if event is not None else campaign.code,
        "campaign": campaign,
        "area": _both(lambda: str(campaign.area)),
        "starts": _date_both(campaign.starts_on),
        "ends": _date_both(campaign.ends_on),
        "event": event,
        "event_village": _both(lambda: event.village.name) if event is not None else None,
        "event_date": _date_both(event.held_on) if event is not None else None,
    }
    # The fonts' stylesheet is not used (poster.css names the subsets itself, see
    # there), but it says where the vendored font files are.
    font_dir, poster_css = _static_file(FONT_CSS).parent, _static_file(POSTER_CSS)
    context["stylesheets"] = [poster_css.as_uri()]
    html = render_to_string("campaigns/poster/poster.html", context)
    fetcher = _local_fetcher(allowed=[font_dir, poster_css])
    return HTML(string=html, base_url=str(poster_css.parent), url_fetcher=fetcher).write_pdf()


def _local_fetcher(*, allowed: list[Path]):
    """Fetch only the poster's stylesheet, the vendored fonts and inline data."""
    prefixes = [p.as_uri() + ("/" if p.is_dir() else "") for p in allowed]

    def permitted(url: str) -> bool:
        return url.startswith("data:") or any(url.startswith(prefix) for prefix in prefixes)

    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # pragma: no cover - older WeasyPrint: a function
        from weasyprint.urls import default_url_fetcher

        def fetch(url: str, *args, **kwargs):
            if not permitted(url):
                raise ValueError("a poster loads only its stylesheet and the vendored fonts")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not permitted(url):
                raise ValueError("a poster loads only its stylesheet and the vendored fonts")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=["file", "data"])
