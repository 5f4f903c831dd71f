"""A whole registration in one transaction: the person, their work, their consents,
the campaign that brought them, and the confirmation SMS (sent after commit)."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from registry.models import Person
from registry.regnumber import registration_number_format
from registry.services.consent import consent_set
from registry.services.people import PersonData, person_register
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
) -> tuple[Person, bool]:
    """Register someone from any channel; a repeated (partner, reference) changes nothing."""
    person, created = person_register(
        data=data, channel=channel, entered_by=entered_by, branch=branch, reference=reference
    )
    if not created:
        return person, False
    work_record(person=person, work=work)
    consent_set(person=person, wanted=consents, channel=channel, actor=entered_by)
    if campaign is not None:
        from campaigns.services import attribution_record

        attribution_record(person=person, campaign=campaign, event=event)
    if person.phone:
        number = registration_number_format(person.registration_number)
        texts = []
        for language in ("km", "en"):
            with override(language):
                texts.append(
                    _("You are registered. Your registration number is %(n)s.") % {"n": number}
                )
        sms_queue(phone=str(person.phone), body="\n".join(texts))
    return person, True
