"""The seam through which services queue background work by task name (onboarding.jobs)."""

import pytest
from celery import current_app
from django.db import transaction

from onboarding.jobs import KNOWN_TASKS, enqueue_on_commit
from registry.models import SmsMessage


def test_every_task_a_service_may_queue_is_registered():
    # A renamed or moved task fails here, not at the first registration after a deploy.
    assert set(current_app.tasks) >= KNOWN_TASKS


def test_an_unknown_task_name_is_refused():
    with pytest.raises(ValueError, match="unknown task"):
        enqueue_on_commit("registry.tasks.no_such_task", 1)


@pytest.mark.django_db(transaction=True)
def test_work_is_queued_only_when_the_transaction_commits():
    message = SmsMessage.objects.create(
        phone="+85512345678", template="registration_confirmed", params={"number": "1"}
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit("registry.tasks.sms_deliver", message.pk)
        raise RuntimeError("rolled back")
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.PENDING  # nothing was delivered

    with transaction.atomic():
        enqueue_on_commit("registry.tasks.sms_deliver", message.pk)
        message.refresh_from_db()
        assert message.status == SmsMessage.Status.PENDING  # not before the commit
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT  # the eager task ran on commit
