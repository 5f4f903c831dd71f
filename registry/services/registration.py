"""A whole registration in one transaction: the person, their work, their consents,
the campaign that brought them, and the confirmation SMS (sent after commit).

One person is the one-entry case of `registration_submit_many`
(registry/services/registration_many.py), where every rule lives.
"""

import uuid
from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign, Event
from registry.models import Person
from registry.services.people import PersonData
from registry.services.registration_many import Registration, registrations_submit_outcome
from registry.services.work import WorkData

if TYPE_CHECKING:
    from partners.models import Branch  # partners sits above the registry: a type only


# No savepoint of its own: nothing inside is expected to fail (the unique indexes answer
# a repeated reference or a clash with ON CONFLICT, not with an error).
@transaction.atomic(savepoint=False)
def registration_submit(
    *,
    data: PersonData,
    work: WorkData | None,
    consents: set[int | None],
    channel: str,
    entered_by: User | None = None,
    branch: "Branch | None" = None,
    reference: str = "",
    campaign: Campaign | None = None,
    event: Event | None = None,
    consent_evidence: UploadedFile | None = None,
) -> tuple[Person, bool]:
    """Register someone from any channel; a repeated (partner, reference) changes nothing."""
    evidence_name = _store_evidence(consent_evidence) if consent_evidence and consents else ""
    outcome = registrations_submit_outcome(
        registrations=[
            Registration(
                data=data,
                work=work,
                consents=frozenset(consents),
                reference=reference,
                campaign_id=campaign.pk if campaign is not None else None,
                event_id=event.pk if event is not None and campaign is not None else None,
                evidence=evidence_name,
            )
        ],
        channel=channel,
        entered_by=entered_by,
        branch=branch,
        person_rows=True,
    )
    if 0 not in outcome.created:
        return Person.objects.get(pk=outcome.existing[0]), False
    # The record as the registration statement wrote it (its RETURNING): no read back.
    # With the village and branch in hand (the village read with its commune, district
    # and province): the caller shows them without reading each again.
    person = _person_from_row(outcome.rows[0])
    person.village = data.village
    if branch is not None:
        person.branch = branch
    return person, True


def _person_from_row(values) -> Person:
    """A Person from its columns as the database returned them (concrete fields' order),
    converted as the ORM converts a row it reads."""
    fields = Person._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        for converter in field.get_db_converters(connection):
            value = converter(value, field, connection)
        converted.append(value)
    return Person.from_db(connection.alias, [f.attname for f in fields], converted)


def _store_evidence(upload: UploadedFile) -> str:
    """Save the photo of a signed consent form under a name that says nothing personal."""
    name = upload.name or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
    today = timezone.localdate()
    return default_storage.save(f"consent-forms/{today:%Y/%m}/{uuid.uuid4().hex}.{suffix}", upload)
