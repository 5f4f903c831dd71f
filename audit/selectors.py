"""Reading the audit: by person (the registrant's own view, issue 17), by user, by date."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from audit.models import PersonRead


def person_reads_of(*, person_ids: Iterable[int]) -> QuerySet[PersonRead]:
    """Every read of these records, newest first: a range scan of (person_id, at)."""
    return PersonRead.objects.filter(person_id__in=list(person_ids)).order_by("-at", "-id")


def person_reads_search(
    *,
    user_id: int | None = None,
    person_ids: Iterable[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[PersonRead]:
    reads = PersonRead.objects.all()
    if user_id is not None:
        reads = reads.filter(user_id=user_id)
    if person_ids is not None:
        reads = reads.filter(person_id__in=list(person_ids))
    if since is not None:
        reads = reads.filter(at__gte=since)
    if until is not None:
        reads = reads.filter(at__lt=until)
    return reads.order_by("-at", "-id")
