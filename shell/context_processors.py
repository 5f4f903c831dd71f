from django.http import HttpRequest

from shell.official import emblem_url, ministry_name


def official(request: HttpRequest) -> dict[str, str]:
    """The ministry's name and emblem for the header and footer of every page."""
    return {"ministry_name": ministry_name(), "emblem_url": emblem_url()}
