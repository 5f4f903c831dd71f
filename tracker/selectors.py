"""The tracker's one read: every entry about a record, newest first, one page at a time.

Three sources, each indexed by person:

- `audit.PersonRead` (staff opened the full record): index (person_id, at);
- `sharing.ExportMember` joined to its published `ExportJob` (a programme received the
  record): index on person, then the job by primary key;
- `registry.PersonChange` (registration, corrections, consent changes, merges): index
  (person, -at).

One statement reads them as a keyset page: each source gives at most `size + 1` rows
after the cursor, per record (a LATERAL index range scan for each record id: the
record and the records merged into it), a UNION ALL merges them and the first
`size + 1` win. Nothing scans a table: the cost grows with the page, not the audit.
The cursor is (time, source, id) of the page's last entry, so a page never repeats or
skips an entry even when two have the same time.
"""

import base64
import binascii
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, RoleAssignment
from audit.models import PersonRead, ReadKind
from geography.models import Commune, District, Province
from partners.models import Branch, Partner
from programmes.columns import EXPORT_COLUMNS, columns_ordered
from programmes.models import Programme
from registry.models import Consent, Person, PersonChange
from registry.models.consent import DATA_SHARING_PURPOSE
from registry.models.people import Channel
from sharing.models import ExportJob, ExportMember

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# The order of sources among entries of the same instant (the cursor's second part).
READ, EXPORT, CHANGE = 3, 2, 1
SOURCE_NAMES = {READ: "read", EXPORT: "export", CHANGE: "change"}
SOURCE_CODES = {name: code for code, name in SOURCE_NAMES.items()}
_FAR_FUTURE = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)

# Why each kind of access happens, in plain words (the page shows it under each entry).
READ_EXPLANATIONS: dict[str, Promise] = {
    ReadKind.STAFF_PAGE: gettext_lazy(
        "Staff opened your record on their screen, for example to register you, to correct "
        "your details or to answer your question at the counter."
    ),
    ReadKind.API_DETAIL: gettext_lazy(
        "A partner bank's computer system looked up your record, for example to open an "
        "account or to check a registration it made."
    ),
    ReadKind.API_LIST: gettext_lazy(
        "Your record was on a list a partner bank's computer system asked for, for example "
        "the people its branches registered."
    ),
    ReadKind.ADMIN: gettext_lazy(
        "An administrator of the registry opened your record, for example to fix a mistake "
        "or to answer a complaint."
    ),
    ReadKind.REVIEW_CASE: gettext_lazy(
        "A ministry officer compared your record with another one that may be the same "
        "person, so that nobody is registered twice."
    ),
    ReadKind.EXPORT: gettext_lazy("Staff downloaded a file that included your record."),
}
EXPORT_EXPLANATION = gettext_lazy(
    "The programme received these details because you agreed to share your data with it. "
    "It uses them to contact you or to decide on its help. You can withdraw your consent: "
    "the next file it receives will not include you."
)
REMOVED_EXPLANATION = gettext_lazy(
    "The programme was told that you are no longer on its list (it received your "
    "registration number only)."
)
CHANGE_EXPLANATIONS: dict[str, Promise] = {
    PersonChange.Action.REGISTERED: gettext_lazy("Your record was created."),
    PersonChange.Action.UPDATED: gettext_lazy(
        "Your details were corrected. Every correction is kept with who made it."
    ),
    PersonChange.Action.CONSENT_GIVEN: gettext_lazy(
        "Consent was recorded: from then on this purpose may receive your data."
    ),
    PersonChange.Action.CONSENT_WITHDRAWN: gettext_lazy(
        "Consent was withdrawn: from then on this purpose receives nothing new about you."
    ),
    PersonChange.Action.LEFT: gettext_lazy(
        "The record left the registry: it is no longer shared with anyone."
    ),
    PersonChange.Action.MERGED_FROM: gettext_lazy(
        "Another record of yours was found and joined to this one, so you are counted once."
    ),
    PersonChange.Action.MERGED_INTO: gettext_lazy(
        "This record was joined to another record of yours, so you are counted once."
    ),
    PersonChange.Action.UNMERGED: gettext_lazy(
        "Two records joined by mistake were separated again."
    ),
}


@dataclass(frozen=True)
class SystemJob:
    title: Promise
    explanation: Promise


# Work the system does on every record: one line per kind, never one per record or run.
SYSTEM_JOBS = (
    SystemJob(
        gettext_lazy("Duplicate check"),
        gettext_lazy(
            "Each time a record is added or changed, the system compares it with the other "
            "records to find a person registered twice. No person reads your record for it."
        ),
    ),
    SystemJob(
        gettext_lazy("Backups"),
        gettext_lazy(
            "The whole registry is copied regularly to a backup kept away from the server, so "
            "that nothing is lost. Nobody reads the backup unless the registry must be restored."
        ),
    ),
)


@dataclass(frozen=True)
class Cursor:
    at: datetime.datetime
    source: int
    id: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.source}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> "Cursor | None":
        """The cursor, or None for the first page (also for anything malformed)."""
        if not text:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            at, source, pk = raw.split("|")
            moment = datetime.datetime.fromisoformat(at)
            if moment.tzinfo is None or int(source) not in SOURCE_NAMES:
                return None
            return cls(at=moment, source=int(source), id=int(pk))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None


@dataclass
class Entry:
    """One line of the tracker, in the active language."""

    source: str  # "read", "export" or "change"
    id: int
    at: datetime.datetime
    kind: str
    title: str
    explanation: str
    # Who: organisation and role (never a staff member's name).
    organisation: str = ""
    role: str = ""
    programme: Programme | None = None
    # What: the columns a programme received, or the fields a correction changed.
    items: list[str] = field(default_factory=list)
    # The entry concerns a record merged into this one (not the record itself).
    merged_record: bool = False
    # The programme's consent is in force: the entry offers to withdraw it.
    withdrawable: bool = False

    @property
    def key(self) -> str:
        """How a question names the entry (ids only: no personal data)."""
        return f"{self.source}:{self.id}"


@dataclass
class TrackerPage:
    entries: list[Entry]
    next: Cursor | None


def tracker_record_ids(*, person: Person) -> list[int]:
    """The record and every record merged into it (at any depth): their entries are the
    registrant's too. The partial index on merged_into answers each level."""
    ids = [person.pk]
    level = [person.pk]
    while level:
        level = list(
            Person.objects.filter(merged_into_id__in=level)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids += level
    return ids


def _sql() -> str:
    reads = PersonRead._meta.db_table
    members = ExportMember._meta.db_table
    jobs = ExportJob._meta.db_table
    changes = PersonChange._meta.db_table
    people = Person._meta.db_table
    # A literal, so the planner matches the partial index exportmember_person_sent_idx.
    unchanged = int(ExportMember.Change.UNCHANGED)
    done = ", ".join(f"'{s}'" for s in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED))
    after = "(%(at)s, %(source)s, %(id)s)"
    # Our table names and constants only; every value is a bound parameter.
    return f"""
    WITH RECURSIVE records(pid) AS (
      -- The record and the records merged into it, at any depth (partial index on
      -- merged_into); UNION stops at a cycle.
      SELECT %(person)s::bigint
      UNION
      SELECT p.id FROM {people} p JOIN records ON p.merged_into_id = records.pid
    )
    SELECT src, at, id, person_id, kind, roles, scope, programme_id, columns, changes,
           actor_id, channel, change
    FROM (
      (SELECT {READ} AS src, r.at, r.id, r.person_id, r.kind::text AS kind,
              r.roles::text[] AS roles, r.scope::text AS scope, NULL::bigint AS programme_id,
              NULL::text[] AS columns, NULL::jsonb AS changes, NULL::bigint AS actor_id,
              ''::text AS channel, NULL::smallint AS change
       FROM records AS one
       CROSS JOIN LATERAL (
         SELECT * FROM {reads} r
         WHERE r.person_id = one.pid AND r.user_id IS NOT NULL AND r.at <= %(at)s
           AND (r.at, {READ}, r.id) < {after}
         ORDER BY r.at DESC, r.id DESC LIMIT %(n)s) r)
      UNION ALL
      (SELECT DISTINCT ON (j.finished_at, j.id) {EXPORT}, j.finished_at, j.id, m.person_id,
              j.kind::text, NULL, NULL, j.programme_id, j.columns::text[], NULL, NULL, '',
              m.change::smallint
       FROM records AS one
       -- Per record by the partial index (OFFSET 0: never flattened into a hash join
       -- over every member row), then each job by its primary key (LIMIT 1 keeps it a
       -- nested loop): never a scan of the snapshots or of every job.
       CROSS JOIN LATERAL (
         SELECT * FROM {members} m
         WHERE m.person_id = one.pid AND m.change <> {unchanged} OFFSET 0) m
       CROSS JOIN LATERAL (
         SELECT * FROM {jobs} j
         WHERE j.id = m.job_id AND j.status IN ({done}) AND j.finished_at <= %(at)s
           AND (j.finished_at, {EXPORT}, j.id) < {after}
         LIMIT 1) j
       ORDER BY j.finished_at DESC, j.id DESC, m.person_id LIMIT %(n)s)
      UNION ALL
      (SELECT {CHANGE}, c.at, c.id, c.person_id, c.action::text, NULL, NULL, NULL, NULL,
              c.changes, c.actor_id, c.channel::text, NULL
       FROM records AS one
       CROSS JOIN LATERAL (
         SELECT * FROM {changes} c
         WHERE c.person_id = one.pid AND c.at <= %(at)s AND (c.at, {CHANGE}, c.id) < {after}
         ORDER BY c.at DESC, c.id DESC LIMIT %(n)s) c)
    ) entries
    ORDER BY at DESC, src DESC, id DESC
    LIMIT %(n)s
    """  # noqa: S608


def tracker_rows(*, person_id: int, after: Cursor | None, size: int) -> list[tuple]:
    """The raw rows of one page (size + 1 of them when there is a next page): the
    record's and those of the records merged into it."""
    cursor_at = after or Cursor(at=_FAR_FUTURE, source=READ + 1, id=0)
    params: dict[str, Any] = {
        "person": person_id,
        "at": cursor_at.at,
        "source": cursor_at.source,
        "id": cursor_at.id,
        "n": size + 1,
    }
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        return cursor.fetchall()


def tracker_page(
    *, person: Person, after: Cursor | None = None, size: int = PAGE_SIZE
) -> TrackerPage:
    """One page of the record's tracker, newest first, in the active language."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    rows = tracker_rows(person_id=person.pk, after=after, size=size)
    more = len(rows) > size
    rows = rows[:size]
    entries = _entries(person=person, rows=rows)
    last = rows[-1] if rows else None
    following = Cursor(at=last[1], source=last[0], id=last[2]) if more and last else None
    return TrackerPage(entries=entries, next=following)


def tracker_entry(*, person: Person, key: str) -> Entry | None:
    """One entry of this record's tracker by its key ("export:12"), or None."""
    source, _sep, pk = key.partition(":")
    if source not in SOURCE_CODES or not pk.isdigit():
        return None
    ids = tracker_record_ids(person=person)
    pk_int = int(pk)
    exists = {
        "read": lambda: PersonRead.objects.filter(pk=pk_int, person_id__in=ids).exists(),
        "export": lambda: ExportMember.objects.filter(job_id=pk_int, person_id__in=ids).exists(),
        "change": lambda: PersonChange.objects.filter(pk=pk_int, person_id__in=ids).exists(),
    }[source]
    if not exists():
        return None
    return Entry(source=source, id=pk_int, at=_FAR_FUTURE, kind="", title="", explanation="")


# --- Turning rows into entries: names looked up once per page, in bulk. ---------------


@dataclass
class _Names:
    branches: dict[int, Branch]
    partners: dict[int, Partner]
    areas: dict[tuple[str, int], str]
    programmes: dict[int, Programme]
    programmes_by_code: dict[str, Programme]
    actors: dict[int, list[RoleAssignment]]


def _scopes(scope: str) -> list[tuple[str, int]]:
    out = []
    for part in scope.split(";"):
        name, _sep, pk = part.strip().partition(":")
        if pk.isdigit():
            out.append((name, int(pk)))
    return out


def _names(rows: list[tuple]) -> _Names:
    """The names a page's rows refer to, each kind in one query, and only the kinds the
    page needs (most pages need one or two queries)."""
    scopes = [s for row in rows if row[0] == READ for s in _scopes(row[6] or "")]
    actor_ids = {row[10] for row in rows if row[0] == CHANGE and row[10]}
    actors: dict[int, list[RoleAssignment]] = {}
    if actor_ids:
        assignments = RoleAssignment.objects.filter(user_id__in=actor_ids)
        for assignment in assignments:
            actors.setdefault(assignment.user_id, []).append(assignment)
            for name in SCOPE_NAMES:
                pk = getattr(assignment, f"{name}_id")
                if pk:
                    scopes.append((name, pk))

    def ids(kind: str) -> set[int]:
        return {pk for name, pk in scopes if name == kind}

    areas: dict[tuple[str, int], str] = {}
    for kind, model in (("province", Province), ("district", District), ("commune", Commune)):
        if ids(kind):
            for place in model.objects.filter(pk__in=ids(kind)):
                areas[(kind, place.pk)] = place.name
    codes = {
        value
        for row in rows
        if row[0] == CHANGE and row[4] in CONSENT_ACTIONS
        for value in _json(row[9]).get("purpose", [])
        if value and value != DATA_SHARING_PURPOSE
    }
    programme_ids = ids("programme") | {row[7] for row in rows if row[0] == EXPORT}
    programmes = (
        list(Programme.objects.filter(Q(pk__in=programme_ids) | Q(code__in=codes)))
        if programme_ids or codes
        else []
    )
    branches = (
        Branch.objects.filter(pk__in=ids("branch")).select_related("partner")
        if ids("branch")
        else []
    )
    partners = Partner.objects.filter(pk__in=ids("partner")) if ids("partner") else []
    return _Names(
        branches={b.pk: b for b in branches},
        partners={p.pk: p for p in partners},
        areas=areas,
        programmes={p.pk: p for p in programmes},
        programmes_by_code={p.code: p for p in programmes},
        actors=actors,
    )


SCOPE_NAMES = ("branch", "partner", "province", "district", "commune", "programme")


CONSENT_ACTIONS = (PersonChange.Action.CONSENT_GIVEN, PersonChange.Action.CONSENT_WITHDRAWN)
NATIONAL = (Role.MINISTRY_OFFICER, Role.ADMINISTRATOR)


def _partner_name(partner: Partner) -> str:
    from django.utils.translation import get_language

    return partner.name_km if get_language() == "km" and partner.name_km else partner.name


def _organisation(scopes: Iterable[tuple[str, int]], roles: Iterable[str], names: _Names) -> str:
    """Where the staff member works, as the registrant reads it: a bank and branch, a
    programme, an area's administration, or the ministry."""
    parts: list[str] = []
    for name, pk in scopes:
        if name == "branch":
            branch = names.branches.get(pk)
            parts.append(
                _("%(partner)s, %(branch)s branch")
                % {"partner": _partner_name(branch.partner), "branch": branch.name}
                if branch
                else _("A partner bank's branch")
            )
        elif name == "partner":
            partner = names.partners.get(pk)
            parts.append(_partner_name(partner) if partner else _("A partner bank"))
        elif name == "programme":
            programme = names.programmes.get(pk)
            parts.append(programme.name if programme else _("A programme"))
        elif name in ("province", "district", "commune"):
            parts.append(
                _("Administration of %(area)s") % {"area": names.areas.get((name, pk), "—")}
            )
    if not parts and any(role in NATIONAL for role in roles):
        parts.append(_("The Ministry (national)"))
    seen: list[str] = []
    for part in parts:
        if part not in seen:
            seen.append(part)
    return "; ".join(seen)


def _roles(roles: Iterable[str]) -> str:
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(role, _("Staff"))) for role in roles)


def _entries(*, person: Person, rows: list[tuple]) -> list[Entry]:
    names = _names(rows)
    in_force = (
        set(
            Consent.objects.filter(
                person_id=person.pk, withdrawn_at=None, programme_id__in=list(names.programmes)
            ).values_list("programme_id", flat=True)
        )
        if names.programmes
        else set()
    )
    out = []
    for row in rows:
        src, at, pk, person_id, kind = row[:5]
        merged = person_id != person.pk
        if src == READ:
            roles = list(row[5] or [])
            entry = Entry(
                source="read",
                id=pk,
                at=at,
                kind=kind,
                title=_("Staff opened your record"),
                explanation=str(READ_EXPLANATIONS.get(kind, "")),
                organisation=_organisation(_scopes(row[6] or ""), roles, names),
                role=_roles(roles),
                merged_record=merged,
            )
        elif src == EXPORT:
            programme = names.programmes.get(row[7])
            removed = row[12] == ExportMember.Change.REMOVED
            entry = Entry(
                source="export",
                id=pk,
                at=at,
                kind=kind,
                title=(
                    _("%(programme)s was told you left its list")
                    if removed
                    else _("%(programme)s received your details")
                )
                % {"programme": programme.name if programme else _("A programme")},
                explanation=str(REMOVED_EXPLANATION if removed else EXPORT_EXPLANATION),
                organisation=programme.name if programme else "",
                programme=programme,
                items=(
                    [str(EXPORT_COLUMNS[c]) for c in columns_ordered(row[8] or [])]
                    if not removed
                    else [str(EXPORT_COLUMNS["registration_number"])]
                ),
                merged_record=merged,
                withdrawable=bool(programme and programme.pk in in_force),
            )
        else:
            entry = _change_entry(row, names, in_force, merged)
        out.append(entry)
    return out


def _change_entry(row: tuple, names: _Names, in_force: set[int], merged: bool) -> Entry:
    _src, at, pk, _person, action, *_rest = row
    changes, actor_id, channel = _json(row[9]), row[10], row[11]
    labels = dict(PersonChange.Action.choices)
    entry = Entry(
        source="change",
        id=pk,
        at=at,
        kind=action,
        title=str(labels.get(action, action)),
        explanation=str(CHANGE_EXPLANATIONS.get(action, "")),
        merged_record=merged,
    )
    if actor_id:
        assignments = names.actors.get(actor_id, [])
        scopes = [
            (name, getattr(a, f"{name}_id"))
            for a in assignments
            for name in SCOPE_NAMES
            if getattr(a, f"{name}_id")
        ]
        roles = sorted({a.role for a in assignments})
        entry.organisation = _organisation(scopes, roles, names)
        entry.role = _roles(roles) or _("Staff")
    elif channel in (Channel.SELF, Channel.APP):
        entry.role = _("You")
    elif channel == "merge":
        entry.role = _("The system (duplicate check)")
    else:
        entry.role = str(dict(Channel.choices).get(channel, _("Staff")))
    if action in CONSENT_ACTIONS:
        purpose = next((v for v in changes.get("purpose", []) if v), "")
        if purpose == DATA_SHARING_PURPOSE:
            entry.items = [_("Share my registration with partner institutions")]
        else:
            programme = names.programmes_by_code.get(purpose)
            entry.programme = programme
            entry.items = [programme.name if programme else _("A programme")]
            entry.withdrawable = bool(
                programme
                and action == PersonChange.Action.CONSENT_GIVEN
                and programme.pk in in_force
            )
    elif action == PersonChange.Action.UPDATED:
        entry.items = [_field_label(name) for name in changes]
    return entry


def _json(value) -> dict:
    # Django reads jsonb as text from a raw cursor (its JSONField decodes it otherwise).
    if isinstance(value, str):
        return json.loads(value)
    return value or {}


def _field_label(name: str) -> str:
    try:
        return capfirst(str(getattr(Person._meta.get_field(name), "verbose_name", name)))
    except FieldDoesNotExist:  # a field since removed: its name as written
        return name
