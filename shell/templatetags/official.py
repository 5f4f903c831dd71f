"""The ministry's name and emblem for the shell's templates. Tags, not a context
processor: Django renders 500.html without context processors, and it wears the shell too."""

from django import template

from shell import official

register = template.Library()


@register.simple_tag
def ministry_name() -> str:
    return official.ministry_name()


@register.simple_tag
def emblem_url() -> str:
    return official.emblem_url()
