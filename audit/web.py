"""The one call every page, API view and admin page makes when it shows records."""

from collections.abc import Iterable

from django.http import HttpRequest

from audit.services import person_reads_record


def request_reads_record(request: HttpRequest, *, person_ids: Iterable[int], kind: str) -> int:
    """Record the reads of `request`'s user, naming the URL (never its path)."""
    match = getattr(request, "resolver_match", None)
    return person_reads_record(
        user=request.user,  # type: ignore[arg-type]  # staff pages: a signed-in user
        person_ids=person_ids,
        kind=kind,
        view=match.view_name if match else "",
    )
