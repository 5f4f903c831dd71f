"""How registry values are shown to people: a registration number in its groups (as on
the card), a phone as it is dialled in Cambodia, a channel by its name in the page's
language (never the stored code)."""

from django import template

from registry.models.people import Channel
from registry.normalise import phone_display
from registry.regnumber import registration_number_display

register = template.Library()


@register.filter
def phone_local(value: object) -> str:
    """+855977654321 → 097 765 4321 (registry.normalise.phone_display)."""
    return phone_display(str(value or ""))


@register.filter
def channel_label(value: str) -> str:
    """The name of a registration channel ("Branch counter"), or the value if unknown."""
    try:
        return str(Channel(value).label)
    except ValueError:
        return value


@register.filter
def regnumber(value: str) -> str:
    """4456138538 → 445 613 8538, the one way a number is written on pages and cards
    (every look-up accepts it with or without the spaces)."""
    text = str(value or "")
    return registration_number_display(text) if len(text) == 10 and text.isdigit() else text


@register.filter
def in_khmer(value: object) -> bool:
    """Whether a stored value (a name, a village) is written in Khmer script, so the page
    can mark it `lang="km"` whatever the page's language."""
    return any("\u1780" <= character <= "\u17ff" for character in str(value or ""))
