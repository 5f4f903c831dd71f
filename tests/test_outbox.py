"""The outbox: a task the broker refuses after a commit is kept, and queued again later."""

import pytest
from django.db import transaction

from onboarding.jobs import enqueue_on_commit
from outbox.models import PendingTask
from outbox.services import pending_tasks_drain
from tests.faults import broker_switch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down():
    """A broker address where nothing listens: every hand-over is refused."""
    url, eager = broker_switch("redis://127.0.0.1:9/0")
    yield
    broker_switch(url, eager=eager)


def test_a_task_refused_by_the_broker_is_kept_with_its_arguments(broker_down):
    with transaction.atomic():
        enqueue_on_commit("dedup.tasks.dedup_person", 42)
        enqueue_on_commit("dedup.tasks.dedup_people", [1, 2, 3])
        assert not PendingTask.objects.exists()  # nothing before the commit
    kept = list(PendingTask.objects.values_list("task_name", "args"))
    assert kept == [("dedup.tasks.dedup_person", [42]), ("dedup.tasks.dedup_people", [[1, 2, 3]])]


def test_a_rolled_back_write_keeps_nothing(broker_down):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit("dedup.tasks.dedup_person", 42)
        raise RuntimeError
    assert not PendingTask.objects.exists()


def test_the_drain_hands_tasks_over_in_order_and_stops_at_the_first_refusal():
    for n in range(4):
        PendingTask.objects.create(task_name="dedup.tasks.dedup_person", args=[n])
    handed: list[list] = []

    def publish(name, args, kwargs):
        if args == [2]:
            raise ConnectionError("broker down again")
        handed.append(args)

    assert pending_tasks_drain(publish=publish) == 2
    assert handed == [[0], [1]]
    left = list(PendingTask.objects.order_by("id").values_list("args", "attempts"))
    assert left == [([2], 1), ([3], 0)]
    assert pending_tasks_drain(publish=lambda *a: handed.append(a[1])) == 2
    assert not PendingTask.objects.exists()


def test_beat_drains_the_outbox_every_minute(settings):
    from outbox.tasks import outbox_drain

    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == outbox_drain.name]
    assert entry["schedule"] <= 60
