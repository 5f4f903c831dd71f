"""Nightly purges (Celery beat) delete what is kept only for a while, and nothing else."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Role
from accounts.tasks import expired_sessions_purge
from api.models import IdempotencyRecord
from api.tasks import idempotency_records_purge
from onboarding.celery import app
from partners.models import IntakeBatch, IntakeRow
from partners.services import intake_batch_create
from partners.tasks import intake_batches_purge
from registry.models import PhoneCode, SmsMessage
from registry.tasks import phone_codes_purge, sms_messages_purge
from tests.factories import BranchFactory, user_with_role

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def backdate(model, pk, **fields):
    model.objects.filter(pk=pk).update(**fields)


def test_every_purge_is_scheduled_by_beat():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in (
        expired_sessions_purge,
        idempotency_records_purge,
        phone_codes_purge,
        sms_messages_purge,
        intake_batches_purge,
    ):
        assert task.name in scheduled
        assert task.name in app.tasks
    assert settings.CELERY_BEAT_SCHEDULER.startswith("django_celery_beat.")


def test_expired_sessions_are_purged():
    old, live = SessionStore(), SessionStore()
    old["x"] = live["x"] = 1
    old.create()
    live.create()
    backdate(Session, old.session_key, expire_date=timezone.now() - DAY)
    assert expired_sessions_purge.delay().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_idempotency_records_are_purged_after_their_lifetime():
    user = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    old = IdempotencyRecord.objects.create(user=user, key="old", request_hash="x" * 64)
    new = IdempotencyRecord.objects.create(user=user, key="new", request_hash="x" * 64)
    lifetime = datetime.timedelta(seconds=settings.API_IDEMPOTENCY_TTL)
    backdate(IdempotencyRecord, old.pk, created_at=timezone.now() - lifetime - DAY)
    assert idempotency_records_purge.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [new.pk]


def phone_code(age: datetime.timedelta) -> PhoneCode:
    now = timezone.now()
    code = PhoneCode.objects.create(
        phone="+85512345678", purpose="sign_in", code_hash="h", expires_at=now
    )
    backdate(PhoneCode, code.pk, created_at=now - age)
    return code


def test_phone_codes_are_purged_after_the_retention_period(settings):
    settings.RETENTION_PHONE_CODE_DAYS = 2
    phone_code(3 * DAY)
    kept = phone_code(DAY)  # still counted by the daily send limit
    assert phone_codes_purge.delay().get() == 1
    assert list(PhoneCode.objects.values_list("pk", flat=True)) == [kept.pk]


def test_sent_and_failed_messages_are_purged_pending_ones_kept(settings):
    settings.RETENTION_SMS_DAYS = 90
    ids = {}
    for status in SmsMessage.Status.values:
        for age in (91, 89):
            message = SmsMessage.objects.create(
                phone="+85512345678", template="registration_confirmed", status=status
            )
            backdate(SmsMessage, message.pk, created_at=timezone.now() - age * DAY)
            ids[status, age] = message.pk
    assert sms_messages_purge.delay().get() == 2
    left = set(SmsMessage.objects.values_list("pk", flat=True))
    assert left == {
        ids["sent", 89],
        ids["failed", 89],
        ids["pending", 89],
        ids["pending", 91],
    }


def batch(branch, user, status, age_days):
    made = intake_batch_create(
        branch=branch,
        uploaded_by=user,
        upload=ContentFile(b"reference,name_km\nF-1,x\n", name="people.csv"),
        enqueue_validation=False,
    )
    IntakeRow.objects.create(batch=made, row_number=2, status="invalid", cells={"name_km": "x"})
    backdate(IntakeBatch, made.pk, status=status, created_at=timezone.now() - age_days * DAY)
    made.refresh_from_db()
    return made


def test_intake_files_and_rows_are_purged_after_the_retention_period(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_INTAKE_DAYS = 30
    branch = BranchFactory()
    user = user_with_role(Role.BRANCH_STAFF, branch=branch)
    old = batch(branch, user, IntakeBatch.Status.COMMITTED, 31)
    running = batch(branch, user, IntakeBatch.Status.COMMITTING, 31)
    recent = batch(branch, user, IntakeBatch.Status.VALIDATED, 29)
    old_path = old.file.path
    assert (tmp_path / old.file.name).is_file()
    assert intake_batches_purge.delay().get() == 1
    old.refresh_from_db()
    assert old.file.name == "" and not IntakeRow.objects.filter(batch=old).exists()
    assert not (tmp_path / old_path).exists()
    assert IntakeBatch.objects.filter(pk=old.pk).exists()  # the batch and its counts stay
    for kept in (running, recent):
        assert IntakeRow.objects.filter(batch=kept).exists()
        assert kept.file.storage.exists(kept.file.name)
    # A second run finds nothing more to do.
    assert intake_batches_purge.delay().get() == 0


def test_a_checked_file_never_registered_is_refused_once_purged(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    branch = BranchFactory()
    user = user_with_role(Role.BRANCH_STAFF, branch=branch)
    waiting = batch(branch, user, IntakeBatch.Status.VALIDATED, settings.RETENTION_INTAKE_DAYS + 1)
    intake_batches_purge.delay().get()
    waiting.refresh_from_db()
    assert waiting.status == IntakeBatch.Status.REJECTED
    assert "Upload it again" in waiting.error_en
    assert "30" in waiting.error_km or "៣០" in waiting.error_km
