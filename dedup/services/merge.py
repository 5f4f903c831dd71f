"""Merging records of one person, losslessly and reversibly.

The merged record stays, marked `merged` and pointing to the survivor, so it leaves
every list and export but nothing it held is lost. The survivor keeps each of the
merged record's other names, phones, ID numbers, birth dates and references as
aliases, and takes the merged record's value for a field it left empty. Consent
after a merge is in force only for the purposes both records had consented to: a
"no" given on either record is respected. Everything changed is written in the
Merge's snapshot, so `merge_undo` puts both records back exactly.

`person_merge_many` applies a list of merges in one transaction with a fixed number of
statements (the whole-registry dedup merges tens of thousands of pairs); `person_merge`
is the same rules for one pair. The merges of a list are applied in order, each one
seeing the records as the previous ones left them, exactly as if merged one by one.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from dedup.models import DuplicateCase, Merge, PersonAlias
from registry.models import Consent, Person, PersonChange

ALIAS_FIELDS = ("name_km", "name_latin", "phone", "national_id", "date_of_birth", "reference")
FILL_FIELDS = ("name_latin", "phone", "national_id", "occupation")
MERGE_CHANNEL = "merge"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _locked(ids: Iterable[int]) -> dict[int, Person]:
    # Lock in id order so two merges touching the same records cannot deadlock.
    people = Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {p.pk: p for p in people}


@dataclass(frozen=True)
class MergeRequest:
    survivor_id: int
    merged_id: int
    case_id: int | None = None  # the DuplicateCase the merge decides, if any


@dataclass
class MergeOutcome:
    merges: list[Merge] = field(default_factory=list)  # in the order of the requests
    refused: list[tuple[MergeRequest, ValidationError]] = field(default_factory=list)


@dataclass
class _Record:
    """What a merge reads and changes of one record, as the merges so far left it."""

    person: Person
    values: dict[str, str]  # ALIAS_FIELDS and FILL_FIELDS as text
    status: str
    merged_into_id: int | None
    consents: dict[int, int | None]  # active consent pk -> programme id (None: general)
    touched: bool = False


def _refusal(request: MergeRequest, records: dict[int, "_Record"]) -> ValidationError | None:
    if request.survivor_id == request.merged_id:
        return ValidationError(_("A record cannot be merged into itself."), code="merge_self")
    for person_id in (request.survivor_id, request.merged_id):
        record = records.get(person_id)
        if record is None:
            return ValidationError(
                _("Record %(n)s does not exist."), code="merge_missing", params={"n": person_id}
            )
        if record.status != Person.Status.ACTIVE:
            return ValidationError(
                _("Record %(n)s is not active (%(status)s) and cannot be merged."),
                code="merge_inactive",
                params={
                    "n": record.person.registration_number,
                    "status": Person.Status(record.status).label,
                },
            )
    return None


def _records(ids: set[int]) -> dict[int, _Record]:
    records = {
        pk: _Record(
            person=p,
            values={f: _text(getattr(p, f)) for f in (*ALIAS_FIELDS, *FILL_FIELDS)},
            status=p.status,
            merged_into_id=p.merged_into_id,
            consents={},
        )
        for pk, p in _locked(ids).items()
    }
    active = Consent.objects.filter(person_id__in=records, withdrawn_at=None)
    for pk, person_id, programme_id in active.values_list("pk", "person_id", "programme_id"):
        records[person_id].consents[pk] = programme_id
    return records


@transaction.atomic
def person_merge_many(
    requests: Sequence[MergeRequest], *, actor: User | None = None
) -> MergeOutcome:
    """Apply the merges in order; a merge whose records are not both active (merged,
    withdrawn, or missing) is refused with its reason and the others go on."""
    outcome = MergeOutcome()
    if not requests:
        return outcome
    records = _records({i for r in requests for i in (r.survivor_id, r.merged_id)})
    now = timezone.now()
    aliases: list[tuple[Merge, PersonAlias]] = []
    changes: list[PersonChange] = []
    withdrawn: list[int] = []
    decided_cases: list[int] = []
    for request in requests:
        refusal = _refusal(request, records)
        if refusal is not None:
            outcome.refused.append((request, refusal))
            continue
        survivor, merged = records[request.survivor_id], records[request.merged_id]
        kept = set(merged.consents.values())
        withdrawn_here = sorted(
            pk for pk, programme in survivor.consents.items() if programme not in kept
        )
        filled = {
            f: merged.values[f] for f in FILL_FIELDS if not survivor.values[f] and merged.values[f]
        }
        merge = Merge(
            survivor_id=request.survivor_id,
            merged_id=request.merged_id,
            case_id=request.case_id,
            merged_by=actor,
            snapshot={
                "filled": filled,
                "survivor_before": {f: survivor.values[f] for f in FILL_FIELDS},
                "merged_status": merged.status,
                "consents_withdrawn": withdrawn_here,
            },
        )
        outcome.merges.append(merge)
        survivor.values.update(filled)
        aliases += [
            (merge, PersonAlias(person_id=request.survivor_id, field=f, value=merged.values[f]))
            for f in ALIAS_FIELDS
            if merged.values[f] and merged.values[f] != survivor.values[f]
        ]
        for pk in withdrawn_here:
            del survivor.consents[pk]
        withdrawn += withdrawn_here
        merged.status = Person.Status.MERGED
        merged.merged_into_id = request.survivor_id
        survivor.touched = merged.touched = True
        changes += [
            PersonChange(
                person_id=request.survivor_id,
                action=PersonChange.Action.MERGED_FROM,
                changes={
                    "merged": [None, merged.person.registration_number],
                    **{f: ["", v] for f, v in filled.items()},
                },
                actor=actor,
                channel=MERGE_CHANNEL,
            ),
            PersonChange(
                person_id=request.merged_id,
                action=PersonChange.Action.MERGED_INTO,
                changes={"merged_into": [None, survivor.person.registration_number]},
                actor=actor,
                channel=MERGE_CHANNEL,
            ),
        ]
        if request.case_id is not None:
            decided_cases.append(request.case_id)

    Merge.objects.bulk_create(outcome.merges)
    for merge, alias in aliases:
        alias.merge_id = merge.pk
    PersonAlias.objects.bulk_create(alias for _merge, alias in aliases)
    _people_write([r for r in records.values() if r.touched], now)
    Consent.objects.filter(pk__in=withdrawn).update(
        withdrawn_at=now, withdrawn_channel=MERGE_CHANNEL, withdrawn_by=actor
    )
    PersonChange.objects.bulk_create(changes)
    DuplicateCase.objects.filter(pk__in=decided_cases).update(
        decision=DuplicateCase.Decision.MERGED,
        automatic=actor is None,
        decided_by=actor,
        decided_at=now,
        updated_at=now,
    )
    return outcome


def _people_write(records: list[_Record], now: datetime.datetime) -> None:
    """Write each touched record's final fill-in values, status and survivor at once."""
    if not records:
        return
    # FILL_FIELDS are columns of the person table: fields (not reverse relations) that
    # have a column name.
    fields = [cast(Field, Person._meta.get_field(f)) for f in FILL_FIELDS]
    columns = [cast(str, f.column) for f in fields]
    # Names come from the model; values are bound parameters.
    sql = (
        "UPDATE registry_person p SET "  # noqa: S608
        + "".join(f"{c} = v.{c}, " for c in columns)
        + "status = v.status, merged_into_id = v.merged_into_id, updated_at = %s"
        " FROM unnest(%s::bigint[], " + "%s::text[], " * len(columns) + "%s::text[], %s::bigint[])"
        f" AS v(id, {', '.join(columns)}, status, merged_into_id) WHERE p.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                now,
                [r.person.pk for r in records],
                *(
                    [
                        f.get_db_prep_save(r.values[f.name] or f.get_default(), connection)
                        for r in records
                    ]
                    for f in fields
                ),
                [r.status for r in records],
                [r.merged_into_id for r in records],
            ],
        )


def person_merge(
    *,
    survivor: Person,
    merged: Person,
    case: DuplicateCase | None = None,
    actor: User | None = None,
) -> Merge:
    """Merge one record into another; a ValidationError says why it cannot be."""
    outcome = person_merge_many(
        [MergeRequest(survivor.pk, merged.pk, case.pk if case is not None else None)],
        actor=actor,
    )
    if outcome.refused:
        raise outcome.refused[0][1]
    return outcome.merges[0]


@transaction.atomic
def merge_undo(*, merge: Merge, actor: User | None = None) -> Merge:
    """Put both records back as they were; the pair is then never proposed again."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."), code="merge_undone")
    people = _locked([merge.survivor_id, merge.merged_id])
    survivor, merged = people[merge.survivor_id], people[merge.merged_id]
    if survivor.status == Person.Status.MERGED:
        raise ValidationError(
            _("Record %(n)s was merged again since; undo that merge first."),
            code="merge_chained",
            params={"n": survivor.registration_number},
        )
    snapshot = merge.snapshot
    restored = {}
    for name, value in snapshot.get("filled", {}).items():
        # A value corrected by hand since the merge is kept: only the merge's own fill-in goes.
        if _text(getattr(survivor, name)) == value:
            setattr(survivor, name, snapshot["survivor_before"].get(name, ""))
            restored[name] = [value, ""]
    survivor.save()
    merge.aliases.all().delete()
    Consent.objects.filter(
        pk__in=snapshot.get("consents_withdrawn", []), withdrawn_channel=MERGE_CHANNEL
    ).update(withdrawn_at=None, withdrawn_channel="", withdrawn_by=None)
    merged.status = snapshot.get("merged_status", Person.Status.ACTIVE)
    merged.merged_into = None
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    now = timezone.now()
    merge.undone_at = now
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    PersonChange.objects.bulk_create(
        [
            PersonChange(
                person=survivor,
                action=PersonChange.Action.UNMERGED,
                changes={"merged": [merged.registration_number, None], **restored},
                actor=actor,
                channel=MERGE_CHANNEL,
            ),
            PersonChange(
                person=merged,
                action=PersonChange.Action.UNMERGED,
                changes={"merged_into": [survivor.registration_number, None]},
                actor=actor,
                channel=MERGE_CHANNEL,
            ),
        ]
    )
    if merge.case_id:
        DuplicateCase.objects.filter(pk=merge.case_id).update(
            decision=DuplicateCase.Decision.DIFFERENT,
            automatic=False,
            decided_by=actor,
            decided_at=now,
            updated_at=now,
        )
    return merge
