"""How registry values are shown to people: a phone as it is dialled in Cambodia, a
channel by its name in the page's language (never the stored code)."""

from django import template

from registry.models.people import Channel
from registry.normalise import phone_display

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
