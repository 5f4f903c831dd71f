"""A real Celery worker consumes tasks from Redis and writes to PostgreSQL."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from onboarding.celery import app
from registry.models import SmsMessage
from registry.services.sms import sms_queue


@pytest.fixture
def redis_worker(settings):
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


@pytest.mark.worker
def test_worker_delivers_a_message_enqueued_on_commit(transactional_db, redis_worker):
    with transaction.atomic():
        message = sms_queue(
            phone="+85512345678", template="registration_confirmed", params={"number": "test"}
        )
        # Not enqueued before commit: the worker could not see the row yet.
        assert SmsMessage.objects.get(pk=message.pk).status == SmsMessage.Status.PENDING
    for _ in range(100):
        message.refresh_from_db()
        if message.status == SmsMessage.Status.SENT:
            break
        import time

        time.sleep(0.1)
    assert message.status == SmsMessage.Status.SENT
    assert message.attempts == 1


@pytest.mark.django_db
def test_a_rolled_back_transaction_sends_nothing():
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        sms_queue(
            phone="+85512345678", template="registration_confirmed", params={"number": "never"}
        )
        raise DatabaseError("rollback")
    assert not SmsMessage.objects.filter(params__number="never").exists()


@pytest.mark.django_db
def test_delivery_is_idempotent(django_capture_on_commit_callbacks):
    from registry.services.sms import sms_deliver_now

    with django_capture_on_commit_callbacks(execute=True):
        message = sms_queue(
            phone="+85512345678", template="registration_confirmed", params={"number": "once"}
        )
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    assert sms_deliver_now(message_id=message.pk) is None
    message.refresh_from_db()
    assert message.attempts == 1
