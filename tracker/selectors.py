"""The tracker's one read: every entry about a record, newest first, one page at a time.

Three sources, each indexed by person:

- `audit.PersonRead` (staff opened the full record): index (person_id, at);
- `sharing.ExportMember` joined to its published `ExportJob` (a programme received the
  record): index on person, then along the jobs based on those (a job records only
  who changed since its base; the others it carries over);
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
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from audit.models import PersonRead
from registry.models import Person, PersonChange
from sharing.models import ExportJob, ExportMember
from sharing.selectors import export_inclusions_of
from tracker.entries import CHANGE, EXPORT, READ, SOURCE_CODES, SOURCE_NAMES, Entry, entries_of

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

_FAR_FUTURE = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


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
    removed = int(ExportMember.Change.REMOVED)
    sent_ = int(ExportMember.Change.SENT)
    delta = ExportJob.Kind.DELTA.value
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
    ),
    sent(pid, job_id, change, own) AS (
      -- An export job records only the people that changed since its base (the
      -- programme's previous export; sharing.exports): the record's own rows, by the
      -- partial index on person (OFFSET 0: never a hash join over every row) ...
      SELECT one.pid, m.job_id, m.change, true
      FROM records AS one
      CROSS JOIN LATERAL (
        SELECT m.job_id, m.change FROM {members} m
        WHERE m.person_id = one.pid AND m.change <> {unchanged} OFFSET 0) m
      UNION ALL
      -- ... then, along the jobs based on those, where the person did not change: the
      -- state carried (sent, or removed), as sharing.selectors.export_inclusions_of.
      SELECT s.pid, j.id, (CASE WHEN s.change = {removed} THEN {removed} ELSE {sent_} END)::smallint,
             false
      FROM sent s
      JOIN {jobs} j ON j.base_id = s.job_id
      WHERE NOT EXISTS (
        SELECT 1 FROM {members} m2 WHERE m2.job_id = j.id AND m2.person_id = s.pid)
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
      (SELECT DISTINCT ON (j.finished_at, j.id) {EXPORT}, j.finished_at, j.id, s.pid,
              j.kind::text, NULL, NULL, j.programme_id, j.columns::text[], NULL, NULL, '',
              s.change::smallint
       FROM sent s
       JOIN {jobs} j ON j.id = s.job_id
       WHERE j.status IN ({done}) AND j.finished_at <= %(at)s
         AND (j.finished_at, {EXPORT}, j.id) < {after}
         -- A delta lists the people it names; a full list, everyone it was sent with.
         AND CASE WHEN j.kind = '{delta}' THEN s.own ELSE s.change <> {removed} END
       ORDER BY j.finished_at DESC, j.id DESC, s.pid LIMIT %(n)s)
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
    entries = entries_of(person=person, rows=rows)
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
        "export": lambda: any(
            i.job.pk == pk_int for pid in ids for i in export_inclusions_of(person_id=pid)
        ),
        "change": lambda: PersonChange.objects.filter(pk=pk_int, person_id__in=ids).exists(),
    }[source]
    if not exists():
        return None
    return Entry(source=source, id=pk_int, at=_FAR_FUTURE, kind="", title="", explanation="")
