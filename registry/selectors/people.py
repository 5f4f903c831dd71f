"""Who may see which registrants: the one scoping rule every list, page and API uses."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet

from accounts.models import Role, RoleAssignment, User
from registry.models import Person
from registry.normalise import clean_text, khmer_digits_to_ascii

# Roles that see registrant records nationwide (their access is audited).
NATIONAL_ROLES = {Role.ADMINISTRATOR, Role.MINISTRY_OFFICER}


def _assignment_filter(assignment: RoleAssignment) -> Q | None:
    if assignment.role in NATIONAL_ROLES:
        return Q()
    if assignment.role == Role.BRANCH_STAFF:
        return Q(branch_id=assignment.branch_id)
    if assignment.role == Role.PARTNER_SUPERVISOR:
        return Q(partner_id=assignment.partner_id)
    if assignment.role == Role.CAMPAIGN_ORGANISER:
        return assignment.area.village_filter()
    # Programme officers see exports of consenting registrants, never the list.
    return None


def person_list_visible_to(*, user: User, include_inactive: bool = False) -> QuerySet[Person]:
    """Registrants `user` may see: the union of what each of their roles allows.

    People who left the registry or were merged into another record are out of every
    list unless `include_inactive` (for counts of them, never their details).
    """
    people = _visible(user=user)
    return people if include_inactive else people.filter(status=Person.Status.ACTIVE)


def _visible(*, user: User) -> QuerySet[Person]:
    if not user.is_authenticated:
        return Person.objects.none()
    if user.is_superuser:
        return Person.objects.all()
    condition: Q | None = None
    for assignment in user.role_assignments.all():
        part = _assignment_filter(assignment)
        if part is None:
            continue
        if part == Q():
            return Person.objects.all()
        condition = part if condition is None else condition | part
    if condition is None:
        return Person.objects.none()
    return Person.objects.filter(condition)


def person_search(*, queryset: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Narrow by registration number, reference, phone digits or either name."""
    text = khmer_digits_to_ascii(clean_text(query or ""))
    if not text:
        return queryset
    digits = "".join(ch for ch in text if ch.isdigit())
    condition = Q(name_km__icontains=text) | Q(name_latin__icontains=text) | Q(reference=text)
    if len(digits) >= 4:
        condition |= Q(registration_number__startswith=digits) | Q(phone__contains=digits[-8:])
        condition |= Q(national_id=digits)
    return queryset.filter(condition)


# Merges make short chains (a record merged into one later merged itself); a bound keeps
# a damaged chain from looping.
MERGE_CHAIN_STEPS = 20


def person_survivors(*, person_ids: Iterable[int]) -> dict[int, tuple[int, str | None]]:
    """{id: (the record its chain of merges ends at, that record's status)}.

    A record not merged ends at itself; a record that does not exist has status None.
    One query per step of the longest chain.
    """
    ends = {pk: pk for pk in person_ids}
    statuses: dict[int, str | None] = {}
    for _step in range(MERGE_CHAIN_STEPS):
        asked = set(ends.values()) - statuses.keys()
        if not asked:
            break
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, status, merged_into_id FROM registry_person WHERE id = ANY(%s)",
                [list(asked)],
            )
            rows = {pk: (status, merged_into) for pk, status, merged_into in cursor.fetchall()}
        for start, at in ends.items():
            if at not in asked:
                continue
            status, merged_into = rows.get(at, (None, None))
            if status == Person.Status.MERGED and merged_into:
                ends[start] = merged_into
            else:
                statuses[at] = status
    return {start: (end, statuses.get(end)) for start, end in ends.items()}


def registrant_records(*, phone: str):
    """Records registered with this phone that their holder may see (not merged ones):
    what a phone proven by a code opens, on /me/ and in the registrant API."""
    return (
        Person.objects.filter(phone=phone)
        .exclude(status=Person.Status.MERGED)
        .select_related("village__commune__district__province")
        .order_by("created_at")
    )
