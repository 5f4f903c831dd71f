"""Merging two records of one person, losslessly and reversibly.

The merged record stays, marked `merged` and pointing to the survivor, so it leaves
every list and export but nothing it held is lost. The survivor keeps each of the
merged record's other names, phones, ID numbers, birth dates and references as
aliases, and takes the merged record's value for a field it left empty. Consent
after a merge is in force only for the purposes both records had consented to: a
"no" given on either record is respected. Everything changed is written in the
Merge's snapshot, so `merge_undo` puts both records back exactly.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Consent, DuplicateCase, Merge, Person, PersonAlias, PersonChange

ALIAS_FIELDS = ("name_km", "name_latin", "phone", "national_id", "date_of_birth", "reference")
FILL_FIELDS = ("name_latin", "phone", "national_id", "occupation")
MERGE_CHANNEL = "merge"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _locked_pair(first_id: int, second_id: int) -> dict[int, Person]:
    # Lock in id order so two merges touching the same records cannot deadlock.
    people = Person.objects.select_for_update().filter(pk__in=[first_id, second_id]).order_by("pk")
    return {p.pk: p for p in people}


@transaction.atomic
def person_merge(
    *, survivor: Person, merged: Person, case: DuplicateCase | None = None, actor=None
) -> Merge:
    if survivor.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged into itself."), code="merge_self")
    people = _locked_pair(survivor.pk, merged.pk)
    survivor, merged = people[survivor.pk], people[merged.pk]
    for person in (survivor, merged):
        if person.status != Person.Status.ACTIVE:
            raise ValidationError(
                _("Record %(n)s is not active (%(status)s) and cannot be merged."),
                code="merge_inactive",
                params={"n": person.registration_number, "status": person.get_status_display()},
            )
    active = {
        p: set(
            Consent.objects.filter(person=p, withdrawn_at=None).values_list(
                "programme_id", flat=True
            )
        )
        for p in (survivor, merged)
    }
    withdrawn_on_survivor = list(
        Consent.objects.filter(
            person=survivor, withdrawn_at=None, programme_id__in=active[survivor] - active[merged]
        ).values_list("pk", flat=True)
    )
    if None in active[survivor] - active[merged]:
        withdrawn_on_survivor += list(
            Consent.objects.filter(person=survivor, withdrawn_at=None, programme=None).values_list(
                "pk", flat=True
            )
        )
    filled = {
        field: _text(getattr(merged, field))
        for field in FILL_FIELDS
        if not _text(getattr(survivor, field)) and _text(getattr(merged, field))
    }
    merge = Merge.objects.create(
        survivor=survivor,
        merged=merged,
        case=case,
        merged_by=actor,
        snapshot={
            "filled": filled,
            "survivor_before": {f: _text(getattr(survivor, f)) for f in FILL_FIELDS},
            "merged_status": merged.status,
            "consents_withdrawn": sorted(set(withdrawn_on_survivor)),
        },
    )
    for field, value in filled.items():
        setattr(survivor, field, value)
    survivor.save()
    PersonAlias.objects.bulk_create(
        PersonAlias(person=survivor, field=field, value=_text(getattr(merged, field)), merge=merge)
        for field in ALIAS_FIELDS
        if _text(getattr(merged, field))
        and _text(getattr(merged, field)) != _text(getattr(survivor, field))
    )
    now = timezone.now()
    Consent.objects.filter(pk__in=withdrawn_on_survivor).update(
        withdrawn_at=now, withdrawn_channel=MERGE_CHANNEL, withdrawn_by=actor
    )
    merged.status = Person.Status.MERGED
    merged.merged_into = survivor
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    PersonChange.objects.bulk_create(
        [
            PersonChange(
                person=survivor,
                action=PersonChange.Action.MERGED_FROM,
                changes={
                    "merged": [None, merged.registration_number],
                    **{f: ["", v] for f, v in filled.items()},
                },
                actor=actor,
                channel=MERGE_CHANNEL,
            ),
            PersonChange(
                person=merged,
                action=PersonChange.Action.MERGED_INTO,
                changes={"merged_into": [None, survivor.registration_number]},
                actor=actor,
                channel=MERGE_CHANNEL,
            ),
        ]
    )
    if case is not None:
        case.decision = DuplicateCase.Decision.MERGED
        case.automatic = actor is None
        case.decided_by = actor
        case.decided_at = now
        case.save(update_fields=["decision", "automatic", "decided_by", "decided_at", "updated_at"])
    return merge


@transaction.atomic
def merge_undo(*, merge: Merge, actor=None) -> Merge:
    """Put both records back as they were; the pair is then never proposed again."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."), code="merge_undone")
    people = _locked_pair(merge.survivor_id, merge.merged_id)
    survivor, merged = people[merge.survivor_id], people[merge.merged_id]
    if survivor.status == Person.Status.MERGED:
        raise ValidationError(
            _("Record %(n)s was merged again since; undo that merge first."),
            code="merge_chained",
            params={"n": survivor.registration_number},
        )
    snapshot = merge.snapshot
    restored = {}
    for field, value in snapshot.get("filled", {}).items():
        # A value corrected by hand since the merge is kept: only the merge's own fill-in goes.
        if _text(getattr(survivor, field)) == value:
            setattr(survivor, field, snapshot["survivor_before"].get(field, ""))
            restored[field] = [value, ""]
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
