"""Giving and withdrawing consent, one purpose at a time, with history kept."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from programmes.models import Programme
from registry.models import Consent, Person, PersonChange
from registry.models.consent import DATA_SHARING_PURPOSE


def _purpose_label(programme: Programme | None) -> str:
    return programme.code if programme else DATA_SHARING_PURPOSE


@transaction.atomic
def consent_give(
    *,
    person: Person,
    programme: Programme | None,
    channel: str,
    actor: User | None = None,
    evidence_name: str = "",
) -> Consent:
    """Record consent for a purpose; giving it again while in force changes nothing."""
    active = Consent.objects.filter(person=person, programme=programme, withdrawn_at=None).first()
    if active is not None:
        return active
    consent = Consent.objects.create(
        person=person, programme=programme, channel=channel, recorded_by=actor
    )
    if evidence_name:
        # One photo of the signed form backs every purpose ticked on it.
        consent.evidence.name = evidence_name
        consent.save(update_fields=["evidence"])
    PersonChange.objects.create(
        person=person,
        action=PersonChange.Action.CONSENT_GIVEN,
        changes={"purpose": [None, _purpose_label(programme)]},
        actor=actor,
        channel=channel,
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, person: Person, programme: Programme | None, channel: str, actor: User | None = None
) -> bool:
    """Withdraw consent for a purpose; returns False when none was in force."""
    updated = Consent.objects.filter(person=person, programme=programme, withdrawn_at=None).update(
        withdrawn_at=timezone.now(), withdrawn_channel=channel, withdrawn_by=actor
    )
    if updated:
        PersonChange.objects.create(
            person=person,
            action=PersonChange.Action.CONSENT_WITHDRAWN,
            changes={"purpose": [_purpose_label(programme), None]},
            actor=actor,
            channel=channel,
        )
    return bool(updated)


@transaction.atomic
def consent_set(
    *,
    person: Person,
    wanted: set[int | None],
    channel: str,
    actor: User | None = None,
    evidence_name: str = "",
) -> None:
    """Make the purposes in force exactly `wanted` (programme ids; None = data sharing)."""
    current = set(
        Consent.objects.filter(person=person, withdrawn_at=None).values_list(
            "programme_id", flat=True
        )
    )
    ids = {purpose for purpose in wanted | current if purpose is not None}
    # None is the data-sharing purpose, which names no programme.
    programmes: dict[int | None, Programme | None] = {None: None}
    programmes.update((p.pk, p) for p in Programme.objects.filter(pk__in=ids))
    for purpose in wanted - current:
        consent_give(
            person=person,
            programme=programmes.get(purpose),
            channel=channel,
            actor=actor,
            evidence_name=evidence_name,
        )
    for purpose in current - wanted:
        consent_withdraw(
            person=person, programme=programmes.get(purpose), channel=channel, actor=actor
        )
