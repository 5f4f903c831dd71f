"""A whole registration in one transaction: the person, their work, their consents,
the campaign that brought them, and the confirmation SMS (sent after commit)."""

import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from campaigns.services import attribution_record
from registry.models import Person
from registry.regnumber import registration_number_format
from registry.services.consent import consent_set
from registry.services.people import PersonData, dedup_enqueue, person_register
from registry.services.sms import sms_queue
from registry.services.work import WorkData, work_record


@transaction.atomic
def registration_submit(
    *,
    data: PersonData,
    work: WorkData,
    consents: set[int | None],
    channel: str,
    entered_by=None,
    branch=None,
    reference: str = "",
    campaign=None,
    event=None,
    consent_evidence=None,
) -> tuple[Person, bool]:
    """Register someone from any channel; a repeated (partner, reference) changes nothing."""
    person, created = person_register(
        data=data, channel=channel, entered_by=entered_by, branch=branch, reference=reference
    )
    if not created:
        return person, False
    work_record(person=person, work=work)
    if consents:  # a person registered a moment ago has no consent to withdraw
        evidence_name = _store_evidence(consent_evidence) if consent_evidence else ""
        consent_set(
            person=person,
            wanted=consents,
            channel=channel,
            actor=entered_by,
            evidence_name=evidence_name,
        )
    if campaign is not None:
        attribution_record(person=person, campaign=campaign, event=event)
    if person.phone:
        sms_queue(
            phone=str(person.phone),
            template="registration_confirmed",
            params={"number": registration_number_format(person.registration_number)},
        )
    dedup_enqueue(person_id=person.pk)
    return person, True


def _store_evidence(upload) -> str:
    """Save the photo of a signed consent form under a name that says nothing personal."""
    suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else "bin"
    today = timezone.localdate()
    return default_storage.save(f"consent-forms/{today:%Y/%m}/{uuid.uuid4().hex}.{suffix}", upload)
