"""Who may see which registrants: the one scoping rule every list, page and API uses."""

import contextlib
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from accounts.models import Role, RoleAssignment, User
from registry.models import Person
from registry.normalise import clean_text, khmer_digits_to_ascii, normalise_phone
from registry.regnumber import registration_number_clean

NATIONAL_ID_LENGTH = 9
KHMER_FIRST, KHMER_LAST = "\u1780", "\u17ff"

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


# A name must give at least this many characters: the trigram indexes cannot narrow
# down fewer, and two letters match a large share of the country.
NAME_MIN_LENGTH = 3
TRIGRAM = 3
_NUMBER_SEPARATORS = re.compile(r"[\s().+-]")


class SearchTooShortError(ValueError):
    """A name search shorter than NAME_MIN_LENGTH characters."""


def person_search(*, queryset: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Narrow to the registrants `query` names: the one search of /branch/ and the API.

    A number is looked up exactly, through the index of each kind of number: a
    registration number (spaces allowed, check digit verified), a phone in any form
    people write it, a 9-digit national ID, or a partner's reference. Words are parts
    of the name, each in the script it is typed in (Khmer or Latin, any case), all of
    them present, in any order: served by the trigram (pg_trgm) indexes on the names.
    A word of one or two letters matches the start of one of the name's words ("ly"
    finds Ly Dara and Lyna, not Kimly): only there has the index its trigrams, and
    anywhere a few letters match most of the country.
    Raises SearchTooShortError for a name part shorter than NAME_MIN_LENGTH.
    """
    text = khmer_digits_to_ascii(clean_text(query or ""))
    if not text:
        return queryset
    compact = _NUMBER_SEPARATORS.sub("", text)
    if compact.isdigit():
        condition = Q(reference=text)
        number = registration_number_clean(compact)
        if number:
            condition |= Q(registration_number=number)
        if len(compact) == NATIONAL_ID_LENGTH:
            condition |= Q(national_id=compact)
        with contextlib.suppress(ValidationError):
            condition |= Q(phone=normalise_phone(text))
        return queryset.filter(condition)
    words = text.split()
    if len("".join(words)) < NAME_MIN_LENGTH:
        raise SearchTooShortError(text)
    condition = Q()
    for word in words:
        field = "name_km" if any(KHMER_FIRST <= ch <= KHMER_LAST for ch in word) else "name_latin"
        if len(word) < TRIGRAM:
            # Too short for a trigram inside a word: matched where one of the name's words
            # starts (the index has the trigrams of a word's start), not anywhere.
            condition &= Q(**{f"{field}__istartswith": word}) | Q(
                **{f"{field}__icontains": f" {word}"}
            )
        else:
            condition &= Q(**{f"{field}__icontains": word})
    return queryset.filter(condition | Q(reference=text))


@dataclass(frozen=True)
class PersonPage:
    """One page of a list, newest first, found from where the previous one ended
    (keyset pagination: no COUNT, no OFFSET, as fast on page 1,000 as on page 1)."""

    people: list[Person]
    next_cursor: str  # "" on the last page
    previous_cursor: str  # "" on the first page


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def _cursor(person: Person, direction: str) -> str:
    # Whole microseconds (a float would round them): where the page ended, not who.
    return f"{direction}{(person.created_at - _EPOCH) // _MICROSECOND}_{person.pk}"


def person_page(
    *, queryset: QuerySet[Person], cursor: str = "", size: int = 25, searched: bool = False
) -> PersonPage:
    """The page after (`n…`) or before (`p…`) `cursor`, or the first page.
    An unreadable cursor gives the first page. `searched`: `queryset` is narrowed by
    `person_search` (the page is then found through the search's indexes when few match)."""
    direction, after = "n", None
    match = _CURSOR.fullmatch(cursor or "")
    if match:
        direction = match["direction"]
        moment = _EPOCH + int(match["moment"]) * _MICROSECOND
        after = (moment, int(match["id"]))
    ordered = queryset
    if after is not None:
        moment, pk = after
        if direction == "n":
            ordered = ordered.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
        else:
            ordered = ordered.filter(Q(created_at__gt=moment) | Q(created_at=moment, id__gt=pk))
    order = ("-created_at", "-id") if direction == "n" else ("created_at", "id")
    rows = _first_rows(ordered, order, size + 1, searched=searched)
    more = len(rows) > size
    rows = rows[:size]
    if direction == "p":
        rows.reverse()
    has_next = more if direction == "n" else after is not None
    has_previous = (after is not None) if direction == "n" else more
    return PersonPage(
        people=rows,
        next_cursor=_cursor(rows[-1], "n") if rows and has_next else "",
        previous_cursor=_cursor(rows[0], "p") if rows and has_previous else "",
    )


# A search's page is found one of two ways, whichever reads fewer rows. The planner
# cannot choose between them: it guesses how often a name part occurs (and for two
# words multiplies the guesses), and a guess ten times off turns a 5 ms page into a
# second. If at most PAGE_PROBE records match, all of them are found through the search's
# own indexes (the trigram index of a name, the index of a number) and the page is
# sorted from them; if more match, they are common, and walking the registration
# date's index from the newest finds a page of them soon (among a million records,
# within some 26,000 entries of the index, whose rows lie together: a registry's table
# is stored in the order people registered). 1,000 measured best at a million.
PAGE_PROBE = 1000
# One process: a parallel walk of the index reads far past the page in each worker.
_SERIAL = {"max_parallel_workers_per_gather": "0"}


@contextlib.contextmanager
def _planner(**settings: str):
    """PostgreSQL planner settings for the queries inside, then back as they were (on an
    error, the savepoint's rollback undoes them)."""
    with transaction.atomic(), connection.cursor() as cursor:
        before = {}
        for name, value in settings.items():
            cursor.execute(
                "SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value]
            )
            before[name] = cursor.fetchone()[0]
        yield
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _first_rows(
    ordered: QuerySet[Person], order: tuple[str, str], limit: int, *, searched: bool
) -> list[Person]:
    if searched:
        with _planner(enable_seqscan="off", enable_indexscan="off", **_SERIAL):
            probe = list(ordered.order_by().values_list("pk", "created_at")[: PAGE_PROBE + 1])
        if len(probe) <= PAGE_PROBE:
            probe.sort(key=lambda row: (row[1], row[0]), reverse=order[0].startswith("-"))
            chosen = [pk for pk, _at in probe[:limit]]
            return list(ordered.filter(pk__in=chosen).order_by(*order))
        # Many matches: walk the date's index (a bitmap of them all would be sorted).
        with _planner(enable_bitmapscan="off", enable_seqscan="off", **_SERIAL):
            return list(ordered.order_by(*order)[:limit])
    return list(ordered.order_by(*order)[:limit])


_CURSOR = re.compile(r"(?P<direction>[np])(?P<moment>\d{1,18})_(?P<id>\d{1,19})")


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
