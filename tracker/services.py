"""The tracker's writes: a question to the help desk, the SMS opt-out, and the SMS sent
when a programme first receives a person's data. Withdrawing a consent from an entry is
the registry's one service (`registry.services.consent.consent_withdraw`)."""

from django.db import connection, transaction
from django.utils import timezone

from programmes.models import Programme
from registry.models import Person
from registry.services.sms import sms_queue_many
from sharing.models import ExportJob, ExportMember
from tracker.models import NoticeOptOut, ProgrammeReceipt, Question
from tracker.selectors import tracker_entry

FIRST_RECEIPT_TEMPLATE = "programme_first_receipt"
# Messages queued per call of sms_queue_many (one INSERT and its delivery tasks each).
SMS_BATCH = 10_000


def question_ask(*, person: Person, text: str, about: str, channel: str) -> Question:
    """A registrant's question about an entry, for the help desk queue (/admin/). Only an
    entry of this record's own tracker may be named: any other `about` is dropped."""
    if about and tracker_entry(person=person, key=about) is None:
        about = ""
    return Question.objects.create(
        person=person, text=text.strip()[:2000], about=about[:40], channel=channel
    )


def notices_set(*, person: Person, first_receipt_sms: bool) -> None:
    """Whether this record's holder gets an SMS when a programme first receives their data."""
    if first_receipt_sms:
        NoticeOptOut.objects.filter(person=person).delete()
    else:
        NoticeOptOut.objects.get_or_create(person=person)


def notices_wanted(*, person: Person) -> bool:
    return not NoticeOptOut.objects.filter(person=person).exists()


def _receipts_sql() -> str:
    receipts = ProgrammeReceipt._meta.db_table
    members = ExportMember._meta.db_table
    people = Person._meta.db_table
    optouts = NoticeOptOut._meta.db_table
    # Our table names only; values are bound parameters.
    return f"""
    WITH fresh AS (
      INSERT INTO {receipts} (person_id, programme_id, job_id, at)
      SELECT m.person_id, %(programme)s, m.job_id, %(now)s
      FROM {members} m
      WHERE m.job_id = %(job)s AND m.change = ANY(%(received)s)
      ON CONFLICT (person_id, programme_id) DO NOTHING
      RETURNING person_id)
    SELECT DISTINCT p.phone FROM fresh JOIN {people} p ON p.id = fresh.person_id
    WHERE p.phone <> '' AND p.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM {optouts} o WHERE o.person_id = p.id)
    """  # noqa: S608


@transaction.atomic
def first_receipt_notify(*, job_id: int) -> int:
    """Record which people this published job gave its programme for the first time, and
    queue one SMS per phone among them (not to those who opted out). Idempotent: a person
    already recorded for the programme gets nothing, so a retried task sends nothing twice.
    Returns the number of messages queued."""
    job = (
        ExportJob.objects.filter(
            pk=job_id, status__in=[ExportJob.Status.DONE, ExportJob.Status.EXPIRED]
        )
        .select_related("programme")
        .first()
    )
    if job is None:
        return 0
    programme: Programme = job.programme
    received = [
        ExportMember.Change.SENT,
        ExportMember.Change.NEW,
        ExportMember.Change.CHANGED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _receipts_sql(),
            {
                "programme": programme.pk,
                "job": job.pk,
                "now": timezone.now(),
                "received": [int(c) for c in received],
            },
        )
        phones = [str(row[0]) for row in cursor.fetchall()]
    params = {"programme_km": programme.name_km, "programme_en": programme.name_en}
    for start in range(0, len(phones), SMS_BATCH):
        sms_queue_many(
            template=FIRST_RECEIPT_TEMPLATE,
            messages=[(phone, params) for phone in phones[start : start + SMS_BATCH]],
        )
    return len(phones)
