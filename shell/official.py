"""Who runs the portal and how to reach them, from settings (the environment), in the
language of the page. Deployments set these; the defaults name the ministry in charge."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language

DEFAULT_EMBLEM = "img/emblem.svg"
# An emblem file a deployment configures is served by the shell:emblem view as one of these.
EMBLEM_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


@dataclass(frozen=True)
class Contact:
    hotline: str
    email: str
    hours: str
    address: str

    @property
    def is_set(self) -> bool:
        return any((self.hotline, self.email, self.hours, self.address))


def _in_language(name: str) -> str:
    """settings.<name>_EN on English pages, else <name>_KM (Khmer is the default); a value
    set in one language only stands in for the other."""
    km, en = getattr(settings, f"{name}_KM", ""), getattr(settings, f"{name}_EN", "")
    return (en or km) if get_language() == "en" else (km or en)


def ministry_name() -> str:
    return _in_language("MINISTRY_NAME")


def contact() -> Contact:
    return Contact(
        hotline=settings.CONTACT_HOTLINE,
        email=settings.CONTACT_EMAIL,
        hours=_in_language("CONTACT_HOURS"),
        address=_in_language("CONTACT_ADDRESS"),
    )


def emblem_path() -> Path | None:
    """The configured emblem file, or None for the portal's own neutral seal."""
    return Path(settings.EMBLEM_FILE) if settings.EMBLEM_FILE else None


def emblem_url() -> str:
    return reverse("shell:emblem") if emblem_path() else static(DEFAULT_EMBLEM)
